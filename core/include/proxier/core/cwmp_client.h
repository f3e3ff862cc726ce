// CwmpClient: one CWMP CPE (the gateway, or one virtual device) talking to its ACS.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "proxier/common/clock.h"
#include "proxier/common/event_loop.h"
#include "proxier/common/sqlite.h"
#include "proxier/core/connection_request_server.h"
#include "proxier/core/cwmp_messages.h"
#include "proxier/core/event_queue.h"
#include "proxier/core/http_client.h"
#include "proxier/datamodel/data_model.h"
#include "proxier/datamodel/stored_provider.h"

namespace proxier::core {

// Platform actions the client asks its owner for. All run on the engine thread. Unset hooks mean
// the action is not available (Reboot/FactoryReset still answer, and the owner is told nothing).
struct ClientHooks {
  // After the session that asked for it: restart the device (the daemon re-executes itself or runs
  // the platform's reboot command). "M Reboot" is already queued and persisted.
  std::function<void()> reboot;
  // After the session: wipe this client's state, then restart. "0 BOOTSTRAP" follows on restart.
  std::function<void()> factory_reset;
  // Applies a downloaded file. `done(fault, reboot)`: fault.code 0 on success; reboot true when
  // the device restarts to complete it (firmware).
  std::function<void(const std::string& file_type, const std::string& path,
                     std::function<void(cwmp::FaultStruct, bool reboot)> done)>
      apply_download;
  // Produces the file to upload for an Upload FileType ("1 Vendor Configuration File",
  // "2 Vendor Log File"). Errors: 9011 or 9003 for an unsupported type.
  std::function<Result<std::string>(const std::string& file_type)> upload_source;
};

struct CwmpClientOptions {
  std::string name = "gw";         // store namespace, change-tracking origin, log prefix
  std::string cr_path = "/cr/gw";  // path on the ConnectionRequestServer
  std::string advertised_host;     // host of ConnectionRequestURL ("" = our address to the ACS)
  std::vector<std::string> forced_inform;  // parameters always in the Inform's ParameterList
  std::string work_dir = "/tmp";           // downloads and uploads
  TlsOptions tls;                          // to the ACS (certificate verification on by default)
  Millis http_timeout{30000};              // per HTTP exchange
  Millis notify_poll{30000};               // re-read notified values that nobody reports
  // First-boot values of ManagementServer.* (URL, Username, ...): written only when this client's
  // store has never been seeded; afterwards the stored (ACS-set) values win.
  std::vector<datamodel::SetItem> seed;
  // Methods answered besides the standard CPE set (with SetHandler).
  std::vector<std::string> extra_methods;
  // Unset = always. While it returns false no session starts (events and changes stay queued;
  // a session already running goes on) and connection requests are answered 503. A virtual
  // device is unavailable while its appliance is offline or rebooting; its owner calls Trigger()
  // when it becomes available again.
  std::function<bool()> available;
  // True when a start of this client is a restart of the device (the gateway: the process is
  // the device). False for a virtual device: a Reboot acknowledged before a crash and never
  // carried out is carried out at the next Start (the reboot hook runs) instead of being taken
  // as done.
  bool start_is_reboot = true;
};

// Runs CWMP sessions: Inform with the queued events, queued CPE requests, then ACS requests until
// the ACS is done. Persists events and queued requests (EventQueue), retries failed sessions with
// the TR-069 back-off, informs periodically on the PeriodicInformTime phase, sends 4 VALUE CHANGE
// for active notifications (throttled), answers connection requests, runs transfers.
// Thread: engine thread. Borrowed references must outlive the client.
class CwmpClient {
 public:
  CwmpClient(EventLoop& loop, Random& random, Db& db, datamodel::DataModel& model,
             datamodel::StoredProvider& store, HttpClient& http, ConnectionRequestServer* cr_server,
             ClientHooks hooks, CwmpClientOptions options);
  ~CwmpClient();
  CwmpClient(const CwmpClient&) = delete;
  CwmpClient& operator=(const CwmpClient&) = delete;

  // Loads state, queues "1 BOOT" (and "0 BOOTSTRAP" if this ACS URL never acknowledged one),
  // registers the connection-request endpoint and starts the first session.
  Status Start();
  // Stops timers and sessions (an HTTP exchange in flight is abandoned).
  void Stop();
  // Deletes everything the client named `name` persisted in `db` (state, queued events and
  // requests, pending transfers): its next Start() is a first start ("0 BOOTSTRAP"). The client
  // must not be running. Errors: 9002 on storage errors.
  static Status WipeState(Db& db, const std::string& name);

  // Queues `event` and starts a session now, or right after the current one.
  void Trigger(const std::string& event, const std::string& command_key = "");
  // Queues a CPE request (TransferComplete, ...) with the events it keeps alive, then a session.
  Status QueueRequest(const cwmp::CpeRequest& request,
                      const std::vector<cwmp::EventStruct>& events);

  using Responder = std::function<void(cwmp::CpeResponse)>;
  using Handler = std::function<void(const cwmp::AcsRequest&, Responder)>;
  // Replaces or adds the handler of an ACS method (listed in GetRPCMethods).
  void SetHandler(const std::string& method, Handler handler);

  // Observation (tests, logs, the proxy).
  bool in_session() const;
  bool running() const { return running_; }
  uint32_t retry_count() const { return retry_count_; }
  uint64_t sessions_ok() const { return sessions_ok_; }
  uint64_t sessions_failed() const { return sessions_failed_; }
  std::string connection_request_url() const { return cr_url_; }
  const std::string& name() const { return options_.name; }
  EventQueue& events() { return *queue_; }
  datamodel::DataModel& model() { return model_; }
  // Time of the next scheduled session attempt, if any (for tests of retry windows).
  std::optional<Millis> next_attempt_in() const;

 private:
  class Session;
  friend class Session;

  void RequestSession(bool now);
  void StartSession();
  void OnSessionEnd(bool ok, const Status& why);
  void ScheduleRetry();
  void SchedulePeriodic();
  void ScheduleNotifyPoll();
  void OnValueChanged(const datamodel::ParamValue& value, const std::string& origin);
  void OnActiveChange();
  void OnConnectionRequest();
  void UpdateConnectionRequestUrl(const std::string& local_ip);
  // Device.ManagementServer.HTTPConnectionRequestEnable (true when unset).
  bool HttpConnectionRequestsEnabled();
  void RegisterStandardHandlers();
  void RunPostSessionActions();
  std::string ParamOr(const std::string& name, const std::string& fallback);
  uint32_t UintParam(const std::string& name, uint32_t fallback);
  Status LoadState();
  Status SaveState(const std::string& key, const std::string& value);
  Status DropState(const std::string& key);
  std::string State(const std::string& key) const;

  // Transfers (transfers.cc).
  Status StartDownload(const cwmp::Download& d);
  Status StartUpload(const cwmp::Upload& u);
  void FinishTransfer(const std::string& id, const std::string& command_key,
                      cwmp::FaultStruct fault, const std::string& start, bool reboot, bool upload);
  // A new id for a stored operation, unique for the store's lifetime ("dl-17"). Errors: 9002.
  Result<std::string> NextOperationId(const std::string& prefix);
  // cwmp_state keys of what the ACS was told and is still owed (survive a crash).
  static constexpr char kOwedReboot[] = "owed_reboot";
  static constexpr char kOwedFactoryReset[] = "owed_factory_reset";
  Status PersistTransfer(const std::string& id, const std::string& kind, const std::string& body,
                         int64_t due_epoch_s);
  Status DropTransfer(const std::string& id);
  void ResumeTransfers();

  EventLoop& loop_;
  Random& random_;
  Db& db_;
  datamodel::DataModel& model_;
  datamodel::StoredProvider& store_;
  HttpClient& http_;
  ConnectionRequestServer* cr_server_;
  ClientHooks hooks_;
  CwmpClientOptions options_;

  std::unique_ptr<EventQueue> queue_;
  std::map<std::string, Handler> handlers_;
  std::map<std::string, std::string> state_;
  std::unique_ptr<Session> session_;
  bool running_ = false;
  bool session_after_ = false;  // a session was requested while one ran
  bool start_posted_ = false;
  uint32_t retry_count_ = 0;
  uint64_t sessions_ok_ = 0, sessions_failed_ = 0;
  std::optional<EventLoop::TimerId> attempt_timer_, periodic_timer_, poll_timer_, throttle_timer_;
  SteadyTime attempt_at_{};
  std::optional<SteadyTime> last_active_inform_;
  std::string cwmp_version_;  // negotiated in the last session ("1.4"), for the log
  std::string cr_url_;
  std::string last_local_ip_;
  // Post-session actions requested by the ACS in the current session.
  std::optional<std::string> pending_reboot_;  // CommandKey
  bool pending_factory_reset_ = false;
  // A reboot or factory-reset hook is running: no session until the process restarts (the next
  // Inform must carry 1 BOOT with M Reboot, or 0 BOOTSTRAP).
  bool restarting_ = false;
  std::map<std::string, EventLoop::TimerId> scheduled_informs_;  // and transfers waiting to start
  std::set<std::string> running_transfers_;
  std::vector<std::unique_ptr<HttpSession>> transfer_sessions_;
  std::vector<datamodel::NotifiedChange> unsent_changes_;  // changes of a failed session
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // guards posted callbacks
};

}  // namespace proxier::core
