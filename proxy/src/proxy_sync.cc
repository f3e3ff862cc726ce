// ProxyProvider: metadata sync, device events and notification subscriptions.
#include "proxier/common/log.h"
#include "proxier/proxy/proxy_provider.h"

namespace proxier::proxy {

namespace cms = upnp::cms;

namespace {
// Tables whose access one Sync asks for, at most (one GetAttributes); the others stay unknown.
constexpr size_t kMaxTablesAsked = 1024;
}  // namespace

void ProxyProvider::MergeAttributes(const std::vector<cms::NodeAttributes>& nodes,
                                    TableMap* tables) {
  for (const auto& n : nodes) {
    if (!IsMappablePath(n.path)) {
      Dropped(0, 1, n.path);
      continue;
    }
    if (n.path.back() == '/') {  // a node: only a table's access means something to us
      MergeTableAccess({n}, tables ? tables : &tables_);
      continue;
    }
    ParamMeta m;
    auto get = [&](const char* key) {
      auto it = n.attributes.find(key);
      return it == n.attributes.end() ? std::string() : it->second;
    };
    m.upnp_type = get("Type");
    m.type = TypeOfUpnp(m.upnp_type);
    m.writable = get("Access") == "readWrite";
    m.eventable = n.attributes.count("EventOnChange") > 0;
    const std::string s = StructureOf(n.path);
    meta_[s] = m;
    structure_.insert(s);
  }
}

std::vector<std::string> ProxyProvider::Tables() const {
  std::set<std::string> out;
  for (const auto& s : structure_) {
    for (size_t h = s.find("/#/"); h != std::string::npos; h = s.find("/#/", h + 1)) {
      out.insert(s.substr(0, h + 3));
    }
  }
  return {out.begin(), out.end()};
}

void ProxyProvider::MergeTableAccess(const std::vector<cms::NodeAttributes>& nodes,
                                     TableMap* tables) {
  for (const auto& n : nodes) {
    if (n.path.empty() || n.path.back() != '/' || !IsMappablePath(n.path)) continue;
    // "/A/#/" (the structure path we ask) or "/A/" (the table node, as a device may answer).
    std::string s = StructureOf(n.path);
    if (!s.ends_with("#/")) s += "#/";
    auto known = structure_.lower_bound(s);
    if (known == structure_.end() || !known->starts_with(s)) continue;  // not a table of ours
    auto access = n.attributes.find("Access");
    if (access == n.attributes.end()) continue;
    if (access->second == "readWrite") {
      (*tables)[s] = {true, false};
    } else if (access->second == "readOnly") {
      (*tables)[s] = {false, false};
    }
  }
}

TableAccess ProxyProvider::AccessOf(const std::string& table_structure) const {
  auto it = tables_.find(table_structure);
  if (it == tables_.end()) return TableAccess::kUnknown;
  return it->second.writable ? TableAccess::kWritable : TableAccess::kFixed;
}

void ProxyProvider::LearnWritable(const std::string& table_structure) {
  if (AccessOf(table_structure) != TableAccess::kUnknown) return;
  tables_[table_structure] = {true, true};
  auto ins = db_.Prepare(
      "INSERT OR REPLACE INTO proxy_meta(udn, structure, upnp_type, writable, eventable) "
      "VALUES(?,?,'#table-learned',1,0)");
  Status st = ins.ok() ? ins->Bind(0, udn_).Bind(1, table_structure).Run() : ins.status();
  if (!st.ok()) PX_LOG(kWarning, "proxy") << udn_ << ": storing " << table_structure << ": " << st;
}

void ProxyProvider::LearnFromValues(const std::vector<datamodel::ParamValue>& values) {
  for (const auto& v : values) {
    auto path = ToUpnp(v.name);
    if (!path.ok()) continue;
    const std::string s = StructureOf(*path);
    structure_.insert(s);
    // Without attributes, the device decides what may be written (706 -> 9008) and nothing is
    // evented (Notification 1 by polling, 2 refused).
    if (!meta_.count(s)) meta_[s] = ParamMeta{v.type, "", /*writable=*/true, /*eventable=*/false};
  }
}

void ProxyProvider::Sync(std::function<void(Status)> done) {
  if (mounts_.empty()) return done(Status::Ok());
  if (!port_.Online()) return done(Status(Code::kInternalError, "device " + udn_ + " offline"));
  // Per mount: supported structure, attributes of the existing parameters, current values.
  struct State {
    std::set<std::string> structure;
    std::vector<cms::NodeAttributes> attributes;
    Status first;
    uint64_t bad_names = 0;
    std::string example;
    std::string missing;  // optional-in-practice actions the device lacks
  };
  auto state = std::make_shared<State>();
  auto remaining = std::make_shared<size_t>(mounts_.size() * 2);
  ++syncs_running_;
  done = [this, alive = Alive(), done](Status st) {
    if (alive()) --syncs_running_;
    done(st);
  };
  auto finish = [this, alive = Alive(), state, done] {
    if (!alive()) return done(Status(Code::kInternalError, "device detached"));
    if (!state->first.ok()) return done(state->first);
    Dropped(0, state->bad_names, state->example);
    structure_ = state->structure;
    meta_.clear();
    // The tables' access read now replaces the old one when complete (until then, AddObject and
    // GPN go by the old); what an accepted CreateInstance/DeleteInstance taught survives unless
    // the device now publishes the table's access.
    auto fresh = std::make_shared<TableMap>();
    MergeAttributes(state->attributes, fresh.get());
    metadata_gap_ = state->missing;
    auto rest = [this, alive, fresh, done] {
      if (!alive()) return done(Status(Code::kInternalError, "device detached"));
      for (const auto& [s, t] : tables_) {
        if (t.learned) fresh->emplace(s, t);
      }
      tables_ = std::move(*fresh);
      Status st = StoreMeta();
      if (!st.ok()) return done(st);
      last_sync_ = loop_.clock().WallNow();
      // Subscriptions the device may have forgotten (reboot, reset).
      for (const auto& [name, level] : notified_) NotificationChanged(name, level);
      // Then every value: fills the cache used while the device is away, and stands for the
      // metadata a device without GetSupportedParameters/GetAttributes cannot give.
      std::vector<std::string> roots;
      for (const auto& m : mounts_) roots.push_back(m.cwmp);
      GetValues(roots, [this, alive = Alive(), done](Result<std::vector<datamodel::ParamValue>> r) {
        if (alive() && r.ok() && !metadata_gap_.empty()) {
          LearnFromValues(*r);
          Status stored = StoreMeta();
          if (!stored.ok()) return done(stored);
        }
        done(Status::Ok());
      });
    };
    // The access of each table: GetAttributes on its structure path ("/A/#/"). A device that
    // refuses (or ignores) that leaves the tables unknown, which is no failure of the sync.
    std::vector<std::string> ask;
    for (const auto& t : Tables()) {
      if (!fresh->count(t) && ask.size() < kMaxTablesAsked) ask.push_back(t);
    }
    if (ask.empty() || metadata_gap_.find("GetAttributes") != std::string::npos) return rest();
    port_.GetAttributes(ask, [this, alive, fresh,
                              rest](upnp::Reply<std::vector<cms::NodeAttributes>> r) {
      if (!alive()) return rest();
      if (r.ok()) {
        MergeTableAccess(r.value, fresh.get());
      } else {
        PX_LOG(kInfo, "proxy") << udn_ << ": no table access published (" << r.status
                               << "): tables not writable until the device accepts an AddObject";
      }
      rest();
    });
  };
  auto slot = [remaining, finish] {
    return [remaining, finish](int) {
      if (--*remaining == 0) finish();
    };
  };
  auto fail = [state](const Status& st, int upnp_error) {
    if (state->first.ok()) state->first = FaultFromUpnp(upnp_error, st, FaultContext::kRead);
  };
  for (const auto& m : mounts_) {
    port_.GetSupportedParameters(
        m.upnp, 0, [state, fail, cb = slot()](upnp::Reply<std::vector<std::string>> r) {
          if (r.ok()) {
            for (const auto& p : r.value) {
              if (IsMappablePath(p)) {
                state->structure.insert(p);
              } else {
                ++state->bad_names;
                if (state->example.empty()) state->example = p;
              }
            }
          } else if (IsNotImplemented(r.upnp_error)) {
            state->missing +=
                "GetSupportedParameters (UPnP error " + std::to_string(r.upnp_error) + ") ";
          } else {
            fail(r.status, r.upnp_error);
          }
          cb(0);
        });
    port_.GetAttributes(
        {m.upnp}, [state, fail, cb = slot()](upnp::Reply<std::vector<cms::NodeAttributes>> r) {
          if (r.ok()) {
            state->attributes.insert(state->attributes.end(), r.value.begin(), r.value.end());
          } else if (IsNotImplemented(r.upnp_error)) {
            state->missing += "GetAttributes (UPnP error " + std::to_string(r.upnp_error) + ") ";
          } else if (r.upnp_error != 703) {  // an empty subtree has no attributes
            fail(r.status, r.upnp_error);
          }
          cb(0);
        });
  }
}

void ProxyProvider::OnlineChanged(bool online) {
  if (!online) return;
  if (retry_timer_) {
    loop_.Cancel(*retry_timer_);
    retry_timer_.reset();
  }
  Deliver();
}

void ProxyProvider::OnEvent(const upnp::Args& variables) {
  for (const auto& [name, value] : variables) {
    if (name == "ConfigurationUpdate") {
      auto update = cms::ParseConfigurationUpdate(value);
      if (!update.ok()) {
        PX_LOG(kWarning, "proxy") << udn_ << ": bad ConfigurationUpdate: " << update.status();
        continue;
      }
      if (update->changed.empty()) {
        Resync();
      } else {
        Coalesce(update->changed);
      }
    } else if (name == "SupportedParametersUpdate") {
      // The first value is the initial event of a subscription: the state our own Sync (run at
      // attach) already read, unless we know no metadata at all (that sync failed). Only a later
      // change means the supported set changed.
      const bool first = !supported_update_;
      const bool same = supported_update_ == value;
      supported_update_ = value;
      // (The initial event may also come while our first Sync is still reading.)
      if (same || (first && (!meta_.empty() || syncs_running_ > 0))) continue;
      Sync([udn = udn_](Status st) {
        if (!st.ok()) PX_LOG(kWarning, "proxy") << udn << ": metadata refresh: " << st;
      });
    }
  }
}

void ProxyProvider::Coalesce(const std::vector<cms::ParameterValue>& changed) {
  if (options_.event_coalesce.count() <= 0) return ReportChanges(changed);
  if (!event_timer_) {
    // The first event of a quiet period goes at once; the window that follows gathers the rest,
    // so a chatty (or hostile) device costs at most one VALUE CHANGE session per window.
    ReportChanges(changed);
    event_timer_ = loop_.RunAfter(options_.event_coalesce, [this] { FlushEvents(); });
    return;
  }
  for (const auto& pv : changed) {
    if (held_events_.size() >= kMaxHeldEvents && !held_events_.count(pv.path)) continue;
    held_events_[pv.path] = pv.value;
  }
}

void ProxyProvider::FlushEvents() {
  event_timer_.reset();
  if (held_events_.empty()) return;
  std::vector<cms::ParameterValue> changed;
  for (auto& [path, value] : held_events_) changed.push_back({path, std::move(value)});
  held_events_.clear();
  ReportChanges(changed);
  event_timer_ = loop_.RunAfter(options_.event_coalesce, [this] { FlushEvents(); });
}

void ProxyProvider::ReportChanges(const std::vector<cms::ParameterValue>& changed) {
  for (const auto& pv : changed) {
    if (!MountOfUpnp(pv.path)) continue;  // another subtree of the device
    auto v = FromDevice(pv);
    if (!v.ok()) continue;
    auto it = cache_.find(v->name);
    if (it != cache_.end() && it->second.value == v->value) continue;
    CachePut(*v);
    if (sink()) sink()->ValueChanged(*v);
  }
}

void ProxyProvider::Resync() {
  if (notified_.empty() || !port_.Online()) return;
  std::vector<std::string> paths;
  for (const auto& [name, level] : notified_) {
    auto p = ToUpnp(name);
    if (p.ok()) paths.push_back(*p);
  }
  port_.GetValues(paths, [this, alive = Alive()](upnp::Reply<std::vector<cms::ParameterValue>> r) {
    if (!alive()) return;
    if (!r.ok()) {
      PX_LOG(kInfo, "proxy") << udn_ << ": re-reading notified values: " << r.status;
      return;
    }
    ReportChanges(r.value);
  });
}

void ProxyProvider::NotificationChanged(const std::string& param, int level) {
  if (level > 0) {
    notified_[param] = level;
  } else {
    notified_.erase(param);
  }
  auto path = ToUpnp(param);
  if (!path.ok() || !port_.Online()) return;  // applied again by the next Sync
  // Without EventOnChange, Notification 1 is served by polling (mapping.md §4).
  if (const ParamMeta* m = Meta(StructureOf(*path)); m && !m->eventable) return;
  port_.SetAttributes({{*path, {{"EventOnChange", level > 0 ? "1" : "0"}}}},
                      [udn = udn_, param](upnp::Reply<std::string> r) {
                        if (!r.ok()) {
                          PX_LOG(kWarning, "proxy")
                              << udn << ": EventOnChange for " << param << ": " << r.status;
                        }
                      });
}

}  // namespace proxier::proxy
