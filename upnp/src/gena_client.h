// GenaClient: the control point's GENA subscriptions, done by Proxier itself (private):
// SUBSCRIBE / renewal / UNSUBSCRIBE through the HttpWorker, NOTIFY through a GenaServer.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gena_server.h"
#include "proxier/common/event_loop.h"
#include "proxier/common/log.h"
#include "proxier/upnp/control_point.h"
#include "proxier/upnp/http_worker.h"

namespace proxier::upnp {

struct GenaOptions {
  int timeout_s = 1800;          // TIMEOUT asked in SUBSCRIBE
  Millis request_timeout{5000};  // one SUBSCRIBE / renewal / UNSUBSCRIBE exchange
  // GENA exchanges on the wire per device HTTP server (host:port); the others wait their turn.
  // A server of many devices (a bridge, upnp-dm-sim) accepts a SUBSCRIBE by queueing an
  // initial-event NOTIFY, and libupnp's 100-job queue overflowed when 300 came at once. Another
  // server never waits for this one.
  int per_server = 2;
  GenaServerOptions server;
};

// Keeps one subscription per (root UUID, DM service), keyed by event URL: subscribes, renews at
// half the granted time, checks SEQ (0, then +1, wrap to 1), and on a gap, a failed renewal or a
// refused SUBSCRIBE re-subscribes (back-off 1 s .. 60 s) and reports a resync.
//
// Why not libupnp's client GENA (as before): 1.8.4 serialises every client SUBSCRIBE under one
// process-wide lock (a device that holds its answer delayed every other device's subscriptions,
// and shutdown, by up to its 30 s timeout), its NOTIFY server leaks on malformed bodies, and it
// reports a SUBSCRIBE's completion by event URL only. Here every exchange is an independent
// curl transfer with its own timeout (request_timeout), each SUBSCRIBE gets its own callback path
// (a random token), so a late answer or event of a dropped subscription is recognised by its
// token, and NOTIFYs are accepted only from the subscribed device's address (GenaServer).
// Thread: engine thread.
class GenaClient {
 public:
  struct Callbacks {
    std::function<void(const std::string& uuid, DmService, const Args&)> on_event;
    std::function<void(const std::string& uuid, DmService, const std::string& reason)> on_resync;
    std::function<void(GenaRefusal, const std::string& from, const std::string& detail)> on_refused;
  };
  // `http` and `stats` are borrowed and must outlive the client.
  GenaClient(EventLoop& loop, HttpWorker& http, GenaOptions options, Callbacks callbacks,
             ControlPoint::Stats* stats);
  ~GenaClient();
  GenaClient(const GenaClient&) = delete;
  GenaClient& operator=(const GenaClient&) = delete;

  // Starts the NOTIFY server on options.server.ip:port. Errors: 9002.
  Status Start();
  uint16_t port() const;
  // Subscribes (once) to `event_url` of `service` of device `uuid`.
  void Subscribe(const std::string& uuid, DmService service, const std::string& event_url);
  // Forgets every subscription of `uuid`, sending UNSUBSCRIBE for active ones.
  void Drop(const std::string& uuid);
  // Drops and subscribes again (owner-requested resync).
  void Restart(const std::string& uuid);
  void UnsubscribeAll();
  // No GENA request of ours is waiting to be sent or for its answer.
  bool Idle() const { return in_flight_ == 0 && queued_ == 0; }
  // The CALLBACK URL of the current subscription to `event_url` ("" if none), for diagnostics.
  std::string CallbackOf(const std::string& event_url) const;

 private:
  enum class State { kSubscribing, kActive, kWaiting };
  struct Early {
    std::string sid;
    uint32_t seq;
    Args vars;
  };
  struct Sub {
    std::string uuid;
    DmService service = DmService::kNone;
    std::string url;
    std::string host;    // the device's address: the only one whose NOTIFYs count
    std::string server;  // host:port of the event URL (the unit of per_server)
    std::string token;   // callback path of the current SUBSCRIBE ("" when none)
    std::string sid;
    State state = State::kSubscribing;
    uint32_t next_seq = 0;
    int attempt = 0;
    EventLoop::TimerId timer = 0;
    bool resync_pending = false;
    std::vector<Early> early;  // events that beat the SUBSCRIBE answer (SID not known yet)
  };
  // Runs `send` now if fewer than per_server exchanges with `server` (host:port) are out, else
  // when one ends; `send` returns false when it sent nothing (then the next one goes).
  // Finished() ends one.
  void Queue(const std::string& server, std::function<bool()> send);
  void Finished(const std::string& server);
  void Pump(const std::string& server);
  void SendSubscribe(Sub& s);
  void OnSubscribed(const std::string& url, const std::string& token, Result<HttpResponse> r);
  void Renew(const std::string& url);
  void Renewed(const std::string& url, const std::string& sid, Result<HttpResponse> r);
  void ScheduleRenewal(Sub& s, int granted_s);
  void Unsubscribe(const std::string& url, const std::string& server, const std::string& sid);
  void Lost(Sub& s, const std::string& reason);
  void Deliver(Sub& s, const std::string& sid, uint32_t seq, const Args& vars);
  void Forget(Sub& s);  // timer, route
  bool Accept(const std::string& token, const std::string& sid) const;
  void OnNotify(const std::string& token, const std::string& sid, uint32_t seq, const Args& vars);
  Sub* ByToken(const std::string& token);
  void CancelTimer(Sub& s);
  std::function<bool()> Alive() const;

  EventLoop& loop_;
  HttpWorker& http_;
  GenaOptions options_;
  Callbacks callbacks_;
  ControlPoint::Stats* stats_;
  std::unique_ptr<GenaServer> server_;
  std::map<std::string, Sub> subs_;            // by event URL
  std::map<std::string, std::string> tokens_;  // callback token -> event URL
  struct ServerQueue {
    int in_flight = 0;
    std::deque<std::function<bool()>> waiting;
  };
  std::map<std::string, ServerQueue> servers_;
  int in_flight_ = 0;
  size_t queued_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace proxier::upnp
