// VirtualDevice: model and client lifecycle, availability, reboot and factory reset.
#include "virtual_device.h"

#include "proxier/common/log.h"
#include "proxier/datamodel/value.h"
#include "proxier/proxy/mapping.h"

namespace proxier::virtual_devices {

namespace {
constexpr char kMs[] = "Device.ManagementServer.";
constexpr int64_t kPhaseBase = 946684800;  // 2000-01-01T00:00:00Z
}  // namespace

VirtualDevice::VirtualDevice(DeviceContext& ctx, const proxy::ManagedDevice& md, uint32_t n,
                             std::optional<VirtualIdentity> identity)
    : ctx_(ctx),
      md_(md),
      n_(n),
      ns_("vd" + std::to_string(n)),
      identity_(std::move(identity)),
      subtrees_(md.subtrees) {}

VirtualDevice::~VirtualDevice() {
  *alive_ = false;
  for (auto* t : {&reboot_timer_, &retry_timer_, &poll_timer_, &ping_timer_}) {
    if (*t) ctx_.loop.Cancel(**t);
  }
  Teardown();
}

std::function<bool()> VirtualDevice::Alive() const {
  std::weak_ptr<bool> weak = alive_;
  return [weak] {
    auto a = weak.lock();
    return a && *a;
  };
}

const upnp::DeviceInfo* VirtualDevice::Description() const {
  const upnp::RootDevice* root =
      ctx_.options.find_device ? ctx_.options.find_device(md_.udn) : md_.device;
  return root && root->description ? &root->description->root : nullptr;
}

Status VirtualDevice::Begin() {
  online_ = md_.port->Online();
  if (identity_) {
    PX_RETURN_IF_ERROR(Build());
    PX_RETURN_IF_ERROR(StartClient());
  }
  if (online_) Refresh();
  return Status::Ok();
}

Status VirtualDevice::Build() {
  auto store = datamodel::StoredProvider::Create(ctx_.db, ctx_.schema, ns_);
  if (!store.ok()) return store.status();
  store_ = std::move(store).value();
  auto model = datamodel::DataModel::Create(ctx_.db, ns_);
  if (!model.ok()) return model.status();
  model_ = std::move(model).value();
  // Local objects (mapping.md §3): never proxied, and longer prefixes than the BBF mount.
  for (const char* prefix :
       {"Device.DeviceInfo.", "Device.ManagementServer.", "Device.RootDataModelVersion"}) {
    model_->Mount(prefix, store_.get());
  }
  model_->SetStore(store_.get());
  for (const auto& [path, obj] : ctx_.schema.objects()) {
    if (path.find("{i}") != std::string::npos) continue;
    if (!path.starts_with("Device.DeviceInfo.") && !path.starts_with(kMs)) continue;
    for (const auto& p : obj.params) {
      if (p.active_notify == datamodel::ActiveNotify::kForceEnabled ||
          p.active_notify == datamodel::ActiveNotify::kForceDefaultEnabled) {
        model_->SetDefaultNotification(path + p.name, 2,
                                       p.active_notify == datamodel::ActiveNotify::kForceEnabled);
      }
    }
  }
  proxy::ProxyOptions po = ctx_.options.provider;
  po.virtual_mode = true;
  if (!po.tr181) po.tr181 = &ctx_.schema;
  auto provider =
      proxy::ProxyProvider::Create(ctx_.loop, ctx_.db, *md_.port, *md_.map, md_.udn, po);
  if (!provider.ok()) return provider.status();
  provider_ = std::move(provider).value();
  ApplyMounts();
  BuildDiagnostics();
  WriteDeviceInfo(false);
  return Status::Ok();
}

void VirtualDevice::Teardown() {
  client_.reset();
  if (model_) {
    for (const auto& prefix : mounted_) model_->Unmount(prefix);
  }
  mounted_.clear();
  provider_.reset();
  model_.reset();
  diag_.reset();
  store_.reset();
}

std::vector<datamodel::SetItem> VirtualDevice::Seed() const {
  const std::string ms = kMs;
  std::vector<datamodel::SetItem> seed;
  uint32_t interval = 3600;
  for (const auto& item : ctx_.options.acs_seed) {
    if (item.name == ms + "ConnectionRequestUsername" ||
        item.name == ms + "ConnectionRequestPassword" || item.name == ms + "PeriodicInformTime") {
      continue;
    }
    if (item.name == ms + "PeriodicInformInterval") {
      interval = static_cast<uint32_t>(std::strtoul(item.value.c_str(), nullptr, 10));
    }
    seed.push_back(item);
  }
  const uint32_t spread =
      ctx_.options.periodic_spread_s ? ctx_.options.periodic_spread_s : std::max(interval, 1u);
  const int64_t phase = kPhaseBase + PhaseOffset(md_.udn, spread);
  seed.push_back({ms + "ConnectionRequestUsername", ns_, {}});
  seed.push_back({ms + "ConnectionRequestPassword",
                  DerivedCrPassword(ctx_.options.cr_secret.Reveal(), md_.udn),
                  {}});
  seed.push_back({ms + "PeriodicInformTime",
                  datamodel::FormatDateTime(WallTime(std::chrono::seconds(phase))),
                  {}});
  return seed;
}

core::ClientHooks VirtualDevice::Hooks() {
  core::ClientHooks hooks;
  hooks.reboot = [this] { OnRebootRequested(); };
  hooks.factory_reset = [this] { OnFactoryResetRequested(); };
  return hooks;
}

Status VirtualDevice::StartClient() {
  if (!model_) return Status::Ok();
  client_.reset();  // a client that ran a reboot/reset hook never starts another session
  core::CwmpClientOptions co;
  co.name = ns_;
  co.cr_path = "/vd/" + std::to_string(n_);
  co.advertised_host = ctx_.options.advertised_host;
  co.forced_inform = ctx_.forced_inform;
  co.work_dir = ctx_.options.work_dir + "/" + ns_;
  co.tls = ctx_.options.tls;
  co.http_timeout = ctx_.options.http_timeout;
  co.notify_poll = ctx_.options.notify_poll;
  co.seed = Seed();
  co.available = [this] { return available(); };
  co.start_is_reboot = false;  // an owed Reboot is a BMS Reboot still to send
  client_ = std::make_unique<core::CwmpClient>(ctx_.loop, ctx_.random, ctx_.db, *model_, *store_,
                                               ctx_.http, ctx_.cr_server, Hooks(), std::move(co));
  InstallHandlers(*client_);
  Status st = client_->Start();
  if (!st.ok()) PX_LOG(kError, "vd") << ns_ << " (" << md_.udn << "): client: " << st;
  if (st.ok()) ResumeOps();  // once, when the appliance is reachable
  return st;
}

void VirtualDevice::Changed(upnp::DeviceChange change) {
  const bool was = online_;
  online_ = md_.port->Online();
  if (was != online_) {
    PX_LOG(kInfo, "vd") << ns_ << " (" << md_.udn << "): " << (online_ ? "online" : "offline");
  }
  if (!identity_) {
    if (online_ && (!was || change == upnp::DeviceChange::kDescribed)) Refresh();
    return;
  }
  // Back after byebye/expiry, or restarted (new BOOTID): the virtual CPE booted.
  if (online_ && (!was || change == upnp::DeviceChange::kRebooted) && !reboot_deferred_) {
    BackFromReboot();
  }
  if (online_ && change == upnp::DeviceChange::kDescribed) Refresh();
  if (online_ && Description()) {
    // The appliance's actions can be called now.
    if (reboot_deferred_) SendReboot();
    auto waiting = std::move(when_described_);
    when_described_.clear();
    for (auto& fn : waiting) fn();
    ResumeOps();
  }
}

void VirtualDevice::WhenDescribed(std::function<void()> fn) {
  if (online_ && Description()) return fn();
  when_described_.push_back(std::move(fn));
}

void VirtualDevice::BackFromReboot() {
  if (reboot_timer_) {
    ctx_.loop.Cancel(*reboot_timer_);
    reboot_timer_.reset();
  }
  const bool was_restarting = restarting_;
  restarting_ = false;
  reboot_deferred_ = false;
  if (client_ && client_->in_session() && !was_restarting) {
    client_->Trigger("1 BOOT");
    return;
  }
  (void)StartClient();  // queues 1 BOOT (with a persisted M Reboot, if any)
}

void VirtualDevice::OnEvent(upnp::DmService service, const upnp::Args& variables) {
  if (service == upnp::DmService::kCms && provider_) provider_->OnEvent(variables);
  if (service == upnp::DmService::kBms && ping_.test) {
    for (const auto& [name, value] : variables) {
      if (name != "ActiveTestIDs") continue;
      if (ping_timer_) ctx_.loop.Cancel(*ping_timer_);
      ping_timer_.reset();
      PollPing();
      break;
    }
  }
  if (service == upnp::DmService::kSms && !waiters_.empty()) {
    for (const auto& [name, value] : variables) {
      if (name != "OperationIDs") continue;
      if (poll_timer_) ctx_.loop.Cancel(*poll_timer_);
      poll_timer_.reset();
      PollOperations();
      break;
    }
  }
}

void VirtualDevice::Resync() {
  if (provider_) provider_->Resync();
}

void VirtualDevice::OnRebootRequested() {
  // Runs inside the client, after the session: no session until the appliance is back.
  restarting_ = true;
  PX_LOG(kInfo, "vd") << ns_ << " (" << md_.udn << "): BMS Reboot";
  if (reboot_timer_) ctx_.loop.Cancel(*reboot_timer_);
  reboot_timer_ = ctx_.loop.RunAfter(ctx_.options.reboot_timeout, [this] {
    reboot_timer_.reset();
    PX_LOG(kWarning, "vd") << ns_ << ": not seen rebooting, taken as back";
    BackFromReboot();
  });
  if (!online_ || !Description()) {
    // Owed from before a restart, the appliance not seen yet: sent once it is described.
    PX_LOG(kInfo, "vd") << ns_ << ": BMS Reboot waits for the appliance";
    reboot_deferred_ = true;
    return;
  }
  SendReboot();
}

void VirtualDevice::SendReboot() {
  reboot_deferred_ = false;
  ctx_.actions.Reboot(md_.udn, [this, alive = Alive()](Status st) {
    if (!alive() || st.ok()) return;
    PX_LOG(kWarning, "vd") << ns_ << " (" << md_.udn << "): BMS Reboot failed: " << st.message();
    BackFromReboot();
  });
}

void VirtualDevice::OnFactoryResetRequested() {
  restarting_ = true;
  PX_LOG(kInfo, "vd") << ns_ << " (" << md_.udn << "): BMS BaselineReset";
  ctx_.actions.BaselineReset(md_.udn, [this, alive = Alive()](Status st) {
    if (!alive()) return;
    if (!st.ok()) {
      PX_LOG(kWarning, "vd") << ns_ << " (" << md_.udn
                             << "): BMS BaselineReset failed: " << st.message();
    }
    FinishFactoryReset();
  });
}

void VirtualDevice::FinishFactoryReset() {
  // The virtual CPE's own state goes: events, ParameterKey, ACS-set ManagementServer values,
  // attributes. The DeviceId, instance maps and parameter metadata stay (they are the device's).
  Teardown();
  ForgetPing();
  Status st = core::CwmpClient::WipeState(ctx_.db, ns_);
  if (st.ok()) st = datamodel::StoredProvider::WipeNamespace(ctx_.db, ns_);
  if (!st.ok()) PX_LOG(kError, "vd") << ns_ << ": factory reset: " << st;
  restarting_ = false;
  st = Build();
  if (!st.ok()) {
    PX_LOG(kError, "vd") << ns_ << ": rebuilding after factory reset: " << st;
    return;
  }
  (void)StartClient();  // 0 BOOTSTRAP + 1 BOOT
  if (online_) SyncProvider();
}

VirtualDeviceInfo VirtualDevice::Info() const {
  VirtualDeviceInfo info;
  info.udn = md_.udn;
  info.n = n_;
  info.ns = ns_;
  info.cr_path = "/vd/" + std::to_string(n_);
  info.identity = identity_;
  info.online = online_;
  info.available = available();
  return info;
}

}  // namespace proxier::virtual_devices
