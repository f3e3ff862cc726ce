// DataModel: the write side (SetParameterValues, AddObject, DeleteObject, internal writes).
#include <set>

#include "join.h"
#include "proxier/datamodel/data_model.h"
#include "proxier/datamodel/path.h"

namespace proxier::datamodel {

namespace {
using Groups = std::vector<std::pair<Provider*, std::vector<SetItem>>>;

std::vector<SetItem>& GroupFor(Groups& groups, Provider* p) {
  for (auto& g : groups) {
    if (g.first == p) return g.second;
  }
  groups.emplace_back(p, std::vector<SetItem>{});
  return groups.back().second;
}

SetResult Invalid(std::vector<ParamFault> faults) {
  SetResult r;
  r.status = Status(Code::kInvalidArguments, "invalid parameter(s) in SetParameterValues");
  r.faults = std::move(faults);
  return r;
}
}  // namespace

void DataModel::SetValues(const std::vector<SetItem>& items, const std::string& origin,
                          InTransaction in_tx, std::function<void(SetResult)> done) {
  std::set<std::string> names;
  for (const auto& item : items) {
    if (!names.insert(item.name).second) {
      SetResult r;
      r.status = Status(Code::kInvalidArguments, "parameter listed more than once: " + item.name);
      return done(r);
    }
  }
  Groups groups;
  std::vector<ParamFault> early;
  for (const auto& item : items) {
    Status syntax = CheckPathSyntax(item.name, false);
    Provider* owner = syntax.ok() ? Owner(item.name) : nullptr;
    if (!syntax.ok()) {
      early.push_back({item.name, syntax});
    } else if (!owner) {
      early.push_back(
          {item.name, Status(Code::kInvalidParameterName, "no such parameter: " + item.name)});
    } else {
      GroupFor(groups, owner).push_back(item);
    }
  }
  // Phase 1: every provider checks its items.
  auto join = Join<std::vector<ParamFault>>::Make(
      groups.size(), [this, items, origin, in_tx, groups, early,
                      done](std::vector<std::vector<ParamFault>> results) mutable {
        std::vector<ParamFault> faults = early;
        for (auto& r : results) {
          for (auto& f : r) faults.push_back(std::move(f));
        }
        if (!faults.empty()) {
          // Report faults in request order.
          std::vector<ParamFault> ordered;
          for (const auto& item : items) {
            for (auto& f : faults) {
              if (f.name == item.name) ordered.push_back(f);
            }
          }
          return done(Invalid(std::move(ordered)));
        }
        // Phase 2a: remote providers apply first; local ones only if they all succeeded.
        Groups remote, local;
        for (auto& g : groups) (g.first->IsLocal() ? local : remote).push_back(g);
        auto apply_join = Join<Result<int>>::Make(
            remote.size(), [this, items, origin, in_tx, local, done](std::vector<Result<int>> rs) {
              int status = 0;
              for (auto& r : rs) {
                if (!r.ok()) {
                  SetResult out;
                  out.status = r.status();
                  return done(out);
                }
                status = std::max(status, *r);
              }
              // Phase 2b: local providers and the caller's work in one transaction.
              Status st = ApplyLocal(local, in_tx, &status);
              if (!st.ok()) {
                SetResult out;
                out.status = st;
                return done(out);
              }
              FinishSet(items, origin, status, done);
            });
        for (size_t i = 0; i < remote.size(); ++i) {
          remote[i].first->ApplySet(remote[i].second, apply_join->Slot(i));
        }
      });
  for (size_t i = 0; i < groups.size(); ++i)
    groups[i].first->ValidateSet(groups[i].second, join->Slot(i));
}

Status DataModel::ApplyLocal(const Groups& groups, const InTransaction& in_tx, int* status) {
  Transaction tx(db_);
  PX_RETURN_IF_ERROR(tx.begin_status());
  for (const auto& [provider, items] : groups) {
    std::optional<Result<int>> result;
    provider->ApplySet(items, [&](Result<int> r) { result.emplace(std::move(r)); });
    if (!result)
      return Status(Code::kInternalError, "local provider did not complete synchronously");
    if (!result->ok()) return result->status();
    *status = std::max(*status, **result);
  }
  if (in_tx) PX_RETURN_IF_ERROR(in_tx());
  return tx.Commit();
}

void DataModel::FinishSet(const std::vector<SetItem>& items, const std::string& origin, int status,
                          std::function<void(SetResult)> done) {
  // Record the stored (canonical) value of local items; remote ones as sent.
  std::vector<std::string> local_names;
  for (const auto& item : items) {
    Provider* p = Owner(item.name);
    if (p && p->IsLocal()) {
      local_names.push_back(item.name);
    } else {
      RecordChange({item.name, item.value, item.declared_type.value_or(ValueType::kString)},
                   origin);
    }
  }
  GetValues(local_names, [this, origin, status, done](Result<std::vector<ParamValue>> values) {
    if (values.ok()) {
      for (const auto& v : *values) RecordChange(v, origin);
    }
    SetResult out;
    out.apply_status = status;
    done(out);
  });
}

void DataModel::AddObject(const std::string& table, const std::string& origin, InTransaction in_tx,
                          std::function<void(Result<AddResult>)> done) {
  Status syntax = CheckPathSyntax(table, true);
  if (!syntax.ok() || table.empty() || !IsPartialPath(table)) {
    return done(Status(Code::kInvalidParameterName,
                       "AddObject needs a table path ending in '.': " + table));
  }
  Provider* owner = Owner(table);
  if (!owner) return done(Status(Code::kInvalidParameterName, "no such table: " + table));
  auto finish = [this, origin, done](Result<AddResult> r) {
    if (r.ok()) {
      for (const auto& v : r->side_changes) RecordChange(v, origin);
    }
    done(std::move(r));
  };
  if (owner->IsLocal()) {
    Transaction tx(db_);
    if (!tx.begin_status().ok()) return done(tx.begin_status());
    std::optional<Result<AddResult>> result;
    owner->AddObject(table, [&](Result<AddResult> r) { result.emplace(std::move(r)); });
    if (!result)
      return done(Status(Code::kInternalError, "local provider did not complete synchronously"));
    if (!result->ok()) return done(std::move(*result));
    if (in_tx) {
      Status st = in_tx();
      if (!st.ok()) return done(st);
    }
    Status st = tx.Commit();
    if (!st.ok()) return done(st);
    return finish(std::move(*result));
  }
  owner->AddObject(table, [this, in_tx, finish](Result<AddResult> r) {
    if (r.ok() && in_tx) {
      Transaction tx(db_);
      Status st = tx.begin_status();
      if (st.ok()) st = in_tx();
      if (st.ok()) st = tx.Commit();
      if (!st.ok()) return finish(st);
    }
    finish(std::move(r));
  });
}

void DataModel::DeleteObject(const std::string& row, const std::string& origin, InTransaction in_tx,
                             std::function<void(Result<DeleteResult>)> done) {
  Status syntax = CheckPathSyntax(row, true);
  if (!syntax.ok() || !IsPartialPath(row) || !IsInstanceSegment(LastSegment(row))) {
    return done(
        Status(Code::kInvalidParameterName, "DeleteObject needs a row path like X.3.: " + row));
  }
  Provider* owner = Owner(row);
  if (!owner) return done(Status(Code::kInvalidParameterName, "no such row: " + row));
  auto finish = [this, row, origin, done](Result<DeleteResult> r) {
    if (r.ok()) {
      ForgetBelow(row);
      for (const auto& v : r->side_changes) RecordChange(v, origin);
    }
    done(std::move(r));
  };
  auto drop_attrs = [this, row]() { return DropAttributesBelow(row); };
  if (owner->IsLocal()) {
    Transaction tx(db_);
    if (!tx.begin_status().ok()) return done(tx.begin_status());
    std::optional<Result<DeleteResult>> result;
    owner->DeleteObject(row, [&](Result<DeleteResult> r) { result.emplace(std::move(r)); });
    if (!result)
      return done(Status(Code::kInternalError, "local provider did not complete synchronously"));
    if (!result->ok()) return done(std::move(*result));
    Status st = drop_attrs();
    if (st.ok() && in_tx) st = in_tx();
    if (st.ok()) st = tx.Commit();
    if (!st.ok()) return done(st);
    return finish(std::move(*result));
  }
  owner->DeleteObject(row, [this, in_tx, finish, drop_attrs](Result<DeleteResult> r) {
    if (r.ok()) {
      Transaction tx(db_);
      Status st = tx.begin_status();
      if (st.ok()) st = drop_attrs();
      if (st.ok() && in_tx) st = in_tx();
      if (st.ok()) st = tx.Commit();
      if (!st.ok()) return finish(st);
    }
    finish(std::move(r));
  });
}

Status DataModel::SetInternal(const std::string& name, const std::string& value) {
  if (!store_) return Status(Code::kInternalError, "no store");
  PX_RETURN_IF_ERROR(store_->SetInternal(name, value));
  auto v = store_->Get(name);
  if (v.ok()) {
    const ParamDef* def = store_->schema().FindParam(ToSchemaPath(name));
    RecordChange({name, *v, def ? def->syntax.type : ValueType::kString}, "");
  }
  return Status::Ok();
}

Result<AddResult> DataModel::AddRowInternal(const std::string& table,
                                            std::optional<uint32_t> wanted) {
  if (!store_) return Status(Code::kInternalError, "no store");
  auto r = store_->AddRowInternal(table, wanted);
  if (r.ok()) {
    for (const auto& v : r->side_changes) RecordChange(v, "");
  }
  return r;
}

Result<DeleteResult> DataModel::DeleteRowInternal(const std::string& row) {
  if (!store_) return Status(Code::kInternalError, "no store");
  auto r = store_->DeleteRowInternal(row);
  if (r.ok()) {
    Status dropped = DropAttributesBelow(row);
    if (!dropped.ok()) return dropped;
    ForgetBelow(row);
    for (const auto& v : r->side_changes) RecordChange(v, "");
  }
  return r;
}

}  // namespace proxier::datamodel
