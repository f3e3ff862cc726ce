// GENA against the simulator: initial and change events, SEQ gap -> resync, renewals, failed
// renewal after a device crash -> resync and re-subscription.
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "sim_process.h"

namespace proxier::upnp::testing {
namespace {

// One raw HTTP exchange with 127.0.0.1:port: the first bytes of the answer ("" on failure).
std::string HttpExchange(uint16_t port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) == 0 &&
      write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
    char buf[256] = {};
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    if (n > 0) out.assign(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

class GenaTest : public ControlPointTest {
 protected:
  // True once an event of `uuid` carries a ConfigurationUpdate listing `path` with `value`.
  bool SawChange(const std::string& uuid, const std::string& path, const std::string& value) {
    for (const auto& e : rec_.events) {
      if (e.uuid != uuid || e.service != DmService::kCms) continue;
      for (const auto& [k, v] : e.vars) {
        if (k != "ConfigurationUpdate") continue;
        auto cu = cms::ParseConfigurationUpdate(v);
        if (!cu.ok()) continue;
        for (const auto& pv : cu->changed) {
          if (pv.path == path && pv.value == value) return true;
        }
      }
    }
    return false;
  }
  std::string Dump() {
    std::string out;
    for (const auto& e : rec_.events) {
      out += e.uuid.substr(0, 8) + " svc" + std::to_string(static_cast<int>(e.service)) + ":";
      for (const auto& [k, v] : e.vars) out += " " + k + "=" + v.substr(0, 300);
      out += "\n";
    }
    return out;
  }
  bool SetHostName(const std::string& uuid, const std::string& v) {
    auto r = Await<std::string>([&](auto cb) {
      dm_->SetValues(uuid, {{"/UPnP/DM/Configuration/Network/HostName", v}}, cb);
    });
    return r.ok();
  }
};

TEST_F(GenaTest, EventsAndSeqGap) {
  Sim sim(1, 61001, "gena", {}, {"nas"});
  const std::string udn = sim.Udn(0);
  StartControlPoint();
  ASSERT_TRUE(WaitFor([&] { return Described(udn) && rec_.events.size() >= 3; },
                      kWait));  // initial events of CMS, BMS, SMS
  ASSERT_TRUE(SetHostName(udn, "alpha"));
  ASSERT_TRUE(WaitFor(
      [&] { return SawChange(udn, "/UPnP/DM/Configuration/Network/HostName", "alpha"); }, kWait))
      << Dump();
  // A change made on the device itself.
  ASSERT_EQ(sim.Command("set 0 /UPnP/DM/Configuration/Network/HostName beta"), "OK");
  ASSERT_TRUE(WaitFor(
      [&] { return SawChange(udn, "/UPnP/DM/Configuration/Network/HostName", "beta"); }, kWait));
  EXPECT_EQ(cp_->stats().seq_gaps, 0u);

  // Lost events: a NOTIFY whose SEQ jumps ahead, on the device's own subscription.
  std::string sids = sim.Command("sids 0");
  size_t p = sids.find("ConfigurationManagement=");
  ASSERT_NE(p, std::string::npos) << sids;
  std::string sid = sids.substr(p + 24, sids.find(' ', p) - p - 24);
  std::string body =
      "<e:propertyset xmlns:e=\"urn:schemas-upnp-org:event-1-0\"><e:property>"
      "<ConfigurationUpdate>99,2026-01-01T00:00:00</ConfigurationUpdate></e:property>"
      "</e:propertyset>";
  const std::string callback = cp_->GenaCallback(udn, DmService::kCms);
  ASSERT_NE(callback, "");
  const std::string path = callback.substr(callback.find('/', 7));
  std::string req = "NOTIFY " + path +
                    " HTTP/1.1\r\nHOST: 127.0.0.1:61000\r\nCONTENT-TYPE: text/xml; "
                    "charset=\"utf-8\"\r\nNT: upnp:event\r\nNTS: upnp:propchange\r\nSID: " +
                    sid + "\r\nSEQ: 57\r\nCONTENT-LENGTH: " + std::to_string(body.size()) +
                    "\r\n\r\n" + body;
  // The event server runs on this thread's loop: the exchange runs on another thread.
  std::string resp;
  std::atomic<bool> answered{false};
  std::thread sender([&] {
    resp = HttpExchange(cp_->http_port(), req);
    answered = true;
  });
  const bool got = WaitFor([&] { return answered.load(); }, kWait);
  sender.join();
  ASSERT_TRUE(got);
  EXPECT_EQ(resp.substr(0, 15), "HTTP/1.1 200 OK");
  const uint64_t subs = cp_->stats().subscriptions;
  ASSERT_TRUE(WaitFor([&] { return cp_->stats().seq_gaps == 1; }, kWait));
  ASSERT_FALSE(rec_.resyncs.empty());
  EXPECT_NE(rec_.resyncs[0].reason.find("SEQ gap: expected"), std::string::npos);
  EXPECT_EQ(rec_.resyncs[0].service, DmService::kCms);
  // Re-subscribed, told again, and events flow on the new subscription.
  ASSERT_TRUE(WaitFor(
      [&] {
        return cp_->stats().subscriptions > subs && rec_.resyncs.back().reason == "re-subscribed";
      },
      kWait));
  // libupnp answers a SUBSCRIBE before its device accepts it, and a change in between reaches
  // only the initial event (current version, no change list): wait until the device accepted
  // the new CMS subscription and dropped the old one before changing something.
  ASSERT_TRUE(WaitFor([&] { return Accepted(sim, 0).size() == 4 && Live(sim, 0) == 3; }, kWait))
      << sim.Command("sids 0");
  ASSERT_TRUE(SetHostName(udn, "gamma"));
  ASSERT_TRUE(WaitFor(
      [&] { return SawChange(udn, "/UPnP/DM/Configuration/Network/HostName", "gamma"); }, kWait));
  EXPECT_EQ(cp_->stats().seq_gaps, 1u);
}

TEST_F(GenaTest, RenewalsAndFailedRenewalAfterCrash) {
  Sim sim(1, 61001, "renew", {"--max-subscription-timeout", "12"}, {"nas"});
  const std::string udn = sim.Udn(0);
  StartControlPoint();
  ASSERT_TRUE(WaitFor([&] { return Described(udn) && rec_.events.size() >= 3; }, kWait));
  // Granted 12 s: renewed at 6 s, still delivering after the first term ran out.
  ASSERT_TRUE(WaitFor([&] { return cp_->stats().renewals >= 3; }, kWait));
  ASSERT_TRUE(WaitFor([&] { return cp_->stats().renewals >= 6; }, kWait));
  EXPECT_EQ(cp_->stats().failed_renewals, 0u);
  ASSERT_TRUE(SetHostName(udn, "renewed"));
  ASSERT_TRUE(WaitFor(
      [&] { return SawChange(udn, "/UPnP/DM/Configuration/Network/HostName", "renewed"); }, kWait));
  // The device dies without a byebye: renewals fail, the owner is told to resync.
  sim.Crash();
  auto renew_failed = [&] {
    for (const auto& r : rec_.resyncs) {
      if (r.reason.find("renew") != std::string::npos) return true;
    }
    return false;
  };
  ASSERT_TRUE(WaitFor(renew_failed, kWait));
  EXPECT_GE(cp_->stats().failed_renewals, 1u);
  // It comes back: subscriptions are made again (the new process lists them) and events flow.
  sim.Restart();
  auto subscribed = [&] {
    const std::string sids = sim.Command("sids 0");
    return std::count(sids.begin(), sids.end(), '=') >= 3;
  };
  ASSERT_TRUE(WaitFor(subscribed, kWait)) << sim.Command("sids 0");
  ASSERT_TRUE(SetHostName(udn, "back"));
  EXPECT_TRUE(WaitFor(
      [&] { return SawChange(udn, "/UPnP/DM/Configuration/Network/HostName", "back"); }, kWait));
}

// Stop() unsubscribes: from a device whose subscriptions are in place, and from one whose
// SUBSCRIBEs may still be out when Stop() comes (UNSUBSCRIBE once the SID is known).
TEST_F(GenaTest, UnsubscribesOnStop) {
  Sim sim(2, 61001, "unsub", {}, {"nas", "smart-plug"});
  StartControlPoint();
  ASSERT_TRUE(WaitFor([&] { return Accepted(sim, 0).size() == 3; }, kWait))
      << sim.Command("sids 0");
  for (const auto& [url, sid] : Accepted(sim, 0)) EXPECT_EQ(RenewStatus(url, sid), 200) << url;
  ASSERT_TRUE(WaitFor([&] { return Described(sim.Udn(1)); }, kWait));
  cp_->Stop();
  // SUBSCRIBEs still out at Stop() are accepted later, then cancelled: wait until every one sent
  // has arrived and none is left.
  auto settled = [&] { return GenaSettled() && Live(sim, 0) == 0 && Live(sim, 1) == 0; };
  EXPECT_TRUE(WaitFor(settled, kWait))
      << cp_->stats().subscriptions << " sent; " << sim.Command("sids 0") << " / "
      << sim.Command("sids 1") << "; live " << Live(sim, 0) << " + " << Live(sim, 1);
  EXPECT_TRUE(Described(sim.Udn(0)));  // the registry stays readable after Stop()
}

// Resubscribe() while the first SUBSCRIBEs are still out: their late completions must not be
// taken for the new subscriptions (libupnp reports only the URL); they are cancelled and the
// control point keeps the newer SIDs.
TEST_F(GenaTest, ResubscribeWhileSubscribing) {
  Sim sim(1, 61001, "again", {}, {"nas"});
  const std::string udn = sim.Udn(0);
  StartControlPoint();
  ASSERT_TRUE(WaitFor([&] { return cp_->stats().subscriptions >= 3; }, kWait));
  cp_->Resubscribe(udn);  // right after the SUBSCRIBEs left, before their answers
  ASSERT_TRUE(WaitFor(
      [&] { return cp_->stats().subscriptions >= 6 && GenaSettled() && Live(sim, 0) == 3; }, kWait))
      << sim.Command("sids 0");
  // Per service, the newest SID the device made is the live one, any older one is gone. (An
  // older one may be missing from the device's list: an UNSUBSCRIBE can overtake libupnp's
  // accept callback.)
  std::map<std::string, std::vector<std::string>> by_service;
  for (const auto& [url, sid] : Accepted(sim, 0)) by_service[url].push_back(sid);
  ASSERT_EQ(by_service.size(), 3u);
  for (auto& [url, sids] : by_service) {
    std::sort(sids.begin(), sids.end(),
              [](const auto& a, const auto& b) { return SidTime(a) < SidTime(b); });
    EXPECT_EQ(RenewStatus(url, sids.back()), 200) << url << " " << sids.back();
    for (size_t k = 0; k + 1 < sids.size(); ++k) {
      EXPECT_EQ(RenewStatus(url, sids[k]), 412) << url << " " << sids[k];
    }
  }
  ASSERT_TRUE(SetHostName(udn, "resubscribed"));
  EXPECT_TRUE(WaitFor(
      [&] { return SawChange(udn, "/UPnP/DM/Configuration/Network/HostName", "resubscribed"); },
      kWait));
}

}  // namespace
}  // namespace proxier::upnp::testing
