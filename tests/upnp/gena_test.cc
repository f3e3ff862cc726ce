// GENA against the simulator: initial and change events, SEQ gap -> resync, renewals, failed
// renewal after a device crash -> resync and re-subscription.
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "sim_process.h"

namespace proxier::upnp::testing {
namespace {

using std::chrono::milliseconds;

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
                      milliseconds(10000)));  // initial events of CMS, BMS, SMS
  ASSERT_TRUE(SetHostName(udn, "alpha"));
  ASSERT_TRUE(
      WaitFor([&] { return SawChange(udn, "/UPnP/DM/Configuration/Network/HostName", "alpha"); },
              milliseconds(5000)))
      << Dump();
  // A change made on the device itself.
  ASSERT_EQ(sim.Command("set 0 /UPnP/DM/Configuration/Network/HostName beta"), "OK");
  ASSERT_TRUE(
      WaitFor([&] { return SawChange(udn, "/UPnP/DM/Configuration/Network/HostName", "beta"); },
              milliseconds(5000)));
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
  std::string req =
      "NOTIFY / HTTP/1.1\r\nHOST: 127.0.0.1:61000\r\nCONTENT-TYPE: text/xml; "
      "charset=\"utf-8\"\r\nNT: upnp:event\r\nNTS: upnp:propchange\r\nSID: " +
      sid + "\r\nSEQ: 57\r\nCONTENT-LENGTH: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(cp_->http_port());
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
  ASSERT_EQ(write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  char resp[256] = {};
  ASSERT_GT(read(fd, resp, sizeof(resp) - 1), 0);
  close(fd);
  EXPECT_EQ(std::string(resp).substr(0, 15), "HTTP/1.1 200 OK");
  const uint64_t subs = cp_->stats().subscriptions;
  ASSERT_TRUE(WaitFor([&] { return cp_->stats().seq_gaps == 1; }, milliseconds(5000)));
  ASSERT_FALSE(rec_.resyncs.empty());
  EXPECT_NE(rec_.resyncs[0].reason.find("SEQ gap: expected"), std::string::npos);
  EXPECT_EQ(rec_.resyncs[0].service, DmService::kCms);
  // Re-subscribed, told again, and events flow on the new subscription.
  ASSERT_TRUE(WaitFor(
      [&] {
        return cp_->stats().subscriptions > subs && rec_.resyncs.back().reason == "re-subscribed";
      },
      milliseconds(8000)));
  ASSERT_TRUE(SetHostName(udn, "gamma"));
  ASSERT_TRUE(
      WaitFor([&] { return SawChange(udn, "/UPnP/DM/Configuration/Network/HostName", "gamma"); },
              milliseconds(5000)));
  EXPECT_EQ(cp_->stats().seq_gaps, 1u);
}

TEST_F(GenaTest, RenewalsAndFailedRenewalAfterCrash) {
  Sim sim(1, 61001, "renew", {"--max-subscription-timeout", "12"}, {"nas"});
  const std::string udn = sim.Udn(0);
  StartControlPoint();
  ASSERT_TRUE(
      WaitFor([&] { return Described(udn) && rec_.events.size() >= 3; }, milliseconds(10000)));
  // Granted 12 s: renewed at 6 s, still delivering after the first term ran out.
  ASSERT_TRUE(WaitFor([&] { return cp_->stats().renewals >= 3; }, milliseconds(9000)));
  ASSERT_TRUE(WaitFor([&] { return cp_->stats().renewals >= 6; }, milliseconds(9000)));
  EXPECT_EQ(cp_->stats().failed_renewals, 0u);
  ASSERT_TRUE(SetHostName(udn, "renewed"));
  ASSERT_TRUE(
      WaitFor([&] { return SawChange(udn, "/UPnP/DM/Configuration/Network/HostName", "renewed"); },
              milliseconds(5000)));
  // The device dies without a byebye: renewals fail, the owner is told to resync.
  sim.Crash();
  auto renew_failed = [&] {
    for (const auto& r : rec_.resyncs) {
      if (r.reason.find("renew") != std::string::npos) return true;
    }
    return false;
  };
  ASSERT_TRUE(WaitFor(renew_failed, milliseconds(10000)));
  EXPECT_GE(cp_->stats().failed_renewals, 1u);
  // It comes back: subscriptions are made again and events flow.
  sim.Restart();
  ASSERT_TRUE(WaitFor(
      [&] {
        const RootDevice* d = cp_->Find(udn);
        return d && d->status() == LeaseStatus::kActive && SetHostName(udn, "back") &&
               WaitFor(
                   [&] {
                     return SawChange(udn, "/UPnP/DM/Configuration/Network/HostName", "back");
                   },
                   milliseconds(1500));
      },
      milliseconds(20000)));
}

}  // namespace
}  // namespace proxier::upnp::testing
