// Registry: JSON views for the control API and the long-poll waits.
#include "lab_acs/registry.h"

namespace proxier::labacs {

namespace {

const char* StateName(int state) {
  static const char* kNames[] = {"queued", "sent", "done", "fault"};
  return kNames[state];
}

}  // namespace

template <typename Pred>
bool Registry::WaitLocked(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds timeout,
                          Pred pred) {
  if (pred() || timeout.count() <= 0 || stopping_) return pred();
  waiters_++;
  changed_.notify_all();
  changed_.wait_for(lock, timeout, [&] { return stopping_ || pred(); });
  waiters_--;
  return pred();
}

bool Registry::WaitForWaiters(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return waiters_ >= n; });
}

Json Registry::InformJson(const InformRecord& r) {
  return {{"time", r.time},
          {"current_time", r.inform.current_time},
          {"events", EventsToJson(r.inform.events)},
          {"retry_count", r.inform.retry_count},
          {"max_envelopes", r.inform.max_envelopes},
          {"params", ParamsToObject(r.inform.params)},
          {"namespace", r.ns_uri},
          {"outcome", r.outcome}};
}

Json Registry::DeviceJsonLocked(const Device& d) const {
  Json params = Json::object();
  for (const auto& [name, value] : d.params) params[name] = value;
  return {{"id", d.id},
          {"manufacturer", d.device_id.manufacturer},
          {"oui", d.device_id.oui},
          {"product_class", d.device_id.product_class},
          {"serial_number", d.device_id.serial_number},
          {"connection_request_url", d.cr_url},
          {"informs", d.inform_count},
          {"last_inform", d.informs.empty() ? Json() : InformJson(d.informs.back())},
          {"sessions", d.sessions},
          {"sessions_ended", d.sessions_ended},
          {"queued_tasks", d.queue.size()},
          {"last_cpe_namespace", d.last_cpe_namespace},
          {"params", std::move(params)}};
}

Json Registry::TaskJsonLocked(const Task& t) const {
  return {{"id", t.id},
          {"device", t.device},
          {"name", std::string(core::cwmp::MethodName(t.request))},
          {"state", StateName(static_cast<int>(t.state))},
          {"request", AcsRequestToJson(t.request)},
          {"response", t.response},
          {"cwmp_id", t.cwmp_id},
          {"attempts", t.attempts},
          {"created", t.created},
          {"sent", t.sent},
          {"completed", t.completed}};
}

Json Registry::DevicesJson() const {
  std::lock_guard lock(mu_);
  Json out = Json::array();
  for (const auto& [id, d] : devices_) out.push_back(DeviceJsonLocked(d));
  return out;
}

std::optional<Json> Registry::DeviceJson(const std::string& device) const {
  std::lock_guard lock(mu_);
  auto it = devices_.find(device);
  if (it == devices_.end()) return std::nullopt;
  return DeviceJsonLocked(it->second);
}

std::optional<Json> Registry::InformsJson(const std::string& device) const {
  std::lock_guard lock(mu_);
  auto it = devices_.find(device);
  if (it == devices_.end()) return std::nullopt;
  Json out = Json::array();
  for (const auto& r : it->second.informs) out.push_back(InformJson(r));
  return out;
}

std::optional<Json> Registry::DeviceTasksJson(const std::string& device) const {
  std::lock_guard lock(mu_);
  auto it = devices_.find(device);
  if (it == devices_.end()) return std::nullopt;
  Json out = Json::array();
  for (uint64_t id : it->second.tasks) out.push_back(TaskJsonLocked(tasks_.at(id)));
  return out;
}

std::optional<Json> Registry::TaskJson(uint64_t id, std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  if (!tasks_.count(id)) return std::nullopt;
  WaitLocked(lock, wait, [&] {
    TaskState s = tasks_.at(id).state;
    return s == TaskState::kDone || s == TaskState::kFault;
  });
  return TaskJsonLocked(tasks_.at(id));
}

std::optional<Json> Registry::WaitDevice(const std::string& device, std::optional<uint64_t> informs,
                                         std::optional<uint64_t> sessions_ended,
                                         std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  auto ready = [&] {
    auto it = devices_.find(device);
    return it != devices_.end() && (!informs || it->second.inform_count > *informs) &&
           (!sessions_ended || it->second.sessions_ended > *sessions_ended);
  };
  if (!WaitLocked(lock, timeout, ready)) return std::nullopt;
  return DeviceJsonLocked(devices_.at(device));
}

std::optional<Json> Registry::Transfers(std::optional<size_t> after,
                                        std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  if (!WaitLocked(lock, wait, [&] { return !after || transfers_.size() > *after; })) {
    return std::nullopt;
  }
  return transfers_;
}

std::optional<Json> Registry::FilesLog(std::optional<size_t> after,
                                       std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  if (!WaitLocked(lock, wait, [&] { return !after || files_.size() > *after; })) {
    return std::nullopt;
  }
  return files_;
}

}  // namespace proxier::labacs
