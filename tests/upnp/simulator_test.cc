// upnp-dm-sim itself: re-registering a device while libupnp's web server is saturated; one
// device going offline while the others stay.
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "sim_process.h"

namespace proxier::upnp::testing {
namespace {

// libupnp 1.8.4 reads a root device's description over HTTP at registration, holding its global
// handle lock. Read from its own web server, that stalls until libupnp's 30 s download timeout
// whenever every worker thread is busy (GENA/SOAP requests waiting for that lock, slow clients).
// DeviceHost gives libupnp the description from a private responder instead: bringing a device
// back works while the web server is saturated (here by clients that never finish a request).
TEST(SimulatorTest, RegistersWhileItsWebServerIsBusy) {
  Sim sim(1, 61001, "busy", {}, {"smart-plug"});
  ASSERT_TRUE(sim.ready());
  std::vector<int> slow;
  for (int i = 0; i < 24; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(61001);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
    const std::string partial = "GET /dev0/desc.xml HTTP/1.1\r\nHOST: 127.0.0.1:61001\r\n";
    ASSERT_EQ(write(fd, partial.data(), partial.size()), static_cast<ssize_t>(partial.size()));
    slow.push_back(fd);
  }
  EXPECT_EQ(sim.Command("offline 0"), "OK");
  // Within Sim::Command's 20 s bound, not after libupnp's 30 s download timeout.
  EXPECT_EQ(sim.Command("online 0"), "OK");
  EXPECT_EQ(sim.Command("reboot 0"), "OK");
  EXPECT_NE(sim.Command("bootid 0"), "");  // the simulator still answers after the reboot
  for (int fd : slow) close(fd);
}

// --extra-params N: N more readable parameters on every device, listed and read like the
// profile's own (the proxy benchmark reads 100 of them in one GetValues); `answered`.
class SimulatorExtraParamsTest : public ControlPointTest {};

TEST_F(SimulatorExtraParamsTest, AddsReadableParameters) {
  Sim sim(1, 61001, "extra", {"--extra-params", "120"}, {"smart-plug"});
  ASSERT_TRUE(sim.ready());
  const std::string udn = sim.Udn(0);
  StartControlPoint();
  ASSERT_TRUE(WaitFor([&] { return Described(udn); }, kWait));
  auto names = Await<std::vector<std::string>>(
      [&](auto cb) { dm_->GetSupportedParameters(udn, "/UPnP/DM/Extra/", 0, cb); });
  ASSERT_TRUE(names.ok()) << names.status;
  size_t leaves = 0;
  for (const auto& n : names.value) leaves += n.rfind("/UPnP/DM/Extra/Param", 0) == 0;
  EXPECT_EQ(leaves, 120u);
  std::vector<std::string> paths;
  for (int k = 1; k <= 120; ++k) paths.push_back("/UPnP/DM/Extra/Param" + std::to_string(k));
  auto values =
      Await<std::vector<cms::ParameterValue>>([&](auto cb) { dm_->GetValues(udn, paths, cb); });
  ASSERT_TRUE(values.ok()) << values.status;
  ASSERT_EQ(values.value.size(), 120u);
  EXPECT_EQ(values.value[0].path, "/UPnP/DM/Extra/Param1");
  EXPECT_EQ(values.value[0].value, "extra-1");
  EXPECT_EQ(values.value[119].value, "extra-120");
  EXPECT_EQ(sim.Command("get 0 /UPnP/DM/Extra/Param7"), "OK extra-7");
  // The device counts the requests it answered (the proxy benchmark checks it read them all).
  EXPECT_EQ(sim.Command("answered 0 GetValues"), "OK 1");
  EXPECT_EQ(sim.Command("answered 0 GetSupportedParameters"), "OK 1");
  EXPECT_EQ(sim.Command("answered 0 SetValues"), "OK 0");
  // The profile's own parameters are still there.
  EXPECT_EQ(sim.Command("get 0 /UPnP/DM/Power/Voltage"), "OK 230");
}

// One device going offline (unregistered from libupnp) leaves the others answering SOAP
// actions and GENA renewals: libupnp 1.8.4 clears its "a device is registered" flag at any
// unregistration, which made every other device of the simulator answer 404 until some device
// registered again (found by the 100-device virtual-mode test).
class SimulatorOfflineTest : public ControlPointTest {};

TEST_F(SimulatorOfflineTest, OtherDevicesKeepAnswering) {
  Sim sim(3, 61001, "offline", {}, {"smart-plug"});
  ASSERT_TRUE(sim.ready());
  const std::vector<std::string> udns = {sim.Udn(0), sim.Udn(1), sim.Udn(2)};
  StartControlPoint();
  ASSERT_TRUE(WaitFor(
      [&] { return Described(udns[0]) && Described(udns[1]) && Described(udns[2]); }, kWait));
  ASSERT_TRUE(WaitFor([&] { return Accepted(sim, 0).size() == 3 && GenaSettled(); }, kWait));
  auto friendly = [&](int i) {
    auto r = Await<std::vector<cms::ParameterValue>>([&](auto cb) {
      dm_->GetValues(udns[static_cast<size_t>(i)], {"/UPnP/DM/DeviceInfo/FriendlyName"}, cb);
    });
    return r.ok() && r.value.size() == 1 ? r.value[0].value : "error: " + r.status.message();
  };
  EXPECT_EQ(friendly(0), "Plug 0");
  EXPECT_EQ(sim.Command("offline 2"), "OK");
  EXPECT_EQ(friendly(0), "Plug 0");
  EXPECT_EQ(friendly(1), "Plug 1");
  EXPECT_EQ(Live(sim, 0), 3u);  // GENA renewals of device 0 are still accepted
  EXPECT_EQ(sim.Command("offline 1"), "OK");
  EXPECT_EQ(friendly(0), "Plug 0");
  EXPECT_EQ(sim.Command("online 2"), "OK");
  ASSERT_TRUE(WaitFor([&] { return friendly(2) == "Plug 2"; }, kWait));
  EXPECT_EQ(friendly(0), "Plug 0");
}

}  // namespace
}  // namespace proxier::upnp::testing
