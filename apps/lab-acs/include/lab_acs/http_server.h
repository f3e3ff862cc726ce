// A small blocking HTTP server on libmicrohttpd (one thread per connection) for lab-acs: the
// handler gets the whole request (body read in full) and returns the whole response.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "proxier/common/log.h"
#include "proxier/common/status.h"

struct MHD_Connection;
struct MHD_Daemon;

namespace proxier::labacs {

// One request, with its body read in full (up to the server's body limit).
struct HttpRequest {
  MHD_Connection* connection = nullptr;  // for auth checks (valid during the handler call only)
  std::string method;                    // "GET", "POST", ...
  std::string path;                      // percent-decoded path, without the query
  std::map<std::string, std::string> query;
  std::string body;
  bool body_too_large = false;  // the body was cut at the limit; answer 413

  // A request header (case-insensitive name), or "" when absent.
  std::string Header(const char* name) const;
  // A cookie value, or "" when absent.
  std::string Cookie(const char* name) const;
  // The query argument `name`, or `fallback`.
  std::string Query(const std::string& name, const std::string& fallback = "") const;
};

// What to send back. kDrop closes the connection without an answer. The challenge kinds send a
// 401 with a Basic or Digest WWW-Authenticate (realm, opaque, stale) plus `body`.
struct HttpResponse {
  enum class Kind { kNormal, kDrop, kBasicChallenge, kDigestChallenge };
  Kind kind = Kind::kNormal;
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string realm;   // challenges
  bool stale = false;  // digest challenge: the nonce was stale
  int file_fd = -1;    // when >= 0: send this file (size file_size) instead of body; adopted
  uint64_t file_size = 0;

  static HttpResponse Text(int status, std::string text);
  static HttpResponse Json(int status, std::string json);
  static HttpResponse Drop();
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  std::string listen = "127.0.0.1";  // IPv4 or IPv6 literal
  uint16_t port = 0;                 // 0: pick a free port
  size_t max_body = 8 * 1024 * 1024;
  unsigned connection_timeout_s = 120;
  std::string name = "http";  // for log lines
  // HTTPS (GnuTLS through libmicrohttpd) when tls_cert is set: PEM contents, not file names.
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;   // set: a client certificate signed by it is required
  std::string tls_priorities;  // GnuTLS priority string ("" = libmicrohttpd's default)
};

// Serves HTTP on one port; each connection has its own thread, so a handler may block (long
// polls). Handlers run concurrently and must protect shared state themselves.
// Thread: Start/Stop from one owner thread; port()/opaque() from any.
class HttpServer {
 public:
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                   HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Stops listening, closes every connection and joins the threads (handlers must return).
  void Stop();
  uint16_t port() const { return port_; }
  size_t max_body() const { return options_.max_body; }
  // Opaque string used in this server's Digest challenges.
  const std::string& opaque() const { return opaque_; }

  // Internal: called by the libmicrohttpd callback once the request is complete.
  int Dispatch(MHD_Connection* connection, HttpRequest& request);

 private:
  HttpServer(HttpServerOptions options, HttpHandler handler);

  HttpServerOptions options_;
  HttpHandler handler_;
  std::string opaque_;
  std::string digest_seed_;  // must outlive the daemon
  MHD_Daemon* daemon_ = nullptr;
  uint16_t port_ = 0;
};

// Helpers for handlers checking credentials with libmicrohttpd (Thread: handler thread).
// Basic: true when the request carries exactly user/password.
bool CheckBasicAuth(const HttpRequest& request, const std::string& user, const Secret& password);
// Digest (MD5, qop=auth): 1 ok, 0 wrong/missing, -1 stale nonce (challenge with stale=true).
int CheckDigestAuth(const HttpRequest& request, const std::string& realm, const std::string& user,
                    const Secret& password);
// The user name the request authenticates as (Basic or Digest), "" when none.
std::string RequestUser(const HttpRequest& request);
// A 16/32-char random lower-case hex string.
std::string RandomHex(size_t chars);

}  // namespace proxier::labacs
