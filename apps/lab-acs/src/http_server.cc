// HttpServer: libmicrohttpd, thread per connection, whole-body requests and responses.
#include "lab_acs/http_server.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstring>
#include <exception>
#include <random>

namespace proxier::labacs {

namespace {

struct RequestState {
  HttpRequest request;
};

MHD_Result CollectArg(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* query = static_cast<std::map<std::string, std::string>*>(cls);
  if (key) (*query)[key] = value ? value : "";
  return MHD_YES;
}

MHD_Result Access(void* cls, MHD_Connection* connection, const char* url, const char* method,
                  const char* /*version*/, const char* upload_data, size_t* upload_data_size,
                  void** con_cls) {
  auto* server = static_cast<HttpServer*>(cls);
  auto* state = static_cast<RequestState*>(*con_cls);
  if (state == nullptr) {
    state = new RequestState;
    state->request.connection = connection;
    state->request.method = method ? method : "";
    state->request.path = url ? url : "/";
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &CollectArg,
                              &state->request.query);
    *con_cls = state;
    return MHD_YES;
  }
  if (*upload_data_size != 0) {
    HttpRequest& r = state->request;
    const size_t room = server->max_body() - std::min(server->max_body(), r.body.size());
    if (*upload_data_size > room) r.body_too_large = true;
    r.body.append(upload_data, std::min(room, *upload_data_size));
    *upload_data_size = 0;
    return MHD_YES;
  }
  return static_cast<MHD_Result>(server->Dispatch(connection, state->request));
}

void Completed(void* /*cls*/, MHD_Connection* /*connection*/, void** con_cls,
               MHD_RequestTerminationCode /*code*/) {
  delete static_cast<RequestState*>(*con_cls);
  *con_cls = nullptr;
}

std::string Lookup(MHD_Connection* c, MHD_ValueKind kind, const char* name) {
  const char* v = c ? MHD_lookup_connection_value(c, kind, name) : nullptr;
  return v ? v : "";
}

}  // namespace

std::string RandomHex(size_t chars) {
  static const char kHex[] = "0123456789abcdef";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string out;
  out.reserve(chars);
  for (size_t i = 0; i < chars; ++i) out += kHex[rng() % 16];
  return out;
}

std::string HttpRequest::Header(const char* name) const {
  return Lookup(connection, MHD_HEADER_KIND, name);
}

std::string HttpRequest::Cookie(const char* name) const {
  return Lookup(connection, MHD_COOKIE_KIND, name);
}

std::string HttpRequest::Query(const std::string& name, const std::string& fallback) const {
  auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

HttpResponse HttpResponse::Text(int status, std::string text) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(text);
  if (!r.body.empty() && r.body.back() != '\n') r.body += '\n';
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  return r;
}

HttpResponse HttpResponse::Json(int status, std::string json) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(json);
  r.body += '\n';
  r.headers.emplace_back("Content-Type", "application/json");
  return r;
}

HttpResponse HttpResponse::Drop() {
  HttpResponse r;
  r.kind = Kind::kDrop;
  return r;
}

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      opaque_(RandomHex(32)),
      digest_seed_(RandomHex(32)) {}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                      HttpHandler handler) {
  std::unique_ptr<HttpServer> s(new HttpServer(options, std::move(handler)));
  sockaddr_storage addr{};
  unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                   MHD_USE_ERROR_LOG;
  if (options.listen.find(':') != std::string::npos) {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&addr);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(options.port);
    if (inet_pton(AF_INET6, options.listen.c_str(), &a6->sin6_addr) != 1) {
      return Status(Code::kInvalidArguments, "bad listen address " + options.listen);
    }
    flags |= MHD_USE_IPv6;
  } else {
    auto* a4 = reinterpret_cast<sockaddr_in*>(&addr);
    a4->sin_family = AF_INET;
    a4->sin_port = htons(options.port);
    if (inet_pton(AF_INET, options.listen.c_str(), &a4->sin_addr) != 1) {
      return Status(Code::kInvalidArguments, "bad listen address " + options.listen);
    }
  }
  std::vector<MHD_OptionItem> tls;
  if (!options.tls_cert.empty()) {
    flags |= MHD_USE_TLS;
    tls.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(s->options_.tls_cert.c_str())});
    tls.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(s->options_.tls_key.c_str())});
    if (!options.tls_client_ca.empty()) {
      tls.push_back(
          {MHD_OPTION_HTTPS_MEM_TRUST, 0, const_cast<char*>(s->options_.tls_client_ca.c_str())});
    }
    if (!options.tls_priorities.empty()) {
      tls.push_back(
          {MHD_OPTION_HTTPS_PRIORITIES, 0, const_cast<char*>(s->options_.tls_priorities.c_str())});
    }
  }
  tls.push_back({MHD_OPTION_END, 0, nullptr});
  s->daemon_ = MHD_start_daemon(
      flags, options.port, nullptr, nullptr, &Access, s.get(), MHD_OPTION_SOCK_ADDR, &addr,
      MHD_OPTION_CONNECTION_TIMEOUT, options.connection_timeout_s, MHD_OPTION_NOTIFY_COMPLETED,
      &Completed, nullptr, MHD_OPTION_NONCE_NC_SIZE, 4096u, MHD_OPTION_DIGEST_AUTH_RANDOM,
      s->digest_seed_.size(), s->digest_seed_.c_str(), MHD_OPTION_ARRAY, tls.data(),
      MHD_OPTION_END);
  if (s->daemon_ == nullptr) {
    return Status(Code::kInternalError, options.name + ": cannot listen on " + options.listen +
                                            ":" + std::to_string(options.port));
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(s->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  s->port_ = info ? info->port : options.port;
  return s;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (daemon_ != nullptr) {
    MHD_stop_daemon(daemon_);
    daemon_ = nullptr;
  }
}

// A client certificate that GnuTLS verified against the trusted CA, or an error text.
std::string VerifyClientCertificate(MHD_Connection* c) {
  const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  if (!info || !info->tls_session) return "no TLS session";
  auto session = static_cast<gnutls_session_t>(info->tls_session);
  unsigned int count = 0;
  if (!gnutls_certificate_get_peers(session, &count) || count == 0) {
    return "no client certificate";
  }
  unsigned int verdict = 0;
  if (gnutls_certificate_verify_peers2(session, &verdict) != GNUTLS_E_SUCCESS || verdict != 0) {
    return "client certificate not trusted (" + std::to_string(verdict) + ")";
  }
  return "";
}

int HttpServer::Dispatch(MHD_Connection* connection, HttpRequest& request) {
  HttpResponse out;
  const std::string refused =
      options_.tls_client_ca.empty() ? std::string() : VerifyClientCertificate(connection);
  if (!refused.empty()) {
    PX_LOG(kWarning, "lab-acs") << options_.name << ": refused: " << refused;
    out = HttpResponse::Text(403, refused);
  } else {
    try {
      out = handler_(request);
    } catch (const std::exception& e) {
      PX_LOG(kError, "lab-acs") << options_.name << ": handler failed: " << e.what();
      out = HttpResponse::Text(500, std::string("internal error: ") + e.what());
    }
  }
  if (out.kind == HttpResponse::Kind::kDrop) {
    if (out.file_fd >= 0) close(out.file_fd);
    return MHD_NO;
  }
  MHD_Response* response = nullptr;
  if (out.file_fd >= 0) {
    response = MHD_create_response_from_fd64(out.file_size, out.file_fd);
    if (response == nullptr) close(out.file_fd);
  } else {
    response =
        MHD_create_response_from_buffer(out.body.size(), out.body.data(), MHD_RESPMEM_MUST_COPY);
  }
  if (response == nullptr) return MHD_NO;
  for (const auto& [name, value] : out.headers) {
    MHD_add_response_header(response, name.c_str(), value.c_str());
  }
  MHD_Result ret = MHD_NO;
  switch (out.kind) {
    case HttpResponse::Kind::kBasicChallenge:
      ret = MHD_queue_basic_auth_fail_response(connection, out.realm.c_str(), response);
      break;
    case HttpResponse::Kind::kDigestChallenge:
      ret = MHD_queue_auth_fail_response2(connection, out.realm.c_str(), opaque_.c_str(), response,
                                          out.stale ? MHD_YES : MHD_NO, MHD_DIGEST_ALG_MD5);
      break;
    default:
      ret = MHD_queue_response(connection, static_cast<unsigned>(out.status), response);
  }
  MHD_destroy_response(response);
  return ret;
}

bool CheckBasicAuth(const HttpRequest& request, const std::string& user, const Secret& password) {
  char* pass = nullptr;
  char* got = MHD_basic_auth_get_username_password(request.connection, &pass);
  const bool ok = got != nullptr && pass != nullptr && user == got && password.Reveal() == pass;
  if (got) MHD_free(got);
  if (pass) MHD_free(pass);
  return ok;
}

int CheckDigestAuth(const HttpRequest& request, const std::string& realm, const std::string& user,
                    const Secret& password) {
  int r = MHD_digest_auth_check2(request.connection, realm.c_str(), user.c_str(),
                                 password.Reveal().c_str(), 300, MHD_DIGEST_ALG_MD5);
  if (r == MHD_YES) return 1;
  if (r == MHD_INVALID_NONCE) return -1;
  return 0;
}

std::string RequestUser(const HttpRequest& request) {
  if (char* user = MHD_digest_auth_get_username(request.connection)) {
    std::string out = user;
    MHD_free(user);
    return out;
  }
  char* pass = nullptr;
  char* user = MHD_basic_auth_get_username_password(request.connection, &pass);
  std::string out = user ? user : "";
  if (user) MHD_free(user);
  if (pass) MHD_free(pass);
  return out;
}

}  // namespace proxier::labacs
