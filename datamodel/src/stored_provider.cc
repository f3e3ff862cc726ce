// StoredProvider: resolution of instance paths and the read side (values, names).
#include "proxier/datamodel/stored_provider.h"

#include "proxier/datamodel/path.h"
#include "proxier/datamodel/value.h"
#include "store_tables.h"

namespace proxier::datamodel {

namespace {
Status Unknown(const std::string& path) {
  return Status(Code::kInvalidParameterName, "no such parameter or object: " + path);
}

std::string TypeZero(ValueType type) {
  switch (type) {
    case ValueType::kBoolean:
      return "false";
    case ValueType::kDateTime:
      return std::string(kUnknownTime);
    case ValueType::kInt:
    case ValueType::kUnsignedInt:
    case ValueType::kLong:
    case ValueType::kUnsignedLong:
    case ValueType::kDecimal:
      return "0";
    default:
      return "";
  }
}
}  // namespace

StoredProvider::StoredProvider(Db& db, const Schema& schema, std::string ns)
    : db_(db), schema_(schema), ns_(std::move(ns)) {
  for (const auto& [path, obj] : schema_.objects()) {
    if (!obj.multi || obj.num_entries_param.empty()) continue;
    std::string table(ParentPath(path));  // "A.B.{i}." -> "A.B."
    counted_tables_[std::string(ParentPath(table)) + obj.num_entries_param] = path;
  }
}

Result<std::unique_ptr<StoredProvider>> StoredProvider::Create(Db& db, const Schema& schema,
                                                               std::string ns) {
  PX_RETURN_IF_ERROR(MigrateDataModelTables(db));
  return std::unique_ptr<StoredProvider>(new StoredProvider(db, schema, std::move(ns)));
}

Result<bool> StoredProvider::RowExists(const std::string& table, uint32_t number) {
  auto st = db_.Prepare("SELECT 1 FROM dm_row WHERE ns=? AND tbl=? AND num=?");
  if (!st.ok()) return st.status();
  st->Bind(0, ns_).Bind(1, table).Bind(2, static_cast<int64_t>(number));
  return st->Step();
}

Result<std::vector<uint32_t>> StoredProvider::Rows(const std::string& table) {
  auto st = db_.Prepare("SELECT num FROM dm_row WHERE ns=? AND tbl=? ORDER BY num");
  if (!st.ok()) return st.status();
  st->Bind(0, ns_).Bind(1, table);
  std::vector<uint32_t> out;
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(static_cast<uint32_t>(st->ColumnInt(0)));
  }
  return out;
}

Result<StoredProvider::Resolved> StoredProvider::Resolve(const std::string& path) {
  Status syntax = CheckPathSyntax(path, true);
  if (!syntax.ok()) return syntax;
  // Every instance number on the way must name an existing row.
  std::string prefix;
  auto segments = SplitPath(path);
  for (size_t i = 0; i < segments.size(); ++i) {
    if (IsInstanceSegment(segments[i])) {
      auto exists = RowExists(prefix, static_cast<uint32_t>(std::stoul(std::string(segments[i]))));
      if (!exists.ok()) return exists.status();
      if (!*exists) return Unknown(path);
    }
    prefix.append(segments[i]).append(".");
  }
  Resolved r;
  std::string schema_path = ToSchemaPath(path);
  if (IsPartialPath(path)) {
    if ((r.object = schema_.FindObject(schema_path))) return r;
    if ((r.object = schema_.FindObject(schema_path + "{i}."))) {
      r.is_table = true;
      return r;
    }
    return Unknown(path);
  }
  const ObjectDef* owner = nullptr;
  r.param = schema_.FindParam(schema_path, &owner);
  if (!r.param) return Unknown(path);
  r.object = owner;
  return r;
}

Result<std::unordered_map<std::string, std::string>> StoredProvider::LoadValues(
    const std::string& prefix) {
  std::unordered_map<std::string, std::string> out;
  auto st = db_.Prepare("SELECT path, value FROM dm_value WHERE ns=? AND path>=? AND path<?");
  if (!st.ok()) return st.status();
  st->Bind(0, ns_).Bind(1, prefix).Bind(2, PrefixEnd(prefix));
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.emplace(st->ColumnText(0), st->ColumnText(1));
  }
  return out;
}

Result<std::string> StoredProvider::ReadParam(
    const std::string& object_path, const ObjectDef& obj, const ParamDef& def,
    const std::unordered_map<std::string, std::string>& stored) {
  const Syntax& syn = def.syntax;
  if (syn.hidden || syn.secured || syn.command) return std::string();
  auto counted = counted_tables_.find(obj.path + def.name);
  if (counted != counted_tables_.end()) {
    std::string table = object_path + std::string(LastSegment(ParentPath(counted->second))) + ".";
    auto rows = Rows(table);
    if (!rows.ok()) return rows.status();
    return std::to_string(rows->size());
  }
  auto it = stored.find(object_path + def.name);
  if (it != stored.end()) return it->second;
  if (def.default_value) {
    auto canon = CheckValue(def.name, syn, *def.default_value);
    if (canon.ok()) return std::move(canon).value();
  }
  return TypeZero(syn.type);
}

Status StoredProvider::WalkValues(const std::string& object_path, const ObjectDef& obj,
                                  const std::unordered_map<std::string, std::string>& stored,
                                  std::vector<ParamValue>* out) {
  for (const auto& def : obj.params) {
    auto v = ReadParam(object_path, obj, def, stored);
    if (!v.ok()) return v.status();
    out->push_back({object_path + def.name, std::move(v).value(), def.syntax.type});
  }
  for (const auto& child_path : obj.child_objects) {
    const ObjectDef* child = schema_.FindObject(child_path);
    if (child->multi) {
      std::string table = object_path + std::string(LastSegment(ParentPath(child_path))) + ".";
      auto rows = Rows(table);
      if (!rows.ok()) return rows.status();
      for (uint32_t n : *rows) {
        PX_RETURN_IF_ERROR(WalkValues(table + std::to_string(n) + ".", *child, stored, out));
      }
    } else {
      PX_RETURN_IF_ERROR(WalkValues(object_path + std::string(LastSegment(child_path)) + ".",
                                    *child, stored, out));
    }
  }
  return Status::Ok();
}

void StoredProvider::GetValues(const std::vector<std::string>& names,
                               Done<std::vector<ParamValue>> done) {
  std::vector<ParamValue> out;
  for (const auto& raw : names) {
    std::string name = raw.empty() ? "Device." : raw;
    auto r = Resolve(name);
    if (!r.ok()) return done(r.status());
    if (r->param) {
      auto st = db_.Prepare("SELECT value FROM dm_value WHERE ns=? AND path=?");
      if (!st.ok()) return done(st.status());
      st->Bind(0, ns_).Bind(1, name);
      auto row = st->Step();
      if (!row.ok()) return done(row.status());
      std::unordered_map<std::string, std::string> one;
      if (*row) one.emplace(name, st->ColumnText(0));
      std::string object_path(ParentPath(name));
      auto v = ReadParam(object_path, *r->object, *r->param, one);
      if (!v.ok()) return done(v.status());
      out.push_back({name, std::move(v).value(), r->param->syntax.type});
      continue;
    }
    auto stored = LoadValues(name);
    if (!stored.ok()) return done(stored.status());
    if (r->is_table) {
      auto rows = Rows(name);
      if (!rows.ok()) return done(rows.status());
      for (uint32_t n : *rows) {
        Status st = WalkValues(name + std::to_string(n) + ".", *r->object, *stored, &out);
        if (!st.ok()) return done(st);
      }
    } else {
      Status st = WalkValues(name, *r->object, *stored, &out);
      if (!st.ok()) return done(st);
    }
  }
  done(std::move(out));
}

Status StoredProvider::WalkTableRows(const std::string& table, const ObjectDef& row_def,
                                     bool recurse, std::vector<ParamInfo>* out) {
  auto rows = Rows(table);
  if (!rows.ok()) return rows.status();
  for (uint32_t n : *rows) {
    std::string row = table + std::to_string(n) + ".";
    out->push_back({row, row_def.writable});
    if (recurse) PX_RETURN_IF_ERROR(WalkNames(row, row_def, true, out));
  }
  return Status::Ok();
}

Status StoredProvider::WalkNames(const std::string& object_path, const ObjectDef& obj, bool recurse,
                                 std::vector<ParamInfo>* out) {
  for (const auto& def : obj.params) {
    out->push_back({object_path + def.name, def.writable, def.active_notify, def.forced_inform});
  }
  for (const auto& child_path : obj.child_objects) {
    const ObjectDef* child = schema_.FindObject(child_path);
    if (child->multi) {
      std::string table = object_path + std::string(LastSegment(ParentPath(child_path))) + ".";
      out->push_back({table, child->writable});
      if (recurse) PX_RETURN_IF_ERROR(WalkTableRows(table, *child, true, out));
    } else {
      std::string path = object_path + std::string(LastSegment(child_path)) + ".";
      out->push_back({path, false});
      if (recurse) PX_RETURN_IF_ERROR(WalkNames(path, *child, true, out));
    }
  }
  return Status::Ok();
}

void StoredProvider::GetNames(const std::string& path, bool next_level,
                              Done<std::vector<ParamInfo>> done) {
  std::vector<ParamInfo> out;
  if (path.empty()) {
    out.push_back({"Device.", false});
    if (!next_level) {
      const ObjectDef* root = schema_.FindObject("Device.");
      if (!root) return done(Unknown("Device."));
      Status st = WalkNames("Device.", *root, true, &out);
      if (!st.ok()) return done(st);
    }
    return done(std::move(out));
  }
  auto r = Resolve(path);
  if (!r.ok()) return done(r.status());
  if (r->param) {
    if (next_level) {
      return done(
          Status(Code::kInvalidArguments, "NextLevel must be false for a parameter name: " + path));
    }
    out.push_back({path, r->param->writable, r->param->active_notify, r->param->forced_inform});
    return done(std::move(out));
  }
  Status st;
  if (r->is_table) {
    if (!next_level) out.push_back({path, r->object->writable});
    st = WalkTableRows(path, *r->object, !next_level, &out);
  } else {
    if (!next_level) {
      bool row = IsInstanceSegment(LastSegment(path));
      out.push_back({path, row && r->object->writable});
    }
    st = WalkNames(path, *r->object, !next_level, &out);
  }
  if (!st.ok()) return done(st);
  done(std::move(out));
}

Result<std::string> StoredProvider::Get(const std::string& name) {
  Result<std::string> out = Status(Code::kInternalError, "no value");
  GetValues({name}, [&](Result<std::vector<ParamValue>> r) {
    if (!r.ok()) {
      out = r.status();
    } else if (r->size() != 1) {
      out = Status(Code::kInvalidParameterName, name + " is not a single parameter");
    } else {
      out = std::move((*r)[0].value);
    }
  });
  return out;
}

}  // namespace proxier::datamodel

namespace proxier::datamodel {

Result<std::string> StoredProvider::GetSecret(const std::string& name) {
  auto r = Resolve(name);
  if (!r.ok()) return r.status();
  if (!r->param) return Status(Code::kInvalidParameterName, name + " is not a parameter");
  auto st = db_.Prepare("SELECT value FROM dm_value WHERE ns=? AND path=?");
  if (!st.ok()) return st.status();
  st->Bind(0, ns_).Bind(1, name);
  auto row = st->Step();
  if (!row.ok()) return row.status();
  if (*row) return st->ColumnText(0);
  return r->param->default_value.value_or("");
}

}  // namespace proxier::datamodel
