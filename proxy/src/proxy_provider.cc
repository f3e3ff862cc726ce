// ProxyProvider: state, reads (GetValues, GetNames), metadata and device events.
#include "proxier/proxy/proxy_provider.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "proxier/common/log.h"
#include "proxier/common/text.h"
#include "proxier/datamodel/path.h"
#include "proxier/datamodel/value.h"

namespace proxier::proxy {

using datamodel::ParamInfo;
using datamodel::ParamValue;
namespace cms = upnp::cms;

namespace {
// proxy_meta rows holding a table's access (structure "/A/#/") carry these as upnp_type.
constexpr char kTableRow[] = "#table";
constexpr char kLearnedTableRow[] = "#table-learned";
}  // namespace

Result<std::unique_ptr<ProxyProvider>> ProxyProvider::Create(EventLoop& loop, Db& db, CmsPort& port,
                                                             InstanceMap& map, std::string udn,
                                                             ProxyOptions options,
                                                             CommandListener on_command) {
  PX_RETURN_IF_ERROR(Migrate(
      db, "proxy_device",
      {"CREATE TABLE proxy_meta(udn TEXT NOT NULL, structure TEXT NOT NULL, upnp_type TEXT, "
       "writable INTEGER, eventable INTEGER, PRIMARY KEY(udn, structure))",
       "CREATE TABLE proxy_command(id INTEGER PRIMARY KEY AUTOINCREMENT, udn TEXT NOT NULL, "
       "payload TEXT NOT NULL, tries INTEGER NOT NULL DEFAULT 0)",
       // v3: the value cache (reads of an offline device, also after a restart).
       "CREATE TABLE proxy_value(udn TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, "
       "type INTEGER NOT NULL, PRIMARY KEY(udn, name))"}));
  std::unique_ptr<ProxyProvider> p(new ProxyProvider(loop, db, port, map, std::move(udn),
                                                     std::move(options), std::move(on_command)));
  PX_RETURN_IF_ERROR(p->LoadState());
  return p;
}

ProxyProvider::ProxyProvider(EventLoop& loop, Db& db, CmsPort& port, InstanceMap& map,
                             std::string udn, ProxyOptions options, CommandListener on_command)
    : loop_(loop),
      db_(db),
      port_(port),
      map_(map),
      udn_(std::move(udn)),
      options_(std::move(options)),
      on_command_(std::move(on_command)) {}

ProxyProvider::~ProxyProvider() {
  *alive_ = false;
  if (retry_timer_) loop_.Cancel(*retry_timer_);
  if (flush_timer_) loop_.Cancel(*flush_timer_);
  if (event_timer_) loop_.Cancel(*event_timer_);
  Status st = FlushCache();
  if (!st.ok()) PX_LOG(kWarning, "proxy") << udn_ << ": storing the value cache: " << st;
}

Status ProxyProvider::ForgetValues(Db& db, const std::string& udn) {
  auto st = db.Prepare("DELETE FROM proxy_value WHERE udn=?");
  if (!st.ok()) return st.status();
  st->Bind(0, udn);
  return st->Run();
}

void ProxyProvider::CachePut(const ParamValue& v) {
  auto it = cache_.find(v.name);
  if (it != cache_.end() && it->second == v) return;
  cache_[v.name] = v;
  MarkDirty(v.name);
}

void ProxyProvider::CacheEraseUnder(const std::string& prefix) {
  for (auto it = cache_.lower_bound(prefix); it != cache_.end() && it->first.starts_with(prefix);) {
    MarkDirty(it->first);
    it = cache_.erase(it);
  }
}

void ProxyProvider::MarkDirty(const std::string& name) {
  dirty_.insert(name);
  if (flush_timer_) return;
  // Coalesced: a burst of reads costs one transaction, and the read path never waits on disk.
  flush_timer_ = loop_.RunAfter(kCacheFlushDelay, [this] {
    flush_timer_.reset();
    Status st = FlushCache();
    if (!st.ok()) PX_LOG(kWarning, "proxy") << udn_ << ": storing the value cache: " << st;
  });
}

Status ProxyProvider::FlushCache() {
  if (dirty_.empty()) return Status::Ok();
  Transaction tx(db_);
  PX_RETURN_IF_ERROR(tx.begin_status());
  for (const auto& name : dirty_) {
    auto it = cache_.find(name);
    auto st = it == cache_.end() ? db_.Prepare("DELETE FROM proxy_value WHERE udn=? AND name=?")
                                 : db_.Prepare(
                                       "INSERT OR REPLACE INTO proxy_value(udn, name, value, type) "
                                       "VALUES(?,?,?,?)");
    if (!st.ok()) return st.status();
    st->Bind(0, udn_).Bind(1, name);
    if (it != cache_.end()) {
      st->Bind(2, it->second.value).Bind(3, static_cast<int64_t>(it->second.type));
    }
    PX_RETURN_IF_ERROR(st->Run());
  }
  PX_RETURN_IF_ERROR(tx.Commit());
  dirty_.clear();
  return Status::Ok();
}

std::function<bool()> ProxyProvider::Alive() const {
  std::weak_ptr<bool> weak = alive_;
  return [weak] {
    auto a = weak.lock();
    return a && *a;
  };
}

Status ProxyProvider::LoadState() {
  auto st =
      db_.Prepare("SELECT structure, upnp_type, writable, eventable FROM proxy_meta WHERE udn=?");
  if (!st.ok()) return st.status();
  st->Bind(0, udn_);
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ParamMeta m;
    m.upnp_type = st->ColumnText(1);
    m.type = TypeOfUpnp(m.upnp_type);
    m.writable = st->ColumnInt(2) != 0;
    m.eventable = st->ColumnInt(3) != 0;
    const std::string s = st->ColumnText(0);
    if (m.upnp_type == kTableRow || m.upnp_type == kLearnedTableRow) {
      // A table's access (structure "/A/#/"): published, or learned from an accepted
      // CreateInstance/DeleteInstance.
      tables_[s] = {m.writable, m.upnp_type == kLearnedTableRow};
      if (m.upnp_type == kTableRow) structure_.insert(s);
      continue;
    }
    structure_.insert(s);
    meta_[s] = m;
  }
  auto val = db_.Prepare("SELECT name, value, type FROM proxy_value WHERE udn=?");
  if (!val.ok()) return val.status();
  val->Bind(0, udn_);
  for (;;) {
    auto row = val->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ParamValue v{val->ColumnText(0), val->ColumnText(1),
                 static_cast<datamodel::ValueType>(val->ColumnInt(2))};
    cache_[v.name] = std::move(v);
  }
  auto cmd = db_.Prepare("SELECT id, payload, tries FROM proxy_command WHERE udn=? ORDER BY id");
  if (!cmd.ok()) return cmd.status();
  cmd->Bind(0, udn_);
  for (;;) {
    auto row = cmd->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto values = cms::DecodeParameterValueList(cmd->ColumnText(1));
    if (!values.ok()) {
      PX_LOG(kWarning, "proxy") << udn_ << ": dropping unreadable stored command";
      continue;
    }
    commands_.push_back(
        {cmd->ColumnInt(0), std::move(values).value(), static_cast<int>(cmd->ColumnInt(2))});
  }
  return Status::Ok();
}

Status ProxyProvider::StoreMeta() {
  Transaction tx(db_);
  PX_RETURN_IF_ERROR(tx.begin_status());
  auto del = db_.Prepare("DELETE FROM proxy_meta WHERE udn=?");
  if (!del.ok()) return del.status();
  del->Bind(0, udn_);
  PX_RETURN_IF_ERROR(del->Run());
  auto insert = [this](const std::string& s, const std::string& type, bool writable,
                       bool eventable) -> Status {
    auto ins = db_.Prepare(
        "INSERT INTO proxy_meta(udn, structure, upnp_type, writable, eventable) "
        "VALUES(?,?,?,?,?)");
    if (!ins.ok()) return ins.status();
    ins->Bind(0, udn_).Bind(1, s).Bind(2, type);
    ins->Bind(3, int64_t{writable}).Bind(4, int64_t{eventable});
    return ins->Run();
  };
  for (const auto& s : structure_) {
    if (tables_.count(s)) continue;  // stored below with its access
    auto m = meta_.find(s);
    ParamMeta meta = m == meta_.end() ? ParamMeta{} : m->second;
    PX_RETURN_IF_ERROR(insert(s, meta.upnp_type, meta.writable, meta.eventable));
  }
  for (const auto& [s, t] : tables_) {
    PX_RETURN_IF_ERROR(insert(s, t.learned ? kLearnedTableRow : kTableRow, t.writable, false));
  }
  return tx.Commit();
}

const ParamMeta* ProxyProvider::Meta(const std::string& structure) const {
  auto it = meta_.find(structure);
  return it == meta_.end() ? nullptr : &it->second;
}

const Mount* ProxyProvider::MountOf(const std::string& name) const {
  const Mount* best = nullptr;
  for (const auto& m : mounts_) {
    if (name.starts_with(m.cwmp) && (!best || m.cwmp.size() > best->cwmp.size())) best = &m;
  }
  return best;
}

const Mount* ProxyProvider::MountOfUpnp(const std::string& path) const {
  const Mount* best = nullptr;
  for (const auto& m : mounts_) {
    if (path.starts_with(m.upnp) && (!best || m.upnp.size() > best->upnp.size())) best = &m;
  }
  return best;
}

Result<std::string> ProxyProvider::ToUpnp(const std::string& name) const {
  const Mount* m = MountOf(name);
  if (!m) return Status(Code::kInvalidParameterName, "no such parameter: " + name);
  return map_.ToUpnpPath(*m, name);
}

datamodel::Syntax ProxyProvider::SyntaxOf(const std::string& name,
                                          const std::string& upnp_path) const {
  const Mount* m = MountOf(name);
  if (m && m->bbf && options_.tr181) {
    const std::string std_name = "Device." + name.substr(m->cwmp.size());
    if (const auto* def = options_.tr181->FindParam(SchemaPathOf(std_name))) return def->syntax;
  }
  datamodel::Syntax s;
  if (const ParamMeta* meta = Meta(StructureOf(upnp_path))) {
    s.type = meta->type;
    // The narrow UPnP integer types carry their range (mapping.md §4: range -> 9007).
    static const std::map<std::string, datamodel::IntRange> kRanges = {
        {"i1", {-128, 127}}, {"i2", {-32768, 32767}}, {"ui1", {0, 255}}, {"ui2", {0, 65535}}};
    std::string t = meta->upnp_type;
    std::transform(t.begin(), t.end(), t.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (auto r = kRanges.find(t); r != kRanges.end()) s.ranges.push_back(r->second);
  }
  return s;
}

Result<ParamValue> ProxyProvider::FromDevice(const cms::ParameterValue& pv) {
  const Mount* m = MountOfUpnp(pv.path);
  if (!m) return Status(Code::kInternalError, "device answered a path outside its mounts");
  auto name = map_.ToCwmpName(*m, pv.path);
  if (!name.ok()) return name.status();
  auto type = SyntaxOf(*name, pv.path).type;
  return ParamValue{*name, ToCwmpValue(type, pv.value), type};
}

std::vector<ParamValue> ProxyProvider::FromCache(const std::vector<std::string>& names,
                                                 Status* missing) const {
  std::vector<ParamValue> out;
  for (const auto& n : names) {
    bool any = false;
    for (auto it = cache_.lower_bound(n); it != cache_.end(); ++it) {
      if (datamodel::IsPartialPath(n) ? !it->first.starts_with(n) : it->first != n) break;
      out.push_back(it->second);
      any = true;
    }
    if (!any && !datamodel::IsPartialPath(n) && missing->ok()) {
      *missing =
          Status(Code::kInternalError, "device " + udn_ + " offline and " + n + " not cached");
    }
  }
  return out;
}

void ProxyProvider::Dropped(uint64_t unasked, uint64_t bad_names, const std::string& example) {
  if (unasked == 0 && bad_names == 0) return;
  if (options_.counters) {
    options_.counters->unasked += unasked;
    options_.counters->names_refused += bad_names;
  }
  uint64_t skipped = 0;
  if (drop_log_.Allow(loop_.clock().Now(), &skipped)) {
    PX_LOG(kWarning, "proxy") << udn_ << ": dropped " << unasked << " answer items not asked and "
                              << bad_names << " refused (no CWMP name, or over a cap; e.g. "
                              << text::CleanLabel(example, 120) << "); " << skipped
                              << " such answers not reported since the last report";
  }
}

namespace {

// True when `path` (a parameter of an answer) is one of the paths asked: equal to an asked
// parameter or below an asked node.
bool Asked(const std::string& path, const std::set<std::string>& leaves,
           const std::vector<std::string>& nodes) {
  if (leaves.count(path)) return true;
  return std::any_of(nodes.begin(), nodes.end(), [&](const std::string& n) {
    return path.size() > n.size() && path.starts_with(n);
  });
}

}  // namespace

void ProxyProvider::GetValues(const std::vector<std::string>& names,
                              Done<std::vector<ParamValue>> done) {
  std::vector<std::string> paths;
  std::set<std::string> leaves;
  std::vector<std::string> nodes;
  for (const auto& n : names) {
    auto p = ToUpnp(n);
    if (!p.ok()) return done(p.status());
    paths.push_back(*p);
    if (p->back() == '/') {
      nodes.push_back(*p);
    } else {
      leaves.insert(*p);
    }
  }
  // Only mount points asked: the ACS reads a path above this device (the data model asks each
  // mount below it for its whole subtree).
  const bool wide = std::all_of(names.begin(), names.end(), [this](const std::string& n) {
    return std::any_of(mounts_.begin(), mounts_.end(), [&](const Mount& m) { return m.cwmp == n; });
  });
  auto offline = [this, names, done](Status why) {
    if (options_.virtual_mode) return done(why);
    Status missing;
    auto values = FromCache(names, &missing);
    if (!missing.ok()) return done(missing);
    done(std::move(values));
  };
  if (!port_.Online()) return offline(Status(Code::kInternalError, "device " + udn_ + " offline"));
  port_.GetValues(paths, [this, alive = Alive(), names, leaves, nodes, wide, offline,
                          done](upnp::Reply<std::vector<cms::ParameterValue>> r) {
    if (!alive()) return done(Status(Code::kInternalError, "device detached"));
    if (!r.ok()) {
      if (IsRetryable(r.upnp_error, r.status)) return offline(r.status);
      if (wide && !options_.virtual_mode) {
        // One broken appliance must not fault the ACS's read of the others: what is known of
        // it (the cache; nothing if never read) stands for it, as for an offline device.
        PX_LOG(kWarning, "proxy") << udn_ << ": read failed, answered from the cache: " << r.status;
        return offline(r.status);
      }
      return done(FaultFromUpnp(r.upnp_error, r.status, FaultContext::kRead));
    }
    std::vector<ParamValue> out;
    uint64_t unasked = 0, bad = 0;
    std::string example;
    for (const auto& pv : r.value) {
      // Below an asked node, only what the device said it supports (when it said anything).
      if (!Asked(pv.path, leaves, nodes) ||
          !cms::CheckPath(pv.path, cms::PathKind::kParameter).ok() ||
          (!structure_.empty() && !structure_.count(StructureOf(pv.path)))) {
        if (example.empty()) example = pv.path;
        ++unasked;
        continue;
      }
      auto v = FromDevice(pv);
      if (!v.ok()) {
        if (example.empty()) example = v.status().message();
        ++bad;
        continue;
      }
      out.push_back(std::move(v).value());
    }
    Dropped(unasked, bad, example);
    // A partial path read whole replaces what was cached under it (rows may have gone).
    std::set<std::string> seen;
    for (const auto& v : out) seen.insert(v.name);
    for (const auto& n : names) {
      if (!datamodel::IsPartialPath(n)) continue;
      std::vector<std::string> gone;
      for (auto it = cache_.lower_bound(n); it != cache_.end() && it->first.starts_with(n); ++it) {
        if (!seen.count(it->first)) gone.push_back(it->first);
      }
      for (const auto& g : gone) {
        cache_.erase(g);
        MarkDirty(g);
      }
    }
    for (const auto& v : out) CachePut(v);
    last_sync_ = loop_.clock().WallNow();
    done(std::move(out));
  });
}

void ProxyProvider::GetNames(const std::string& path, bool next_level,
                             Done<std::vector<ParamInfo>> done) {
  auto upnp_path = ToUpnp(path);
  if (!upnp_path.ok()) return done(upnp_path.status());
  if (!datamodel::IsPartialPath(path)) {
    const ParamMeta* m = Meta(StructureOf(*upnp_path));
    if (!m && !structure_.count(StructureOf(*upnp_path)))
      return done(Status(Code::kInvalidParameterName, "no such parameter: " + path));
    if (next_level) {
      return done(Status(Code::kInvalidArguments, "NextLevel true on a parameter: " + path));
    }
    ParamInfo info{path, m && m->writable};
    // Without EventOnChange the device cannot serve active notification (mapping.md §4: 9009).
    if (m && !m->eventable) info.active_notify = datamodel::ActiveNotify::kDenied;
    return done(std::vector<ParamInfo>{info});
  }
  if (!port_.Online()) {
    if (options_.virtual_mode)
      return done(Status(Code::kInternalError, "device " + udn_ + " offline"));
    return NamesFromCache(path, next_level, std::move(done));
  }
  port_.GetInstances(*upnp_path, 0,
                     [this, alive = Alive(), path, next_level,
                      done](upnp::Reply<std::vector<std::string>> r) mutable {
                       if (!alive()) return done(Status(Code::kInternalError, "device detached"));
                       if (!r.ok() && IsNotImplemented(r.upnp_error)) {
                         return NamesFromValues(path, next_level, std::move(done));
                       }
                       if (!r.ok()) {
                         // Embedded, read from above: a failing device answers with what it last
                         // showed, like an offline one (one appliance never faults the whole
                         // GPN).
                         const bool wide =
                             std::any_of(mounts_.begin(), mounts_.end(),
                                         [&](const Mount& m) { return m.cwmp == path; });
                         if (!options_.virtual_mode && wide) {
                           return NamesFromCache(path, next_level, std::move(done));
                         }
                         return done(FaultFromUpnp(r.upnp_error, r.status, FaultContext::kRead));
                       }
                       NamesFrom(path, next_level, r.value, std::move(done));
                     });
}

void ProxyProvider::AddRowsOf(const std::string& name, std::set<std::string>* rows) const {
  const Mount* m = MountOf(name);
  if (!m) return;
  auto p = map_.ToUpnpPath(*m, name);
  if (!p.ok()) return;
  for (size_t s = p->find('/', 1); s != std::string::npos; s = p->find('/', s + 1)) {
    const size_t prev = p->rfind('/', s - 1);
    if (IsDigits(p->substr(prev + 1, s - prev - 1))) rows->insert(p->substr(0, s + 1));
  }
}

void ProxyProvider::NamesFromValues(const std::string& path, bool next_level,
                                    Done<std::vector<ParamInfo>> done) {
  // A device without GetInstances: the rows are those its values are in.
  GetValues({path}, [this, alive = Alive(), path, next_level,
                     done](Result<std::vector<ParamValue>> r) mutable {
    if (!alive()) return done(Status(Code::kInternalError, "device detached"));
    if (!r.ok()) return done(r.status());
    std::set<std::string> rows;
    for (const auto& v : *r) AddRowsOf(v.name, &rows);
    NamesFrom(path, next_level, {rows.begin(), rows.end()}, std::move(done));
  });
}

void ProxyProvider::NamesFromCache(const std::string& path, bool next_level,
                                   Done<std::vector<ParamInfo>> done) {
  {
    // The rows last seen (from the value cache).
    std::set<std::string> rows;
    for (const auto& [name, v] : cache_) AddRowsOf(name, &rows);
    return NamesFrom(path, next_level, {rows.begin(), rows.end()}, std::move(done));
  }
}

}  // namespace proxier::proxy
