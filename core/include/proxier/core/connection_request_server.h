// ConnectionRequestServer: the HTTP server (libmicrohttpd) that receives ACS connection requests
// for the gateway and every virtual device, one path and one set of Digest credentials each.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "proxier/common/event_loop.h"
#include "proxier/common/log.h"
#include "proxier/common/mhd_loop.h"
#include "proxier/common/status.h"

struct MHD_Daemon;
struct MHD_Connection;

namespace proxier::core {

struct ConnectionRequestOptions {
  // Address to bind: IPv4 ("0.0.0.0" = all of them) or IPv6 ("::" = every address of both
  // families, dual stack; another IPv6 address: itself only).
  std::string listen_host = "0.0.0.0";
  uint16_t port = 7547;  // 0 = any free port (see port())
  // Token bucket per endpoint: up to rate_limit accepted at once, refilled at rate_limit per
  // rate_window. Requests folded into a session that is open or about to start (`busy`) are
  // answered 200 whatever the bucket holds.
  uint32_t rate_limit = 30;
  Seconds rate_window{60};
  std::string realm = "Proxier";
  Seconds nonce_timeout{300};
};

// What one CWMP client registers: its path ("/cr/gw"), credentials and callbacks.
struct ConnectionRequestEndpoint {
  std::string path;
  std::string username;
  Secret password;
  // Called on the engine thread for each accepted (authenticated, within rate) request.
  std::function<void()> on_request;
  // When it returns false the request is answered 503 (e.g. the proxied device is offline).
  std::function<bool()> available;
  // True while a session is open or about to start: the request is answered 200 and folded
  // into it, never 503; it asks for a follow-up session (the client runs one at most) only while
  // the rate limit allows, so a flood still costs a bounded number of sessions.
  std::function<bool()> busy;
};

// Runs inside the EventLoop (libmicrohttpd in external-epoll mode): no extra thread, handlers and
// callbacks run on the engine thread. GET (or POST) on a registered path: without valid Digest
// credentials 401 with a Digest challenge (MD5, qop=auth; a fresh nonce per challenge, good for
// nonce_timeout, each nonce count once; stale=true when only the nonce was too old or unknown);
// valid but over the rate limit or
// unavailable 503; otherwise 200 with an empty body and `on_request`. Unknown paths 404. Every
// refusal that is not the first step of Digest (wrong credentials, over the limit, unavailable)
// is logged with the source address and the reason, at most one line per 10 s per kind.
// Thread: engine thread.
class ConnectionRequestServer {
 public:
  // Errors: 9002 when the address cannot be bound.
  static Result<std::unique_ptr<ConnectionRequestServer>> Start(
      EventLoop& loop, const ConnectionRequestOptions& options);
  ~ConnectionRequestServer();

  // Adds or replaces the endpoint at endpoint.path.
  void AddEndpoint(ConnectionRequestEndpoint endpoint);
  void RemoveEndpoint(const std::string& path);
  // Updates credentials of an existing endpoint (ConnectionRequestUsername/Password changed).
  void SetCredentials(const std::string& path, const std::string& username, const Secret& password);
  uint16_t port() const { return port_; }
  const ConnectionRequestOptions& options() const { return options_; }

  // Counters for tests and logs.
  struct Stats {
    uint64_t accepted = 0, unauthorized = 0, throttled = 0, unavailable = 0, not_found = 0;
    uint64_t coalesced = 0;        // accepted while a session was open or pending (not counted)
    uint64_t bad_credentials = 0;  // unauthorized with credentials that did not match
  };
  const Stats& stats() const { return stats_; }

  // Answers one request (called by the libmicrohttpd access handler; returns an MHD_Result).
  int Handle(MHD_Connection* connection, const std::string& method, const std::string& path);

 private:
  explicit ConnectionRequestServer(EventLoop& loop, ConnectionRequestOptions options);

  struct Endpoint {
    ConnectionRequestEndpoint config;
    double tokens = -1;  // token bucket (< 0: full, not used yet)
    SteadyTime last{};
    int posted = 0;  // accepted requests whose on_request has not run yet
  };
  void PostRequest(const std::string& path);
  bool TakeToken(Endpoint& ep);
  void Refused(const char* why, MHD_Connection* c, const std::string& path);
  // Digest (RFC 7616, MD5, qop=auth) is checked here, not by libmicrohttpd: 0.9.75 makes a nonce
  // from the second, the method and the URI and keeps it in a table indexed by a weak hash, so
  // challenges sent within the same second overwrote each other (or were the same nonce, and the
  // second answer looked like a replay): concurrent connection requests failed 401.
  enum class Auth { kOk, kBad, kStale };
  Auth CheckDigest(MHD_Connection* c, const std::string& method, const std::string& path,
                   const Endpoint& ep);
  int Challenge(MHD_Connection* c, bool stale);
  struct Nonce {
    SteadyTime issued;
    uint64_t nc = 0;  // highest nonce count accepted
  };
  static constexpr size_t kMaxNonces = 1024;  // the oldest goes first

  EventLoop& loop_;
  ConnectionRequestOptions options_;
  MHD_Daemon* daemon_ = nullptr;
  std::unique_ptr<MhdLoop> driver_;
  uint16_t port_ = 0;
  std::string opaque_;
  std::map<std::string, Endpoint> endpoints_;
  std::map<std::string, Nonce> nonces_;
  std::deque<std::string> nonce_order_;  // oldest first
  Stats stats_;
  std::map<std::string, log::Throttle> refusal_log_;
};

// "http://host:port/path", with IPv6 hosts in brackets.
std::string ConnectionRequestUrl(const std::string& host, uint16_t port, const std::string& path);

}  // namespace proxier::core
