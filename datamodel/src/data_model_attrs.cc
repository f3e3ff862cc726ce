// DataModel: parameter attributes (Notification, AccessList) and change tracking.
#include <algorithm>
#include <set>

#include "join.h"
#include "proxier/datamodel/data_model.h"
#include "proxier/datamodel/path.h"
#include "store_tables.h"

namespace proxier::datamodel {

namespace {
std::vector<std::string> SplitList(const std::string& csv) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < csv.size()) {
    size_t comma = csv.find(',', start);
    if (comma == std::string::npos) comma = csv.size();
    if (comma > start) out.push_back(csv.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += ',';
    out += i;
  }
  return out;
}
}  // namespace

Status DataModel::LoadAttributes() {
  auto st = db_.Prepare("SELECT path, notification, access_list FROM dm_attr WHERE ns=?");
  if (!st.ok()) return st.status();
  st->Bind(0, ns_);
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    attrs_[st->ColumnText(0)] = Attr{static_cast<int>(st->ColumnInt(1)), st->ColumnText(2)};
  }
  return Status::Ok();
}

int DataModel::NotificationOf(const std::string& name) const {
  auto it = attrs_.find(name);
  if (it != attrs_.end()) return it->second.notification;
  auto d = defaults_.find(name);
  return d == defaults_.end() ? 0 : d->second.first;
}

void DataModel::SetDefaultNotification(const std::string& name, int level, bool forced) {
  defaults_[name] = {level, forced};
}

void DataModel::ExpandParams(const std::vector<std::string>& names,
                             std::function<void(Result<std::vector<ParamInfo>>)> done) {
  auto join = Join<Result<std::vector<ParamInfo>>>::Make(
      names.size(), [done](std::vector<Result<std::vector<ParamInfo>>> results) {
        std::vector<ParamInfo> out;
        for (auto& r : results) {
          if (!r.ok()) return done(r.status());
          for (auto& info : *r) {
            if (!IsPartialPath(info.name)) out.push_back(std::move(info));
          }
        }
        done(std::move(out));
      });
  for (size_t i = 0; i < names.size(); ++i) GetNames(names[i], false, join->Slot(i));
}

void DataModel::GetAttributes(const std::vector<std::string>& names,
                              std::function<void(Result<std::vector<ParamAttributes>>)> done) {
  ExpandParams(names, [this, done](Result<std::vector<ParamInfo>> params) {
    if (!params.ok()) return done(params.status());
    std::vector<ParamAttributes> out;
    for (const auto& p : *params) {
      ParamAttributes a;
      a.name = p.name;
      auto it = attrs_.find(p.name);
      if (it != attrs_.end()) {
        a.notification = it->second.notification;
        a.access_list = SplitList(it->second.access_list);
      } else if (p.active_notify == ActiveNotify::kForceEnabled ||
                 p.active_notify == ActiveNotify::kForceDefaultEnabled) {
        a.notification = 2;
      } else {
        a.notification = NotificationOf(p.name);
      }
      out.push_back(std::move(a));
    }
    done(std::move(out));
  });
}

void DataModel::SetAttributes(const std::vector<AttributeChange>& changes,
                              std::function<void(Status)> done) {
  for (const auto& c : changes) {
    if (c.notification_change && (c.notification < 0 || c.notification > 6)) {
      return done(Status(Code::kInvalidArguments,
                         "Notification " + std::to_string(c.notification) + " for " + c.name));
    }
    if (c.access_list_change) {
      for (const auto& entry : c.access_list) {
        if (entry != "Subscriber") {
          return done(Status(Code::kInvalidArguments, "unknown AccessList entry '" + entry + "'"));
        }
      }
    }
  }
  // Expand each struct separately: a later struct overrides an earlier one for the same name.
  std::vector<std::string> names;
  for (const auto& c : changes) names.push_back(c.name.empty() ? "Device." : c.name);
  auto join = Join<Result<std::vector<ParamInfo>>>::Make(
      names.size(), [this, changes, done](std::vector<Result<std::vector<ParamInfo>>> expanded) {
        std::map<std::string, Attr> next;  // name -> new attributes
        std::map<std::string, std::pair<Provider*, int>> notify_changes;
        for (size_t i = 0; i < expanded.size(); ++i) {
          if (!expanded[i].ok()) return done(expanded[i].status());
          const AttributeChange& c = changes[i];
          for (const auto& p : *expanded[i]) {
            if (IsPartialPath(p.name)) continue;
            auto current =
                next.count(p.name)
                    ? next[p.name]
                    : Attr{NotificationOf(p.name),
                           attrs_.count(p.name) ? attrs_[p.name].access_list : std::string()};
            if (p.active_notify == ActiveNotify::kForceEnabled && !attrs_.count(p.name) &&
                !next.count(p.name)) {
              current.notification = 2;
            }
            if (c.notification_change) {
              if (c.notification > 2) {
                return done(Status(Code::kNotificationRejected,
                                   p.name + ": lightweight notifications (3-6) are not supported"));
              }
              if (p.active_notify == ActiveNotify::kForceEnabled && c.notification != 2) {
                return done(Status(Code::kNotificationRejected,
                                   p.name + ": active notification is always on"));
              }
              if (p.active_notify == ActiveNotify::kDenied && c.notification == 2) {
                return done(Status(Code::kNotificationRejected,
                                   p.name + ": active notification refused for this parameter"));
              }
              current.notification = c.notification;
              notify_changes[p.name] = {Owner(p.name), c.notification};
            }
            if (c.access_list_change) current.access_list = JoinList(c.access_list);
            next[p.name] = current;
          }
        }
        Transaction tx(db_);
        if (!tx.begin_status().ok()) return done(tx.begin_status());
        for (const auto& [name, attr] : next) {
          auto st = db_.Prepare(
              "INSERT INTO dm_attr(ns, path, notification, access_list) VALUES(?,?,?,?) "
              "ON CONFLICT(ns, path) DO UPDATE SET notification=excluded.notification, "
              "access_list=excluded.access_list");
          if (!st.ok()) return done(st.status());
          st->Bind(0, ns_)
              .Bind(1, name)
              .Bind(2, int64_t{attr.notification})
              .Bind(3, attr.access_list);
          Status run = st->Run();
          if (!run.ok()) return done(run);
        }
        Status commit = tx.Commit();
        if (!commit.ok()) return done(commit);
        for (auto& [name, attr] : next) {
          if (attr.notification == 0) snapshot_.erase(name);
          attrs_[name] = attr;
        }
        for (const auto& [name, change] : notify_changes) {
          if (change.first) change.first->NotificationChanged(name, change.second);
        }
        // Baseline values of newly notified parameters, so the next refresh detects changes.
        std::vector<std::string> baseline;
        for (const auto& [name, attr] : next) {
          if (attr.notification > 0 && !snapshot_.count(name)) baseline.push_back(name);
        }
        if (baseline.empty()) return done(Status::Ok());
        GetValues(baseline, [this, done](Result<std::vector<ParamValue>> values) {
          if (values.ok()) {
            for (const auto& v : *values) snapshot_[v.name] = v.value;
          }
          done(Status::Ok());
        });
      });
  for (size_t i = 0; i < names.size(); ++i) GetNames(names[i], false, join->Slot(i));
}

Status DataModel::DropAttributesBelow(const std::string& row) {
  auto st = db_.Prepare("DELETE FROM dm_attr WHERE ns=? AND path>=? AND path<?");
  if (!st.ok()) return st.status();
  st->Bind(0, ns_).Bind(1, row).Bind(2, PrefixEnd(row));
  return st->Run();
}

void DataModel::ForgetBelow(const std::string& row) {
  auto drop = [&row](auto& map) {
    for (auto it = map.begin(); it != map.end();) {
      it = IsUnder(it->first, row) ? map.erase(it) : std::next(it);
    }
  };
  drop(attrs_);
  drop(snapshot_);
  drop(defaults_);
  for (auto& [client, state] : clients_) drop(state.pending);
}

void DataModel::TrackClient(const std::string& client, std::function<void()> on_active_change) {
  clients_[client].on_active_change = std::move(on_active_change);
}

void DataModel::UntrackClient(const std::string& client) { clients_.erase(client); }

std::vector<NotifiedChange> DataModel::TakeChanges(const std::string& client) {
  std::vector<NotifiedChange> out;
  auto it = clients_.find(client);
  if (it == clients_.end()) return out;
  for (auto& [name, change] : it->second.pending) out.push_back(std::move(change));
  it->second.pending.clear();
  return out;
}

bool DataModel::HasPendingChanges(const std::string& client, int min_level) const {
  auto it = clients_.find(client);
  if (it == clients_.end()) return false;
  return std::any_of(it->second.pending.begin(), it->second.pending.end(),
                     [min_level](const auto& p) { return p.second.notification >= min_level; });
}

void DataModel::AddListener(Listener listener) { listeners_.push_back(std::move(listener)); }

void DataModel::ValueChanged(const ParamValue& value) { RecordChange(value, ""); }

void DataModel::RecordChange(const ParamValue& value, const std::string& origin) {
  int level = NotificationOf(value.name);
  if (level > 0) {
    snapshot_[value.name] = value.value;
    for (auto& [client, state] : clients_) {
      if (client == origin) continue;
      state.pending[value.name] = NotifiedChange{value, level};
      if (level >= 2 && state.on_active_change) state.on_active_change();
    }
  }
  for (const auto& l : listeners_) l(value, origin);
}

void DataModel::RefreshNotified(std::function<void()> done) {
  std::vector<std::string> names;
  for (const auto& [name, attr] : attrs_) {
    if (attr.notification > 0) names.push_back(name);
  }
  for (const auto& [name, d] : defaults_) {
    if (d.first > 0 && !attrs_.count(name)) names.push_back(name);
  }
  if (names.empty()) return done();
  auto compare = [this](const std::vector<ParamValue>& values) {
    for (const auto& v : values) {
      auto it = snapshot_.find(v.name);
      if (it == snapshot_.end()) {
        snapshot_[v.name] = v.value;
      } else if (it->second != v.value) {
        RecordChange(v, "");
      }
    }
  };
  // One batch (one request per provider); if a name has vanished the batch fails, and then each
  // name is read on its own so the others' changes are not hidden.
  GetValues(names, [this, names, compare, done](Result<std::vector<ParamValue>> batch) {
    if (batch.ok()) {
      compare(*batch);
      return done();
    }
    auto join = Join<Result<std::vector<ParamValue>>>::Make(
        names.size(), [compare, done](std::vector<Result<std::vector<ParamValue>>> results) {
          for (auto& r : results) {
            if (r.ok()) compare(*r);
          }
          done();
        });
    for (size_t i = 0; i < names.size(); ++i) GetValues({names[i]}, join->Slot(i));
  });
}

}  // namespace proxier::datamodel
