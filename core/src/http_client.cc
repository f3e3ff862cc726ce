// HttpClient: curl multi socket API on the EventLoop.
#include "proxier/core/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>

namespace proxier::core {

struct HttpSession::Transfer {
  std::function<void(Result<HttpResponse>)> done;
  HttpResponse response;
  uint64_t max_bytes = 0;
  bool oversized = false;
  FILE* out = nullptr;
  FILE* in = nullptr;
  curl_slist* headers = nullptr;
  char error[CURL_ERROR_SIZE] = {0};
  std::function<void(uint64_t, uint64_t)> progress;
  std::chrono::steady_clock::time_point last_progress{};
  ~Transfer() {
    if (out) fclose(out);
    if (in) fclose(in);
    curl_slist_free_all(headers);
  }
};

namespace {

size_t OnWrite(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<HttpSession::Transfer*>(user);
  size_t bytes = size * n;
  if (t->response.bytes + bytes > t->max_bytes) {
    t->oversized = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->response.bytes += bytes;
  if (t->out) return fwrite(data, 1, bytes, t->out);
  t->response.body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<HttpSession::Transfer*>(user);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();  // a new response (after 401, 100 or a redirect)
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::string value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.pop_back();
  // Several challenges (e.g. Basic and Digest) may come in separate headers: keep them all.
  auto& slot = t->response.headers[name];
  slot = name == "www-authenticate" && !slot.empty() ? slot + ", " + value : value;
  return size * n;
}

int OnProgress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
               curl_off_t ulnow) {
  auto* t = static_cast<HttpSession::Transfer*>(user);
  if (!t->progress) return 0;
  auto now = std::chrono::steady_clock::now();
  if (now - t->last_progress < std::chrono::seconds(1)) return 0;
  t->last_progress = now;
  if (ultotal > 0) {
    t->progress(static_cast<uint64_t>(ulnow), static_cast<uint64_t>(ultotal));
  } else {
    t->progress(static_cast<uint64_t>(dlnow), static_cast<uint64_t>(dltotal));
  }
  return 0;
}

// True when a WWW-Authenticate header offers Digest (case-insensitive scheme name).
bool OffersDigest(const std::map<std::string, std::string>& headers) {
  auto it = headers.find("www-authenticate");
  if (it == headers.end()) return false;
  std::string v = it->second;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v.find("digest") != std::string::npos;
}

}  // namespace

HttpSession::HttpSession(HttpClient* client) : client_(client), easy_(curl_easy_init()) {
  curl_easy_setopt(easy_, CURLOPT_COOKIEFILE, "");  // in-memory cookie engine for this session
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy_, CURLOPT_PRIVATE, this);
}

HttpSession::~HttpSession() {
  if (busy_) curl_multi_remove_handle(client_->multi_, easy_);
  curl_easy_cleanup(easy_);
}

void HttpSession::ClearCookies() { curl_easy_setopt(easy_, CURLOPT_COOKIELIST, "ALL"); }

Status HttpSession::Send(const HttpRequest& req, std::function<void(Result<HttpResponse>)> done) {
  if (busy_) return Status(Code::kInternalError, "HTTP session busy");
  auto t = std::make_unique<Transfer>();
  t->done = std::move(done);
  t->max_bytes = req.max_body_bytes;
  t->progress = req.progress;
  CURL* e = easy_;
  // Options that may linger from the previous request of this session are all set explicitly.
  curl_easy_setopt(e, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnWrite);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(e, CURLOPT_XFERINFODATA, t.get());
  curl_easy_setopt(e, CURLOPT_NOPROGRESS, req.progress ? 0L : 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout.count()));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(req.max_redirects));
  curl_easy_setopt(e, CURLOPT_POSTREDIR, static_cast<long>(CURL_REDIR_POST_ALL));
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, req.decode_content ? "" : nullptr);
  // TLS 1.2 at least, whatever the server offers (TR-069 Amendment 6 requires 1.2).
  curl_easy_setopt(e, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, req.tls.verify ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, req.tls.verify ? 2L : 0L);
  curl_easy_setopt(e, CURLOPT_CAINFO, req.tls.ca_file.empty() ? nullptr : req.tls.ca_file.c_str());
  curl_easy_setopt(e, CURLOPT_SSLCERT,
                   req.tls.client_cert.empty() ? nullptr : req.tls.client_cert.c_str());
  curl_easy_setopt(e, CURLOPT_SSLKEY,
                   req.tls.client_key.empty() ? nullptr : req.tls.client_key.c_str());
  const bool credentials = !req.username.empty() || !req.password.empty();
  const bool defer_digest =
      credentials && !req.allow_basic && !digest_armed_ && req.method != "GET";
  unchallenged_.reset();
  if (defer_digest) unchallenged_ = req;
  if (credentials && !defer_digest) {
    curl_easy_setopt(e, CURLOPT_USERNAME, req.username.c_str());
    curl_easy_setopt(e, CURLOPT_PASSWORD, req.password.Reveal().c_str());
    curl_easy_setopt(e, CURLOPT_HTTPAUTH,
                     req.allow_basic ? (CURLAUTH_BASIC | CURLAUTH_DIGEST)
                                     : static_cast<unsigned long>(CURLAUTH_DIGEST));
  } else {
    curl_easy_setopt(e, CURLOPT_USERNAME, nullptr);
    curl_easy_setopt(e, CURLOPT_PASSWORD, nullptr);
    curl_easy_setopt(e, CURLOPT_HTTPAUTH, static_cast<unsigned long>(CURLAUTH_NONE));
  }
  // Method and body.
  curl_easy_setopt(e, CURLOPT_UPLOAD, 0L);
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, nullptr);
  if (!req.upload_path.empty()) {
    t->in = fopen(req.upload_path.c_str(), "rb");
    if (!t->in) return Status(Code::kUploadFailure, "cannot read " + req.upload_path);
    fseek(t->in, 0, SEEK_END);
    long size = ftell(t->in);
    fseek(t->in, 0, SEEK_SET);
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_READDATA, t->in);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, nullptr);
    curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
    if (req.method != "PUT") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  } else if (req.method == "GET") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, req.body.c_str());
    if (req.method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  if (!req.output_path.empty()) {
    t->out = fopen(req.output_path.c_str(), "wb");
    if (!t->out) return Status(Code::kDownloadFailure, "cannot write " + req.output_path);
  }
  t->headers = curl_slist_append(t->headers, "Expect:");
  for (const auto& h : req.headers) t->headers = curl_slist_append(t->headers, h.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);

  transfer_ = std::move(t);
  busy_ = true;
  CURLMcode mc = curl_multi_add_handle(client_->multi_, e);
  if (mc != CURLM_OK) {
    busy_ = false;
    transfer_.reset();
    return Status(Code::kInternalError,
                  std::string("curl_multi_add_handle: ") + curl_multi_strerror(mc));
  }
  return Status::Ok();
}

void HttpSession::Finish(int code) {
  busy_ = false;
  std::unique_ptr<Transfer> t = std::move(transfer_);
  if (t->out) {
    fclose(t->out);
    t->out = nullptr;
  }
  CURLcode rc = static_cast<CURLcode>(code);
  std::optional<HttpRequest> unchallenged = std::move(unchallenged_);
  unchallenged_.reset();
  if (rc == CURLE_OK) {
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &t->response.status);
    if (unchallenged && t->response.status == 401 && OffersDigest(t->response.headers)) {
      // Challenged: the same request again, now with the Digest-only credentials.
      digest_armed_ = true;
      auto done = std::move(t->done);
      t.reset();
      Status st = Send(*unchallenged, done);
      if (!st.ok()) done(st);
      return;
    }
    char* url = nullptr;
    curl_easy_getinfo(easy_, CURLINFO_EFFECTIVE_URL, &url);
    if (url) t->response.effective_url = url;
    char* ip = nullptr;
    curl_easy_getinfo(easy_, CURLINFO_LOCAL_IP, &ip);
    if (ip) t->response.local_ip = ip;
    return t->done(std::move(t->response));
  }
  std::string detail = t->error[0] ? t->error : curl_easy_strerror(rc);
  Code fault = Code::kInternalError;
  if (t->oversized) {
    fault = Code::kResourcesExceeded;
    detail = "response body larger than " + std::to_string(t->max_bytes) + " bytes";
  } else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
             rc == CURLE_SSL_CERTPROBLEM) {
    fault = Code::kTransferAuthFailure;
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    detail = "timeout: " + detail;
  }
  t->done(Status(fault, detail));
}

HttpClient::HttpClient(EventLoop& loop) : loop_(loop) {
  static const bool init = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)init;
  multi_ = curl_multi_init();
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &HttpClient::OnSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &HttpClient::OnTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

HttpClient::~HttpClient() {
  if (timer_armed_) loop_.Cancel(timer_);
  for (const auto& [fd, on] : watched_) loop_.UnwatchFd(fd);
  curl_multi_cleanup(multi_);
}

std::unique_ptr<HttpSession> HttpClient::NewSession() {
  return std::unique_ptr<HttpSession>(new HttpSession(this));
}

int HttpClient::OnSocket(CURL* /*easy*/, int fd, int what, void* user, void* /*socket_data*/) {
  auto* self = static_cast<HttpClient*>(user);
  if (what == CURL_POLL_REMOVE) {
    if (self->watched_.erase(fd)) self->loop_.UnwatchFd(fd);
    return 0;
  }
  uint32_t events = 0;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) events |= EventLoop::kReadable;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) events |= EventLoop::kWritable;
  if (self->watched_.count(fd)) {
    (void)self->loop_.ModifyFd(fd, events);
  } else {
    Status st = self->loop_.WatchFd(fd, events, [self, fd](uint32_t ready) {
      int flags = 0;
      if (ready & EventLoop::kReadable) flags |= CURL_CSELECT_IN;
      if (ready & EventLoop::kWritable) flags |= CURL_CSELECT_OUT;
      if (ready & EventLoop::kError) flags |= CURL_CSELECT_ERR;
      self->Action(fd, flags);
    });
    if (st.ok()) self->watched_[fd] = true;
  }
  return 0;
}

int HttpClient::OnTimer(CURLM* /*multi*/, long timeout_ms, void* user) {
  auto* self = static_cast<HttpClient*>(user);
  if (self->timer_armed_) {
    self->loop_.Cancel(self->timer_);
    self->timer_armed_ = false;
  }
  if (timeout_ms < 0) return 0;
  self->timer_armed_ = true;
  self->timer_ = self->loop_.RunAfter(Millis(timeout_ms), [self] {
    self->timer_armed_ = false;
    self->Action(CURL_SOCKET_TIMEOUT, 0);
  });
  return 0;
}

void HttpClient::Action(int fd, int events) {
  int running = 0;
  curl_multi_socket_action(multi_, fd, events, &running);
  CheckDone();
}

void HttpClient::CheckDone() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    int code = msg->data.result;
    curl_multi_remove_handle(multi_, easy);
    HttpSession* session = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&session));
    if (session) session->Finish(code);
  }
}

}  // namespace proxier::core
