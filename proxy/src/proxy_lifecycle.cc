// ProxyManager: control-point news (appear, describe, byebye, expiry, return), GENA events,
// data-model sync of a device, ACS writes to the proxy's own objects, purge.
#include <algorithm>

#include "proxier/common/log.h"
#include "proxier/common/text.h"
#include "proxier/datamodel/value.h"
#include "proxier/proxy/proxy_manager.h"
#include "proxy_manager_internal.h"

namespace proxier::proxy {

namespace cms = upnp::cms;
using upnp::DeviceChange;

namespace {
constexpr size_t kMaxSubtrees = 16;  // data models one device may list
}  // namespace

void ProxyManager::OnDevice(const upnp::RootDevice& device, DeviceChange change) {
  if (device.uuid.empty()) return;
  auto known = devices_.find(device.uuid);
  if (!device.dm_capable() && known == devices_.end()) return;
  Device& d = Record(device.uuid);
  const bool was_online = d.online;
  const int64_t saved_seen = d.last_seen;
  d.online = device.status() == upnp::LeaseStatus::kActive;
  const int64_t now =
      std::chrono::duration_cast<Seconds>(loop_.clock().WallNow().time_since_epoch()).count();
  if (d.online) d.last_seen = now;
  if (device.description) {
    const auto& root = device.description->root;
    d.friendly_name = root.friendly_name;
    d.device_type = root.device_type;
    d.manufacturer = root.manufacturer;
    d.model_name = root.model_name;
    d.model_description = root.model_description;
  }
  if (d.purged && d.online) d.purged = false;
  if (d.purged) return;

  if (change == DeviceChange::kDescribed && d.online && device.dm_capable()) {
    SyncDevice(d);  // subtrees first, then the mode (the virtual side needs them)
  } else if (d.mode.empty() && device.description) {
    Reevaluate(d);
  }
  if (d.mode == "embedded" && d.online != was_online) {
    if (d.provider) d.provider->OnlineChanged(d.online);
  }
  if (d.mode == "virtual" && virtual_host_) virtual_host_->DeviceChanged(d.udn, change);
  if (d.online != was_online || change == DeviceChange::kUpdated) {
    Status st = WriteProxyRow(d);
    if (st.ok() && d.mode == "embedded") st = WriteEmbeddedRows(d);
    if (!st.ok()) PX_LOG(kError, "proxy") << d.udn << ": " << st;
  }
  // A lease refresh alone is stored at most once a minute (last_seen only feeds the purge).
  if (change == DeviceChange::kUpdated && d.online == was_online && d.last_seen - saved_seen < 60) {
    return;
  }
  Status st = Save(d);
  if (!st.ok()) PX_LOG(kError, "proxy") << d.udn << ": " << st;
}

void ProxyManager::SyncDevice(Device& d) {
  if (d.syncing) return;
  d.syncing = true;
  const std::string udn = d.udn;
  auto alive = std::weak_ptr<bool>(alive_);
  auto with_trees = [this, alive, udn](std::vector<cms::SubTree> trees) {
    auto a = alive.lock();
    if (!a || !*a) return;
    auto it = devices_.find(udn);
    if (it == devices_.end()) return;
    Device& d = *it->second;
    bool native = false;
    for (const auto& t : trees) native = native || t.location == "/UPnP/DM/";
    if (!native) trees.push_back({"urn:schemas-upnp-org:dm:1", "/UPnP/DM/", "", "UPnP DM"});
    const bool changed = trees != d.subtrees;
    d.subtrees = std::move(trees);
    std::string why;
    // Embedded only because virtual mode could not start while the device was offline and had
    // never been identified (a restart before its first contact): now it can.
    const bool retry_virtual = d.mode == "embedded" && d.virtual_refused.empty() && virtual_host_ &&
                               Wanted(d, &why) == "virtual";
    if (d.mode.empty() || d.mode == "pending" || retry_virtual) {
      Reevaluate(d);
    } else if (changed && d.mode == "embedded") {
      MountEmbedded(d);
    }
    // (d.syncing stays set until the provider's sync ends: an Attach above must not start a
    // second one, whose reads would still be out when this one reports success.)
    if (d.mode != "embedded" || !d.provider) {
      d.syncing = false;
      return;
    }
    Status st = WriteSupportedDataModels(d);
    if (!st.ok()) PX_LOG(kError, "proxy") << udn << ": " << st;
    d.provider->Sync([this, alive, udn](Status st) {
      auto a = alive.lock();
      if (!a || !*a) return;
      auto it = devices_.find(udn);
      if (it == devices_.end()) return;
      Device& dev = *it->second;
      dev.syncing = false;
      if (!dev.provider) return;
      if (!st.ok()) {
        // Without a sync the device has no metadata (no names, no types): try again later,
        // after retry_base, twice as long, ... (at most 64 times retry_base).
        const Millis wait =
            options_.provider.retry_base * (int64_t{1} << std::min(dev.sync_failures, 6));
        ++dev.sync_failures;
        PX_LOG(kWarning, "proxy") << udn << ": sync: " << st << "; again in " << wait.count()
                                  << " ms";
        loop_.RunAfter(wait, [this, alive, udn] {
          auto a = alive.lock();
          if (!a || !*a) return;
          auto again = devices_.find(udn);
          if (again == devices_.end()) return;
          Device& d = *again->second;
          if (d.online && d.mode == "embedded" && d.provider) SyncDevice(d);
        });
        return;
      }
      dev.sync_failures = 0;
      dev.synced_once = true;
      // Tell the ACS when the device could not give its metadata (finding 8 of issue 10).
      const std::string gap = dev.provider->metadata_gap();
      const std::string prow =
          "Device." + options_.vendor_prefix + "Proxy.Device." + std::to_string(dev.proxy_n) + ".";
      SetRow(prow, "MetadataStatus", gap.empty() ? "Complete" : "Partial");
      SetRow(prow, "MetadataError",
             gap.empty() ? "" : text::CleanLabel("not implemented: " + gap, 256));
      std::string row =
          "Device.ManagementServer.EmbeddedDevice." + std::to_string(it->second->embedded_n) + ".";
      SetRow(row, "LastSyncTime", datamodel::FormatDateTime(loop_.clock().WallNow()));
    });
    (void)Save(d);
  };
  d.port->GetSupportedDataModels(
      [this, alive, udn, with_trees](upnp::Reply<std::vector<cms::SubTree>> r) {
        auto a = alive.lock();
        if (!a || !*a) return;
        if (r.ok()) {
          std::vector<cms::SubTree> trees;
          for (auto& t : r.value) {
            // A location must be a plain CMS node ("/UPnP/../BBF/" is not) and few enough.
            const bool node =
                !t.location.empty() && t.location.back() == '/' && IsMappablePath(t.location);
            if (!node || trees.size() >= kMaxSubtrees) {
              PX_LOG(kWarning, "proxy") << udn << ": data model location '"
                                        << text::CleanLabel(t.location, 80) << "' ignored";
              continue;
            }
            if (IsBbfUri(t.uri) || t.location.starts_with("/UPnP/")) trees.push_back(t);
          }
          return with_trees(std::move(trees));
        }
        // mapping.md §2.1: without the action, a /BBF/ subtree only if the device lists one.
        auto it = devices_.find(udn);
        if (it == devices_.end()) return;
        it->second->port->GetSupportedParameters(
            "/BBF/", 1, [with_trees](upnp::Reply<std::vector<std::string>> p) {
              std::vector<cms::SubTree> trees;
              if (p.ok()) trees.push_back({"urn:broadband-forum-org:tr-181-2", "/BBF/", "", ""});
              with_trees(std::move(trees));
            });
      });
}

void ProxyManager::OnEvent(const std::string& uuid, upnp::DmService service,
                           const upnp::Args& variables) {
  auto it = devices_.find(uuid);
  if (it == devices_.end()) return;
  Device& d = *it->second;
  if (d.mode == "virtual" && virtual_host_) return virtual_host_->Event(uuid, service, variables);
  if (d.mode == "embedded" && d.provider && service == upnp::DmService::kCms) {
    d.provider->OnEvent(variables);
  }
}

void ProxyManager::OnResync(const std::string& uuid, upnp::DmService service,
                            const std::string& reason) {
  auto it = devices_.find(uuid);
  if (it == devices_.end()) return;
  Device& d = *it->second;
  PX_LOG(kInfo, "proxy") << uuid << ": resync (" << reason << ")";
  if (d.mode == "virtual" && virtual_host_) return virtual_host_->Resync(uuid);
  if (d.mode == "embedded" && d.provider && service == upnp::DmService::kCms) d.provider->Resync();
}

void ProxyManager::OnConflict(const std::string& uuid, const std::string& what) {
  auto it = devices_.find(uuid);
  if (it == devices_.end()) return;
  Device& d = *it->second;
  d.conflict = "identity conflict: " + what;
  d.conflict_at = loop_.clock().Now();
  Status st = WriteProxyRow(d);
  if (!st.ok()) PX_LOG(kError, "proxy") << uuid << ": " << st;
}

void ProxyManager::OnModelChange(const datamodel::ParamValue& v, const std::string& origin) {
  if (origin.empty()) return;  // our own writes
  const std::string base = "Device." + options_.vendor_prefix;
  auto number_between = [&](const std::string& prefix, const std::string& suffix) -> uint32_t {
    if (!v.name.starts_with(prefix) || !v.name.ends_with(suffix)) return 0;
    std::string mid = v.name.substr(prefix.size(), v.name.size() - prefix.size() - suffix.size());
    return IsDigits(mid) && mid.size() < 10 ? static_cast<uint32_t>(std::stoul(mid)) : 0;
  };
  auto alive = std::weak_ptr<bool>(alive_);
  if (v.name == base + "Proxy.DefaultMode") {
    auto st = db_.Prepare("INSERT OR REPLACE INTO proxy_setting(key, value) VALUES(?,?)");
    if (st.ok()) {
      st->Bind(0, "default_mode_acs").Bind(1, v.value);
      (void)st->Run();
    }
    loop_.Post([this, alive] {
      if (auto a = alive.lock(); a && *a) ReevaluateAll();
    });
    return;
  }
  if (uint32_t n = number_between(base + "Proxy.Device.", ".Mode")) {
    for (auto& [udn, d] : devices_) {
      if (d->proxy_n != n || d->purged) continue;
      d->acs_mode = v.value;
      d->virtual_refused.clear();  // the ACS asks again: try again
      (void)Save(*d);
      loop_.Post([this, alive, udn = udn] {
        auto a = alive.lock();
        if (!a || !*a) return;
        auto it = devices_.find(udn);
        if (it != devices_.end()) Reevaluate(*it->second);
      });
    }
    return;
  }
  for (const char* what : {"Reboot", "BaselineReset"}) {
    uint32_t n = number_between(base + "ProxiedDevice.", std::string(".") + what);
    if (!n || (v.value != "true" && v.value != "1")) continue;
    for (auto& [udn, d] : devices_) {
      if (d->proxied_n != n || d->mode != "embedded") continue;
      loop_.Post([this, alive, udn = udn, w = std::string(what)] {
        auto a = alive.lock();
        if (!a || !*a) return;
        auto it = devices_.find(udn);
        if (it != devices_.end()) Trigger(*it->second, w);
      });
    }
  }
}

void ProxyManager::Trigger(Device& d, const std::string& what) {
  const std::string row =
      "Device." + options_.vendor_prefix + "ProxiedDevice." + std::to_string(d.proxied_n) + ".";
  SetRow(row, what, "false");  // a trigger reads back false
  const std::string udn = d.udn;
  auto report = [this, udn, what](const Status& st) {
    if (st.ok()) {
      PX_LOG(kInfo, "proxy") << udn << ": " << what << " sent";
      return;
    }
    PX_LOG(kWarning, "proxy") << udn << ": " << what << ": " << st.message();
    OnCommand(udn, "Error", what + ": " + st.message());
  };
  if (what == "Reboot") {
    client_.Reboot(udn, [report](upnp::Reply<std::string> r) { report(r.status); });
  } else {
    client_.BaselineReset(udn, [report](upnp::Reply<upnp::DmClient::Unit> r) { report(r.status); });
  }
}

void ProxyManager::PurgeNow() {
  const int64_t now =
      std::chrono::duration_cast<Seconds>(loop_.clock().WallNow().time_since_epoch()).count();
  for (auto& [udn, d] : devices_) {
    if (!d->conflict.empty() && loop_.clock().Now() - d->conflict_at >= kConflictMemory) {
      d->conflict.clear();
      (void)WriteProxyRow(*d);
    }
    if (d->online || d->purged || now - d->last_seen < options_.purge_after.count()) continue;
    PX_LOG(kInfo, "proxy") << udn << ": absent for " << (now - d->last_seen) << " s, purged";
    Detach(*d);
    if (d->proxy_n) {
      auto r = gateway_.DeleteRowInternal("Device." + options_.vendor_prefix + "Proxy.Device." +
                                          std::to_string(d->proxy_n) + ".");
      if (!r.ok()) PX_LOG(kWarning, "proxy") << udn << ": " << r.status();
    }
    d->purged = true;
    (void)Save(*d);
    Status forgot = ProxyProvider::ForgetValues(db_, udn);
    if (!forgot.ok()) PX_LOG(kWarning, "proxy") << udn << ": " << forgot;
  }
}

}  // namespace proxier::proxy
