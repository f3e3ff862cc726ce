// SessionTable: cookie -> session.
#include "sessions.h"

#include "lab_acs/http_server.h"

namespace proxier::labacs {

std::shared_ptr<Session> SessionTable::Create(const std::string& device, core::cwmp::Namespace ns,
                                              const std::string& ns_uri) {
  auto s = std::make_shared<Session>();
  s->device = device;
  s->ns = ns;
  s->ns_uri = ns_uri;
  std::lock_guard lock(mu_);
  do {
    s->cookie = RandomHex(16);
  } while (sessions_.count(s->cookie));
  sessions_[s->cookie] = s;
  return s;
}

std::shared_ptr<Session> SessionTable::Find(const std::string& cookie) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(cookie);
  return it == sessions_.end() ? nullptr : it->second;
}

void SessionTable::Remove(const std::string& cookie) {
  std::lock_guard lock(mu_);
  sessions_.erase(cookie);
}

std::vector<std::shared_ptr<Session>> SessionTable::TakeStale(const std::string& device,
                                                              std::chrono::seconds max_idle) {
  std::vector<std::shared_ptr<Session>> out;
  const int64_t limit =
      Session::Now() - std::chrono::duration_cast<std::chrono::nanoseconds>(max_idle).count();
  std::lock_guard lock(mu_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second->device == device || it->second->last_activity < limit) {
      out.push_back(it->second);
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace proxier::labacs
