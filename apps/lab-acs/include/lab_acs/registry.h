// The lab ACS's state: devices (from Informs), queued/sent/finished tasks, transfer and file
// logs, failure-injection settings, and the waits the control API long-polls on.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lab_acs/json_codec.h"
#include "proxier/common/log.h"
#include "proxier/core/cwmp_messages.h"

namespace proxier::labacs {

// What to do with the next Inform (failure injection, consumed one Inform at a time).
enum class InformFate { kAnswer, kFail500, kDrop };

// Settings changed through POST /config. Empty files_username: the file server needs no auth.
struct LabConfig {
  uint32_t fail_informs = 0;      // answer the next N Informs with HTTP 500
  uint32_t inform_delay_ms = 0;   // delay every InformResponse
  bool drop_next_inform = false;  // close the connection of the next Inform without answering
  std::string files_username;     // Digest credentials required by /files/ when set
  Secret files_password;
  // Redirects: the next redirect_count CWMP POSTs are answered redirect_status (301, 302 or 307)
  // with Location redirect_url.
  uint32_t redirect_count = 0;
  uint32_t redirect_status = 307;
  std::string redirect_url;
  // The highest CWMP version this ACS speaks ("1.0" ... "1.4"). At 1.4 it reads the Inform's
  // SupportedCWMPVersions and answers UseCWMPVersion (highest common version); below 1.4 it is a
  // legacy ACS: no UseCWMPVersion, it answers in the namespace of min(its version, the Inform's).
  std::string cwmp_version = "1.4";
  // When set, sent as UseCWMPVersion verbatim whatever the CPE offered (a 1.4 ACS choosing an
  // older version, or a version the CPE did not offer); the session then uses its namespace.
  std::string use_cwmp_version;
};

// A change of some LabConfig fields (absent: unchanged), applied atomically.
struct LabConfigPatch {
  std::optional<uint32_t> fail_informs;
  std::optional<uint32_t> inform_delay_ms;
  std::optional<bool> drop_next_inform;
  std::optional<std::string> files_username;
  std::optional<Secret> files_password;
  std::optional<uint32_t> redirect_count;
  std::optional<uint32_t> redirect_status;
  std::optional<std::string> redirect_url;
  std::optional<std::string> cwmp_version;
  std::optional<std::string> use_cwmp_version;
};

// Where and how to send a connection request to a device.
struct ConnectionRequestTarget {
  std::string url;
  std::string username;
  Secret password;
};

// Device id as GenieACS builds it: OUI-ProductClass-SerialNumber (OUI-SerialNumber without a
// ProductClass), every character but [A-Za-z0-9_] percent-encoded.
std::string MakeDeviceId(const core::cwmp::DeviceId& id);
// Current UTC time as "YYYY-MM-DDThh:mm:ss.mmmZ".
std::string NowIso();

// All state, behind one mutex; every method is atomic and safe from any thread. Waits block on a
// condition variable that every change signals, and return early once Shutdown() was called.
class Registry {
 public:
  // Connection-request credentials used when neither the API call nor a succeeded SPV gave any.
  Registry(std::string default_cr_username, Secret default_cr_password);

  // ---- CWMP side ----
  // Records an Inform (registering the device on first contact), its parameter values and its
  // ConnectionRequestURL. `outcome` says how it was answered ("answered", "http_500", ...).
  // Returns the device id.
  std::string RecordInform(const core::cwmp::Inform& inform, const std::string& ns_uri,
                           std::string_view outcome);
  void SessionStarted(const std::string& device);
  // The cwmp namespace URI of a CPE message after the Inform (shown as last_cpe_namespace).
  void RecordCpeNamespace(const std::string& device, const std::string& ns_uri);
  void SessionEnded(const std::string& device);
  // Pops the device's next queued task, marks it sent with `cwmp_id`; nullopt when none.
  std::optional<std::pair<uint64_t, core::cwmp::AcsRequest>> StartNextTask(
      const std::string& device, const std::string& cwmp_id);
  // Stores the CPE's answer: a Fault makes the task "fault"; an answer of the wrong method makes
  // it "fault" with code 0. GPV values update the device's known params; a successful SPV of
  // (Device.|InternetGatewayDevice.)ManagementServer.ConnectionRequestUsername/Password updates
  // its connection-request credentials.
  void CompleteTask(uint64_t id, const core::cwmp::CpeResponse& response);
  // Lab-detected protocol error (no answer, ID mismatch): task "fault" with code 0 and `why`.
  void FailTask(uint64_t id, const std::string& why);
  // The session of a sent task was abandoned: queue it again at the front (a fault after 3 tries).
  void RequeueTask(uint64_t id);
  void RecordTransfer(const std::string& device, const core::cwmp::CpeRequest& request);
  void RecordFileRequest(Json entry);
  // Consumes one failure injection for the Inform being handled.
  InformFate NextInformFate();
  // (status, Location) when the next CWMP POST is to be redirected (consumes one redirect).
  std::optional<std::pair<uint32_t, std::string>> TakeRedirect();
  LabConfig config() const;
  void UpdateConfig(const LabConfigPatch& patch);
  Json ConfigJson() const;

  // ---- control API side ----
  // Queues a task; nullopt when the device is unknown.
  std::optional<uint64_t> AddTask(const std::string& device, core::cwmp::AcsRequest request);
  Json DevicesJson() const;
  std::optional<Json> DeviceJson(const std::string& device) const;
  std::optional<Json> InformsJson(const std::string& device) const;
  std::optional<Json> DeviceTasksJson(const std::string& device) const;
  // {"id","device","name","state","request","response",...}; nullopt when unknown. Waits up to
  // `wait` for the task to be done or faulted.
  std::optional<Json> TaskJson(uint64_t id, std::chrono::milliseconds wait = {});
  // The device JSON once it exists, has more than `informs` Informs (when given) and more than
  // `sessions_ended` finished sessions (when given); nullopt on timeout or shutdown.
  std::optional<Json> WaitDevice(const std::string& device, std::optional<uint64_t> informs,
                                 std::optional<uint64_t> sessions_ended,
                                 std::chrono::milliseconds timeout);
  // The transfer / file logs, once they have more than `after` entries when `after` is given;
  // nullopt on timeout or shutdown.
  std::optional<Json> Transfers(std::optional<size_t> after, std::chrono::milliseconds wait);
  std::optional<Json> FilesLog(std::optional<size_t> after, std::chrono::milliseconds wait);
  std::optional<ConnectionRequestTarget> CrTarget(const std::string& device) const;

  // ---- lifecycle / tests ----
  // Wakes every wait and makes new waits return at once.
  void Shutdown();
  // Blocks for `duration` (returns early on Shutdown); used for the injected Inform delay.
  void Pause(std::chrono::milliseconds duration);
  // Test hook: blocks until at least `n` API calls are inside a wait (or timeout).
  bool WaitForWaiters(size_t n, std::chrono::milliseconds timeout);

 private:
  enum class TaskState { kQueued, kSent, kDone, kFault };
  struct InformRecord {
    std::string time;
    core::cwmp::Inform inform;
    std::string ns_uri;
    std::string outcome;
  };
  struct Device {
    std::string id;
    core::cwmp::DeviceId device_id;
    std::string cr_url;
    uint64_t inform_count = 0;
    std::deque<InformRecord> informs;  // the most recent kMaxInforms
    uint64_t sessions = 0;
    uint64_t sessions_ended = 0;
    std::map<std::string, std::string> params;
    std::deque<uint64_t> queue;
    std::vector<uint64_t> tasks;  // every task, in creation order
    std::optional<std::string> cr_username;
    std::optional<Secret> cr_password;
    std::string last_cpe_namespace;
  };
  struct Task {
    uint64_t id = 0;
    std::string device;
    core::cwmp::AcsRequest request;
    TaskState state = TaskState::kQueued;
    Json response;  // null until answered
    std::string cwmp_id;
    std::string created, sent, completed;
    uint32_t attempts = 0;
  };
  static constexpr size_t kMaxInforms = 1000;

  template <typename Pred>
  bool WaitLocked(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds timeout, Pred pred);
  Json DeviceJsonLocked(const Device& d) const;
  static Json InformJson(const InformRecord& r);
  Json TaskJsonLocked(const Task& t) const;
  void Finish(Task& t, TaskState state, Json response);

  const std::string default_cr_username_;
  const Secret default_cr_password_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  bool stopping_ = false;
  size_t waiters_ = 0;
  std::map<std::string, Device> devices_;
  std::map<uint64_t, Task> tasks_;
  uint64_t next_task_id_ = 1;
  Json transfers_ = Json::array();
  Json files_ = Json::array();
  LabConfig config_;
  uint64_t redirects_served_ = 0;
};

}  // namespace proxier::labacs
