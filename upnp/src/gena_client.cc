// GENA subscriptions on the HTTP worker: subscribe, renew, SEQ check, re-subscribe with back-off.
#include "gena_client.h"

#include <algorithm>
#include <cctype>

#include "proxier/upnp/url.h"

namespace proxier::upnp {
namespace {

const char* Name(DmService s) {
  switch (s) {
    case DmService::kCms:
      return "CMS";
    case DmService::kBms:
      return "BMS";
    case DmService::kSms:
      return "SMS";
    default:
      return "?";
  }
}

// "Second-1800" -> 1800; "Second-infinite" or unreadable -> `fallback`.
int GrantedSeconds(const std::string& timeout, int fallback) {
  std::string t = timeout;
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (t.rfind("second-", 0) != 0) return fallback;
  const std::string n = t.substr(7);
  if (n.empty() || n.size() > 9 || n.find_first_not_of("0123456789") != std::string::npos) {
    return fallback;
  }
  return std::max(1, std::stoi(n));
}

bool IsSid(const std::string& sid) {
  return !sid.empty() && sid.size() <= 128 &&
         std::all_of(sid.begin(), sid.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

}  // namespace

GenaClient::GenaClient(EventLoop& loop, HttpWorker& http, GenaOptions options, Callbacks callbacks,
                       ControlPoint::Stats* stats)
    : loop_(loop),
      http_(http),
      options_(std::move(options)),
      callbacks_(std::move(callbacks)),
      stats_(stats) {}

GenaClient::~GenaClient() {
  *alive_ = false;
  for (auto& [url, s] : subs_) CancelTimer(s);
}

std::function<bool()> GenaClient::Alive() const {
  std::weak_ptr<bool> weak = alive_;
  return [weak] {
    auto a = weak.lock();
    return a && *a;
  };
}

Status GenaClient::Start() {
  GenaServer::Handlers h;
  h.accept = [this](const std::string& token, const std::string& sid) {
    return Accept(token, sid);
  };
  h.event = [this](const std::string& token, const std::string& sid, uint32_t seq,
                   const Args& vars) { OnNotify(token, sid, seq, vars); };
  h.refused = [this](GenaRefusal why, const std::string& from, const std::string& detail) {
    ++stats_->gena_refused;
    if (callbacks_.on_refused) callbacks_.on_refused(why, from, detail);
  };
  auto server = GenaServer::Start(loop_, options_.server, std::move(h));
  if (!server.ok()) return server.status();
  server_ = std::move(server).value();
  return Status::Ok();
}

uint16_t GenaClient::port() const { return server_ ? server_->port() : 0; }

std::string GenaClient::CallbackOf(const std::string& event_url) const {
  auto it = subs_.find(event_url);
  if (it == subs_.end() || it->second.token.empty() || !server_) return "";
  return server_->CallbackUrl(it->second.token);
}

void GenaClient::CancelTimer(Sub& s) {
  if (s.timer) loop_.Cancel(s.timer);
  s.timer = 0;
}

GenaClient::Sub* GenaClient::ByToken(const std::string& token) {
  auto t = tokens_.find(token);
  if (t == tokens_.end()) return nullptr;
  auto it = subs_.find(t->second);
  return it == subs_.end() || it->second.token != token ? nullptr : &it->second;
}

void GenaClient::Forget(Sub& s) {
  CancelTimer(s);
  if (!s.token.empty()) {
    tokens_.erase(s.token);
    if (server_) server_->Unregister(s.token);
    s.token.clear();
  }
}

void GenaClient::Subscribe(const std::string& uuid, DmService service, const std::string& url) {
  if (url.empty() || subs_.count(url) || !server_) return;
  auto parsed = ParseUrl(url);
  if (!parsed.ok()) return;
  Sub& s = subs_[url];
  s.uuid = uuid;
  s.service = service;
  s.url = url;
  s.host = parsed->host;
  s.server = parsed->HostPort();
  SendSubscribe(s);
}

void GenaClient::Queue(const std::string& server, std::function<bool()> send) {
  servers_[server].waiting.push_back(std::move(send));
  ++queued_;
  Pump(server);
}

void GenaClient::Pump(const std::string& server) {
  auto it = servers_.find(server);
  if (it == servers_.end()) return;
  ServerQueue& q = it->second;
  while (q.in_flight < std::max(1, options_.per_server) && !q.waiting.empty()) {
    auto send = std::move(q.waiting.front());
    q.waiting.pop_front();
    --queued_;
    if (send()) {
      ++q.in_flight;
      ++in_flight_;
    }
  }
  if (q.in_flight == 0 && q.waiting.empty()) servers_.erase(it);
}

void GenaClient::Finished(const std::string& server) {
  --in_flight_;
  auto it = servers_.find(server);
  if (it != servers_.end() && it->second.in_flight > 0) --it->second.in_flight;
  Pump(server);
}

void GenaClient::SendSubscribe(Sub& s) {
  Forget(s);
  s.state = State::kSubscribing;
  s.sid.clear();
  s.early.clear();
  s.token = server_->Register(s.host);
  tokens_[s.token] = s.url;
  Queue(s.server, [this, url = s.url, token = s.token]() {
    auto it = subs_.find(url);
    if (it == subs_.end() || it->second.token != token) return false;  // dropped meanwhile
    const Sub& s = it->second;
    HttpRequest req;
    req.method = "SUBSCRIBE";
    req.url = url;
    req.timeout = options_.request_timeout;
    req.max_response = 16 * 1024;
    req.headers = {"CALLBACK: <" + server_->CallbackUrl(token) + ">", "NT: upnp:event",
                   "TIMEOUT: Second-" + std::to_string(options_.timeout_s)};
    ++stats_->subscriptions;
    http_.Send(std::move(req),
               [this, alive = Alive(), url, token, server = s.server](Result<HttpResponse> r) {
                 if (!alive()) return;
                 ++stats_->gena_answers;
                 OnSubscribed(url, token, std::move(r));
                 Finished(server);
               });
    return true;
  });
}

void GenaClient::OnSubscribed(const std::string& url, const std::string& token,
                              Result<HttpResponse> r) {
  const bool accepted = r.ok() && r->status == 200 && IsSid(r->Header("sid"));
  auto it = subs_.find(url);
  if (it == subs_.end() || it->second.token != token || it->second.state != State::kSubscribing) {
    // The subscription was dropped or replaced meanwhile: cancel what the device granted.
    auto parsed = ParseUrl(url);
    if (accepted && parsed.ok()) Unsubscribe(url, parsed->HostPort(), r->Header("sid"));
    return;
  }
  Sub& s = it->second;
  if (!accepted) {
    std::string why = !r.ok() ? r.status().message()
                              : "HTTP " + std::to_string(r->status) +
                                    (r->status == 200 ? " without a valid SID" : "");
    Lost(s, "subscribe failed: " + why);
    return;
  }
  s.sid = r->Header("sid");
  s.state = State::kActive;
  s.attempt = 0;
  s.next_seq = 0;
  ScheduleRenewal(s, GrantedSeconds(r->Header("timeout"), options_.timeout_s));
  if (s.resync_pending) {
    s.resync_pending = false;
    if (callbacks_.on_resync) callbacks_.on_resync(s.uuid, s.service, "re-subscribed");
  }
  // Events that arrived before the answer, for the SID the device gave us.
  std::vector<Early> early = std::move(s.early);
  for (const auto& e : early) {
    auto again = subs_.find(url);
    if (again == subs_.end() || again->second.token != token) return;
    if (e.sid == again->second.sid) Deliver(again->second, e.sid, e.seq, e.vars);
  }
}

void GenaClient::ScheduleRenewal(Sub& s, int granted_s) {
  CancelTimer(s);
  s.timer = loop_.RunAfter(Seconds(std::max(1, granted_s / 2)), [this, url = s.url] {
    auto it = subs_.find(url);
    if (it == subs_.end()) return;
    it->second.timer = 0;
    Renew(url);
  });
}

void GenaClient::Renew(const std::string& url) {
  auto it = subs_.find(url);
  if (it == subs_.end() || it->second.state != State::kActive) return;
  Queue(it->second.server, [this, url, sid = it->second.sid, server = it->second.server]() {
    auto it = subs_.find(url);
    if (it == subs_.end() || it->second.state != State::kActive || it->second.sid != sid) {
      return false;
    }
    HttpRequest req;
    req.method = "SUBSCRIBE";
    req.url = url;
    req.timeout = options_.request_timeout;
    req.max_response = 16 * 1024;
    req.headers = {"SID: " + sid, "TIMEOUT: Second-" + std::to_string(options_.timeout_s)};
    ++stats_->renewals;
    http_.Send(std::move(req), [this, alive = Alive(), url, sid, server](Result<HttpResponse> r) {
      if (!alive()) return;
      Renewed(url, sid, std::move(r));
      Finished(server);
    });
    return true;
  });
}

void GenaClient::Renewed(const std::string& url, const std::string& sid, Result<HttpResponse> r) {
  auto it = subs_.find(url);
  if (it == subs_.end() || it->second.state != State::kActive || it->second.sid != sid) return;
  Sub& s = it->second;
  if (!r.ok() || r->status != 200) {
    ++stats_->failed_renewals;
    s.sid.clear();  // the device no longer has it (or cannot be asked)
    Lost(s, "renewal failed: " +
                (r.ok() ? "HTTP " + std::to_string(r->status) : r.status().message()));
    return;
  }
  ScheduleRenewal(s, GrantedSeconds(r->Header("timeout"), options_.timeout_s));
}

void GenaClient::Unsubscribe(const std::string& url, const std::string& server,
                             const std::string& sid) {
  if (sid.empty()) return;
  Queue(server, [this, url, server, sid]() {
    HttpRequest req;
    req.method = "UNSUBSCRIBE";
    req.url = url;
    req.timeout = options_.request_timeout;
    req.max_response = 16 * 1024;
    req.headers = {"SID: " + sid};
    ++stats_->unsubscriptions;
    http_.Send(std::move(req), [this, alive = Alive(), server](Result<HttpResponse>) {
      if (!alive()) return;
      ++stats_->gena_answers;
      Finished(server);
    });
    return true;
  });
}

// A subscription is gone or unreliable: tell the owner, try again after a back-off.
void GenaClient::Lost(Sub& s, const std::string& reason) {
  PX_LOG(kInfo, "gena") << s.uuid << " " << Name(s.service) << ": " << reason;
  if (!s.sid.empty() && s.state == State::kActive) Unsubscribe(s.url, s.server, s.sid);
  Forget(s);
  s.sid.clear();
  s.early.clear();
  s.state = State::kWaiting;
  s.resync_pending = true;
  const int delay_s = std::min(60, 1 << std::min(s.attempt, 6));
  ++s.attempt;
  s.timer = loop_.RunAfter(Seconds(delay_s), [this, url = s.url] {
    auto it = subs_.find(url);
    if (it == subs_.end()) return;
    it->second.timer = 0;
    SendSubscribe(it->second);
  });
  if (callbacks_.on_resync) callbacks_.on_resync(s.uuid, s.service, reason);
}

bool GenaClient::Accept(const std::string& token, const std::string& sid) const {
  auto t = tokens_.find(token);
  if (t == tokens_.end()) return false;
  auto it = subs_.find(t->second);
  if (it == subs_.end() || it->second.token != token) return false;
  const Sub& s = it->second;
  if (s.state == State::kActive) return s.sid == sid;
  // SID not known yet: the answer may still be on its way (kept, checked when it comes).
  return s.state == State::kSubscribing && s.early.size() < 8;
}

void GenaClient::OnNotify(const std::string& token, const std::string& sid, uint32_t seq,
                          const Args& vars) {
  Sub* s = ByToken(token);
  if (!s) return;
  if (s->state == State::kSubscribing) {
    if (s->early.size() < 8) s->early.push_back({sid, seq, vars});
    return;
  }
  if (s->state == State::kActive && s->sid == sid) Deliver(*s, sid, seq, vars);
}

void GenaClient::Deliver(Sub& s, const std::string& /*sid*/, uint32_t seq, const Args& vars) {
  ++stats_->events;
  if (seq != s.next_seq) {
    ++stats_->seq_gaps;
    const std::string reason =
        "SEQ gap: expected " + std::to_string(s.next_seq) + ", got " + std::to_string(seq);
    // Deliver what arrived, then re-subscribe and ask for a resync.
    const std::string url = s.url;
    if (callbacks_.on_event) callbacks_.on_event(s.uuid, s.service, vars);
    auto it = subs_.find(url);
    if (it != subs_.end()) Lost(it->second, reason);
    return;
  }
  s.next_seq = seq == 0xffffffffu ? 1 : seq + 1;
  if (callbacks_.on_event) callbacks_.on_event(s.uuid, s.service, vars);
}

void GenaClient::Drop(const std::string& uuid) {
  for (auto it = subs_.begin(); it != subs_.end();) {
    if (it->second.uuid != uuid) {
      ++it;
      continue;
    }
    Sub& s = it->second;
    if (s.state == State::kActive) Unsubscribe(s.url, s.server, s.sid);
    // A SUBSCRIBE still out is cancelled when its answer comes (its token is gone).
    Forget(s);
    it = subs_.erase(it);
  }
}

void GenaClient::Restart(const std::string& uuid) {
  std::vector<std::pair<std::string, DmService>> again;
  for (const auto& [url, s] : subs_) {
    if (s.uuid == uuid) again.emplace_back(url, s.service);
  }
  Drop(uuid);
  for (const auto& [url, svc] : again) Subscribe(uuid, svc, url);
}

void GenaClient::UnsubscribeAll() {
  std::vector<std::string> uuids;
  for (const auto& [url, s] : subs_) uuids.push_back(s.uuid);
  for (const auto& u : uuids) Drop(u);
}

}  // namespace proxier::upnp
