// libFuzzer target: raw bytes sent as an HTTP request to the ConnectionRequestServer (libmicrohttpd
// in the EventLoop, Digest checks, rate limit). The server must answer or close, never crash.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "proxier/common/clock.h"
#include "proxier/common/event_loop.h"
#include "proxier/common/log.h"
#include "proxier/core/connection_request_server.h"

namespace {

struct Harness {
  proxier::SystemClock clock;
  proxier::EventLoop loop{clock};
  std::unique_ptr<proxier::core::ConnectionRequestServer> server;
  int accepted = 0;

  Harness() {
    proxier::log::SetLevel(proxier::log::Level::kOff);
    proxier::core::ConnectionRequestOptions o;
    o.listen_host = "127.0.0.1";
    o.port = 0;
    o.rate_limit = 1000000;
    server = std::move(proxier::core::ConnectionRequestServer::Start(loop, o)).value();
    server->AddEndpoint(
        {"/cr", "cruser", proxier::Secret("crpass"), [this] { ++accepted; }, {}, {}});
    server->AddEndpoint(
        {"/vd/1", "vd", proxier::Secret("pw"), [this] { ++accepted; }, [] { return false; }, {}});
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* h = new Harness();
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(h->server->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  // Let the server accept, then send everything and half-close.
  h->loop.RunOnce(proxier::Millis(5));
  size_t sent = 0;
  bool closed = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
  while (!closed && std::chrono::steady_clock::now() < deadline) {
    if (sent < size) {
      ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
      if (n > 0) sent += static_cast<size_t>(n);
      if (sent == size) shutdown(fd, SHUT_WR);
    } else if (size == 0) {
      shutdown(fd, SHUT_WR);
    }
    h->loop.RunOnce(proxier::Millis(2));
    char buf[4096];
    ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (r == 0) closed = true;
  }
  close(fd);
  h->loop.RunUntilIdle();
  return 0;
}
