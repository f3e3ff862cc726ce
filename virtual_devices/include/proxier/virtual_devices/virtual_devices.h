// VirtualDevices: UPnP DM appliances presented to the ACS as CWMP devices of their own
// (proxy.md §3, §5.2; mapping.md §3, §4, §8). One CwmpClient and one data-model root per device.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxier/common/clock.h"
#include "proxier/common/event_loop.h"
#include "proxier/common/log.h"
#include "proxier/common/sqlite.h"
#include "proxier/core/connection_request_server.h"
#include "proxier/core/cwmp_client.h"
#include "proxier/core/http_client.h"
#include "proxier/datamodel/data_model.h"
#include "proxier/datamodel/schema.h"
#include "proxier/proxy/discovery_tables.h"
#include "proxier/proxy/proxy_manager.h"
#include "proxier/proxy/proxy_provider.h"
#include "proxier/upnp/dm_client.h"
#include "proxier/virtual_devices/identity.h"

namespace proxier::virtual_devices {

class VirtualDevice;
struct DeviceContext;

// The actions a virtual device sends to its appliance outside CMS. Each `done` runs exactly once,
// later on the engine thread (never inside the call). Thread: engine thread.
// Errors as in upnp::Reply (9002, with the device's UPnP error text).
class DeviceActions {
 public:
  using Done = std::function<void(Status)>;
  template <typename T>
  using ResultDone = std::function<void(Result<T>)>;
  virtual ~DeviceActions() = default;
  virtual void Reboot(const std::string& udn, Done done) = 0;         // BMS Reboot
  virtual void BaselineReset(const std::string& udn, Done done) = 0;  // BMS BaselineReset
  // SMS; the uint32_t is the OperationID.
  virtual void Install(const std::string& udn, const std::string& url, const std::string& du_type,
                       ResultDone<uint32_t> done) = 0;
  virtual void Update(const std::string& udn, uint32_t duid, const std::string& url,
                      ResultDone<uint32_t> done) = 0;
  virtual void Uninstall(const std::string& udn, uint32_t duid, ResultDone<uint32_t> done) = 0;
  virtual void GetOperationInfo(const std::string& udn, uint32_t operation,
                                ResultDone<upnp::OperationInfo> done) = 0;
  virtual void GetDuInfo(const std::string& udn, uint32_t duid, ResultDone<upnp::DuInfo> done) = 0;
  // BMS; Ping gives the TestID, GetPingResult nullopt while the test runs (UPnP 708).
  virtual void Ping(const std::string& udn, const upnp::PingRequest& request,
                    ResultDone<uint32_t> done) = 0;
  virtual void GetPingResult(const std::string& udn, uint32_t test,
                             ResultDone<std::optional<upnp::PingResult>> done) = 0;
};

// DeviceActions over upnp::DmClient (borrowed; must outlive this).
class DmClientActions final : public DeviceActions {
 public:
  explicit DmClientActions(upnp::DmClient& client) : client_(client) {}
  void Reboot(const std::string& udn, Done done) override;
  void BaselineReset(const std::string& udn, Done done) override;
  void Install(const std::string& udn, const std::string& url, const std::string& du_type,
               ResultDone<uint32_t> done) override;
  void Update(const std::string& udn, uint32_t duid, const std::string& url,
              ResultDone<uint32_t> done) override;
  void Uninstall(const std::string& udn, uint32_t duid, ResultDone<uint32_t> done) override;
  void GetOperationInfo(const std::string& udn, uint32_t operation,
                        ResultDone<upnp::OperationInfo> done) override;
  void GetDuInfo(const std::string& udn, uint32_t duid, ResultDone<upnp::DuInfo> done) override;
  void Ping(const std::string& udn, const upnp::PingRequest& request,
            ResultDone<uint32_t> done) override;
  void GetPingResult(const std::string& udn, uint32_t test,
                     ResultDone<std::optional<upnp::PingResult>> done) override;

 private:
  upnp::DmClient& client_;
};

// The proxier's own DeviceId, shown in each virtual device's Device.DeviceInfo.ProxierInfo.
struct ProxierIdentity {
  std::string oui;  // [0-9A-F]{6}
  std::string product_class;
  std::string serial_number;
};

struct VirtualDevicesOptions {
  ProxierIdentity proxier;
  std::string vendor_prefix = "X_02C0DE_";
  // First-boot ManagementServer.* values of every virtual device (URL, Username, Password,
  // PeriodicInformEnable/Interval, CWMPRetry*), normally the gateway's [acs] config. Items named
  // ConnectionRequestUsername/Password or PeriodicInformTime are ignored: those are per device.
  std::vector<datamodel::SetItem> acs_seed;
  // Key of the derived connection-request passwords (DerivedCrPassword). Username: "vd<n>".
  Secret cr_secret;
  std::string advertised_host;    // host of each ConnectionRequestURL ("" = as the gateway's)
  std::string work_dir = "/tmp";  // transfers go to work_dir/vd<n>
  core::TlsOptions tls;
  Millis http_timeout{30000};
  Millis notify_poll{30000};
  // PeriodicInformTime phases are spread over [0, spread) seconds by UDN (PhaseOffset);
  // 0 = the seed's PeriodicInformInterval (3600 if none).
  uint32_t periodic_spread_s = 0;
  // The gateway's model: Device.ManagementServer.VirtualDevice.{i} rows (borrowed, required).
  datamodel::DataModel* gateway = nullptr;
  // DiscoveryProtocolReference of the rows (borrowed, may be null).
  const proxy::DiscoveryTables* discovery = nullptr;
  // Current registry entry of a UDN (e.g. ControlPoint::Find), for descriptions that arrive after
  // Attach. Unset: the ManagedDevice's pointer is used.
  std::function<const upnp::RootDevice*(const std::string& udn)> find_device;
  // A device attached without a known DeviceId turned out to have no valid one (or could not be
  // read): it should run embedded (ProxyManager::FallBackToEmbedded). Called from a posted task,
  // never inside a VirtualHost method.
  std::function<void(const std::string& udn, const std::string& reason)> on_fallback;
  // Provider options (retries, TR-181 schema for BBF types; null tr181 = the schema given to
  // Create). virtual_mode is forced on.
  proxy::ProxyOptions provider;
  // A device told to reboot that is not seen rebooting (new BOOTID or byebye/alive) within this
  // time is taken as back anyway.
  Seconds reboot_timeout{300};
  // Identity reads that fail (transport, timeout) are retried after identify_retry, then twice,
  // four times... as long; after identify_tries failures the device falls back to embedded.
  Millis identify_retry{5000};
  int identify_tries = 5;
  // SMS operations (Download, ChangeDUState) are polled this often (and at each OperationIDs
  // event) until they complete or time out (TransferComplete 9010 / DU fault 9010).
  Millis sms_poll{2000};
  Seconds sms_timeout{1800};
};

// What a virtual device looks like from outside (tests, logs, diagnostics).
struct VirtualDeviceInfo {
  std::string udn;
  uint32_t n = 0;  // short id: namespace "vd<n>", CR path "/vd/<n>", CR user "vd<n>"
  std::string ns;  // store namespace and CwmpClient name
  std::string cr_path;
  uint32_t row = 0;  // Device.ManagementServer.VirtualDevice.<row>. (0 = none)
  std::optional<VirtualIdentity> identity;  // nullopt while being read
  bool online = false;
  bool available = false;  // sessions allowed, CRs answered (online and not rebooting)
};

// Implements proxy::VirtualHost for the ProxyManager. Per attached device (Attach):
// - identity (mapping.md §3) read with one CMS GetValues (paths the device lacks are then asked
//   one by one) plus the description; persisted per UDN (module "virtual_devices"), so a restart
//   or an offline device keeps its DeviceId. A stored DeviceId is never re-derived.
// - its own DataModel root (namespace "vd<n>"): a StoredProvider (same schema) at
//   Device.DeviceInfo., Device.ManagementServer. and Device.RootDataModelVersion (local wins), and
//   a ProxyProvider (virtual mode) with the device's BBF subtree at "Device." and each native
//   subtree at "Device.<vendor_prefix>UPnP.<X>.".
// - its own CwmpClient ("vd<n>", CR path "/vd/<n>", derived credentials, PeriodicInformTime
//   spread by UDN), unavailable (no session, CR 503) while the appliance is offline or rebooting;
//   "1 BOOT" when the appliance comes back (new BOOTID or after byebye/expiry).
// - Reboot -> BMS Reboot after the session, then "1 BOOT" + "M Reboot" when it is back;
//   FactoryReset -> BMS BaselineReset, the device's CWMP state and stored values are wiped, then
//   "0 BOOTSTRAP" + "1 BOOT"; Download (firmware "1", configuration "3") -> SMS Install, answered
//   Status 1, then TransferComplete ("7 TRANSFER COMPLETE" + "M Download"); ChangeDUState ->
//   SMS Install/Update/Uninstall in order, then DUStateChangeComplete ("11 DU STATE CHANGE
//   COMPLETE" + "M ChangeDUState"), DU UUIDs mapped to the device's DUIDs (persisted). Without
//   SMS a Download completes with 9010 and ChangeDUState is refused (9000). SMS operations in
//   flight are not resumed after a proxierd restart.
// - Device.IP.Diagnostics.IPPing. is local (DiagnosticsState, Host, NumberOfRepetitions, Timeout,
//   DataBlockSize, DSCP, results): DiagnosticsState=Requested runs BMS Ping after the SPV, then
//   "8 DIAGNOSTICS COMPLETE" with Complete or the BMS Error_* status.
// - a Device.ManagementServer.VirtualDevice.{i} row on the gateway with a number kept per UDN.
// Detach stops all that; stored state (events, values, instance maps, the row number) stays for a
// later Attach. Thread: engine thread. Borrowed references must outlive this.
class VirtualDevices final : public proxy::VirtualHost {
 public:
  // Errors: 9003 without options.gateway, 9002 on storage errors. At the first loop turn, rows of
  // Device.ManagementServer.VirtualDevice. whose device is not attached then are deleted (left
  // from a previous run): attach (ProxyManager::SetVirtualHost) before running the loop.
  static Result<std::unique_ptr<VirtualDevices>> Create(EventLoop& loop, Random& random, Db& db,
                                                        const datamodel::Schema& schema,
                                                        core::HttpClient& http,
                                                        core::ConnectionRequestServer* cr_server,
                                                        DeviceActions& actions,
                                                        VirtualDevicesOptions options);
  ~VirtualDevices() override;

  // proxy::VirtualHost. Attach fails (9002) at once when the device is offline and has no stored
  // DeviceId; a DeviceId found invalid later goes to options.on_fallback.
  Status Attach(const proxy::ManagedDevice& device) override;
  void Detach(const std::string& udn) override;
  void DeviceChanged(const std::string& udn, upnp::DeviceChange change) override;
  void Event(const std::string& udn, upnp::DmService service, const upnp::Args& variables) override;
  void Resync(const std::string& udn) override;

  // Observation. Pointers stay valid until the device is detached, reset or its client restarts.
  std::optional<VirtualDeviceInfo> Info(const std::string& udn) const;
  std::vector<std::string> Attached() const;
  core::CwmpClient* Client(const std::string& udn);
  datamodel::DataModel* Model(const std::string& udn);
  // Rows of the gateway's VirtualDevice table that are not attached are deleted.
  void DropStaleRows();

 private:
  struct Record;
  VirtualDevices(EventLoop& loop, Random& random, Db& db, const datamodel::Schema& schema,
                 core::HttpClient& http, core::ConnectionRequestServer* cr_server,
                 DeviceActions& actions, VirtualDevicesOptions options);
  Status Load();
  Status Save(const std::string& udn, const Record& r);
  Record& RecordOf(const std::string& udn, Status* st);
  void OnIdentified(const std::string& udn, const VirtualIdentity& id);
  void OnRefused(const std::string& udn, const std::string& reason);
  Status WriteRow(const std::string& udn, Record& r);
  void DeleteRow(Record& r);

  EventLoop& loop_;
  Db& db_;
  VirtualDevicesOptions options_;
  std::unique_ptr<DeviceContext> context_;
  std::map<std::string, std::unique_ptr<Record>> records_;         // by UDN, persisted
  std::map<std::string, std::unique_ptr<VirtualDevice>> devices_;  // attached, by UDN
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace proxier::virtual_devices
