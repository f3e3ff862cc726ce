// curl multi loop on a worker thread.
#include "proxier/upnp/http_worker.h"

#include <curl/curl.h>

#include <cctype>
#include <string_view>
#include <unordered_map>

namespace proxier::upnp {
namespace {

struct Transfer {
  uint64_t id;
  HttpRequest request;
  std::string body;
  std::map<std::string, std::string> response_headers;
  bool too_big = false;
  curl_slist* headers = nullptr;
};

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * n;
  std::string_view line(data, bytes);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response_headers.clear();  // a new header block (after 100 Continue, ...)
    return bytes;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0 || bytes > HttpResponse::kMaxHeaderBytes ||
      t->response_headers.size() >= HttpResponse::kMaxHeaders) {
    return bytes;  // ignored, never an error
  }
  std::string name(line.substr(0, colon));
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ' ||
                            value.back() == '\t')) {
    value.remove_suffix(1);
  }
  t->response_headers.emplace(std::move(name), std::string(value));
  return bytes;
}

size_t OnData(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t bytes = size * n;
  if (t->body.size() + bytes > t->request.max_response) {
    t->too_big = true;
    return 0;  // aborts the transfer
  }
  t->body.append(data, bytes);
  return bytes;
}

}  // namespace

const std::string& HttpResponse::Header(const std::string& lower_name) const {
  static const std::string kNone;
  auto it = headers.find(lower_name);
  return it == headers.end() ? kNone : it->second;
}

HttpWorker::HttpWorker(EventLoop& loop, std::string source_ip)
    : loop_(loop), source_ip_(std::move(source_ip)), alive_(std::make_shared<bool>(true)) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  multi_ = curl_multi_init();
  curl_multi_setopt(static_cast<CURLM*>(multi_), CURLMOPT_MAX_HOST_CONNECTIONS,
                    static_cast<long>(kMaxPerHost));
  thread_ = std::thread([this] { Run(); });
}

HttpWorker::~HttpWorker() {
  *alive_ = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
  thread_.join();
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

uint64_t HttpWorker::Send(HttpRequest request, Done done) {
  uint64_t id = next_id_++;
  done_[id] = std::move(done);
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back({id, std::move(request)});
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
  return id;
}

void HttpWorker::Cancel(uint64_t id) {
  if (done_.erase(id) == 0) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancels_.push_back(id);
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
}

void HttpWorker::Complete(uint64_t id, Result<HttpResponse> result) {
  std::weak_ptr<bool> alive = alive_;
  loop_.Post([this, alive, id, r = std::move(result)]() mutable {
    auto a = alive.lock();
    if (!a || !*a) return;
    auto it = done_.find(id);
    if (it == done_.end()) return;  // cancelled
    Done d = std::move(it->second);
    done_.erase(it);
    d(std::move(r));
  });
}

void HttpWorker::Run() {
  CURLM* multi = static_cast<CURLM*>(multi_);
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active;
  for (;;) {
    std::deque<Job> jobs;
    std::vector<uint64_t> cancels;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) break;
      jobs.swap(queue_);
      cancels.swap(cancels_);
    }
    for (uint64_t id : cancels) {
      for (auto it = active.begin(); it != active.end(); ++it) {
        if (it->second->id != id) continue;
        curl_multi_remove_handle(multi, it->first);
        curl_slist_free_all(it->second->headers);
        curl_easy_cleanup(it->first);
        active.erase(it);
        break;
      }
    }
    for (auto& job : jobs) {
      auto t = std::make_unique<Transfer>();
      t->id = job.id;
      t->request = std::move(job.request);
      CURL* e = curl_easy_init();
      curl_easy_setopt(e, CURLOPT_URL, t->request.url.c_str());
      curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http");
      curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
      curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
      // LAN URLs hold addresses: nothing to cache, and a host announcing thousands of
      // LOCATIONs would otherwise leave one DNS cache entry per host:port for a minute.
      curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
      curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(t->request.timeout.count()));
      curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
                       static_cast<curl_off_t>(t->request.max_response));
      curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnData);
      curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
      curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
      curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
      if (!source_ip_.empty())
        curl_easy_setopt(e, CURLOPT_INTERFACE, ("host!" + source_ip_).c_str());
      for (const auto& h : t->request.headers)
        t->headers = curl_slist_append(t->headers, h.c_str());
      if (t->request.method == "POST") {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->request.body.c_str());
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(t->request.body.size()));
        t->headers = curl_slist_append(t->headers, "Expect:");
      } else if (t->request.method != "GET") {
        // SUBSCRIBE / UNSUBSCRIBE (GENA): no body.
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t->request.method.c_str());
      }
      curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
      curl_multi_add_handle(multi, e);
      active[e] = std::move(t);
    }
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      CURL* e = m->easy_handle;
      auto it = active.find(e);
      if (it == active.end()) continue;
      Transfer& t = *it->second;
      CURLcode code = m->data.result;
      if (code == CURLE_OK) {
        HttpResponse r;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r.status);
        r.body = std::move(t.body);
        r.headers = std::move(t.response_headers);
        Complete(t.id, std::move(r));
      } else if (t.too_big || code == CURLE_FILESIZE_EXCEEDED) {
        Complete(t.id, Status(Code::kResourcesExceeded,
                              "response from " + t.request.url + " over " +
                                  std::to_string(t.request.max_response) + " bytes"));
      } else if (code == CURLE_OPERATION_TIMEDOUT) {
        Complete(t.id, Status(Code::kInternalError, "timeout after " +
                                                        std::to_string(t.request.timeout.count()) +
                                                        " ms: " + t.request.url));
      } else {
        Complete(t.id,
                 Status(Code::kInternalError, t.request.url + ": " + curl_easy_strerror(code)));
      }
      curl_multi_remove_handle(multi, e);
      curl_slist_free_all(t.headers);
      curl_easy_cleanup(e);
      active.erase(it);
    }
    curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  for (auto& [e, t] : active) {
    curl_multi_remove_handle(multi, e);
    curl_slist_free_all(t->headers);
    curl_easy_cleanup(e);
  }
}

}  // namespace proxier::upnp
