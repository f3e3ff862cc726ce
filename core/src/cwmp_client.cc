// CwmpClient: lifecycle, scheduling (sessions, retries, periodic informs, notifications), state.
#include "proxier/core/cwmp_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "cwmp_session.h"
#include "proxier/core/schedule.h"
#include "proxier/datamodel/value.h"

namespace proxier::core {

namespace {
const char* kMs = "Device.ManagementServer.";

// Host and port of an http(s) URL whose host is an IP literal; nullopt for names.
std::optional<std::pair<std::string, uint16_t>> IpEndpoint(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return std::nullopt;
  std::string rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  uint16_t port = url.rfind("https", 0) == 0 ? 443 : 80;
  std::string host = rest;
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
    const size_t close = rest.find(']');
    if (close == std::string::npos) return std::nullopt;
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') {
      port = static_cast<uint16_t>(std::atoi(rest.c_str() + close + 2));
    }
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = static_cast<uint16_t>(std::atoi(rest.c_str() + colon + 1));
  }
  in_addr a4{};
  in6_addr a6{};
  if (inet_pton(AF_INET, host.c_str(), &a4) != 1 && inet_pton(AF_INET6, host.c_str(), &a6) != 1) {
    return std::nullopt;
  }
  return std::make_pair(host, port);
}

// The local address the kernel would use to reach host:port (UDP connect sends nothing).
std::string LocalAddressTowards(const std::string& host, uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  sockaddr_storage to{};
  socklen_t to_len;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&to);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    inet_pton(AF_INET6, host.c_str(), &a->sin6_addr);
    to_len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&to);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    inet_pton(AF_INET, host.c_str(), &a->sin_addr);
    to_len = sizeof(sockaddr_in);
  }
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), to_len) == 0) {
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    char buf[INET6_ADDRSTRLEN] = {};
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0) {
      const void* addr =
          v6 ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&local)->sin6_addr)
             : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&local)->sin_addr);
      if (inet_ntop(v6 ? AF_INET6 : AF_INET, addr, buf, sizeof buf)) out = buf;
    }
  }
  close(fd);
  return out;
}
}  // namespace

CwmpClient::CwmpClient(EventLoop& loop, Random& random, Db& db, datamodel::DataModel& model,
                       datamodel::StoredProvider& store, HttpClient& http,
                       ConnectionRequestServer* cr_server, ClientHooks hooks,
                       CwmpClientOptions options)
    : loop_(loop),
      random_(random),
      db_(db),
      model_(model),
      store_(store),
      http_(http),
      cr_server_(cr_server),
      hooks_(std::move(hooks)),
      options_(std::move(options)) {
  RegisterStandardHandlers();
}

CwmpClient::~CwmpClient() { Stop(); }

Status CwmpClient::LoadState() {
  PX_RETURN_IF_ERROR(
      Migrate(db_, "cwmp_state",
              {"CREATE TABLE cwmp_state(ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
               " PRIMARY KEY(ns, key)) WITHOUT ROWID;"}));
  PX_RETURN_IF_ERROR(
      Migrate(db_, "cwmp_transfers",
              {"CREATE TABLE cwmp_transfer(ns TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL,"
               " body TEXT NOT NULL, due INTEGER NOT NULL, PRIMARY KEY(ns, id)) WITHOUT ROWID;"}));
  auto st = db_.Prepare("SELECT key, value FROM cwmp_state WHERE ns=?");
  if (!st.ok()) return st.status();
  st->Bind(0, options_.name);
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    state_[st->ColumnText(0)] = st->ColumnText(1);
  }
  return Status::Ok();
}

Status CwmpClient::SaveState(const std::string& key, const std::string& value) {
  auto st = db_.Prepare(
      "INSERT INTO cwmp_state(ns, key, value) VALUES(?,?,?) ON CONFLICT(ns, key) DO UPDATE SET "
      "value=excluded.value");
  if (!st.ok()) return st.status();
  st->Bind(0, options_.name).Bind(1, key).Bind(2, value);
  PX_RETURN_IF_ERROR(st->Run());
  state_[key] = value;
  return Status::Ok();
}

Status CwmpClient::DropState(const std::string& key) {
  auto st = db_.Prepare("DELETE FROM cwmp_state WHERE ns=? AND key=?");
  if (!st.ok()) return st.status();
  st->Bind(0, options_.name).Bind(1, key);
  PX_RETURN_IF_ERROR(st->Run());
  state_.erase(key);
  return Status::Ok();
}

std::string CwmpClient::State(const std::string& key) const {
  auto it = state_.find(key);
  return it == state_.end() ? std::string() : it->second;
}

std::string CwmpClient::ParamOr(const std::string& name, const std::string& fallback) {
  auto v = store_.Get(name);
  return v.ok() ? *v : fallback;
}

uint32_t CwmpClient::UintParam(const std::string& name, uint32_t fallback) {
  auto v = store_.Get(name);
  if (!v.ok() || v->empty()) return fallback;
  return static_cast<uint32_t>(std::strtoul(v->c_str(), nullptr, 10));
}

Status CwmpClient::Start() {
  PX_RETURN_IF_ERROR(LoadState());
  auto queue = EventQueue::Open(db_, options_.name);
  if (!queue.ok()) return queue.status();
  queue_ = std::move(queue).value();
  PX_RETURN_IF_ERROR(queue_->OnStartup());
  if (State("seeded").empty()) {
    for (const auto& item : options_.seed) {
      Status st = store_.SetInternal(item.name, item.value);
      if (!st.ok())
        PX_LOG(kWarning, "cwmp") << options_.name << ": default for " << item.name << ": " << st;
    }
    PX_RETURN_IF_ERROR(SaveState("seeded", "1"));
  }
  const std::string url = ParamOr(std::string(kMs) + "URL", "");
  if (State("bootstrapped_url") != url || url.empty())
    PX_RETURN_IF_ERROR(queue_->Add("0 BOOTSTRAP"));
  PX_RETURN_IF_ERROR(queue_->Add("1 BOOT"));
  // What the ACS was told before the last stop and that never happened (a crash right after the
  // answer left): for the gateway this start is the reboot it was promised; a virtual device's
  // reboot and any factory reset are carried out now.
  const bool owed_reboot = state_.count(kOwedReboot) > 0 && !options_.start_is_reboot;
  if (state_.count(kOwedReboot) && options_.start_is_reboot) {
    ScopedCommit commit(db_, "an owed reboot");
    PX_RETURN_IF_ERROR(queue_->Add("M Reboot", State(kOwedReboot)));
    PX_RETURN_IF_ERROR(DropState(kOwedReboot));
  }
  const bool owed_reset = state_.count(kOwedFactoryReset) > 0;
  running_ = true;
  UpdateConnectionRequestUrl("");  // before tracking: a start-up value is not a change to notify
  model_.TrackClient(options_.name, [this] { OnActiveChange(); });
  model_.AddListener([this, alive = std::weak_ptr<int>(alive_)](const datamodel::ParamValue& v,
                                                                const std::string& origin) {
    if (!alive.expired()) OnValueChanged(v, origin);
  });
  if (cr_server_) {
    auto password = store_.GetSecret(std::string(kMs) + "ConnectionRequestPassword");
    cr_server_->AddEndpoint({options_.cr_path,
                             ParamOr(std::string(kMs) + "ConnectionRequestUsername", ""),
                             Secret(password.ok() ? *password : ""),
                             [this, alive = std::weak_ptr<int>(alive_)] {
                               if (!alive.expired()) OnConnectionRequest();
                             },
                             [this, alive = std::weak_ptr<int>(alive_)] {
                               // HTTPConnectionRequestEnable false: no request is accepted.
                               return !alive.expired() && HttpConnectionRequestsEnabled() &&
                                      (!options_.available || options_.available());
                             },
                             [this, alive = std::weak_ptr<int>(alive_)] {
                               // A session open or about to start answers the request.
                               return !alive.expired() && (session_ || start_posted_);
                             }});
  }
  if (owed_reset || owed_reboot) {
    PX_LOG(kWarning, "cwmp") << options_.name << ": a " << (owed_reset ? "FactoryReset" : "Reboot")
                             << " was acknowledged before the last stop and not carried out: "
                             << "carrying it out now";
    if (owed_reset) {
      pending_factory_reset_ = true;
    } else {
      pending_reboot_ = State(kOwedReboot);
    }
    loop_.Post([this, alive = std::weak_ptr<int>(alive_)] {
      if (!alive.expired() && running_) RunPostSessionActions();
    });
    return Status::Ok();
  }
  ResumeTransfers();
  SchedulePeriodic();
  ScheduleNotifyPoll();
  RequestSession(true);
  return Status::Ok();
}

void CwmpClient::Stop() {
  if (!running_) return;
  running_ = false;
  for (auto* t : {&attempt_timer_, &periodic_timer_, &poll_timer_, &throttle_timer_}) {
    if (*t) loop_.Cancel(**t);
    t->reset();
  }
  for (auto& [key, id] : scheduled_informs_) loop_.Cancel(id);
  scheduled_informs_.clear();
  session_.reset();
  transfer_sessions_.clear();
  if (cr_server_) cr_server_->RemoveEndpoint(options_.cr_path);
  model_.UntrackClient(options_.name);
  alive_ = std::make_shared<int>(0);  // invalidates posted callbacks
}

Status CwmpClient::WipeState(Db& db, const std::string& name) {
  Transaction tx(db);
  PX_RETURN_IF_ERROR(tx.begin_status());
  for (const char* table : {"cwmp_state", "cwmp_transfer", "cwmp_event", "cwmp_request"}) {
    auto exists = db.Prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?");
    if (!exists.ok()) return exists.status();
    exists->Bind(0, table);
    auto row = exists->Step();
    if (!row.ok()) return row.status();
    if (!*row) continue;
    auto del = db.Prepare(std::string("DELETE FROM ") + table + " WHERE ns=?");
    if (!del.ok()) return del.status();
    del->Bind(0, name);
    PX_RETURN_IF_ERROR(del->Run());
  }
  return tx.Commit();
}

bool CwmpClient::in_session() const { return session_ != nullptr; }

std::optional<Millis> CwmpClient::next_attempt_in() const {
  if (!attempt_timer_) return std::nullopt;
  auto d = std::chrono::ceil<Millis>(attempt_at_ - loop_.clock().Now());
  return d.count() < 0 ? Millis(0) : d;
}

void CwmpClient::Trigger(const std::string& event, const std::string& command_key) {
  if (!running_) return;
  Status st = queue_->Add(event, command_key);
  if (!st.ok()) PX_LOG(kError, "cwmp") << options_.name << ": cannot queue " << event << ": " << st;
  RequestSession(false);
}

Status CwmpClient::QueueRequest(const cwmp::CpeRequest& request,
                                const std::vector<cwmp::EventStruct>& events) {
  PX_RETURN_IF_ERROR(queue_->Enqueue(request, events));
  RequestSession(false);
  return Status::Ok();
}

void CwmpClient::RequestSession(bool now) {
  if (!running_) return;
  if (session_) {
    session_after_ = true;
    return;
  }
  // During a retry back-off only an explicit request (connection request, start) cuts the wait.
  if (attempt_timer_ && !now) return;
  if (attempt_timer_) {
    loop_.Cancel(*attempt_timer_);
    attempt_timer_.reset();
  }
  if (start_posted_) return;
  start_posted_ = true;
  loop_.Post([this, alive = std::weak_ptr<int>(alive_)] {
    if (alive.expired()) return;
    start_posted_ = false;
    StartSession();
  });
}

void CwmpClient::StartSession() {
  if (!running_ || session_ || restarting_) return;
  if (ParamOr(std::string(kMs) + "EnableCWMP", "true") == "false") {
    PX_LOG(kInfo, "cwmp") << options_.name << ": EnableCWMP is false, no session";
    return;
  }
  if (options_.available && !options_.available()) {
    PX_LOG(kDebug, "cwmp") << options_.name << ": unavailable, no session";
    return;
  }
  session_after_ = false;
  // An Inform needs at least one event; changes to notify bring their own (4 VALUE CHANGE).
  if (queue_->Events().empty() && unsent_changes_.empty() &&
      !model_.HasPendingChanges(options_.name, 1))
    return;
  session_ = std::make_unique<Session>(*this);
  session_->Begin();
}

void CwmpClient::OnSessionEnd(bool ok, const Status& why) {
  std::vector<cwmp::EventStruct> delivered;
  if (session_) delivered = session_->delivered();
  session_.reset();
  if (!running_) return;
  if (ok) {
    ++sessions_ok_;
    retry_count_ = 0;
    PX_LOG(kInfo, "cwmp") << options_.name << ": session done";
    RunPostSessionActions();
    if (!running_ || restarting_) return;
    // Something arrived during the session (connection request, new events): go again. Events
    // that were delivered and stay (tied to a request the ACS held back) do not count.
    bool fresh = false;
    for (const auto& e : queue_->Events()) {
      if (std::find(delivered.begin(), delivered.end(), e) == delivered.end()) fresh = true;
    }
    if (session_after_ || fresh) {
      RequestSession(true);
    } else if (model_.HasPendingChanges(options_.name, 2)) {
      OnActiveChange();  // an active change that came during the session: throttled as any other
    }
    return;
  }
  ++sessions_failed_;
  ++retry_count_;
  (void)queue_->OnSessionFailed();
  PX_LOG(kWarning, "cwmp") << options_.name << ": session failed (" << why.message() << "), retry "
                           << retry_count_;
  ScheduleRetry();
}

void CwmpClient::ScheduleRetry() {
  // Unset (0) values fall back to the TR-181 defaults (5 s, 2000).
  uint32_t m = UintParam(std::string(kMs) + "CWMPRetryMinimumWaitInterval", 5);
  uint32_t k = UintParam(std::string(kMs) + "CWMPRetryIntervalMultiplier", 2000);
  if (m < 1) m = 5;
  if (k < 1000) k = 2000;
  Millis delay = RetryDelay(retry_count_, m, k, random_);
  if (attempt_timer_) loop_.Cancel(*attempt_timer_);
  attempt_at_ = loop_.clock().Now() + delay;
  attempt_timer_ = loop_.RunAfter(delay, [this] {
    attempt_timer_.reset();
    StartSession();
  });
  PX_LOG(kInfo, "cwmp") << options_.name << ": next attempt in " << delay.count() << " ms";
}

void CwmpClient::SchedulePeriodic() {
  if (periodic_timer_) loop_.Cancel(*periodic_timer_);
  periodic_timer_.reset();
  if (ParamOr(std::string(kMs) + "PeriodicInformEnable", "false") != "true") return;
  uint32_t interval =
      std::max<uint32_t>(1, UintParam(std::string(kMs) + "PeriodicInformInterval", 3600));
  auto phase = datamodel::DateTimeToEpoch(ParamOr(std::string(kMs) + "PeriodicInformTime", ""));
  Millis delay = NextPeriodicDelay(loop_.clock().WallNow(), interval, phase);
  periodic_timer_ = loop_.RunAfter(delay, [this] {
    periodic_timer_.reset();
    Trigger("2 PERIODIC");
    SchedulePeriodic();
  });
}

void CwmpClient::ScheduleNotifyPoll() {
  if (options_.notify_poll.count() <= 0) return;
  poll_timer_ = loop_.RunEvery(options_.notify_poll, [this] { model_.RefreshNotified([] {}); });
}

void CwmpClient::OnActiveChange() {
  // During a session: OnSessionEnd looks at the pending changes, once the throttle counts from
  // this session's Inform (if it carried 4 VALUE CHANGE).
  if (session_) return;
  // Throttle: at most one active-notification session per DefaultActiveNotificationThrottle.
  const uint32_t throttle_s = UintParam(std::string(kMs) + "DefaultActiveNotificationThrottle", 0);
  const SteadyTime now = loop_.clock().Now();
  if (throttle_s > 0 && last_active_inform_) {
    SteadyTime earliest = *last_active_inform_ + Seconds(throttle_s);
    if (earliest > now) {
      if (!throttle_timer_) {
        throttle_timer_ = loop_.RunAfter(std::chrono::ceil<Millis>(earliest - now), [this] {
          throttle_timer_.reset();
          if (model_.HasPendingChanges(options_.name, 2)) RequestSession(false);
        });
      }
      return;
    }
  }
  RequestSession(false);
}

void CwmpClient::OnConnectionRequest() {
  // A request while the Inform is on its way is answered by that session.
  if (session_ && session_->informing()) return;
  Status st = queue_->Add("6 CONNECTION REQUEST");
  if (!st.ok()) PX_LOG(kError, "cwmp") << options_.name << ": " << st;
  RequestSession(true);
}

void CwmpClient::OnValueChanged(const datamodel::ParamValue& v, const std::string& /*origin*/) {
  if (!running_ || v.name.rfind(kMs, 0) != 0) return;
  const std::string leaf = v.name.substr(std::string(kMs).size());
  if (leaf == "URL") {
    PX_LOG(kInfo, "cwmp") << options_.name << ": ACS URL changed to " << RedactUrl(v.value);
    (void)queue_->Add("0 BOOTSTRAP");
    RequestSession(false);
  } else if (leaf == "PeriodicInformEnable" || leaf == "PeriodicInformInterval" ||
             leaf == "PeriodicInformTime") {
    SchedulePeriodic();
  } else if (leaf == "HTTPConnectionRequestEnable") {
    PX_LOG(kInfo, "cwmp") << options_.name << ": HTTP connection requests "
                          << (HttpConnectionRequestsEnabled() ? "enabled" : "disabled");
    UpdateConnectionRequestUrl("");
  } else if ((leaf == "ConnectionRequestUsername" || leaf == "ConnectionRequestPassword") &&
             cr_server_) {
    auto password = store_.GetSecret(std::string(kMs) + "ConnectionRequestPassword");
    cr_server_->SetCredentials(options_.cr_path,
                               ParamOr(std::string(kMs) + "ConnectionRequestUsername", ""),
                               Secret(password.ok() ? *password : ""));
  }
}

bool CwmpClient::HttpConnectionRequestsEnabled() {
  return ParamOr(std::string(kMs) + "HTTPConnectionRequestEnable", "true") != "false";
}

void CwmpClient::UpdateConnectionRequestUrl(const std::string& local_ip) {
  if (!cr_server_) return;
  std::string host = options_.advertised_host;
  if (host.empty()) host = local_ip;
  if (host.empty() && !last_local_ip_.empty()) host = last_local_ip_;
  if (host.empty()) {
    if (auto ep = IpEndpoint(ParamOr(std::string(kMs) + "URL", "")))
      host = LocalAddressTowards(ep->first, ep->second);
  }
  if (host.empty()) {
    const std::string& listen = cr_server_->options().listen_host;
    host = listen == "0.0.0.0" ? "127.0.0.1" : listen == "::" ? "::1" : listen;
  }
  if (!local_ip.empty()) last_local_ip_ = local_ip;
  // TR-181: with HTTPConnectionRequestEnable false, ConnectionRequestURL is empty.
  std::string url = HttpConnectionRequestsEnabled()
                        ? ConnectionRequestUrl(host, cr_server_->port(), options_.cr_path)
                        : std::string();
  if (url == cr_url_) return;
  cr_url_ = url;
  if (ParamOr(std::string(kMs) + "ConnectionRequestURL", "") != url) {
    Status st = model_.SetInternal(std::string(kMs) + "ConnectionRequestURL", url);
    if (!st.ok()) PX_LOG(kWarning, "cwmp") << options_.name << ": ConnectionRequestURL: " << st;
  }
}

}  // namespace proxier::core
