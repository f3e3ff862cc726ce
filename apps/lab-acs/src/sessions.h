// CWMP sessions of the lab ACS, keyed by the session cookie set on the InformResponse.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "proxier/core/cwmp_messages.h"

namespace proxier::labacs {

// One session. cookie/device are fixed at creation; lock `mu` while handling a POST of the
// session, the other fields but `last_activity` (atomic) are guarded by it.
struct Session {
  std::mutex mu;
  std::string cookie;
  std::string device;
  core::cwmp::Namespace ns = core::cwmp::Namespace::k12;
  std::string ns_uri;                // the exact cwmp URI the CPE used in its Inform
  std::optional<uint64_t> inflight;  // task sent and not answered yet
  std::string inflight_cwmp_id;
  std::string inflight_method;                // e.g. "GetParameterValues"
  std::atomic<int64_t> last_activity{Now()};  // steady clock, ns
  bool ended = false;                         // set when removed from the table

  static int64_t Now() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  void Touch() { last_activity = Now(); }
};

// The table of live sessions. Thread: any (own mutex, never held while locking a Session).
class SessionTable {
 public:
  // A new session with a fresh 16-hex-digit cookie.
  std::shared_ptr<Session> Create(const std::string& device, core::cwmp::Namespace ns,
                                  const std::string& ns_uri);
  // nullptr when unknown or ended.
  std::shared_ptr<Session> Find(const std::string& cookie);
  void Remove(const std::string& cookie);
  // Removes and returns the device's sessions and the sessions idle longer than `max_idle`.
  std::vector<std::shared_ptr<Session>> TakeStale(const std::string& device,
                                                  std::chrono::seconds max_idle);

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
};

}  // namespace proxier::labacs
