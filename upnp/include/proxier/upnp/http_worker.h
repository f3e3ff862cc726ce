// HttpWorker: plain-HTTP requests on one worker thread (curl multi); completions posted to a loop.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "proxier/common/clock.h"
#include "proxier/common/event_loop.h"
#include "proxier/common/status.h"

namespace proxier::upnp {

struct HttpRequest {
  std::string method = "GET";        // GET, POST, or another token (SUBSCRIBE, UNSUBSCRIBE)
  std::string url;                   // http:// only (other protocols and redirects are refused)
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  Millis timeout{10000};          // whole exchange
  size_t max_response = 1 << 20;  // larger bodies abort the transfer
};

struct HttpResponse {
  long status = 0;
  std::string body;
  // Response headers, names lower-cased, values trimmed; a repeated header keeps its first
  // value. At most kMaxHeaders of at most kMaxHeaderBytes each are kept (the rest are dropped).
  std::map<std::string, std::string> headers;
  static constexpr size_t kMaxHeaders = 32;
  static constexpr size_t kMaxHeaderBytes = 1024;
  // "" when absent.
  const std::string& Header(const std::string& lower_name) const;
};

// Runs requests concurrently on its own thread so the engine never waits on a device. The source
// address is pinned to `source_ip` (the LAN interface) when given. At most kMaxPerHost requests
// are on the wire to one host:port at a time; the others wait their turn, and that wait counts in
// their timeout. One process often serves many root devices (a bridge, or upnp-dm-sim: libupnp
// drops connections beyond its 100-job queue), and a burst of requests to all of them at once
// (startup, 100 devices found together) must not overrun it.
// Errors delivered to `done`: 9002 "timeout" after HttpRequest::timeout, 9002 for connection
// errors, 9004 when the body exceeds max_response. HTTP error statuses are not errors (the
// caller reads SOAP faults from 500 bodies).
// Thread: Send/Cancel on the loop thread; `done` runs on the loop thread, never after the
// destructor (which stops the worker and drops unfinished requests).
class HttpWorker {
 public:
  using Done = std::function<void(Result<HttpResponse>)>;
  static constexpr int kMaxPerHost = 8;

  HttpWorker(EventLoop& loop, std::string source_ip);
  ~HttpWorker();
  HttpWorker(const HttpWorker&) = delete;
  HttpWorker& operator=(const HttpWorker&) = delete;

  // Returns an id for Cancel().
  uint64_t Send(HttpRequest request, Done done);
  // Drops the request; `done` will not run.
  void Cancel(uint64_t id);
  size_t in_flight() const { return done_.size(); }

 private:
  struct Job {
    uint64_t id;
    HttpRequest request;
  };
  struct Finished {
    uint64_t id;
    Result<HttpResponse> result;
  };
  void Run();
  void Complete(uint64_t id, Result<HttpResponse> result);

  EventLoop& loop_;
  std::string source_ip_;
  std::shared_ptr<bool> alive_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, Done> done_;  // loop thread only

  std::mutex mu_;
  std::deque<Job> queue_;
  std::vector<uint64_t> cancels_;
  bool stop_ = false;
  void* multi_ = nullptr;  // CURLM*
  std::thread thread_;
};

}  // namespace proxier::upnp
