// VirtualDevice: one appliance run as a virtual CWMP device (private to the module).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "proxier/common/log.h"
#include "proxier/common/sqlite.h"
#include "proxier/datamodel/computed_provider.h"
#include "proxier/datamodel/stored_provider.h"
#include "proxier/virtual_devices/virtual_devices.h"

namespace proxier::virtual_devices {

// What every VirtualDevice shares (owned by VirtualDevices).
struct DeviceContext {
  EventLoop& loop;
  Random& random;
  Db& db;
  const datamodel::Schema& schema;
  core::HttpClient& http;
  core::ConnectionRequestServer* cr_server;
  DeviceActions& actions;
  const VirtualDevicesOptions& options;
  std::vector<std::string> forced_inform;  // local forced-inform parameters of the schema
  // The identity was read (first time) or its DeviceInfo values changed: persist it.
  std::function<void(const std::string& udn, const VirtualIdentity&)> identified;
  // No valid DeviceId: the device cannot be virtual.
  std::function<void(const std::string& udn, const std::string& reason)> refused;
};

// Thread: engine thread. Answers from the appliance that arrive after destruction are dropped.
class VirtualDevice {
 public:
  VirtualDevice(DeviceContext& ctx, const proxy::ManagedDevice& md, uint32_t n,
                std::optional<VirtualIdentity> identity);
  ~VirtualDevice();
  VirtualDevice(const VirtualDevice&) = delete;
  VirtualDevice& operator=(const VirtualDevice&) = delete;

  // Builds the model and starts the client when the identity is known; reads the appliance
  // (subtrees, identity, DeviceInfo values) when it is online. Errors: 9002 on storage errors.
  Status Begin();
  void Changed(upnp::DeviceChange change);
  void OnEvent(upnp::DmService service, const upnp::Args& variables);
  void Resync();

  VirtualDeviceInfo Info() const;
  core::CwmpClient* client() { return client_.get(); }
  datamodel::DataModel* model() { return model_.get(); }

 private:
  Status Build();
  void Teardown();
  Status StartClient();
  core::ClientHooks Hooks();
  std::vector<datamodel::SetItem> Seed() const;
  bool available() const { return online_ && !restarting_; }
  std::function<bool()> Alive() const;
  const upnp::DeviceInfo* Description() const;
  std::string BbfLocation() const;

  // Reading the appliance (virtual_device_read.cc).
  void Refresh();
  void FetchSubtrees(std::function<void()> then);
  void ReadValues(std::function<void(std::map<std::string, std::string>, Status)> done);
  void OnValues(const std::map<std::string, std::string>& values, const Status& transport);
  void ApplyMounts();
  void WriteDeviceInfo(bool notify);
  void SetLocal(const std::string& name, const std::string& value, bool notify);
  void SyncProvider();

  // Reboot and factory reset.
  void OnRebootRequested();
  void SendReboot();
  // Runs `fn` now if the appliance is online and described (its actions can be called), else
  // when it is (after a restart the ACS may ask before: the answer left, the work waits).
  void WhenDescribed(std::function<void()> fn);
  void OnFactoryResetRequested();
  void FinishFactoryReset();
  void BackFromReboot();

  // Software management (virtual_device_sms.cc).
  struct DuBatch {
    int64_t op = 0;                // its vd_op row
    size_t resumed_at = SIZE_MAX;  // the step a restart resumed it at
    core::cwmp::ChangeDUState request;
    std::vector<core::cwmp::DuOpResult> results;
  };
  struct Waiter {
    std::function<void(Result<upnp::OperationInfo>)> done;
    SteadyTime deadline;
    bool polling = false;
  };
  bool HasSms() const;
  std::string Now() const;
  void InstallHandlers(core::CwmpClient& client);
  // `sms`: the SMS operation of a resumed download, already started on the appliance.
  void StartDownload(int64_t op, const core::cwmp::Download& d, std::string start,
                     std::optional<uint32_t> sms);
  // `sms`: the SMS operation of step i of a resumed batch, already started on the appliance.
  void RunDuOps(std::shared_ptr<DuBatch> batch, size_t i, std::optional<uint32_t> sms = {});
  std::optional<uint32_t> DuidOf(const std::string& uuid);
  void RememberDu(const std::string& uuid, uint32_t duid);
  void ForgetDu(const std::string& uuid);
  // `done` gets the final OperationInfo (Completed or Error), or 9010 after sms_timeout.
  void WaitOperation(uint32_t operation, std::function<void(Result<upnp::OperationInfo>)> done);
  void PollOperations();

  // What the ACS was told and is still owed, stored (virtual_device_ops.cc): a vd_op row per
  // Download / ChangeDUState from before its response until its completion is queued (in one
  // commit with the row's removal); the IPPing settings and state in vd_ping.
  Result<int64_t> StoreDownload(const core::cwmp::Download& d);
  Result<int64_t> StoreDuState(const core::cwmp::ChangeDUState& c);
  Result<int64_t> PersistOp(const std::string& kind, const std::string& body, int64_t due_epoch_s);
  void SaveOpProgress(int64_t op, int64_t step, std::optional<uint32_t> sms,
                      const std::string& progress);
  Status DropOp(int64_t op);
  // Queues `request` (and its events) and drops the row in one commit.
  void CompleteOp(int64_t op, const core::cwmp::CpeRequest& request,
                  const std::vector<core::cwmp::EventStruct>& events, const char* what);
  // Once per VirtualDevice, when the appliance is reachable: re-drives the stored operations of
  // an earlier run (polls their SMS operation again, or starts it again) and a Requested IPPing.
  void ResumeOps();
  void SavePing();
  void LoadPing();
  void ForgetPing();

  // IPPing diagnostics through BMS Ping (virtual_device_diag.cc).
  struct PingState {
    std::string state = "None";
    std::string host;
    uint32_t repetitions = 1, timeout_ms = 1000, block = 64, dscp = 0;
    upnp::PingResult result;
    uint64_t run = 0;  // bumped by every start/cancel: late answers of older runs are dropped
    std::optional<uint32_t> test;
    SteadyTime deadline{};
  };
  void BuildDiagnostics();
  void StartPing();
  void PollPing();
  void FinishPing(const std::string& state);

  DeviceContext& ctx_;
  proxy::ManagedDevice md_;
  const uint32_t n_;
  const std::string ns_;
  std::optional<VirtualIdentity> identity_;
  std::vector<upnp::cms::SubTree> subtrees_;
  std::vector<std::string> mounted_;  // provider prefixes mounted in model_
  bool online_ = false;
  bool restarting_ = false;  // reboot / factory reset under way
  // A Reboot owed from before a restart waits for the appliance to be described (its actions
  // cannot be called before).
  bool reboot_deferred_ = false;
  std::vector<std::function<void()>> when_described_;
  bool refreshing_ = false;
  bool refresh_again_ = false;
  int identify_failures_ = 0;
  std::optional<EventLoop::TimerId> reboot_timer_, retry_timer_, poll_timer_, ping_timer_;
  std::map<uint32_t, Waiter> waiters_;  // SMS operations in flight, by OperationID
  std::set<int64_t> running_ops_;       // vd_op rows driven by this object
  bool ops_resumed_ = false;
  PingState ping_;
  std::unique_ptr<datamodel::ComputedProvider> diag_;
  std::unique_ptr<datamodel::StoredProvider> store_;
  std::unique_ptr<datamodel::DataModel> model_;
  std::unique_ptr<proxy::ProxyProvider> provider_;
  std::unique_ptr<core::CwmpClient> client_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace proxier::virtual_devices
