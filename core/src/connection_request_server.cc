// ConnectionRequestServer on libmicrohttpd in external epoll mode.
#include "proxier/core/connection_request_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <random>

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
                         const char* /*method*/, const char* /*version*/,
                         const char* /*upload_data*/, size_t* upload_data_size, void** state) {
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
      static_cast<ConnectionRequestServer*>(self)->Handle(connection, path));
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
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(options.port);
  if (inet_pton(AF_INET, options.listen_host.c_str(), &addr.sin_addr) != 1) {
    return Status(Code::kInvalidArguments, "connection request listen address '" +
                                               options.listen_host + "' is not an IPv4 address");
  }
  std::string seed = RandomHex(32);
  s->daemon_ = MHD_start_daemon(
      MHD_USE_EPOLL | MHD_USE_ERROR_LOG, options.port, nullptr, nullptr, &AccessHandler, s.get(),
      MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_CONNECTION_TIMEOUT, 15u, MHD_OPTION_CONNECTION_LIMIT,
      64u, MHD_OPTION_NONCE_NC_SIZE, 1024u, MHD_OPTION_DIGEST_AUTH_RANDOM, seed.size(),
      seed.c_str(), MHD_OPTION_EXTERNAL_LOGGER, &MhdLog, nullptr, MHD_OPTION_END);
  if (!s->daemon_) {
    return Status(Code::kInternalError, "cannot listen for connection requests on " +
                                            options.listen_host + ":" +
                                            std::to_string(options.port));
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(s->daemon_, MHD_DAEMON_INFO_EPOLL_FD);
  s->epoll_fd_ = info ? info->epoll_fd : -1;
  const MHD_DaemonInfo* port = MHD_get_daemon_info(s->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  s->port_ = port ? port->port : options.port;
  ConnectionRequestServer* self = s.get();
  Status st = loop.WatchFd(s->epoll_fd_, EventLoop::kReadable, [self](uint32_t) { self->Run(); });
  if (!st.ok()) return st;
  s->ArmTimer();
  PX_LOG(kInfo, "cr") << "listening on " << options.listen_host << ":" << s->port_;
  return s;
}

ConnectionRequestServer::~ConnectionRequestServer() {
  if (timer_armed_) loop_.Cancel(timer_);
  if (epoll_fd_ >= 0) loop_.UnwatchFd(epoll_fd_);
  if (daemon_) MHD_stop_daemon(daemon_);
}

void ConnectionRequestServer::Run() {
  MHD_run(daemon_);
  ArmTimer();
}

void ConnectionRequestServer::ArmTimer() {
  if (timer_armed_) loop_.Cancel(timer_);
  timer_armed_ = false;
  MHD_UNSIGNED_LONG_LONG timeout = 0;
  if (MHD_get_timeout(daemon_, &timeout) == MHD_YES) {
    timer_armed_ = true;
    timer_ = loop_.RunAfter(Millis(static_cast<int64_t>(timeout)), [this] {
      timer_armed_ = false;
      Run();
    });
  }
}

void ConnectionRequestServer::AddEndpoint(ConnectionRequestEndpoint endpoint) {
  std::string path = endpoint.path;
  endpoints_[path] = Endpoint{std::move(endpoint), {}};
}

void ConnectionRequestServer::RemoveEndpoint(const std::string& path) { endpoints_.erase(path); }

void ConnectionRequestServer::SetCredentials(const std::string& path, const std::string& username,
                                             const Secret& password) {
  auto it = endpoints_.find(path);
  if (it == endpoints_.end()) return;
  it->second.config.username = username;
  it->second.config.password = password;
}

int ConnectionRequestServer::Handle(MHD_Connection* c, const std::string& path) {
  auto it = endpoints_.find(path);
  if (it == endpoints_.end()) {
    ++stats_.not_found;
    return Queue(c, MHD_HTTP_NOT_FOUND);
  }
  Endpoint& ep = it->second;
  const std::string& realm = options_.realm;
  char* user = MHD_digest_auth_get_username(c);
  bool user_ok = user && ep.config.username == user;
  if (user) MHD_free(user);
  int check = MHD_NO;
  if (user_ok) {
    check = MHD_digest_auth_check2(
        c, realm.c_str(), ep.config.username.c_str(), ep.config.password.Reveal().c_str(),
        static_cast<unsigned>(options_.nonce_timeout.count()), MHD_DIGEST_ALG_MD5);
  }
  if (check != MHD_YES) {
    ++stats_.unauthorized;
    MHD_Response* r =
        MHD_create_response_from_buffer(0, const_cast<char*>(""), MHD_RESPMEM_PERSISTENT);
    MHD_Result ret = MHD_queue_auth_fail_response2(c, realm.c_str(), opaque_.c_str(), r,
                                                   check == MHD_INVALID_NONCE ? MHD_YES : MHD_NO,
                                                   MHD_DIGEST_ALG_MD5);
    MHD_destroy_response(r);
    return ret;
  }
  if (ep.config.available && !ep.config.available()) {
    ++stats_.unavailable;
    return Queue(c, MHD_HTTP_SERVICE_UNAVAILABLE);
  }
  const SteadyTime now = loop_.clock().Now();
  while (!ep.accepted.empty() && now - ep.accepted.front() >= options_.rate_window)
    ep.accepted.pop_front();
  if (ep.accepted.size() >= options_.rate_limit) {
    ++stats_.throttled;
    PX_LOG(kWarning, "cr") << path << ": connection request over the rate limit ("
                           << options_.rate_limit << " per " << options_.rate_window.count()
                           << " s), answered 503";
    return Queue(c, MHD_HTTP_SERVICE_UNAVAILABLE);
  }
  ep.accepted.push_back(now);
  ++stats_.accepted;
  PX_LOG(kInfo, "cr") << path << ": connection request accepted";
  auto callback = ep.config.on_request;
  if (callback) loop_.Post(callback);
  return Queue(c, MHD_HTTP_OK);
}

}  // namespace proxier::core
