// DmClient: typed UPnP DM actions (CMS, BMS, SMS) over ControlPoint::Invoke with payload codecs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "proxier/upnp/cms_codec.h"
#include "proxier/upnp/control_point.h"

namespace proxier::upnp {

// A typed answer: `status`/`upnp_error` as in ActionOutcome (a reply that cannot be decoded is
// 9002 with upnp_error 0); `value` is meaningful only when ok().
template <typename T>
struct Reply {
  Status status;
  int upnp_error = 0;
  T value{};
  bool ok() const { return status.ok(); }
};

struct CreateInstanceResult {
  std::string instance_path;  // "/A/B/3/"
  std::string status;         // ChangesApplied | ChangesCommitted
};

struct PingRequest {
  std::string host;
  uint32_t repetitions = 1;
  uint32_t timeout_ms = 1000;
  uint16_t data_block_size = 64;
  uint8_t dscp = 0;
};

struct PingResult {
  std::string status;  // Success, Error_CannotResolveHostName, Error_Internal, Error_Other
  std::string additional_info;
  uint32_t success_count = 0;
  uint32_t failure_count = 0;
  uint32_t average_ms = 0;
  uint32_t minimum_ms = 0;
  uint32_t maximum_ms = 0;
};

struct DuInfo {
  std::string name, version, type, state, uri;
};

struct OperationInfo {
  std::string state;  // Requested, InProgress, Completed, Error
  std::string targeted_ids;
  std::string action;
  std::string error_description;
  std::string additional_info;
};

// Every call goes to the root device `uuid` (the service may sit in an embedded device) and
// completes later on the engine thread. Arguments are validated before sending (bad paths:
// 9003 at once, nothing sent). Thread: engine thread. The ControlPoint must outlive this.
class DmClient {
 public:
  template <typename T>
  using Done = std::function<void(Reply<T>)>;
  struct Unit {};

  explicit DmClient(ControlPoint& cp) : cp_(cp) {}

  // CMS.
  void GetSupportedDataModels(const std::string& uuid, Done<std::vector<cms::SubTree>> done);
  void GetSupportedParameters(const std::string& uuid, const std::string& starting_node,
                              uint32_t depth, Done<std::vector<std::string>> done);
  void GetInstances(const std::string& uuid, const std::string& starting_node, uint32_t depth,
                    Done<std::vector<std::string>> done);
  void GetValues(const std::string& uuid, const std::vector<std::string>& paths,
                 Done<std::vector<cms::ParameterValue>> done);
  void GetSelectedValues(const std::string& uuid, const std::string& starting_node,
                         const std::string& filter, Done<std::vector<cms::ParameterValue>> done);
  // value = the Status output (ChangesApplied / ChangesCommitted).
  void SetValues(const std::string& uuid, const std::vector<cms::ParameterValue>& values,
                 Done<std::string> done);
  void CreateInstance(const std::string& uuid, const std::string& multi_instance_name,
                      const std::vector<cms::ParameterValue>& children,
                      Done<CreateInstanceResult> done);
  void DeleteInstance(const std::string& uuid, const std::string& instance_path,
                      Done<std::string> done);
  void GetAttributes(const std::string& uuid, const std::vector<std::string>& paths,
                     Done<std::vector<cms::NodeAttributes>> done);
  void SetAttributes(const std::string& uuid, const std::vector<cms::NodeAttributes>& nodes,
                     Done<std::string> done);
  void GetConfigurationUpdate(const std::string& uuid, Done<cms::ConfigurationUpdate> done);
  void GetCurrentConfigurationVersion(const std::string& uuid, Done<uint32_t> done);

  // BMS.
  void Reboot(const std::string& uuid, Done<std::string> done);  // RebootNow | RebootLater
  void BaselineReset(const std::string& uuid, Done<Unit> done);
  void GetDeviceStatus(const std::string& uuid, Done<std::string> done);
  void Ping(const std::string& uuid, const PingRequest& request, Done<uint32_t> done);  // TestID
  void GetPingResult(const std::string& uuid, uint32_t test_id, Done<PingResult> done);
  void GetTestIDs(const std::string& uuid, Done<std::vector<uint32_t>> done);
  void GetActiveTestIDs(const std::string& uuid, Done<std::vector<uint32_t>> done);
  void CancelTest(const std::string& uuid, uint32_t test_id, Done<Unit> done);

  // SMS (value of Install/Update/Uninstall/Start/Stop = OperationID).
  void Install(const std::string& uuid, const std::string& du_uri, const std::string& du_type,
               Done<uint32_t> done);
  void Update(const std::string& uuid, uint32_t duid, const std::string& new_uri,
              Done<uint32_t> done);
  void Uninstall(const std::string& uuid, uint32_t duid, Done<uint32_t> done);
  void Start(const std::string& uuid, uint32_t euid, Done<uint32_t> done);
  void Stop(const std::string& uuid, uint32_t euid, Done<uint32_t> done);
  void GetDUIDs(const std::string& uuid, Done<std::vector<uint32_t>> done);
  void GetDUInfo(const std::string& uuid, uint32_t duid, Done<DuInfo> done);
  void GetOperationInfo(const std::string& uuid, uint32_t operation_id, Done<OperationInfo> done);

  // "1,2,3" -> {1,2,3}; blanks tolerated. Errors: 9002 on a non-number.
  static Result<std::vector<uint32_t>> ParseIdList(const std::string& csv);

 private:
  // Posts `st` to `done` when not ok; true if it did.
  template <typename T>
  bool Fail(const Status& st, Done<T>& done);
  template <typename T>
  void Call(const std::string& uuid, DmService service, const std::string& action, Args args,
            std::function<Result<T>(const ActionOutcome&)> decode, Done<T> done);

  ControlPoint& cp_;
};

}  // namespace proxier::upnp
