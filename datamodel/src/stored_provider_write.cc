// StoredProvider: the write side (SetParameterValues, rows) and the daemon-side helpers.
#include <algorithm>

#include "proxier/datamodel/path.h"
#include "proxier/datamodel/stored_provider.h"
#include "proxier/datamodel/value.h"
#include "store_tables.h"

namespace proxier::datamodel {

Status StoredProvider::CheckItem(const SetItem& item, bool internal, std::string* canonical) {
  if (IsPartialPath(item.name)) {
    return Status(Code::kInvalidParameterName, "not a parameter name: " + item.name);
  }
  auto r = Resolve(item.name);
  if (!r.ok()) return r.status();
  if (!internal && !r->param->writable) {
    return Status(Code::kNonWritableParameter, item.name + " is read-only");
  }
  if (counted_tables_.count(r->object->path + r->param->name)) {
    return Status(Code::kNonWritableParameter, item.name + " is maintained by the device");
  }
  auto canon = CheckValue(item.name, r->param->syntax, item.value, item.declared_type);
  if (!canon.ok()) return canon.status();
  *canonical = std::move(canon).value();
  return Status::Ok();
}

Status StoredProvider::WriteValue(const std::string& name, const std::string& value) {
  auto st = db_.Prepare(
      "INSERT INTO dm_value(ns, path, value) VALUES(?,?,?) "
      "ON CONFLICT(ns, path) DO UPDATE SET value=excluded.value");
  if (!st.ok()) return st.status();
  st->Bind(0, ns_).Bind(1, name).Bind(2, value);
  return st->Run();
}

void StoredProvider::ValidateSet(const std::vector<SetItem>& items,
                                 std::function<void(std::vector<ParamFault>)> done) {
  std::vector<ParamFault> faults;
  for (const auto& item : items) {
    std::string canonical;
    Status st = CheckItem(item, false, &canonical);
    if (!st.ok()) faults.push_back({item.name, st});
  }
  done(std::move(faults));
}

void StoredProvider::ApplySet(const std::vector<SetItem>& items, Done<int> done) {
  Transaction tx(db_);
  if (!tx.begin_status().ok()) return done(tx.begin_status());
  for (const auto& item : items) {
    std::string canonical;
    Status st = CheckItem(item, false, &canonical);
    if (st.ok()) st = WriteValue(item.name, canonical);
    if (!st.ok()) return done(st);
  }
  Status st = tx.Commit();
  if (!st.ok()) return done(st);
  done(0);
}

Status StoredProvider::SetInternal(const std::string& name, const std::string& value) {
  std::string canonical;
  PX_RETURN_IF_ERROR(CheckItem({name, value, std::nullopt}, true, &canonical));
  return WriteValue(name, canonical);
}

Result<std::vector<ParamValue>> StoredProvider::CountChange(const std::string& table,
                                                            const ObjectDef& row_def) {
  std::vector<ParamValue> out;
  if (row_def.num_entries_param.empty()) return out;
  auto rows = Rows(table);
  if (!rows.ok()) return rows.status();
  out.push_back({std::string(ParentPath(table)) + row_def.num_entries_param,
                 std::to_string(rows->size()), ValueType::kUnsignedInt});
  return out;
}

Result<AddResult> StoredProvider::AddRowInternal(const std::string& table,
                                                 std::optional<uint32_t> wanted) {
  if (!IsPartialPath(table) || table.empty()) {
    return Status(Code::kInvalidParameterName, "not an object path: " + table);
  }
  auto r = Resolve(table);
  if (!r.ok()) return r.status();
  if (!r->is_table) return Status(Code::kInvalidParameterName, table + " is not a table");
  auto rows = Rows(table);
  if (!rows.ok()) return rows.status();
  if (r->object->max_entries && rows->size() >= *r->object->max_entries) {
    return Status(Code::kResourcesExceeded,
                  table + " is full (" + std::to_string(*r->object->max_entries) + " rows)");
  }
  Transaction tx(db_);
  PX_RETURN_IF_ERROR(tx.begin_status());
  auto counter = db_.Prepare("SELECT next FROM dm_counter WHERE ns=? AND tbl=?");
  if (!counter.ok()) return counter.status();
  counter->Bind(0, ns_).Bind(1, table);
  auto has = counter->Step();
  if (!has.ok()) return has.status();
  int64_t next = *has ? counter->ColumnInt(0) : 1;
  int64_t number = next;
  if (wanted) {
    if (*wanted == 0 || std::find(rows->begin(), rows->end(), *wanted) != rows->end()) {
      return Status(Code::kResourcesExceeded, table + std::to_string(*wanted) + " already exists");
    }
    number = *wanted;
  }
  if (number > 4294967295LL) return Status(Code::kResourcesExceeded, table + " numbers exhausted");
  auto insert = db_.Prepare("INSERT INTO dm_row(ns, tbl, num) VALUES(?,?,?)");
  if (!insert.ok()) return insert.status();
  insert->Bind(0, ns_).Bind(1, table).Bind(2, number);
  PX_RETURN_IF_ERROR(insert->Run());
  auto bump = db_.Prepare(
      "INSERT INTO dm_counter(ns, tbl, next) VALUES(?,?,?) "
      "ON CONFLICT(ns, tbl) DO UPDATE SET next=excluded.next");
  if (!bump.ok()) return bump.status();
  bump->Bind(0, ns_).Bind(1, table).Bind(2, std::max(next, number + 1));
  PX_RETURN_IF_ERROR(bump->Run());
  auto counts = CountChange(table, *r->object);
  if (!counts.ok()) return counts.status();
  PX_RETURN_IF_ERROR(tx.Commit());
  AddResult out;
  out.instance = static_cast<uint32_t>(number);
  out.side_changes = std::move(counts).value();
  return out;
}

Result<DeleteResult> StoredProvider::DeleteRowInternal(const std::string& row) {
  if (!IsPartialPath(row) || !IsInstanceSegment(LastSegment(row))) {
    return Status(Code::kInvalidParameterName, "not a table row: " + row);
  }
  auto r = Resolve(row);
  if (!r.ok()) return r.status();
  std::string table(ParentPath(row));
  Transaction tx(db_);
  PX_RETURN_IF_ERROR(tx.begin_status());
  auto del_row = db_.Prepare("DELETE FROM dm_row WHERE ns=? AND tbl=? AND num=?");
  if (!del_row.ok()) return del_row.status();
  del_row->Bind(0, ns_).Bind(1, table).Bind(
      2, static_cast<int64_t>(std::stoul(std::string(LastSegment(row)))));
  PX_RETURN_IF_ERROR(del_row->Run());
  const std::string end = PrefixEnd(row);
  for (const char* sql : {"DELETE FROM dm_row WHERE ns=? AND tbl>=? AND tbl<?",
                          "DELETE FROM dm_value WHERE ns=? AND path>=? AND path<?"}) {
    auto st = db_.Prepare(sql);
    if (!st.ok()) return st.status();
    st->Bind(0, ns_).Bind(1, row).Bind(2, end);
    PX_RETURN_IF_ERROR(st->Run());
  }
  auto counts = CountChange(table, *r->object);
  if (!counts.ok()) return counts.status();
  PX_RETURN_IF_ERROR(tx.Commit());
  DeleteResult out;
  out.side_changes = std::move(counts).value();
  return out;
}

void StoredProvider::AddObject(const std::string& table, Done<AddResult> done) {
  auto r = Resolve(table);
  if (!r.ok()) return done(r.status());
  if (!r->is_table) return done(Status(Code::kInvalidParameterName, table + " is not a table"));
  if (!r->object->writable) {
    return done(Status(Code::kRequestDenied, "rows of " + table + " cannot be added"));
  }
  done(AddRowInternal(table));
}

void StoredProvider::DeleteObject(const std::string& row, Done<DeleteResult> done) {
  if (!IsPartialPath(row) || !IsInstanceSegment(LastSegment(row))) {
    return done(Status(Code::kInvalidParameterName, "not a table row: " + row));
  }
  auto r = Resolve(row);
  if (!r.ok()) return done(r.status());
  if (!r->object->writable) {
    return done(Status(Code::kRequestDenied,
                       "rows of " + std::string(ParentPath(row)) + " cannot be deleted"));
  }
  done(DeleteRowInternal(row));
}

Status StoredProvider::WipeNamespace(Db& db, const std::string& ns) {
  PX_RETURN_IF_ERROR(MigrateDataModelTables(db));
  Transaction tx(db);
  PX_RETURN_IF_ERROR(tx.begin_status());
  for (const char* sql : {"DELETE FROM dm_value WHERE ns=?", "DELETE FROM dm_row WHERE ns=?",
                          "DELETE FROM dm_counter WHERE ns=?", "DELETE FROM dm_attr WHERE ns=?"}) {
    auto st = db.Prepare(sql);
    if (!st.ok()) return st.status();
    st->Bind(0, ns);
    PX_RETURN_IF_ERROR(st->Run());
  }
  return tx.Commit();
}

}  // namespace proxier::datamodel
