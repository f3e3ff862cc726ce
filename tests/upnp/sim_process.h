// Test helpers: run upnp-dm-sim as a child process and drive its control channel; run a
// control point on the test's loop and wait on conditions with bounded timeouts.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "child_process.h"
#include "proxier/common/clock.h"
#include "proxier/common/event_loop.h"
#include "proxier/common/log.h"
#include "proxier/upnp/control_point.h"
#include "proxier/upnp/dm_client.h"
#include "proxier/upnp/url.h"

namespace proxier::upnp::testing {

// Bound of a wait on a condition that normally holds within a second. Generous on purpose: it
// only stops a hung test (every wait ends as soon as its condition holds), and CI runs these
// tests with `ctest -j2` on 2 cores next to CPU-heavy ones.
inline constexpr std::chrono::milliseconds kWait{20000};

inline std::string SimBinary() { return PROXIER_SIM_BINARY; }
inline std::string Profile(const std::string& name) {
  return std::string(PROXIER_SOURCE_DIR) + "/etc/sim/" + name + ".toml";
}

// Starts a simulator and waits for its READY line.
class Sim {
 public:
  Sim(int count, uint16_t port, const std::string& seed, std::vector<std::string> extra = {},
      std::vector<std::string> profiles = {"smart-plug", "nas", "set-top-box"}) {
    std::vector<std::string> argv = {
        SimBinary(),   "--count", std::to_string(count), "--port", std::to_string(port),
        "--uuid-seed", seed,      "--interface",         "lo",     "--ip",
        "127.0.0.1"};
    for (const auto& p : profiles) {
      argv.push_back("--profile");
      argv.push_back(Profile(p));
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    if (getenv("PX_DEBUG")) {
      argv.push_back("--log-level");
      argv.push_back("debug");
    }
    argv_ = argv;
    Restart();
  }
  void Restart() {
    child_ = Child::Spawn(argv_);
    std::string line = child_->ReadLine(std::chrono::milliseconds(60000));
    ready_ = line.rfind("READY", 0) == 0;
    EXPECT_TRUE(ready_) << "simulator did not start: '" << line << "'";
  }
  // Sends a control command and returns its reply line.
  std::string Command(const std::string& line) {
    child_->Write(line);
    return child_->ReadLine(std::chrono::milliseconds(20000));
  }
  std::string Udn(int i) {
    std::string r = Command("udn " + std::to_string(i));
    return r.size() > 3 ? r.substr(3) : "";
  }
  void Crash() { child_->Kill(); }
  bool ready() const { return ready_; }

 private:
  std::vector<std::string> argv_;
  std::unique_ptr<Child> child_;
  bool ready_ = false;
};

// HTTP status of a GENA renewal (SUBSCRIBE with SID) sent straight to the device: 200 while the
// subscription exists there, 412 once it is gone (libupnp tells its device nothing about an
// UNSUBSCRIBE, so this is how a test sees one arrive).
inline int RenewStatus(const std::string& event_url, const std::string& sid) {
  auto url = ParseUrl(event_url);
  if (!url.ok()) return -1;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(url->port);
  inet_pton(AF_INET, url->host.c_str(), &to.sin_addr);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  const std::string req = "SUBSCRIBE " + url->path + " HTTP/1.1\r\nHOST: " + url->HostPort() +
                          "\r\nSID: " + sid +
                          "\r\nTIMEOUT: Second-1800\r\nCONTENT-LENGTH: 0\r\n\r\n";
  char resp[64] = {};
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) == 0 &&
                  write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size()) &&
                  read(fd, resp, sizeof(resp) - 1) > 12;
  close(fd);
  return ok ? std::atoi(resp + 9) : -1;  // "HTTP/1.1 200 OK"
}

// Records what the control point reports.
class Recorder : public Listener {
 public:
  void OnDevice(const RootDevice& d, DeviceChange change) override {
    changes.push_back({d.uuid, change});
  }
  void OnEvent(const std::string& uuid, DmService service, const Args& vars) override {
    events.push_back({uuid, service, vars});
  }
  void OnResync(const std::string& uuid, DmService service, const std::string& reason) override {
    resyncs.push_back({uuid, service, reason});
  }
  size_t Count(const std::string& uuid, DeviceChange change) const {
    size_t n = 0;
    for (const auto& [u, c] : changes) n += u == uuid && c == change;
    return n;
  }
  struct Event {
    std::string uuid;
    DmService service;
    Args vars;
  };
  struct Resync {
    std::string uuid;
    DmService service;
    std::string reason;
  };
  std::vector<std::pair<std::string, DeviceChange>> changes;
  std::vector<Event> events;
  std::vector<Resync> resyncs;
};

class ControlPointTest : public ::testing::Test {
 protected:
  void StartControlPoint(ControlPointOptions o = {}) {
    if (getenv("PX_DEBUG")) log::SetLevel(log::Level::kDebug);
    o.interface = o.interface.empty() ? "lo" : o.interface;
    if (o.port == 0) o.port = 61000;
    auto cp = ControlPoint::Create(loop_, o);
    ASSERT_TRUE(cp.ok()) << cp.status();
    cp_ = std::move(cp).value();
    cp_->AddListener(&rec_);
    ASSERT_TRUE(cp_->Start().ok());
    dm_ = std::make_unique<DmClient>(*cp_);
  }
  void TearDown() override {
    dm_.reset();
    if (cp_) cp_->RemoveListener(&rec_);
    cp_.reset();
  }
  bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
    return loop_.RunUntil(cond, timeout);
  }
  // (event URL, device-side SID) of every subscription device `i` of `sim` accepted so far
  // (whoever cancelled them since).
  std::vector<std::pair<std::string, std::string>> Accepted(Sim& sim, int i) {
    std::vector<std::pair<std::string, std::string>> out;
    const RootDevice* d = cp_->Find(sim.Udn(i));
    const std::string sids = sim.Command("sids " + std::to_string(i));
    for (DmService kind : {DmService::kCms, DmService::kBms, DmService::kSms}) {
      const ServiceInfo* svc = d && d->description ? d->description->FindService(kind) : nullptr;
      if (!svc) continue;
      const std::string key = svc->service_id.substr(svc->service_id.rfind(':') + 1) + "=";
      for (size_t p = sids.find(key); p != std::string::npos; p = sids.find(key, p + 1)) {
        size_t from = p + key.size();
        out.emplace_back(svc->event_sub_url, sids.substr(from, sids.find(' ', from) - from));
      }
    }
    return out;
  }
  // How many of those still exist on the device.
  size_t Live(Sim& sim, int i) {
    size_t n = 0;
    for (const auto& [url, sid] : Accepted(sim, i)) n += RenewStatus(url, sid) == 200;
    return n;
  }
  // No SUBSCRIBE or UNSUBSCRIBE of the control point is waiting for its answer.
  bool GenaSettled() {
    const auto s = cp_->stats();
    return s.gena_answers == s.subscriptions + s.unsubscriptions;
  }
  // When a time-based (v1) UUID such as libupnp's SIDs was made: orders the SIDs of a device.
  static uint64_t SidTime(const std::string& sid) {
    const std::string u = sid.rfind("uuid:", 0) == 0 ? sid.substr(5) : sid;
    if (u.size() < 18) return 0;
    return (std::stoull(u.substr(14, 4), nullptr, 16) & 0x0fff) << 48 |
           std::stoull(u.substr(9, 4), nullptr, 16) << 32 |
           std::stoull(u.substr(0, 8), nullptr, 16);
  }
  bool Described(const std::string& uuid) {
    const RootDevice* d = cp_->Find(uuid);
    return d && d->description.has_value();
  }
  // Runs one typed DmClient call to completion (bounded).
  template <typename T, typename Call>
  Reply<T> Await(Call call, std::chrono::milliseconds timeout = kWait) {
    std::optional<Reply<T>> out;
    call([&](Reply<T> r) { out = std::move(r); });
    EXPECT_TRUE(WaitFor([&] { return out.has_value(); }, timeout)) << "no completion";
    if (!out) {
      Reply<T> r;
      r.status = Status(Code::kInternalError, "test: no completion");
      return r;
    }
    return std::move(*out);
  }

  SystemClock clock_;
  EventLoop loop_{clock_};
  std::unique_ptr<ControlPoint> cp_;
  std::unique_ptr<DmClient> dm_;
  Recorder rec_;
};

}  // namespace proxier::upnp::testing
