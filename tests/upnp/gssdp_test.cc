// Interop: GSSDP (GNOME's SSDP stack, through python3-gi) discovers the simulated devices.
#include <chrono>
#include <set>

#include "sim_process.h"

namespace proxier::upnp::testing {
namespace {

TEST(GssdpTest, ThirdPartyStackFindsSimulatedDevices) {
  Sim sim(3, 61001, "gssdp", {}, {"smart-plug", "nas"});
  ASSERT_TRUE(sim.ready());
  std::set<std::string> want = {sim.Udn(0), sim.Udn(1), sim.Udn(2)};
  auto browser = Child::Spawn(
      {"/usr/bin/python3", std::string(PROXIER_SOURCE_DIR) + "/tests/upnp/gssdp_browse.py",
       "urn:schemas-upnp-org:service:ConfigurationManagement:2", "lo", "4"});
  ASSERT_NE(browser, nullptr);
  std::set<std::string> found;
  for (;;) {
    std::string line = browser->ReadLine(std::chrono::milliseconds(15000));
    if (line.empty() || line == "DONE") break;
    if (line.rfind("FOUND uuid:", 0) != 0) continue;
    std::string usn = line.substr(11, line.find(' ', 6) - 11);
    found.insert(usn.substr(0, usn.find("::")));
    EXPECT_NE(line.find("http://127.0.0.1:61001/dev"), std::string::npos) << line;
  }
  for (const auto& u : want) EXPECT_TRUE(found.count(u)) << "GSSDP did not find " << u;
  browser->WaitExit(std::chrono::milliseconds(5000));
}

}  // namespace
}  // namespace proxier::upnp::testing
