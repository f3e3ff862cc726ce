// GENA subscriptions: subscribe, renew, SEQ check, re-subscribe with back-off.
#include "gena_client.h"

#include <upnp/upnp.h>

#include <algorithm>

#include "proxier/common/log.h"

#include "ixml_text.h"

namespace proxier::upnp {
namespace {

Args PropertySet(IXML_Document* doc) {
  Args out;
  if (!doc) return out;
  IXML_Node* set = ixmlNode_getFirstChild(reinterpret_cast<IXML_Node*>(doc));
  for (IXML_Node* p = set ? ixmlNode_getFirstChild(set) : nullptr; p && out.size() < 64;
       p = ixmlNode_getNextSibling(p)) {
    if (ixmlNode_getNodeType(p) != eELEMENT_NODE) continue;
    for (IXML_Node* v = ixmlNode_getFirstChild(p); v; v = ixmlNode_getNextSibling(v)) {
      if (ixmlNode_getNodeType(v) != eELEMENT_NODE) continue;
      const char* local = ixmlNode_getLocalName(v);
      out.emplace_back(Str(local ? local : ixmlNode_getNodeName(v)), NodeText(v));
    }
  }
  return out;
}

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

}  // namespace

GenaClient::GenaClient(EventLoop& loop, Stack& stack, int timeout_s, Callbacks callbacks,
                       ControlPoint::Stats* stats)
    : loop_(loop),
      stack_(stack),
      timeout_s_(timeout_s),
      callbacks_(std::move(callbacks)),
      stats_(stats) {}

GenaClient::~GenaClient() {
  *alive_ = false;
  for (auto& [url, s] : subs_) CancelTimer(s);
  if (sink_) sink_->Detach();
  // Unregistering unsubscribes what is left (libupnp does it synchronously, at shutdown only).
  if (handle_ >= 0) UpnpUnRegisterClient(handle_);
}

Status GenaClient::Start() {
  std::weak_ptr<bool> alive = alive_;
  sink_ = stack_.NewSink([this, alive](int type, const void* ev) {
    Notice n;
    n.type = type;
    switch (type) {
      case UPNP_EVENT_SUBSCRIBE_COMPLETE:
      case UPNP_EVENT_UNSUBSCRIBE_COMPLETE:
      case UPNP_EVENT_RENEWAL_COMPLETE:
      case UPNP_EVENT_AUTORENEWAL_FAILED:
      case UPNP_EVENT_SUBSCRIPTION_EXPIRED: {
        auto* s = static_cast<const UpnpEventSubscribe*>(ev);
        n.err = UpnpEventSubscribe_get_ErrCode(s);
        n.timeout = UpnpEventSubscribe_get_TimeOut(s);
        n.sid = Str(UpnpEventSubscribe_get_SID_cstr(s));
        n.url = Str(UpnpEventSubscribe_get_PublisherUrl_cstr(s));
        break;
      }
      case UPNP_EVENT_RECEIVED: {
        auto* e = static_cast<const UpnpEvent*>(ev);
        n.key = UpnpEvent_get_EventKey(e);
        n.sid = Str(UpnpEvent_get_SID_cstr(e));
        n.vars = PropertySet(UpnpEvent_get_ChangedVariables(e));
        break;
      }
      default:
        return;  // discovery and others: SSDP is handled by SsdpSocket
    }
    loop_.Post([this, alive, n = std::move(n)] {
      auto a = alive.lock();
      if (a && *a) OnNotice(n);
    });
  });
  int rc = UpnpRegisterClient(&Stack::Dispatch, sink_, &handle_);
  if (rc != UPNP_E_SUCCESS) {
    return Status(Code::kInternalError, "UpnpRegisterClient failed: " + std::to_string(rc));
  }
  return Status::Ok();
}

void GenaClient::CancelTimer(Sub& s) {
  if (s.timer) loop_.Cancel(s.timer);
  s.timer = 0;
}

void GenaClient::Subscribe(const std::string& uuid, DmService service, const std::string& url) {
  if (url.empty() || subs_.count(url)) return;
  Sub& s = subs_[url];
  s.uuid = uuid;
  s.service = service;
  s.url = url;
  SendSubscribe(s);
}

void GenaClient::SendSubscribe(Sub& s) {
  CancelTimer(s);
  s.state = State::kSubscribing;
  s.sent = false;
  s.sid.clear();
  queued_.push_back(s.url);
  Pump();
}

void GenaClient::Unsubscribe(const std::string& sid) {
  if (sid.empty()) return;
  unsubscribe_.push_back(sid);
  Pump();
}

void GenaClient::Pump() {
  while (in_flight_ < kMaxInFlight && !unsubscribe_.empty()) {
    Upnp_SID sid = {};
    unsubscribe_.front().copy(sid, sizeof(sid) - 1);
    unsubscribe_.pop_front();
    if (UpnpUnSubscribeAsync(handle_, sid, &Stack::Dispatch, sink_) == UPNP_E_SUCCESS) {
      ++in_flight_;
      ++stats_->unsubscriptions;
    }
  }
  std::deque<std::string> later;  // URLs with an orphaned SUBSCRIBE still out
  while (in_flight_ < kMaxInFlight && !queued_.empty()) {
    std::string url = queued_.front();
    queued_.pop_front();
    auto it = subs_.find(url);
    if (it == subs_.end() || it->second.state != State::kSubscribing || it->second.sent) continue;
    if (orphans_.count(url)) {
      later.push_back(url);
      continue;
    }
    ++in_flight_;
    it->second.sent = true;
    int rc = UpnpSubscribeAsync(handle_, url.c_str(), timeout_s_, &Stack::Dispatch, sink_);
    if (rc != UPNP_E_SUCCESS) {
      --in_flight_;
      it->second.sent = false;
      Lost(it->second, "subscribe not sent: " + std::to_string(rc));
      continue;
    }
    ++stats_->subscriptions;
  }
  queued_.insert(queued_.begin(), later.begin(), later.end());
}

GenaClient::Sub* GenaClient::BySid(const std::string& sid) {
  for (auto& [url, s] : subs_) {
    if (!s.sid.empty() && s.sid == sid) return &s;
  }
  return nullptr;
}

// A subscription is gone or unreliable: tell the owner, try again after a back-off.
void GenaClient::Lost(Sub& s, const std::string& reason) {
  PX_LOG(kInfo, "gena") << s.uuid << " " << Name(s.service) << ": " << reason;
  CancelTimer(s);
  if (!s.sid.empty() && s.state == State::kActive) Unsubscribe(s.sid);
  s.sid.clear();
  s.state = State::kWaiting;
  s.resync_pending = true;
  int delay_s = std::min(60, 1 << std::min(s.attempt, 6));
  ++s.attempt;
  std::string url = s.url;
  s.timer = loop_.RunAfter(Seconds(delay_s), [this, url] {
    auto it = subs_.find(url);
    if (it == subs_.end()) return;
    it->second.timer = 0;
    SendSubscribe(it->second);
  });
  if (callbacks_.on_resync) callbacks_.on_resync(s.uuid, s.service, reason);
}

void GenaClient::OnNotice(const Notice& n) {
  PX_LOG(kDebug, "gena") << "notice " << n.type << " sid=" << n.sid << " err=" << n.err
                         << " key=" << n.key << " vars=" << n.vars.size();
  switch (n.type) {
    case UPNP_EVENT_SUBSCRIBE_COMPLETE: {
      if (in_flight_ > 0) --in_flight_;
      ++stats_->gena_answers;
      if (auto o = orphans_.find(n.url); o != orphans_.end()) {
        // Sent for a subscription dropped meanwhile (e.g. the device rebooted): not ours to
        // keep, whatever subscription to that URL exists now.
        if (--o->second == 0) orphans_.erase(o);
        early_.erase(n.sid);
        if (n.err == UPNP_E_SUCCESS) Unsubscribe(n.sid);
        Pump();
        return;
      }
      Pump();
      auto it = subs_.find(n.url);
      if (it == subs_.end() || it->second.state != State::kSubscribing) {
        // Dropped meanwhile: do not keep a subscription nobody wants.
        if (n.err == UPNP_E_SUCCESS) Unsubscribe(n.sid);
        return;
      }
      Sub& s = it->second;
      s.sent = false;
      if (n.err != UPNP_E_SUCCESS) {
        Lost(s, "subscribe failed: " + std::to_string(n.err));
        return;
      }
      s.sid = n.sid;
      s.state = State::kActive;
      s.granted_s = n.timeout > 0 ? n.timeout : timeout_s_;
      s.attempt = 0;
      s.next_seq = 0;
      std::string url = s.url;
      s.timer = loop_.RunAfter(Seconds(std::max(1, s.granted_s / 2)), [this, url] {
        auto it2 = subs_.find(url);
        if (it2 == subs_.end() || it2->second.state != State::kActive) return;
        it2->second.timer = 0;
        Upnp_SID sid = {};
        it2->second.sid.copy(sid, sizeof(sid) - 1);
        ++stats_->renewals;
        UpnpRenewSubscriptionAsync(handle_, timeout_s_, sid, &Stack::Dispatch, sink_);
      });
      if (s.resync_pending) {
        s.resync_pending = false;
        if (callbacks_.on_resync) callbacks_.on_resync(s.uuid, s.service, "re-subscribed");
      }
      auto early = early_.find(n.sid);
      if (early != early_.end()) {
        auto list = std::move(early->second);
        early_.erase(early);
        for (const auto& e : list) OnNotice(e);
      }
      return;
    }
    case UPNP_EVENT_UNSUBSCRIBE_COMPLETE:
      if (in_flight_ > 0) --in_flight_;
      ++stats_->gena_answers;
      Pump();
      return;
    case UPNP_EVENT_RENEWAL_COMPLETE: {
      Sub* s = BySid(n.sid);
      if (!s) return;
      if (n.err != UPNP_E_SUCCESS) {
        ++stats_->failed_renewals;
        s->state = State::kWaiting;  // libupnp removed it already
        Lost(*s, "renewal failed: " + std::to_string(n.err));
        return;
      }
      s->granted_s = n.timeout > 0 ? n.timeout : timeout_s_;
      std::string url = s->url;
      CancelTimer(*s);
      s->timer = loop_.RunAfter(Seconds(std::max(1, s->granted_s / 2)), [this, url] {
        auto it2 = subs_.find(url);
        if (it2 == subs_.end() || it2->second.state != State::kActive) return;
        it2->second.timer = 0;
        Upnp_SID sid = {};
        it2->second.sid.copy(sid, sizeof(sid) - 1);
        ++stats_->renewals;
        UpnpRenewSubscriptionAsync(handle_, timeout_s_, sid, &Stack::Dispatch, sink_);
      });
      return;
    }
    case UPNP_EVENT_AUTORENEWAL_FAILED:
    case UPNP_EVENT_SUBSCRIPTION_EXPIRED: {
      Sub* s = BySid(n.sid);
      if (!s) return;
      ++stats_->failed_renewals;
      s->state = State::kWaiting;
      Lost(*s, n.type == UPNP_EVENT_AUTORENEWAL_FAILED ? "auto-renewal failed"
                                                       : "subscription expired");
      return;
    }
    case UPNP_EVENT_RECEIVED: {
      Sub* s = BySid(n.sid);
      if (!s) {
        auto& q = early_[n.sid];
        if (q.size() < 8 && early_.size() < 1024) q.push_back(n);
        return;
      }
      ++stats_->events;
      const uint32_t key = static_cast<uint32_t>(n.key);
      if (key != s->next_seq) {
        ++stats_->seq_gaps;
        std::string reason =
            "SEQ gap: expected " + std::to_string(s->next_seq) + ", got " + std::to_string(key);
        // Deliver what arrived, then resubscribe and ask for a resync.
        if (callbacks_.on_event) callbacks_.on_event(s->uuid, s->service, n.vars);
        Lost(*s, reason);
        return;
      }
      s->next_seq = key == 0xffffffffu ? 1 : key + 1;
      if (callbacks_.on_event) callbacks_.on_event(s->uuid, s->service, n.vars);
      return;
    }
    default:
      return;
  }
}

void GenaClient::Drop(const std::string& uuid) {
  for (auto it = subs_.begin(); it != subs_.end();) {
    if (it->second.uuid != uuid) {
      ++it;
      continue;
    }
    Sub& s = it->second;
    CancelTimer(s);
    if (s.state == State::kActive && !s.sid.empty()) Unsubscribe(s.sid);
    if (s.state == State::kSubscribing && s.sent) ++orphans_[s.url];
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
