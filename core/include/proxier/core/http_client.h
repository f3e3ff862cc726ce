// HttpClient: libcurl's multi interface driven by the engine's EventLoop (no blocking calls).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxier/common/event_loop.h"
#include "proxier/common/log.h"
#include "proxier/common/status.h"

typedef void CURL;
typedef void CURLM;

namespace proxier::core {

struct TlsOptions {
  bool verify = true;       // peer and host verification
  std::string ca_file;      // trust anchors ("" = system default)
  std::string client_cert;  // PEM client certificate (optional)
  std::string client_key;   // PEM client key (optional)
};

struct HttpRequest {
  std::string method = "POST";  // POST, GET, PUT
  std::string url;
  std::string body;                  // request body (POST/PUT)
  std::vector<std::string> headers;  // "Name: value"; "Name:" removes a default header
  std::string username;              // HTTP auth (Basic or Digest, as the server asks)
  Secret password;
  bool allow_basic = true;  // false: Digest only
  TlsOptions tls;
  Millis timeout{30000};  // whole request
  Millis connect_timeout{10000};
  bool follow_redirects = false;  // keep the method (POST stays POST) when following
  int max_redirects = 5;
  bool decode_content = true;  // ask for and transparently decode gzip/deflate bodies
  // Download into a file instead of memory (GET); the file is created/truncated.
  std::string output_path;
  uint64_t max_body_bytes = 16 * 1024 * 1024;  // larger bodies fail with 9004
  // Called on the engine thread with (bytes so far, total or 0) about once per second.
  std::function<void(uint64_t, uint64_t)> progress;
  std::string upload_path;  // PUT/POST the content of this file
};

struct HttpResponse {
  long status = 0;
  std::string body;  // empty when output_path was used
  // Lower-case names; the last value wins, except WWW-Authenticate (all, ", "-joined).
  std::map<std::string, std::string> headers;
  std::string effective_url;  // after redirects
  uint64_t bytes = 0;         // body bytes received
  std::string local_ip;       // our address on the connection (reachability)
};

class HttpClient;

// One connection context: keeps the TCP/TLS connection alive and the cookies between its requests
// (a CWMP session). One request at a time. Destroying it cancels a request in flight without
// calling its callback. Thread: engine thread.
class HttpSession {
 public:
  ~HttpSession();
  // Starts `request`; `done` runs on the engine thread with the response (any status code) or an
  // error: 9002 for transport errors/timeouts, 9004 for oversized bodies, 9012 for TLS peer
  // verification failures (message says which). Errors when a request is already in flight.
  // Digest-only credentials (allow_basic false) are not offered until the server has challenged
  // once in this session: POST/PUT requests go out whole and unauthenticated, and a 401 with a
  // Digest challenge sends the same request again with credentials (then for every later request of
  // the session). curl would otherwise send each POST as an empty "probe" first, which a server
  // that never challenges (e.g. GenieACS with CWMP auth off) takes as the CPE's empty POST.
  Status Send(const HttpRequest& request, std::function<void(Result<HttpResponse>)> done);
  bool busy() const { return busy_; }
  // Forgets cookies (start of a new CWMP session on the same connection).
  void ClearCookies();

  struct Transfer;  // per-request state (implementation detail)

 private:
  friend class HttpClient;
  HttpSession(HttpClient* client);
  void Finish(int curl_code);

  HttpClient* client_;
  CURL* easy_;
  bool busy_ = false;
  std::unique_ptr<Transfer> transfer_;
  bool digest_armed_ = false;                // the server challenged with Digest in this session
  std::optional<HttpRequest> unchallenged_;  // in flight without its Digest-only credentials
};

// Owns the curl multi handle and maps its sockets and timers onto the EventLoop.
// Thread: engine thread; the loop must outlive the client.
class HttpClient {
 public:
  explicit HttpClient(EventLoop& loop);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  std::unique_ptr<HttpSession> NewSession();
  EventLoop& loop() { return loop_; }

 private:
  friend class HttpSession;
  static int OnSocket(CURL* easy, int fd, int what, void* client, void* socket_data);
  static int OnTimer(CURLM* multi, long timeout_ms, void* client);
  void Action(int fd, int events);
  void CheckDone();

  EventLoop& loop_;
  CURLM* multi_;
  EventLoop::TimerId timer_ = 0;
  bool timer_armed_ = false;
  std::map<int, bool> watched_;
};

}  // namespace proxier::core
