// ConnectionRequestServer on libmicrohttpd in external epoll mode.
#include "proxier/core/connection_request_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <random>

#include "proxier/common/mhd_loop.h"
#include "proxier/core/digest.h"

namespace proxier::core {

namespace {
std::string RandomHex(size_t n) {
  std::random_device rd;
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) out += kHex[rd() % 16];
  return out;
}

MHD_Result AccessHandler(void* self, MHD_Connection* connection, const char* url,
                         const char* method, const char* /*version*/, const char* /*upload_data*/,
                         size_t* upload_data_size, void** state) {
  // First call per request: headers only. Swallow any body, then answer.
  if (*state == nullptr) {
    *state = reinterpret_cast<void*>(1);
    return MHD_YES;
  }
  if (*upload_data_size != 0) {
    *upload_data_size = 0;
    return MHD_YES;
  }
  std::string path = url ? url : "";
  auto q = path.find('?');
  if (q != std::string::npos) path.resize(q);
  return static_cast<MHD_Result>(
      static_cast<ConnectionRequestServer*>(self)->Handle(connection, method ? method : "", path));
}

// libmicrohttpd's own messages go to our log (debug: they are about malformed client requests).
void MhdLog(void* /*cls*/, const char* format, va_list args) {
  char buf[512];
  vsnprintf(buf, sizeof buf, format, args);
  std::string line(buf);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  PX_LOG(kDebug, "cr") << "libmicrohttpd: " << line;
}

MHD_Result Queue(MHD_Connection* c, unsigned status) {
  MHD_Response* r =
      MHD_create_response_from_buffer(0, const_cast<char*>(""), MHD_RESPMEM_PERSISTENT);
  MHD_Result ret = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ret;
}
// %XX-decoded `s` ("" when an escape is malformed).
std::string PercentDecoded(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      return "";
    }
    out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
    i += 2;
  }
  return out;
}
}  // namespace

std::string ConnectionRequestUrl(const std::string& host, uint16_t port, const std::string& path) {
  std::string h =
      host.find(':') != std::string::npos && host.front() != '[' ? "[" + host + "]" : host;
  return "http://" + h + ":" + std::to_string(port) + path;
}

ConnectionRequestServer::ConnectionRequestServer(EventLoop& loop, ConnectionRequestOptions options)
    : loop_(loop), options_(std::move(options)), opaque_(RandomHex(16)) {}

Result<std::unique_ptr<ConnectionRequestServer>> ConnectionRequestServer::Start(
    EventLoop& loop, const ConnectionRequestOptions& options) {
  std::unique_ptr<ConnectionRequestServer> s(new ConnectionRequestServer(loop, options));
  sockaddr_storage addr{};
  unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
  if (options.listen_host.find(':') != std::string::npos) {
    // IPv6: "::" listens on both families (dual stack), another address on itself only.
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&addr);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(options.port);
    if (inet_pton(AF_INET6, options.listen_host.c_str(), &a6->sin6_addr) != 1) {
      return Status(Code::kInvalidArguments, "connection request listen address '" +
                                                 options.listen_host + "' is not an IP address");
    }
    flags |= options.listen_host == "::" ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
  } else {
    auto* a4 = reinterpret_cast<sockaddr_in*>(&addr);
    a4->sin_family = AF_INET;
    a4->sin_port = htons(options.port);
    if (inet_pton(AF_INET, options.listen_host.c_str(), &a4->sin_addr) != 1) {
      return Status(Code::kInvalidArguments, "connection request listen address '" +
                                                 options.listen_host + "' is not an IP address");
    }
  }
  s->daemon_ = MHD_start_daemon(flags, options.port, nullptr, nullptr, &AccessHandler, s.get(),
                                MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_CONNECTION_TIMEOUT, 15u,
                                MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_EXTERNAL_LOGGER,
                                &MhdLog, nullptr, MHD_OPTION_END);
  if (!s->daemon_) {
    return Status(Code::kInternalError, "cannot listen for connection requests on " +
                                            options.listen_host + ":" +
                                            std::to_string(options.port));
  }
  const MHD_DaemonInfo* port = MHD_get_daemon_info(s->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  s->port_ = port ? port->port : options.port;
  auto driver = MhdLoop::Attach(loop, s->daemon_);
  if (!driver.ok()) return driver.status();
  s->driver_ = std::move(driver).value();
  PX_LOG(kInfo, "cr") << "listening on "
                      << (options.listen_host.find(':') != std::string::npos
                              ? "[" + options.listen_host + "]"
                              : options.listen_host)
                      << ":" << s->port_;
  return s;
}

ConnectionRequestServer::~ConnectionRequestServer() {
  driver_.reset();
  if (daemon_) MHD_stop_daemon(daemon_);
}

void ConnectionRequestServer::AddEndpoint(ConnectionRequestEndpoint endpoint) {
  std::string path = endpoint.path;
  endpoints_[path] = Endpoint{std::move(endpoint), -1, {}};
}

bool ConnectionRequestServer::TakeToken(Endpoint& ep) {
  const double burst = options_.rate_limit;
  const SteadyTime now = loop_.clock().Now();
  if (ep.tokens < 0) ep.tokens = burst;
  const double window = std::chrono::duration<double>(options_.rate_window).count();
  const double elapsed = std::chrono::duration<double>(now - ep.last).count();
  if (window > 0 && ep.last != SteadyTime{}) {
    ep.tokens = std::min(burst, ep.tokens + elapsed * burst / window);
  }
  ep.last = now;
  if (ep.tokens < 1.0) return false;
  ep.tokens -= 1.0;
  return true;
}

void ConnectionRequestServer::Refused(const char* why, MHD_Connection* c, const std::string& path) {
  uint64_t skipped = 0;
  if (!refusal_log_[why].Allow(loop_.clock().Now(), &skipped)) return;
  std::string from = "?";
  const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info && info->client_addr) {
    char ip[INET6_ADDRSTRLEN] = {};
    if (info->client_addr->sa_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(info->client_addr)->sin_addr, ip,
                sizeof ip);
    } else if (info->client_addr->sa_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(info->client_addr)->sin6_addr, ip,
                sizeof ip);
    }
    from = ip;
  }
  PX_LOG(kWarning, "cr") << path << ": connection request from " << from << " refused: " << why
                         << " (" << skipped << " more such refusals since the last report)";
}

void ConnectionRequestServer::RemoveEndpoint(const std::string& path) { endpoints_.erase(path); }

void ConnectionRequestServer::SetCredentials(const std::string& path, const std::string& username,
                                             const Secret& password) {
  auto it = endpoints_.find(path);
  if (it == endpoints_.end()) return;
  it->second.config.username = username;
  it->second.config.password = password;
}

ConnectionRequestServer::Auth ConnectionRequestServer::CheckDigest(MHD_Connection* c,
                                                                   const std::string& method,
                                                                   const std::string& path,
                                                                   const Endpoint& ep) {
  const char* header = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
  if (!header) return Auth::kBad;
  auto d = ParseDigestAuthorization(header);
  if (!d) return Auth::kBad;
  auto get = [&](const char* key) -> const std::string& {
    static const std::string kNone;
    auto it = d->find(key);
    return it == d->end() ? kNone : it->second;
  };
  const std::string& uri = get("uri");
  const std::string& nonce = get("nonce");
  const std::string& nc = get("nc");
  const std::string& cnonce = get("cnonce");
  const std::string& algorithm = get("algorithm");
  if (get("username") != ep.config.username || get("realm") != options_.realm || nonce.empty() ||
      cnonce.empty() || get("qop") != "auth" || nc.size() != 8 ||
      nc.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos ||
      (!algorithm.empty() && algorithm != "MD5" && algorithm != "md5") ||
      (d->count("opaque") && get("opaque") != opaque_)) {
    return Auth::kBad;
  }
  // The answer is for this request: its URI (query and escapes aside) is the path asked.
  if (PercentDecoded(uri.substr(0, uri.find('?'))) != path) return Auth::kBad;
  const std::string ha1 =
      Md5Hex(ep.config.username + ":" + options_.realm + ":" + ep.config.password.Reveal());
  const std::string ha2 = Md5Hex(method + ":" + uri);
  const std::string expected = Md5Hex(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
  std::string response = get("response");
  for (auto& ch : response) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (!ConstantTimeEqual(response, expected)) return Auth::kBad;
  // Right credentials; now the nonce: ours, young enough, and this count not used yet.
  auto it = nonces_.find(nonce);
  if (it == nonces_.end() || loop_.clock().Now() - it->second.issued > options_.nonce_timeout) {
    return Auth::kStale;
  }
  const uint64_t count = std::stoull(nc, nullptr, 16);
  if (count <= it->second.nc) return Auth::kBad;  // a replay
  it->second.nc = count;
  return Auth::kOk;
}

int ConnectionRequestServer::Challenge(MHD_Connection* c, bool stale) {
  ++stats_.unauthorized;
  const SteadyTime now = loop_.clock().Now();
  while (!nonce_order_.empty() &&
         (nonce_order_.size() >= kMaxNonces ||
          now - nonces_[nonce_order_.front()].issued > options_.nonce_timeout)) {
    nonces_.erase(nonce_order_.front());
    nonce_order_.pop_front();
  }
  std::string nonce = RandomHex(32);
  nonces_[nonce] = Nonce{now, 0};
  nonce_order_.push_back(nonce);
  const std::string value = "Digest realm=\"" + options_.realm + "\", qop=\"auth\", nonce=\"" +
                            nonce + "\", opaque=\"" + opaque_ + "\", algorithm=MD5" +
                            (stale ? ", stale=true" : "");
  MHD_Response* r =
      MHD_create_response_from_buffer(0, const_cast<char*>(""), MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, value.c_str());
  MHD_Result ret = MHD_queue_response(c, MHD_HTTP_UNAUTHORIZED, r);
  MHD_destroy_response(r);
  return ret;
}

int ConnectionRequestServer::Handle(MHD_Connection* c, const std::string& method,
                                    const std::string& path) {
  auto it = endpoints_.find(path);
  if (it == endpoints_.end()) {
    ++stats_.not_found;
    return Queue(c, MHD_HTTP_NOT_FOUND);
  }
  Endpoint& ep = it->second;
  const Auth auth = CheckDigest(c, method, path, ep);
  if (auth != Auth::kOk) {
    // The first request of Digest carries no credentials: only a wrong answer is a refusal.
    if (auth == Auth::kBad && MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization")) {
      ++stats_.bad_credentials;
      Refused("401, wrong credentials (user or password, realm, or a replayed nonce count)", c,
              path);
    }
    return Challenge(c, auth == Auth::kStale);
  }
  if (ep.config.available && !ep.config.available()) {
    ++stats_.unavailable;
    Refused("503, not available (device offline, or HTTPConnectionRequestEnable false)", c, path);
    return Queue(c, MHD_HTTP_SERVICE_UNAVAILABLE);
  }
  // An accepted request whose callback has not run yet counts as a session about to start.
  if (ep.posted > 0 || (ep.config.busy && ep.config.busy())) {
    // Work already under way: answered 200, never 503. It asks for a follow-up session (one at
    // most) while the bucket allows; in a flood the session under way answers for it.
    ++stats_.coalesced;
    ++stats_.accepted;
    const bool follow_up = TakeToken(ep);
    PX_LOG(kInfo, "cr") << path << ": connection request folded into the session under way"
                        << (follow_up ? "" : " (no follow-up: over the rate limit)");
    if (follow_up) PostRequest(path);
    return Queue(c, MHD_HTTP_OK);
  }
  if (!TakeToken(ep)) {
    ++stats_.throttled;
    Refused(("503, over the rate limit (" + std::to_string(options_.rate_limit) + " per " +
             std::to_string(options_.rate_window.count()) + " s)")
                .c_str(),
            c, path);
    return Queue(c, MHD_HTTP_SERVICE_UNAVAILABLE);
  }
  ++stats_.accepted;
  PX_LOG(kInfo, "cr") << path << ": connection request accepted";
  PostRequest(path);
  return Queue(c, MHD_HTTP_OK);
}

void ConnectionRequestServer::PostRequest(const std::string& path) {
  auto it = endpoints_.find(path);
  if (it == endpoints_.end() || !it->second.config.on_request) return;
  ++it->second.posted;
  loop_.Post([this, path] {
    auto ep = endpoints_.find(path);
    if (ep == endpoints_.end()) return;
    if (ep->second.posted > 0) --ep->second.posted;
    auto callback = ep->second.config.on_request;
    if (callback) callback();
  });
}

}  // namespace proxier::core
