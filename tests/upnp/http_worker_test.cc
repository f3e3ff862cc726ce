// HttpWorker against a hostile HTTP server on loopback: oversized bodies, a Content-Length
// larger than what is sent, a server that never answers, and a description over the limit
// refused by the control point's fetch path; few requests at a time to one host.
#include "proxier/upnp/http_worker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <thread>

#include "proxier/common/clock.h"
#include "proxier/common/event_loop.h"
#include "proxier/upnp/description.h"

namespace proxier::upnp {
namespace {

// Serves every connection with the same raw bytes, then holds or closes it.
class RawServer {
 public:
  RawServer(std::string response, bool hold_open)
      : response_(std::move(response)), hold_(hold_open) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    listen(fd_, 8);
    thread_ = std::thread([this] {
      for (;;) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0 || stop_) {
          if (c >= 0) close(c);
          return;
        }
        ++accepted_;
        char buf[4096];
        (void)!read(c, buf, sizeof(buf));
        (void)!write(c, response_.data(), response_.size());
        if (hold_) {
          held_.push_back(c);
        } else {
          close(c);
        }
      }
    });
  }
  ~RawServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
    for (int c : held_) close(c);
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int accepted() const { return accepted_; }

 private:
  std::string response_;
  bool hold_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::vector<int> held_;
  std::thread thread_;
};

class HttpWorkerTest : public ::testing::Test {
 protected:
  Result<HttpResponse> Get(const std::string& url, size_t max, Millis timeout) {
    std::optional<Result<HttpResponse>> out;
    HttpRequest r;
    r.url = url;
    r.max_response = max;
    r.timeout = timeout;
    worker_.Send(r, [&](Result<HttpResponse> x) { out.emplace(std::move(x)); });
    EXPECT_TRUE(loop_.RunUntil([&] { return out.has_value(); }, Millis(10000)));
    return out ? std::move(*out) : Result<HttpResponse>(Status(Code::kInternalError, "none"));
  }
  SystemClock clock_;
  EventLoop loop_{clock_};
  HttpWorker worker_{loop_, "127.0.0.1"};
};

TEST_F(HttpWorkerTest, HugeBodyIsCutOff) {
  RawServer s("HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\n\r\n" + std::string(2000000, 'x'),
              false);
  auto r = Get(s.Url("/desc.xml"), 64 * 1024, Millis(5000));
  EXPECT_EQ(r.status().code(), Code::kResourcesExceeded) << r.status();
}

TEST_F(HttpWorkerTest, ChunkedHugeBodyIsCutOff) {
  std::string chunk = std::string("8000\r\n") + std::string(0x8000, 'y') + "\r\n";
  std::string body;
  for (int i = 0; i < 8; ++i) body += chunk;
  RawServer s("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body + "0\r\n\r\n", false);
  auto r = Get(s.Url("/"), 64 * 1024, Millis(5000));
  EXPECT_EQ(r.status().code(), Code::kResourcesExceeded) << r.status();
}

TEST_F(HttpWorkerTest, WrongContentLength) {
  // Announces more than it sends, then closes: a transfer error, never a partial success.
  RawServer longer("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n<root>short</root>", false);
  auto a = Get(longer.Url("/"), 1 << 20, Millis(5000));
  EXPECT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), Code::kInternalError);
  // Announces less than it sends: the body is cut, and the description parser refuses it.
  std::string doc =
      "<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device><deviceType>t</deviceType>"
      "<UDN>uuid:1</UDN></device></root>";
  RawServer shorter("HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n" + doc, false);
  auto b = Get(shorter.Url("/d.xml"), 1 << 20, Millis(5000));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->body.size(), 30u);
  EXPECT_FALSE(ParseDescription(b->body, shorter.Url("/d.xml")).ok());
}

TEST_F(HttpWorkerTest, SilentServerTimesOutWithoutBlockingTheLoop) {
  RawServer s("", true);
  auto t0 = std::chrono::steady_clock::now();
  std::optional<Result<HttpResponse>> slow;
  HttpRequest r;
  r.url = s.Url("/");
  r.timeout = Millis(1000);
  worker_.Send(r, [&](Result<HttpResponse> x) { slow.emplace(std::move(x)); });
  bool ticked = false;
  loop_.RunAfter(Millis(50), [&] { ticked = true; });
  ASSERT_TRUE(loop_.RunUntil([&] { return ticked; }, Millis(20000)));
  EXPECT_FALSE(slow.has_value());  // the loop kept running while the request waited
  ASSERT_TRUE(loop_.RunUntil([&] { return slow.has_value(); }, Millis(20000)));
  EXPECT_NE(slow->status().message().find("timeout"), std::string::npos) << slow->status();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(950));
}

TEST_F(HttpWorkerTest, CancelledRequestNeverCompletes) {
  RawServer s("", true);
  bool called = false;
  HttpRequest r;
  r.url = s.Url("/");
  r.timeout = Millis(200);
  uint64_t id = worker_.Send(r, [&](Result<HttpResponse>) { called = true; });
  worker_.Cancel(id);
  bool later = false;
  loop_.RunAfter(Millis(500), [&] { later = true; });
  ASSERT_TRUE(loop_.RunUntil([&] { return later; }, Millis(3000)));
  EXPECT_FALSE(called);
}

// One process often serves many root devices (a bridge; upnp-dm-sim, whose libupnp drops
// connections beyond a 100-job queue): at most kMaxPerHost requests are on the wire to one
// host:port, the others wait (and their wait counts in their timeout). Other hosts are not held
// back by a busy one.
TEST_F(HttpWorkerTest, FewRequestsPerHostOnTheWire) {
  RawServer silent("", true);
  RawServer other("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", false);
  constexpr int kRequests = 3 * HttpWorker::kMaxPerHost;
  int done = 0;
  int timeouts = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kRequests; ++i) {
    HttpRequest r;
    r.url = silent.Url("/" + std::to_string(i));
    r.timeout = Millis(1500);
    worker_.Send(r, [&](Result<HttpResponse> x) {
      ++done;
      timeouts += !x.ok() && x.status().message().find("timeout") != std::string::npos;
    });
  }
  ASSERT_TRUE(
      loop_.RunUntil([&] { return silent.accepted() >= HttpWorker::kMaxPerHost; }, Millis(10000)));
  // Another host answers at once while the silent one holds its share of connections.
  auto r = Get(other.Url("/"), 1024, Millis(5000));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "ok");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1000));
  EXPECT_EQ(silent.accepted(), HttpWorker::kMaxPerHost);
  EXPECT_EQ(done, 0);
  // Every request ends with its own timeout, the queued ones included (not one turn after
  // another: 3 x 1.5 s).
  ASSERT_TRUE(loop_.RunUntil([&] { return done == kRequests; }, Millis(20000)));
  EXPECT_EQ(timeouts, kRequests);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(4000));
}

}  // namespace
}  // namespace proxier::upnp
