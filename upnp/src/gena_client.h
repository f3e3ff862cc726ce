// GenaClient: GENA subscriptions of the control point on libupnp's client handle (private).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <string>

#include "proxier/common/event_loop.h"
#include "proxier/upnp/control_point.h"
#include "proxier/upnp/stack.h"

namespace proxier::upnp {

// Keeps one subscription per (root UUID, DM service): subscribes, renews at half the granted
// time (libupnp also auto-renews 10 s before expiry), checks SEQ (0, then +1, wrap to 1), and on
// a gap, a failed renewal or an expired subscription re-subscribes (back-off 1 s .. 60 s) and
// reports a resync. libupnp callbacks only copy and post to the loop.
// Thread: engine thread, except the libupnp handler.
class GenaClient {
 public:
  struct Callbacks {
    std::function<void(const std::string& uuid, DmService, const Args&)> on_event;
    std::function<void(const std::string& uuid, DmService, const std::string& reason)> on_resync;
  };
  GenaClient(EventLoop& loop, Stack& stack, int timeout_s, Callbacks callbacks,
             ControlPoint::Stats* stats);
  ~GenaClient();

  // Registers the libupnp client handle. Errors: 9002.
  Status Start();
  // Subscribes (once) to `event_url` of `service` of device `uuid`.
  void Subscribe(const std::string& uuid, DmService service, const std::string& event_url);
  // Forgets every subscription of `uuid`, sending UNSUBSCRIBE for active ones.
  void Drop(const std::string& uuid);
  // Drops and subscribes again (owner-requested resync).
  void Restart(const std::string& uuid);
  void UnsubscribeAll();

 private:
  enum class State { kSubscribing, kActive, kWaiting };
  struct Sub {
    std::string uuid;
    DmService service = DmService::kNone;
    std::string url;
    std::string sid;  // libupnp's client SID
    State state = State::kSubscribing;
    uint32_t next_seq = 0;
    int granted_s = 0;
    int attempt = 0;
    EventLoop::TimerId timer = 0;
    bool resync_pending = false;
    bool sent = false;  // its SUBSCRIBE is with libupnp, no completion yet
  };
  struct Notice {
    int type;
    int err = 0;
    int timeout = 0;
    int key = 0;
    std::string sid;
    std::string url;
    Args vars;
  };
  void OnNotice(const Notice& n);
  void SendSubscribe(Sub& s);
  void Lost(Sub& s, const std::string& reason);
  Sub* BySid(const std::string& sid);
  void CancelTimer(Sub& s);

  EventLoop& loop_;
  Stack& stack_;
  int timeout_s_;
  Callbacks callbacks_;
  ControlPoint::Stats* stats_;
  Stack::Sink* sink_ = nullptr;
  int handle_ = -1;
  std::map<std::string, Sub> subs_;  // by event URL
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::map<std::string, std::vector<Notice>> early_;  // events for SIDs not yet known
  // libupnp runs SUBSCRIBEs one at a time (process-wide lock) on a 100-job queue: keep only a
  // few in its queue and the rest here, in order.
  static constexpr int kMaxInFlight = 4;
  int in_flight_ = 0;
  std::deque<std::string> queued_;       // event URLs waiting for a slot
  std::deque<std::string> unsubscribe_;  // SIDs to UNSUBSCRIBE, same slots
  // Event URL -> SUBSCRIBEs still with libupnp whose subscription was dropped meanwhile. Their
  // completions carry only the URL, so a new SUBSCRIBE to that URL waits until they are in.
  std::map<std::string, int> orphans_;
  void Unsubscribe(const std::string& sid);
  void Pump();
};

}  // namespace proxier::upnp
