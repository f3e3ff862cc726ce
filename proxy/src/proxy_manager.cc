// ProxyManager: device records, modes, attach/detach, lifecycle and purge.
#include "proxier/proxy/proxy_manager.h"

#include <fnmatch.h>

#include <sstream>

#include "proxier/common/log.h"
#include "proxy_manager_internal.h"

namespace proxier::proxy {

namespace cms = upnp::cms;

Result<std::unique_ptr<ProxyManager>> ProxyManager::Create(
    EventLoop& loop, Db& db, datamodel::DataModel& gateway, upnp::ControlPoint& cp,
    upnp::DmClient& client, const DiscoveryTables* discovery, ProxyManagerOptions options) {
  if (!gateway.store()) return Status(Code::kInternalError, "gateway model without store");
  PX_RETURN_IF_ERROR(Migrate(
      db, "proxy_manager",
      {"CREATE TABLE proxy_managed(udn TEXT PRIMARY KEY, acs_mode TEXT, proxied_n INTEGER, "
       "embedded_n INTEGER, proxy_n INTEGER, sdm TEXT, subtrees TEXT, friendly TEXT, "
       "device_type TEXT, manufacturer TEXT, model_name TEXT, last_seen INTEGER, purged INTEGER)",
       "CREATE TABLE proxy_setting(key TEXT PRIMARY KEY, value TEXT)"}));
  std::unique_ptr<ProxyManager> m(
      new ProxyManager(loop, db, gateway, cp, client, discovery, std::move(options)));
  PX_RETURN_IF_ERROR(m->Load());
  return m;
}

ProxyManager::ProxyManager(EventLoop& loop, Db& db, datamodel::DataModel& gateway,
                           upnp::ControlPoint& cp, upnp::DmClient& client,
                           const DiscoveryTables* discovery, ProxyManagerOptions options)
    : loop_(loop),
      db_(db),
      gateway_(gateway),
      cp_(cp),
      client_(client),
      discovery_(discovery),
      options_(std::move(options)) {}

ProxyManager::~ProxyManager() {
  *alive_ = false;
  if (purge_timer_) loop_.Cancel(*purge_timer_);
  for (auto& [udn, d] : devices_) {
    for (const auto& prefix : d->mounted) gateway_.Unmount(prefix);
  }
}

Status ProxyManager::Load() {
  const std::string vp = options_.vendor_prefix;
  // DefaultMode: the config's value unless the ACS has set one.
  auto acs_default = db_.Prepare("SELECT value FROM proxy_setting WHERE key='default_mode_acs'");
  if (!acs_default.ok()) return acs_default.status();
  auto has = acs_default->Step();
  if (!has.ok()) return has.status();
  if (!*has) {
    PX_RETURN_IF_ERROR(
        gateway_.SetInternal("Device." + vp + "Proxy.DefaultMode", options_.default_mode));
  }
  auto st = db_.Prepare(
      "SELECT udn, acs_mode, proxied_n, embedded_n, proxy_n, sdm, subtrees, friendly, "
      "device_type, manufacturer, model_name, last_seen, purged FROM proxy_managed");
  if (!st.ok()) return st.status();
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Device& d = Record(st->ColumnText(0));
    if (!st->ColumnIsNull(1)) d.acs_mode = st->ColumnText(1);
    d.proxied_n = static_cast<uint32_t>(st->ColumnInt(2));
    d.embedded_n = static_cast<uint32_t>(st->ColumnInt(3));
    d.proxy_n = static_cast<uint32_t>(st->ColumnInt(4));
    std::stringstream sdm(st->ColumnText(5));
    for (std::string n; std::getline(sdm, n, ',');) {
      if (!n.empty()) d.sdm_rows.push_back(static_cast<uint32_t>(std::stoul(n)));
    }
    auto trees = cms::DecodeSupportedDataModels(st->ColumnText(6));
    if (trees.ok()) d.subtrees = *trees;
    d.friendly_name = st->ColumnText(7);
    d.device_type = st->ColumnText(8);
    d.manufacturer = st->ColumnText(9);
    d.model_name = st->ColumnText(10);
    d.last_seen = st->ColumnInt(11);
    d.purged = st->ColumnInt(12) != 0;
  }
  for (auto& [udn, d] : devices_) {
    if (!d->purged) Reevaluate(*d);  // offline until the control point sees it
  }
  const Millis every = std::max(Millis(1000), options_.purge_check);
  purge_timer_ = loop_.RunEvery(every, [this] { PurgeNow(); });
  gateway_.AddListener([this, alive = std::weak_ptr<bool>(alive_)](const datamodel::ParamValue& v,
                                                                   const std::string& origin) {
    if (auto a = alive.lock(); a && *a) OnModelChange(v, origin);
  });
  return Status::Ok();
}

Status ProxyManager::Save(const Device& d) {
  auto st = db_.Prepare(
      "INSERT OR REPLACE INTO proxy_managed(udn, acs_mode, proxied_n, embedded_n, proxy_n, sdm, "
      "subtrees, friendly, device_type, manufacturer, model_name, last_seen, purged) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!st.ok()) return st.status();
  std::string sdm;
  for (uint32_t n : d.sdm_rows) sdm += (sdm.empty() ? "" : ",") + std::to_string(n);
  auto trees = cms::EncodeSupportedDataModels(d.subtrees);
  st->Bind(0, d.udn);
  if (d.acs_mode) {
    st->Bind(1, *d.acs_mode);
  } else {
    st->BindNull(1);
  }
  st->Bind(2, int64_t{d.proxied_n}).Bind(3, int64_t{d.embedded_n}).Bind(4, int64_t{d.proxy_n});
  st->Bind(5, sdm).Bind(6, trees.ok() ? *trees : std::string());
  st->Bind(7, d.friendly_name).Bind(8, d.device_type).Bind(9, d.manufacturer);
  st->Bind(10, d.model_name).Bind(11, d.last_seen).Bind(12, int64_t{d.purged});
  return st->Run();
}

ProxyManager::Device& ProxyManager::Record(const std::string& udn) {
  auto& slot = devices_[udn];
  if (!slot) {
    slot = std::make_unique<Device>();
    slot->udn = udn;
    slot->port = std::make_unique<DmClientPort>(cp_, client_, udn);
    auto map = InstanceMap::Open(db_, udn);
    if (!map.ok()) PX_LOG(kError, "proxy") << udn << ": instance map: " << map.status();
    if (map.ok()) {
      slot->map = std::move(map).value();
      slot->map->set_max_live(options_.max_instances);
    }
  }
  return *slot;
}

void ProxyManager::SetVirtualHost(VirtualHost* host) {
  for (auto& [udn, d] : devices_) {
    if (d->mode == "virtual" && virtual_host_) virtual_host_->Detach(udn);
    if (d->mode == "virtual") d->mode = "";
  }
  virtual_host_ = host;
  ReevaluateAll();
}

std::string ProxyManager::Wanted(const Device& d, std::string* reason) const {
  reason->clear();
  if (d.acs_mode) return *d.acs_mode;
  for (const auto& rule : options_.rules) {
    bool all = true;
    for (const auto& [key, glob] : rule.match) {
      const std::string* field = key == "udn"             ? &d.udn
                                 : key == "device_type"   ? &d.device_type
                                 : key == "manufacturer"  ? &d.manufacturer
                                 : key == "model_name"    ? &d.model_name
                                 : key == "friendly_name" ? &d.friendly_name
                                                          : nullptr;
      if (!field || fnmatch(glob.c_str(), field->c_str(), 0) != 0) all = false;
    }
    if (all) return rule.mode;
  }
  auto def = gateway_.store()->Get("Device." + options_.vendor_prefix + "Proxy.DefaultMode");
  return def.ok() && !def->empty() ? *def : options_.default_mode;
}

void ProxyManager::SetRules(std::vector<ModeRule> rules) {
  options_.rules = std::move(rules);
  ReevaluateAll();
}

void ProxyManager::ReevaluateAll() {
  for (auto& [udn, d] : devices_) {
    if (!d->purged) Reevaluate(*d);
  }
}

void ProxyManager::Reevaluate(Device& d) {
  std::string reason;
  std::string target = Wanted(d, &reason);
  if (target == "virtual" && !d.virtual_refused.empty()) {
    target = "embedded";
    reason = d.virtual_refused;
  }
  if (target == "virtual" && !virtual_host_) {
    target = "pending";
    reason = "virtual mode is not available in this proxierd";
  }
  if (target != d.mode) {
    PX_LOG(kInfo, "proxy") << d.udn << ": mode " << (d.mode.empty() ? "-" : d.mode) << " -> "
                           << target;
    Detach(d);
    d.reason = reason;
    Attach(d, target);
  }
  Status st = WriteProxyRow(d);
  if (!st.ok()) PX_LOG(kError, "proxy") << d.udn << ": " << st;
  st = Save(d);
  if (!st.ok()) PX_LOG(kError, "proxy") << d.udn << ": " << st;
}

void ProxyManager::Attach(Device& d, const std::string& mode) {
  d.mode = mode;
  if (mode == "virtual") {
    ManagedDevice md{d.udn, cp_.Find(d.udn), d.subtrees, d.port.get(), d.map.get()};
    Status st = virtual_host_->Attach(md);
    if (st.ok()) return;
    PX_LOG(kWarning, "proxy") << d.udn << ": not virtual (" << st.message() << "), embedded";
    d.reason = st.message();
    d.mode = "embedded";
  }
  if (d.mode != "embedded" || !d.map) return;
  ProxyOptions po = options_.provider;
  po.virtual_mode = false;
  const std::string udn = d.udn;
  auto provider =
      ProxyProvider::Create(loop_, db_, *d.port, *d.map, udn, po,
                            [this, udn](const std::string& state, const std::string& message) {
                              OnCommand(udn, state, message);
                            });
  if (!provider.ok()) {
    PX_LOG(kError, "proxy") << udn << ": " << provider.status();
    d.mode = "ignore";
    d.reason = provider.status().message();
    return;
  }
  d.provider = std::move(provider).value();
  Status st = WriteEmbeddedRows(d);
  if (!st.ok()) PX_LOG(kError, "proxy") << udn << ": rows: " << st;
  MountEmbedded(d);
  if (d.online) {
    SyncDevice(d);
    d.provider->OnlineChanged(true);
  }
}

void ProxyManager::Detach(Device& d) {
  if (d.mode == "virtual" && virtual_host_) virtual_host_->Detach(d.udn);
  for (const auto& prefix : d.mounted) gateway_.Unmount(prefix);
  d.mounted.clear();
  d.provider.reset();
  if (d.mode == "embedded") DropEmbeddedRows(d);
  d.mode = "";
}

void ProxyManager::MountEmbedded(Device& d) {
  if (!d.provider) return;
  const std::string vp = options_.vendor_prefix;
  const std::string base = "Device." + vp + "ProxiedDevice." + std::to_string(d.proxied_n) + ".";
  std::vector<Mount> mounts;
  for (const auto& t : d.subtrees) {
    const bool bbf = IsBbfUri(t.uri);
    std::string name = MountName(base, t.location, bbf, false, vp);
    if (name.empty()) continue;
    bool dup = false;
    for (const auto& m : mounts) dup = dup || m.cwmp == name;
    if (!dup) mounts.push_back({name, t.location, bbf});
  }
  for (const auto& prefix : d.mounted) gateway_.Unmount(prefix);
  d.mounted.clear();
  d.provider->SetMounts(mounts);
  for (const auto& m : mounts) {
    gateway_.Mount(m.cwmp, d.provider.get());
    d.mounted.push_back(m.cwmp);
  }
}

void ProxyManager::FallBackToEmbedded(const std::string& udn, const std::string& reason) {
  auto it = devices_.find(udn);
  if (it == devices_.end()) return;
  Device& d = *it->second;
  d.virtual_refused = reason.empty() ? std::string("virtual mode refused") : reason;
  PX_LOG(kWarning, "proxy") << udn << ": not virtual (" << d.virtual_refused << "), embedded";
  if (d.mode == "virtual") Reevaluate(d);
}

std::string ProxyManager::EffectiveMode(const std::string& udn) const {
  auto it = devices_.find(udn);
  return it == devices_.end() ? "" : it->second->mode;
}

std::string ProxyManager::ProxiedRow(const std::string& udn) const {
  auto it = devices_.find(udn);
  if (it == devices_.end() || it->second->mode != "embedded") return "";
  return "Device." + options_.vendor_prefix + "ProxiedDevice." +
         std::to_string(it->second->proxied_n) + ".";
}

}  // namespace proxier::proxy
