// Discovery against the simulator: 1 and 50 devices, byebye, lease expiry, BOOTID changes.
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "proxier/upnp/ssdp.h"
#include "sim_process.h"

namespace proxier::upnp::testing {
namespace {

using std::chrono::milliseconds;

class DiscoveryTest : public ControlPointTest {
 protected:
  // True once a CMS event of `uuid` reported a ConfigurationUpdate mentioning `text`.
  bool Evented(const std::string& uuid, const std::string& text) {
    for (const auto& e : rec_.events) {
      for (const auto& [k, v] : e.vars) {
        if (e.uuid == uuid && k == "ConfigurationUpdate" && v.find(text) != std::string::npos) {
          return true;
        }
      }
    }
    return false;
  }
  // Changes HostName on device 0 until a change is evented (a change made while a subscription
  // is still being set up is not): true within a few tries when the control point holds a
  // live CMS subscription, never when it holds a SID the device forgot.
  bool ChangeIsEvented(Sim& sim, const std::string& uuid, const std::string& tag) {
    for (int k = 0; k < 10; ++k) {
      const std::string v = tag + "-" + std::to_string(k);
      if (sim.Command("set 0 /UPnP/DM/Configuration/Network/HostName " + v) != "OK") return false;
      if (WaitFor([&] { return Evented(uuid, v); }, milliseconds(2000))) return true;
    }
    return false;
  }
};

TEST_F(DiscoveryTest, OneDevice) {
  Sim sim(1, 61001, "one", {}, {"smart-plug"});
  ASSERT_TRUE(sim.ready());
  const std::string udn = sim.Udn(0);
  auto t0 = std::chrono::steady_clock::now();
  StartControlPoint();
  ASSERT_TRUE(WaitFor([&] { return Described(udn); }, kWait));
  auto ms = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0);
  std::cout << "[measure] discovery of 1 device: " << ms.count() << " ms" << std::endl;
  const RootDevice* d = cp_->Find(udn);
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(d->dm_capable());
  EXPECT_EQ(d->status(), LeaseStatus::kActive);
  ASSERT_NE(d->root(), nullptr);
  EXPECT_EQ(d->root()->lease_time, 1800u);
  EXPECT_EQ(d->root()->server, "Linux/6 UPnP/1.1 upnp-dm-sim/0.1");  // ours, not libupnp's
  EXPECT_EQ(d->location, "http://127.0.0.1:61001/dev0/desc.xml");
  EXPECT_TRUE(d->boot_id.has_value());
  EXPECT_EQ(d->description->root.model_name, "SmartPlug");
  EXPECT_EQ(d->description->root.serial_number, "SP000000");
  const ServiceInfo* cms = d->description->FindService(DmService::kCms);
  ASSERT_NE(cms, nullptr);
  EXPECT_EQ(cms->control_url, "http://127.0.0.1:61001/dev0/cms/control");
  // The searched service types were announced with their own USNs.
  const std::string key = "uuid:" + udn + "::urn:schemas-upnp-org:service:ConfigurationManagement";
  ASSERT_TRUE(WaitFor([&] { return cp_->Find(udn)->services.count(key) > 0; }, kWait));
  EXPECT_EQ(cp_->Find(udn)->services.at(key).usn, key + ":2");
  EXPECT_EQ(rec_.Count(udn, DeviceChange::kAdded), 1u);
  EXPECT_GE(rec_.Count(udn, DeviceChange::kDescribed), 1u);
}

TEST_F(DiscoveryTest, FiftyDevices) {
  Sim sim(50, 61001, "fifty");
  ASSERT_TRUE(sim.ready());
  std::vector<std::string> udns;
  for (int i = 0; i < 50; ++i) udns.push_back(sim.Udn(i));
  auto t0 = std::chrono::steady_clock::now();
  StartControlPoint();
  auto all = [&] {
    for (const auto& u : udns) {
      if (!Described(u)) return false;
    }
    return true;
  };
  ASSERT_TRUE(WaitFor(all, milliseconds(30000))) << cp_->Devices().size() << " of 50";
  auto ms = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0);
  std::cout << "[measure] discovery of 50 devices: " << ms.count() << " ms" << std::endl;
  EXPECT_EQ(cp_->Devices().size(), 50u);
  // The set-top boxes carry the DM services in an embedded device.
  const RootDevice* stb = cp_->Find(udns[2]);
  ASSERT_NE(stb, nullptr);
  EXPECT_EQ(stb->description->root.device_type, "urn:schemas-upnp-org:device:MediaRenderer:1");
  const DeviceInfo* owner = nullptr;
  ASSERT_NE(stb->description->FindService(DmService::kCms, &owner), nullptr);
  EXPECT_NE(owner->udn, "uuid:" + udns[2]);
  EXPECT_TRUE(stb->dm_capable());
}

TEST_F(DiscoveryTest, ByebyeThenBack) {
  Sim sim(2, 61001, "bye", {}, {"smart-plug"});
  const std::string udn = sim.Udn(0);
  StartControlPoint();
  ASSERT_TRUE(WaitFor([&] { return Described(udn) && Described(sim.Udn(1)); }, kWait));
  EXPECT_EQ(sim.Command("offline 0"), "OK");
  ASSERT_TRUE(WaitFor([&] { return cp_->Find(udn)->status() == LeaseStatus::kByebye; }, kWait));
  EXPECT_EQ(rec_.Count(udn, DeviceChange::kByebye), 1u);
  for (const auto& [usn, a] : cp_->Find(udn)->services) EXPECT_EQ(a.status, LeaseStatus::kByebye);
  // The other device is not affected.
  EXPECT_EQ(cp_->Find(sim.Udn(1))->status(), LeaseStatus::kActive);
  // Actions on an offline device fail at once.
  auto r = Await<std::string>([&](auto cb) { dm_->GetDeviceStatus(udn, cb); });
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status.message().find("offline"), std::string::npos);
  EXPECT_EQ(sim.Command("online 0"), "OK");
  ASSERT_TRUE(WaitFor([&] { return cp_->Find(udn)->status() == LeaseStatus::kActive; }, kWait));
  EXPECT_EQ(rec_.Count(udn, DeviceChange::kReturned), 1u);
}

TEST_F(DiscoveryTest, LeaseExpiry) {
  Sim sim(1, 61001, "lease", {"--lease", "3"}, {"smart-plug"});
  const std::string udn = sim.Udn(0);
  StartControlPoint();
  ASSERT_TRUE(WaitFor([&] { return Described(udn); }, kWait));
  EXPECT_EQ(cp_->Find(udn)->root()->lease_time, 3u);
  // Re-announcements keep a 3 s lease alive well past 3 s.
  auto until = std::chrono::steady_clock::now() + milliseconds(4500);
  WaitFor([&] { return std::chrono::steady_clock::now() >= until; }, milliseconds(5000));
  EXPECT_EQ(cp_->Find(udn)->status(), LeaseStatus::kActive);
  sim.Crash();  // power loss: no byebye
  ASSERT_TRUE(WaitFor([&] { return cp_->Find(udn)->status() == LeaseStatus::kExpired; }, kWait));
  EXPECT_EQ(rec_.Count(udn, DeviceChange::kExpired), 1u);
}

TEST_F(DiscoveryTest, BootIdChange) {
  Sim sim(1, 61001, "boot", {}, {"nas"});
  const std::string udn = sim.Udn(0);
  StartControlPoint();
  ASSERT_TRUE(WaitFor([&] { return Described(udn) && cp_->stats().subscriptions >= 3; }, kWait));
  const uint32_t boot = *cp_->Find(udn)->boot_id;
  const uint64_t fetched = cp_->stats().descriptions_ok;
  const uint64_t subs = cp_->stats().subscriptions;
  // The answers to the start-up searches may still be due (random delay up to MX): they must
  // not turn the BOOTID back (the simulator formats them when sent, the control point ignores
  // an answer carrying the BOOTID just left).
  EXPECT_EQ(sim.Command("newboot 0"), "OK");
  ASSERT_TRUE(WaitFor([&] { return rec_.Count(udn, DeviceChange::kRebooted) >= 1; }, kWait));
  EXPECT_EQ(*cp_->Find(udn)->boot_id, boot + 1);
  // Description fetched again and subscriptions made again.
  EXPECT_TRUE(WaitFor([&] { return cp_->stats().descriptions_ok > fetched; }, kWait));
  EXPECT_TRUE(WaitFor([&] { return cp_->stats().subscriptions >= subs + 3; }, kWait));
  // The restarted device forgot every SID; exactly three new ones exist there, and they are
  // the control point's (a SUBSCRIBE still out at the restart must not leave it holding a SID
  // of the previous incarnation): a change made on the device is evented.
  EXPECT_TRUE(WaitFor([&] { return Live(sim, 0) == 3; }, kWait)) << sim.Command("sids 0");
  EXPECT_TRUE(ChangeIsEvented(sim, udn, "after-newboot"));
  // A BMS Reboot: byebye, then back with yet another BOOTID.
  auto r = Await<std::string>([&](auto cb) { dm_->Reboot(udn, cb); });
  ASSERT_TRUE(r.ok()) << r.status;
  EXPECT_EQ(r.value, "RebootNow");
  ASSERT_TRUE(WaitFor([&] { return rec_.Count(udn, DeviceChange::kByebye) >= 1; }, kWait));
  ASSERT_TRUE(WaitFor(
      [&] {
        const RootDevice* d = cp_->Find(udn);
        return d->boot_id == boot + 2 && d->status() == LeaseStatus::kActive;
      },
      kWait))
      << "control point: " << *cp_->Find(udn)->boot_id << ", device: " << sim.Command("bootid 0");
  // Exactly two restarts seen: no flip back and forth on stale answers.
  EXPECT_EQ(rec_.Count(udn, DeviceChange::kRebooted), 2u);
  // Re-subscribed to the rebooted device (which forgot every SID), and events flow.
  EXPECT_TRUE(WaitFor([&] { return Live(sim, 0) == 3; }, kWait)) << sim.Command("sids 0");
  EXPECT_TRUE(ChangeIsEvented(sim, udn, "after-reboot"));
}

// A search answer carrying the BOOTID a device has just left (it was queued before the change)
// is ignored for MX + 1 s; the registry keeps the new BOOTID.
TEST_F(DiscoveryTest, StaleSearchAnswerAfterBootIdChange) {
  Sim sim(1, 61001, "stale", {}, {"smart-plug"});
  const std::string udn = sim.Udn(0);
  ControlPointOptions o;
  o.ssdp_port = 61900;  // the test answers the control point's searches itself
  StartControlPoint(o);
  ASSERT_TRUE(WaitFor([&] { return Described(udn); }, kWait));
  const uint32_t boot = *cp_->Find(udn)->boot_id;
  EXPECT_EQ(sim.Command("newboot 0"), "OK");
  ASSERT_TRUE(WaitFor([&] { return cp_->Find(udn)->boot_id == boot + 1; }, kWait));
  SsdpAnnounce a;
  a.nt = "upnp:rootdevice";
  a.usn = "uuid:" + udn + "::upnp:rootdevice";
  a.location = cp_->Find(udn)->location;
  a.server = "Linux/6 UPnP/1.1 upnp-dm-sim/0.1";
  a.boot_id = boot;
  const std::string stale = FormatSearchResponse(a, "Thu, 01 Jan 2026 00:00:00 GMT");
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(61900);
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  ASSERT_EQ(sendto(fd, stale.data(), stale.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)),
            static_cast<ssize_t>(stale.size()));
  close(fd);
  ASSERT_TRUE(WaitFor([&] { return cp_->stats().ssdp_stale == 1; }, kWait));
  EXPECT_EQ(*cp_->Find(udn)->boot_id, boot + 1);
  EXPECT_EQ(rec_.Count(udn, DeviceChange::kRebooted), 1u);
}

}  // namespace
}  // namespace proxier::upnp::testing
