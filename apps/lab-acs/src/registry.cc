// Registry: state changes coming from the CWMP endpoint and the control API.
#include "lab_acs/registry.h"

#include <ctime>
#include <type_traits>

namespace proxier::labacs {

namespace cwmp = core::cwmp;

namespace {

bool IsRootParam(const std::string& name, std::string_view leaf) {
  for (std::string_view root : {"Device.", "InternetGatewayDevice."}) {
    if (name.size() == root.size() + leaf.size() && name.starts_with(root) &&
        name.ends_with(leaf)) {
      return true;
    }
  }
  return false;
}

constexpr std::string_view kCrUrl = "ManagementServer.ConnectionRequestURL";
constexpr std::string_view kCrUser = "ManagementServer.ConnectionRequestUsername";
constexpr std::string_view kCrPass = "ManagementServer.ConnectionRequestPassword";

}  // namespace

std::string MakeDeviceId(const cwmp::DeviceId& id) {
  auto esc = [](const std::string& s) {
    static const char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
    return out;
  };
  if (id.product_class.empty()) return esc(id.oui) + "-" + esc(id.serial_number);
  return esc(id.oui) + "-" + esc(id.product_class) + "-" + esc(id.serial_number);
}

std::string NowIso() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count()));
  return buf;
}

Registry::Registry(std::string default_cr_username, Secret default_cr_password)
    : default_cr_username_(std::move(default_cr_username)),
      default_cr_password_(std::move(default_cr_password)) {}

std::string Registry::RecordInform(const cwmp::Inform& inform, const std::string& ns_uri,
                                   std::string_view outcome) {
  const std::string id = MakeDeviceId(inform.device_id);
  std::lock_guard lock(mu_);
  Device& d = devices_[id];
  d.id = id;
  d.device_id = inform.device_id;
  d.inform_count++;
  d.informs.push_back({NowIso(), inform, ns_uri, std::string(outcome)});
  if (d.informs.size() > kMaxInforms) d.informs.pop_front();
  for (const auto& p : inform.params) {
    d.params[p.name] = p.value;
    if (IsRootParam(p.name, kCrUrl)) d.cr_url = p.value;
  }
  changed_.notify_all();
  return id;
}

void Registry::RecordCpeNamespace(const std::string& device, const std::string& ns_uri) {
  std::lock_guard lock(mu_);
  auto it = devices_.find(device);
  if (it != devices_.end()) it->second.last_cpe_namespace = ns_uri;
}

void Registry::SessionStarted(const std::string& device) {
  std::lock_guard lock(mu_);
  auto it = devices_.find(device);
  if (it != devices_.end()) it->second.sessions++;
  changed_.notify_all();
}

void Registry::SessionEnded(const std::string& device) {
  std::lock_guard lock(mu_);
  auto it = devices_.find(device);
  if (it != devices_.end()) it->second.sessions_ended++;
  changed_.notify_all();
}

std::optional<std::pair<uint64_t, cwmp::AcsRequest>> Registry::StartNextTask(
    const std::string& device, const std::string& cwmp_id) {
  std::lock_guard lock(mu_);
  auto it = devices_.find(device);
  if (it == devices_.end() || it->second.queue.empty()) return std::nullopt;
  Task& t = tasks_.at(it->second.queue.front());
  it->second.queue.pop_front();
  t.state = TaskState::kSent;
  t.cwmp_id = cwmp_id;
  t.sent = NowIso();
  t.attempts++;
  changed_.notify_all();
  return std::make_pair(t.id, t.request);
}

void Registry::Finish(Task& t, TaskState state, Json response) {
  t.state = state;
  t.response = std::move(response);
  t.completed = NowIso();
  changed_.notify_all();
}

void Registry::CompleteTask(uint64_t id, const cwmp::CpeResponse& response) {
  std::lock_guard lock(mu_);
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return;
  Task& t = it->second;
  if (std::holds_alternative<cwmp::Fault>(response)) {
    Finish(t, TaskState::kFault, CpeResponseToJson(response));
    return;
  }
  const std::string expected = std::string(cwmp::MethodName(t.request)) + "Response";
  const std::string got(cwmp::MethodName(response));
  if (got != expected) {
    Json fault = {{"code", 0},
                  {"string", "unexpected " + got + " (expected " + expected + ")"},
                  {"set_faults", Json::array()}};
    Finish(t, TaskState::kFault, {{"fault", std::move(fault)}});
    return;
  }
  Device& d = devices_[t.device];
  if (const auto* gpv = std::get_if<cwmp::GetParameterValuesResult>(&response)) {
    for (const auto& v : gpv->values) d.params[v.name] = v.value;
  }
  if (const auto* spv = std::get_if<cwmp::SetParameterValues>(&t.request)) {
    for (const auto& item : spv->params) {
      if (IsRootParam(item.name, kCrUser)) d.cr_username = item.value;
      if (IsRootParam(item.name, kCrPass)) d.cr_password = Secret(item.value);
    }
  }
  Finish(t, TaskState::kDone, CpeResponseToJson(response));
}

void Registry::FailTask(uint64_t id, const std::string& why) {
  std::lock_guard lock(mu_);
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return;
  Json fault = {{"code", 0}, {"string", why}, {"set_faults", Json::array()}};
  Finish(it->second, TaskState::kFault, {{"fault", std::move(fault)}});
}

void Registry::RequeueTask(uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = tasks_.find(id);
  if (it == tasks_.end() || it->second.state != TaskState::kSent) return;
  Task& t = it->second;
  if (t.attempts >= 3) {
    Json fault = {{"code", 0},
                  {"string", "no answer from the CPE after 3 attempts"},
                  {"set_faults", Json::array()}};
    Finish(t, TaskState::kFault, {{"fault", std::move(fault)}});
    return;
  }
  t.state = TaskState::kQueued;
  devices_[t.device].queue.push_front(id);
  changed_.notify_all();
}

void Registry::RecordTransfer(const std::string& device, const cwmp::CpeRequest& request) {
  Json entry = CpeRequestToJson(request);
  entry["device"] = device;
  entry["time"] = NowIso();
  std::lock_guard lock(mu_);
  transfers_.push_back(std::move(entry));
  changed_.notify_all();
}

void Registry::RecordFileRequest(Json entry) {
  entry["time"] = NowIso();
  std::lock_guard lock(mu_);
  files_.push_back(std::move(entry));
  changed_.notify_all();
}

InformFate Registry::NextInformFate() {
  std::lock_guard lock(mu_);
  if (config_.drop_next_inform) {
    config_.drop_next_inform = false;
    return InformFate::kDrop;
  }
  if (config_.fail_informs > 0) {
    config_.fail_informs--;
    return InformFate::kFail500;
  }
  return InformFate::kAnswer;
}

LabConfig Registry::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

void Registry::UpdateConfig(const LabConfigPatch& patch) {
  std::lock_guard lock(mu_);
  if (patch.fail_informs) config_.fail_informs = *patch.fail_informs;
  if (patch.inform_delay_ms) config_.inform_delay_ms = *patch.inform_delay_ms;
  if (patch.drop_next_inform) config_.drop_next_inform = *patch.drop_next_inform;
  if (patch.files_username) config_.files_username = *patch.files_username;
  if (patch.files_password) config_.files_password = *patch.files_password;
  if (patch.redirect_count) config_.redirect_count = *patch.redirect_count;
  if (patch.redirect_status) config_.redirect_status = *patch.redirect_status;
  if (patch.redirect_url) config_.redirect_url = *patch.redirect_url;
  if (patch.cwmp_version) config_.cwmp_version = *patch.cwmp_version;
  if (patch.use_cwmp_version) config_.use_cwmp_version = *patch.use_cwmp_version;
}

std::optional<std::pair<uint32_t, std::string>> Registry::TakeRedirect() {
  std::lock_guard lock(mu_);
  if (config_.redirect_count == 0 || config_.redirect_url.empty()) return std::nullopt;
  config_.redirect_count--;
  redirects_served_++;
  return std::make_pair(config_.redirect_status, config_.redirect_url);
}

Json Registry::ConfigJson() const {
  std::lock_guard lock(mu_);
  return {{"fail_informs", config_.fail_informs},
          {"inform_delay_ms", config_.inform_delay_ms},
          {"drop_next_inform", config_.drop_next_inform},
          {"files_username", config_.files_username},
          {"files_password", config_.files_password.empty() ? "" : "<redacted>"},
          {"redirect_count", config_.redirect_count},
          {"redirect_status", config_.redirect_status},
          {"redirect_url", config_.redirect_url},
          {"redirects_served", redirects_served_},
          {"cwmp_version", config_.cwmp_version},
          {"use_cwmp_version", config_.use_cwmp_version}};
}

std::optional<uint64_t> Registry::AddTask(const std::string& device, cwmp::AcsRequest request) {
  std::lock_guard lock(mu_);
  auto it = devices_.find(device);
  if (it == devices_.end()) return std::nullopt;
  Task t;
  t.id = next_task_id_++;
  t.device = device;
  t.request = std::move(request);
  t.created = NowIso();
  it->second.queue.push_back(t.id);
  it->second.tasks.push_back(t.id);
  const uint64_t id = t.id;
  tasks_.emplace(id, std::move(t));
  changed_.notify_all();
  return id;
}

std::optional<ConnectionRequestTarget> Registry::CrTarget(const std::string& device) const {
  std::lock_guard lock(mu_);
  auto it = devices_.find(device);
  if (it == devices_.end()) return std::nullopt;
  const Device& d = it->second;
  return ConnectionRequestTarget{d.cr_url, d.cr_username.value_or(default_cr_username_),
                                 d.cr_password.value_or(default_cr_password_)};
}

void Registry::Shutdown() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  changed_.notify_all();
}

void Registry::Pause(std::chrono::milliseconds duration) {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, duration, [this] { return stopping_; });
}

}  // namespace proxier::labacs
