// UpnpSide: control point + discovery tables (+ the proxy manager) for proxierd.
#include "upnp_setup.h"

#include "proxier/common/log.h"

namespace proxier::app {

upnp::ControlPointOptions ControlPointOptionsFrom(const DaemonConfig& config) {
  upnp::ControlPointOptions o;
  o.interface = config.upnp_interface;
  o.ip = config.upnp_ip;
  o.port = config.upnp_port;
  o.search_interval = Seconds(config.upnp_search_interval);
  o.action_timeout = Millis(config.upnp_action_timeout_ms);
  o.max_devices = config.upnp_max_devices;
  o.max_devices_per_host = config.upnp_max_devices_per_host;
  o.max_parts_per_device = config.upnp_max_parts_per_device;
  o.ssdp_rate = config.upnp_ssdp_rate;
  o.gena_timeout = Millis(config.upnp_gena_timeout_ms);
  o.max_event_bytes = config.upnp_max_event_bytes;
  o.max_failures_per_host = config.upnp_max_failures_per_host;
  o.gena_max_connections = config.upnp_gena_connections;
  o.gena_per_host_connections = config.upnp_gena_connections_per_host;
  return o;
}

template <typename F>
void BatchingListener::Batch(F&& each) {
  ScopedCommit batch(db_, "a UPnP event's changes");
  for (upnp::Listener* l : targets_) each(l);
}

void BatchingListener::OnDevice(const upnp::RootDevice& device, upnp::DeviceChange change) {
  Batch([&](upnp::Listener* l) { l->OnDevice(device, change); });
}

void BatchingListener::OnEvent(const std::string& uuid, upnp::DmService service,
                               const upnp::Args& variables) {
  Batch([&](upnp::Listener* l) { l->OnEvent(uuid, service, variables); });
}

void BatchingListener::OnResync(const std::string& uuid, upnp::DmService service,
                                const std::string& reason) {
  Batch([&](upnp::Listener* l) { l->OnResync(uuid, service, reason); });
}

void BatchingListener::OnConflict(const std::string& uuid, const std::string& what) {
  Batch([&](upnp::Listener* l) { l->OnConflict(uuid, what); });
}

namespace {
std::vector<proxy::ModeRule> ModeRules(const DaemonConfig& config) {
  std::vector<proxy::ModeRule> rules;
  for (const auto& r : config.rules) rules.push_back({r.match, r.mode});
  return rules;
}
}  // namespace

void UpnpSide::ReloadRules(const DaemonConfig& config) {
  if (manager_) manager_->SetRules(ModeRules(config));
}

std::unique_ptr<UpnpSide> UpnpSide::Create(const UpnpSideDeps& deps) {
  std::unique_ptr<UpnpSide> side(new UpnpSide(deps));
  const DaemonConfig& config = deps.config;
  auto cp = upnp::ControlPoint::Create(deps.loop, ControlPointOptionsFrom(config));
  if (!cp.ok()) {
    PX_LOG(kError, "proxierd") << "UPnP control point on '" << config.upnp_interface
                               << "' not available, running without it: " << cp.status();
    return nullptr;
  }
  side->cp_ = std::move(cp).value();
  side->MountCounters();
  side->dm_ = std::make_unique<upnp::DmClient>(*side->cp_);
  auto tables = proxy::DiscoveryTables::Create(deps.gateway.model(), deps.db);
  if (!tables.ok()) {
    PX_LOG(kError, "proxierd") << "UPnP discovery tables: " << tables.status()
                               << "; running without UPnP";
    return nullptr;
  }
  side->tables_ = std::move(tables).value();

  // The proxy: after the discovery tables, so their rows exist when the manager refers to them.
  proxy::ProxyManagerOptions po;
  po.default_mode = config.default_mode;
  po.rules = ModeRules(config);
  po.purge_after = Seconds(config.purge_after);
  po.vendor_prefix = std::string(datamodel::kBuildVendorPrefix);
  po.provider.tr181 = &deps.schema;
  po.provider.retry_base = Millis(config.proxy_retry_base_ms);
  po.provider.max_tries = static_cast<int>(config.proxy_max_tries);
  po.provider.counters = &side->proxy_counters_;
  po.provider.event_coalesce = Millis(config.proxy_event_coalesce_ms);
  po.max_instances = config.proxy_max_instances;
  // Copies for the virtual devices: `po` is moved into the manager below.
  const std::string vendor_prefix = po.vendor_prefix;
  const proxy::ProxyOptions provider_options = po.provider;
  auto manager = proxy::ProxyManager::Create(deps.loop, deps.db, deps.gateway.model(), *side->cp_,
                                             *side->dm_, side->tables_.get(), std::move(po));
  if (!manager.ok()) {
    PX_LOG(kError, "proxierd") << "proxy: " << manager.status();
    return nullptr;
  }
  side->manager_ = std::move(manager).value();

  // Virtual mode: one CWMP client per device on the gateway's HTTP client and CR server.
  side->actions_ = std::make_unique<virtual_devices::DmClientActions>(*side->dm_);
  virtual_devices::VirtualDevicesOptions vo;
  vo.proxier = {config.oui, config.product_class, config.serial_number};
  vo.vendor_prefix = vendor_prefix;
  vo.acs_seed = deps.acs_seed;
  vo.cr_secret = VirtualCrSecret(config);
  vo.advertised_host = config.cr_advertised_host;
  vo.work_dir = deps.work_dir;
  vo.tls = AcsTls(config);
  vo.periodic_spread_s = config.virtual_inform_spread;
  vo.reboot_timeout = Seconds(config.virtual_reboot_timeout);
  vo.gateway = &deps.gateway.model();
  vo.discovery = side->tables_.get();
  vo.provider = provider_options;
  upnp::ControlPoint* control_point = side->cp_.get();
  vo.find_device = [control_point](const std::string& udn) { return control_point->Find(udn); };
  UpnpSide* self = side.get();
  vo.on_fallback = [self](const std::string& udn, const std::string& reason) {
    if (self->manager_) self->manager_->FallBackToEmbedded(udn, reason);
  };
  auto vd = virtual_devices::VirtualDevices::Create(deps.loop, deps.random, deps.db, deps.schema,
                                                    deps.http, &deps.cr_server, *side->actions_,
                                                    std::move(vo));
  if (!vd.ok()) {
    PX_LOG(kError, "proxierd") << "virtual devices: " << vd.status();
    return nullptr;
  }
  side->vd_ = std::move(vd).value();
  side->manager_->SetVirtualHost(side->vd_.get());
  side->listener_ = std::make_unique<BatchingListener>(
      deps.db, std::vector<upnp::Listener*>{side->tables_.get(), side->manager_.get()});
  side->cp_->AddListener(side->listener_.get());
  return side;
}

void UpnpSide::MountCounters() {
  auto add = [this](const std::string& name, std::function<uint64_t()> read) {
    if (!deps_.schema.FindParam(name)) return;
    datamodel::ComputedProvider::Param p;
    p.type = datamodel::ValueType::kUnsignedLong;
    p.volatile_value = true;  // counters change by themselves: no active notification
    p.get = [read = std::move(read)] { return std::to_string(read()); };
    counters_.Add(name, std::move(p));
    counter_names_.push_back(name);
  };
  const std::string vendor(datamodel::kBuildVendorPrefix);
  upnp::ControlPoint* cp = cp_.get();
  using Stats = upnp::ControlPoint::Stats;
  add("Device.UPnP.Discovery." + vendor + "SSDPRefused",
      [cp] { return cp->stats().ssdp_refused + cp->stats().ssdp_malformed; });
  const std::pair<const char*, uint64_t Stats::*> kLan[] = {
      {"SSDPRateLimited", &Stats::ssdp_rate_limited},
      {"DevicesRefused", &Stats::devices_refused},
      {"DevicesEvicted", &Stats::devices_evicted},
      {"PartsRefused", &Stats::parts_refused},
      {"IdentityConflicts", &Stats::identity_conflicts},
      {"DescriptionsFailed", &Stats::descriptions_failed},
      {"EventsRefused", &Stats::gena_refused},
  };
  for (const auto& [name, field] : kLan) {
    add("Device.UPnP.Discovery." + vendor + name, [cp, f = field] { return cp->stats().*f; });
  }
  const proxy::ProxyCounters* pc = &proxy_counters_;
  add("Device." + vendor + "Proxy.UnaskedItemsDropped", [pc] { return pc->unasked; });
  add("Device." + vendor + "Proxy.NamesRefused", [pc] { return pc->names_refused; });
  deps_.gateway.model().MountComputed(&counters_);
}

bool UpnpSide::Start() {
  Status st = cp_->Start();
  if (!st.ok()) {
    PX_LOG(kError, "proxierd") << "UPnP control point on '"
                               << cp_->options().interface << "' cannot start, running without it: "
                               << st;
    return false;
  }
  started_ = true;
  PX_LOG(kInfo, "proxierd") << "UPnP control point on " << cp_->options().interface << " ("
                            << cp_->ip() << "), HTTP/GENA port " << cp_->http_port()
                            << ", search every " << cp_->options().search_interval.count() << "s";
  return true;
}

void UpnpSide::Stop() {
  if (!started_) return;
  started_ = false;
  cp_->Stop();
  PX_LOG(kInfo, "proxierd") << "UPnP control point stopped";
}

UpnpSide::~UpnpSide() {
  for (const auto& name : counter_names_) deps_.gateway.model().Unmount(name);
  if (cp_) {
    Stop();
    if (listener_) cp_->RemoveListener(listener_.get());
  }
  manager_.reset();  // calls the virtual devices: goes first
  vd_.reset();
  actions_.reset();
  dm_.reset();
  cp_.reset();
}

}  // namespace proxier::app
