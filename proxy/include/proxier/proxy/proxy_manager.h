// ProxyManager: the device lifecycle of the proxy. Decides each UPnP DM device's mode (config
// rules, the ACS's choice in Device.X_<OUI>_Proxy.), grafts embedded devices into the gateway's
// data model (EmbeddedDevice, X_<OUI>_ProxiedDevice, SupportedDataModel rows and the mounted
// ProxyProvider) or hands them to a VirtualHost, follows byebye/expiry/return, and purges.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxier/common/event_loop.h"
#include "proxier/common/sqlite.h"
#include "proxier/datamodel/data_model.h"
#include "proxier/proxy/cms_port.h"
#include "proxier/proxy/discovery_tables.h"
#include "proxier/proxy/instance_map.h"
#include "proxier/proxy/proxy_provider.h"
#include "proxier/upnp/control_point.h"
#include "proxier/upnp/dm_client.h"

namespace proxier::proxy {

struct ModeRule {
  // Keys udn, device_type, manufacturer, model_name, friendly_name -> glob (fnmatch); all must
  // match.
  std::map<std::string, std::string> match;
  std::string mode;  // embedded | virtual | ignore
};

struct ProxyManagerOptions {
  std::string default_mode = "embedded";  // first-boot Device.X_<OUI>_Proxy.DefaultMode
  std::vector<ModeRule> rules;  // first match wins; the ACS's per-device Mode wins over all
  Seconds purge_after{86400};   // a vanished device keeps its rows this long
  Millis purge_check{60000};    // how often vanished devices are checked
  std::string vendor_prefix = "X_02C0DE_";
  size_t max_instances = InstanceMap::kDefaultMaxLive;  // live instances per device
  ProxyOptions provider;                                // retries, TR-181 schema for BBF types
};

// What a VirtualHost gets for one device. Pointers stay valid until Detach.
struct ManagedDevice {
  std::string udn;
  const upnp::RootDevice* device = nullptr;  // nullptr while not seen since start
  std::vector<upnp::cms::SubTree> subtrees;
  CmsPort* port = nullptr;
  InstanceMap* map = nullptr;
};

// Runs devices in virtual mode (virtual_devices/). Thread: engine thread.
class VirtualHost {
 public:
  virtual ~VirtualHost() = default;
  // Starts a virtual CWMP device. An error (e.g. no valid DeviceId) makes the manager fall back
  // to embedded mode and show the message as the device's Reason.
  virtual Status Attach(const ManagedDevice& device) = 0;
  virtual void Detach(const std::string& udn) = 0;
  // Lease and description news of an attached device.
  virtual void DeviceChanged(const std::string& udn, upnp::DeviceChange change) = 0;
  // GENA variables and resyncs of an attached device.
  virtual void Event(const std::string& udn, upnp::DmService service,
                     const upnp::Args& variables) = 0;
  virtual void Resync(const std::string& udn) = 0;
};

// Thread: engine thread. Borrowed references must outlive the manager.
class ProxyManager final : public upnp::Listener {
 public:
  // `gateway` must have its StoredProvider set. Errors: 9002 on storage errors.
  static Result<std::unique_ptr<ProxyManager>> Create(
      EventLoop& loop, Db& db, datamodel::DataModel& gateway, upnp::ControlPoint& cp,
      upnp::DmClient& client, const DiscoveryTables* discovery, ProxyManagerOptions options);
  ~ProxyManager() override;

  // Borrowed; nullptr = virtual mode unavailable ("pending").
  void SetVirtualHost(VirtualHost* host);

  // upnp::Listener.
  void OnDevice(const upnp::RootDevice& device, upnp::DeviceChange change) override;
  void OnEvent(const std::string& uuid, upnp::DmService service,
               const upnp::Args& variables) override;
  void OnResync(const std::string& uuid, upnp::DmService service,
                const std::string& reason) override;
  // Another address claims the UDN of a device while its lease is alive (identity pinning):
  // shown in the device's Device.X_<OUI>_Proxy.Device.{i}.Reason until no conflict has been
  // seen for kConflictMemory.
  void OnConflict(const std::string& uuid, const std::string& what) override;
  static constexpr Seconds kConflictMemory{600};

  // Current effective mode of `udn` ("" if unknown): embedded, virtual, ignore or pending.
  std::string EffectiveMode(const std::string& udn) const;
  // Embedded row of `udn`: "Device.X_<OUI>_ProxiedDevice.N." ("" if none).
  std::string ProxiedRow(const std::string& udn) const;
  // Re-decides every device's mode (after a rule or DefaultMode change).
  void ReevaluateAll();
  // Replaces the configured mode rules (SIGHUP) and re-decides every device's mode. A per-device
  // Mode set by the ACS still wins.
  void SetRules(std::vector<ModeRule> rules);
  // The VirtualHost found later (asynchronously) that `udn` cannot be a virtual device (e.g. no
  // valid DeviceId): the device runs embedded with `reason` as its Reason until the ACS sets its
  // Mode again (or proxierd restarts). Not to be called from inside a VirtualHost method.
  void FallBackToEmbedded(const std::string& udn, const std::string& reason);
  // Purges devices absent longer than purge_after now (also run periodically).
  void PurgeNow();

 private:
  struct Device;
  ProxyManager(EventLoop& loop, Db& db, datamodel::DataModel& gateway, upnp::ControlPoint& cp,
               upnp::DmClient& client, const DiscoveryTables* discovery,
               ProxyManagerOptions options);
  Status Load();
  Status Save(const Device& d);
  Device& Record(const std::string& udn);
  std::string Wanted(const Device& d, std::string* reason) const;
  void Reevaluate(Device& d);
  void Attach(Device& d, const std::string& mode);
  void Detach(Device& d);
  void SyncDevice(Device& d);
  void MountEmbedded(Device& d);
  void OnModelChange(const datamodel::ParamValue& value, const std::string& origin);
  void Trigger(Device& d, const std::string& what);
  // Rows (proxy_rows.cc).
  Status WriteProxyRow(Device& d);
  Status WriteEmbeddedRows(Device& d);
  Status WriteSupportedDataModels(Device& d);
  void DropEmbeddedRows(Device& d);
  void SetRow(const std::string& row, const std::string& param, const std::string& value);
  void OnCommand(const std::string& udn, const std::string& state, const std::string& message);

  EventLoop& loop_;
  Db& db_;
  datamodel::DataModel& gateway_;
  upnp::ControlPoint& cp_;
  upnp::DmClient& client_;
  const DiscoveryTables* discovery_;
  ProxyManagerOptions options_;
  VirtualHost* virtual_host_ = nullptr;
  std::map<std::string, std::unique_ptr<Device>> devices_;  // by UDN (root UUID, no "uuid:")
  std::optional<EventLoop::TimerId> purge_timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace proxier::proxy
