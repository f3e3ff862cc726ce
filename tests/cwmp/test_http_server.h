// A small HTTP server for tests (libmicrohttpd, own thread) that records requests and answers them
// with a handler; can demand Basic or Digest credentials.
#pragma once

#include <microhttpd.h>
#include <netinet/in.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace proxier::testing {

struct RecordedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

struct CannedResponse {
  unsigned status = 200;
  std::string body;
  std::map<std::string, std::string> headers;
};

class TestHttpServer {
 public:
  using Handler = std::function<CannedResponse(const RecordedRequest&)>;
  enum class Auth { kNone, kBasic, kDigest };

  explicit TestHttpServer(Handler handler, Auth auth = Auth::kNone, std::string user = "",
                          std::string password = "")
      : handler_(std::move(handler)),
        auth_(auth),
        user_(std::move(user)),
        password_(std::move(password)) {
    daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, nullptr,
                               nullptr, &TestHttpServer::Access, this, MHD_OPTION_SOCK_ADDR,
                               Loopback(), MHD_OPTION_NONCE_NC_SIZE, 64u, MHD_OPTION_END);
    if (daemon_) port_ = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)->port;
  }
  ~TestHttpServer() {
    if (daemon_) MHD_stop_daemon(daemon_);
  }
  bool ok() const { return daemon_ != nullptr; }
  uint16_t port() const { return port_; }
  std::string Url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<RecordedRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }

 private:
  static const sockaddr* Loopback() {
    static sockaddr_in addr = [] {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      return a;
    }();
    return reinterpret_cast<const sockaddr*>(&addr);
  }
  struct State {
    RecordedRequest req;
  };
  static MHD_Result Header(void* cls, MHD_ValueKind, const char* key, const char* value) {
    std::string k = key;
    for (auto& ch : k) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    static_cast<RecordedRequest*>(cls)->headers[k] = value ? value : "";
    return MHD_YES;
  }
  static MHD_Result Access(void* cls, MHD_Connection* c, const char* url, const char* method,
                           const char*, const char* data, size_t* size, void** state) {
    auto* self = static_cast<TestHttpServer*>(cls);
    if (!*state) {
      auto* s = new State;
      s->req.method = method;
      s->req.path = url;
      MHD_get_connection_values(c, MHD_HEADER_KIND, &TestHttpServer::Header, &s->req);
      *state = s;
      return MHD_YES;
    }
    auto* s = static_cast<State*>(*state);
    if (*size) {
      s->req.body.append(data, *size);
      *size = 0;
      return MHD_YES;
    }
    std::unique_ptr<State> owned(s);
    *state = nullptr;
    if (self->auth_ == Auth::kBasic) {
      char* pass = nullptr;
      char* user = MHD_basic_auth_get_username_password(c, &pass);
      bool good = user && pass && self->user_ == user && self->password_ == pass;
      if (user) MHD_free(user);
      if (pass) MHD_free(pass);
      if (!good) {
        MHD_Response* r =
            MHD_create_response_from_buffer(0, const_cast<char*>(""), MHD_RESPMEM_PERSISTENT);
        MHD_Result ret = MHD_queue_basic_auth_fail_response(c, "test", r);
        MHD_destroy_response(r);
        return ret;
      }
    } else if (self->auth_ == Auth::kDigest) {
      int check = MHD_digest_auth_check2(c, "test", self->user_.c_str(), self->password_.c_str(),
                                         300, MHD_DIGEST_ALG_MD5);
      if (check != MHD_YES) {
        MHD_Response* r =
            MHD_create_response_from_buffer(0, const_cast<char*>(""), MHD_RESPMEM_PERSISTENT);
        MHD_Result ret = MHD_queue_auth_fail_response2(
            c, "test", "opaque1", r, check == MHD_INVALID_NONCE ? MHD_YES : MHD_NO,
            MHD_DIGEST_ALG_MD5);
        MHD_destroy_response(r);
        return ret;
      }
    }
    CannedResponse out;
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      self->requests_.push_back(owned->req);
    }
    out = self->handler_(owned->req);
    MHD_Response* r =
        MHD_create_response_from_buffer(out.body.size(), out.body.data(), MHD_RESPMEM_MUST_COPY);
    for (const auto& [k, v] : out.headers) MHD_add_response_header(r, k.c_str(), v.c_str());
    MHD_Result ret = MHD_queue_response(c, out.status, r);
    MHD_destroy_response(r);
    return ret;
  }

  Handler handler_;
  Auth auth_;
  std::string user_, password_;
  MHD_Daemon* daemon_ = nullptr;
  uint16_t port_ = 0;
  std::mutex mu_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace proxier::testing
