// VirtualDevice: reading the appliance (subtrees, identity, DeviceInfo values), mounts, sync.
#include <algorithm>
#include <set>

#include "proxier/common/log.h"
#include "proxier/proxy/mapping.h"
#include "virtual_device.h"

namespace proxier::virtual_devices {

namespace cms = upnp::cms;

std::string VirtualDevice::BbfLocation() const {
  for (const auto& t : subtrees_) {
    if (proxy::IsBbfUri(t.uri)) return t.location;
  }
  return "";
}

void VirtualDevice::Refresh() {
  if (refreshing_) {
    refresh_again_ = true;
    return;
  }
  refreshing_ = true;
  FetchSubtrees([this] {
    ReadValues([this](std::map<std::string, std::string> values, Status transport) {
      refreshing_ = false;
      OnValues(values, transport);
      if (refresh_again_ && online_) {
        refresh_again_ = false;
        Refresh();
      }
    });
  });
}

void VirtualDevice::FetchSubtrees(std::function<void()> then) {
  auto with_trees = [this, then](std::vector<cms::SubTree> trees) {
    bool native = false;
    for (const auto& t : trees) native = native || t.location == "/UPnP/DM/";
    if (!native) trees.push_back({"urn:schemas-upnp-org:dm:1", "/UPnP/DM/", "", "UPnP DM"});
    if (trees != subtrees_) {
      subtrees_ = std::move(trees);
      ApplyMounts();
    }
    then();
  };
  md_.port->GetSupportedDataModels(
      [this, alive = Alive(), with_trees](upnp::Reply<std::vector<cms::SubTree>> r) {
        if (!alive()) return;
        if (r.ok()) {
          std::vector<cms::SubTree> trees;
          for (auto& t : r.value) {
            if (proxy::IsBbfUri(t.uri) || t.location.starts_with("/UPnP/")) trees.push_back(t);
          }
          return with_trees(std::move(trees));
        }
        // mapping.md §2.1: without the action, a /BBF/ subtree only if the device lists one.
        md_.port->GetSupportedParameters(
            "/BBF/", 1, [alive, with_trees](upnp::Reply<std::vector<std::string>> p) {
              if (!alive()) return;
              std::vector<cms::SubTree> trees;
              if (p.ok()) trees.push_back({"urn:broadband-forum-org:tr-181-2", "/BBF/", "", ""});
              with_trees(std::move(trees));
            });
      });
}

void VirtualDevice::ReadValues(
    std::function<void(std::map<std::string, std::string>, Status)> done) {
  const std::vector<std::string> paths = IdentityPaths(BbfLocation());
  auto alive = Alive();
  md_.port->GetValues(
      paths, [this, alive, paths, done](upnp::Reply<std::vector<cms::ParameterValue>> r) {
        if (!alive()) return;
        std::map<std::string, std::string> values;
        if (r.ok()) {
          for (const auto& pv : r.value) values[pv.path] = pv.value;
          return done(values, Status::Ok());
        }
        // A transport failure or timeout: asking path by path would fail the same way.
        if (r.upnp_error == 0) return done(values, r.status);
        // Some path is unknown (703) or refused: ask each one alone and keep what answers. A
        // transport failure on any of them spoils the whole read (a source could be missed).
        struct State {
          size_t left;
          std::map<std::string, std::string> values;
          Status transport;
        };
        auto state = std::make_shared<State>(State{paths.size(), {}, Status::Ok()});
        for (const auto& p : paths) {
          md_.port->GetValues(
              {p}, [alive, state, done](upnp::Reply<std::vector<cms::ParameterValue>> one) {
                if (!alive()) return;
                if (one.ok()) {
                  for (const auto& pv : one.value) state->values[pv.path] = pv.value;
                } else if (one.upnp_error == 0 && state->transport.ok()) {
                  state->transport = one.status;
                }
                if (--state->left == 0) done(state->values, state->transport);
              });
        }
      });
}

void VirtualDevice::OnValues(const std::map<std::string, std::string>& values,
                             const Status& transport) {
  ScopedCommit batch(ctx_.db,
                     "a virtual device");  // identity, row, model and client state of a new device
  if (!transport.ok() && !identity_) {
    // The DeviceId cannot be read now: retry a few times, then give up on virtual mode.
    if (++identify_failures_ >= ctx_.options.identify_tries) {
      return ctx_.refused(md_.udn, "cannot read the DeviceId: " + transport.message());
    }
    // Doubling waits (5, 10, 20, 40 s by default): a device busy at start is not sent to
    // embedded mode for good by a few seconds of trouble.
    const Millis wait =
        ctx_.options.identify_retry * (int64_t{1} << std::min(identify_failures_ - 1, 10));
    PX_LOG(kInfo, "vd") << md_.udn << ": identity read failed (" << transport.message()
                        << "), retrying in " << wait.count() << " ms";
    retry_timer_ = ctx_.loop.RunAfter(wait, [this] {
      retry_timer_.reset();
      if (online_) Refresh();
    });
    return;
  }
  if (!transport.ok()) {
    PX_LOG(kInfo, "vd") << ns_ << ": DeviceInfo refresh failed: " << transport.message();
    SyncProvider();
    return;
  }
  auto derived = DeriveIdentity(values, Description(), md_.udn, BbfLocation());
  if (!identity_) {
    if (!derived.ok())
      return ctx_.refused(md_.udn, "no valid DeviceId: " + derived.status().message());
    identity_ = *derived;
    PX_LOG(kInfo, "vd") << ns_ << " (" << md_.udn << "): DeviceId " << identity_->oui << "-"
                        << identity_->product_class << "-" << identity_->serial_number;
    ctx_.identified(md_.udn, *identity_);
    Status st = Build();
    if (st.ok()) st = StartClient();
    if (!st.ok()) PX_LOG(kError, "vd") << ns_ << ": " << st;
    SyncProvider();
    return;
  }
  // Known DeviceId: it stays (the ACS knows the device by it); other values follow the device.
  if (derived.ok()) {
    VirtualIdentity next = *identity_;
    next.manufacturer = derived->manufacturer.empty() ? next.manufacturer : derived->manufacturer;
    next.model_name = derived->model_name.empty() ? next.model_name : derived->model_name;
    next.description = derived->description.empty() ? next.description : derived->description;
    next.software_version = derived->software_version;
    next.hardware_version = derived->hardware_version;
    if (next != *identity_) {
      identity_ = next;
      ctx_.identified(md_.udn, *identity_);
      WriteDeviceInfo(true);
    }
  }
  SyncProvider();
}

void VirtualDevice::SyncProvider() {
  if (!provider_ || !online_) return;
  provider_->Sync([ns = ns_, alive = Alive()](Status st) {
    if (alive() && !st.ok()) PX_LOG(kWarning, "vd") << ns << ": sync: " << st;
  });
}

void VirtualDevice::ApplyMounts() {
  if (!provider_ || !model_) return;
  std::vector<proxy::Mount> mounts;
  for (const auto& t : subtrees_) {
    const bool bbf = proxy::IsBbfUri(t.uri);
    std::string name =
        proxy::MountName("Device.", t.location, bbf, true, ctx_.options.vendor_prefix);
    if (name.empty()) continue;
    bool dup = false;
    for (const auto& m : mounts) dup = dup || m.cwmp == name;
    if (!dup) mounts.push_back({name, t.location, bbf});
  }
  for (const auto& prefix : mounted_) model_->Unmount(prefix);
  mounted_.clear();
  provider_->SetMounts(mounts);
  for (const auto& m : mounts) {
    model_->Mount(m.cwmp, provider_.get());
    mounted_.push_back(m.cwmp);
  }
}

void VirtualDevice::SetLocal(const std::string& name, const std::string& value, bool notify) {
  if (!store_ || !ctx_.schema.FindParam(name)) return;
  auto current = store_->Get(name);
  if (current.ok() && *current == value) return;
  Status st = notify ? model_->SetInternal(name, value) : store_->SetInternal(name, value);
  if (!st.ok()) PX_LOG(kWarning, "vd") << ns_ << ": " << name << ": " << st.message();
}

void VirtualDevice::WriteDeviceInfo(bool notify) {
  if (!identity_) return;
  const std::string di = "Device.DeviceInfo.";
  const VirtualIdentity& id = *identity_;
  SetLocal(di + "ManufacturerOUI", id.oui, notify);
  SetLocal(di + "ProductClass", id.product_class, notify);
  SetLocal(di + "SerialNumber", id.serial_number, notify);
  const std::pair<const char*, std::pair<const std::string*, size_t>> optional[] = {
      {"Manufacturer", {&id.manufacturer, 64}},
      {"ModelName", {&id.model_name, 64}},
      {"Description", {&id.description, 256}},
      {"SoftwareVersion", {&id.software_version, 64}},
      {"HardwareVersion", {&id.hardware_version, 64}},
  };
  for (const auto& [leaf, what] : optional) {
    if (!what.first->empty()) SetLocal(di + leaf, what.first->substr(0, what.second), notify);
  }
  const ProxierIdentity& px = ctx_.options.proxier;
  if (IsValidOui(px.oui)) SetLocal(di + "ProxierInfo.ManufacturerOUI", px.oui, notify);
  SetLocal(di + "ProxierInfo.ProductClass", px.product_class, notify);
  SetLocal(di + "ProxierInfo.SerialNumber", px.serial_number, notify);
  SetLocal(di + "ProxierInfo.ProxyProtocol", "UPnP-DM", notify);
  SetLocal("Device.RootDataModelVersion", "2.17", notify);
}

}  // namespace proxier::virtual_devices
