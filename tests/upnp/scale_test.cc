// Scale figures for docs/UPNP.md: 200 devices from 4 simulator processes (discovery time,
// control point RSS with 200 registered). Labelled long.
#include <chrono>
#include <fstream>
#include <iostream>

#include "sim_process.h"

namespace proxier::upnp::testing {
namespace {

using std::chrono::milliseconds;

long RssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

class ScaleTest : public ControlPointTest {};

TEST_F(ScaleTest, TwoHundredDevices) {
  std::vector<std::unique_ptr<Sim>> sims;
  std::vector<std::string> udns;
  for (int p = 0; p < 4; ++p) {
    sims.push_back(
        std::make_unique<Sim>(50, static_cast<uint16_t>(61001 + p), "scale" + std::to_string(p),
                              std::vector<std::string>{"--index-base", std::to_string(p * 50)}));
    ASSERT_TRUE(sims.back()->ready());
    for (int i = 0; i < 50; ++i) udns.push_back(sims.back()->Udn(i));
  }
  const long rss_before = RssKb();
  auto t0 = std::chrono::steady_clock::now();
  // Four processes on 127.0.0.1: 200 root devices of one address, over the default cap (64),
  // answering 2400 searches at once (over the default burst).
  ControlPointOptions o;
  o.max_devices_per_host = 256;
  o.ssdp_rate = 0;
  StartControlPoint(o);
  auto all = [&] {
    for (const auto& u : udns) {
      if (!Described(u)) return false;
    }
    return true;
  };
  ASSERT_TRUE(WaitFor(all, milliseconds(60000))) << cp_->Devices().size() << " of 200";
  auto ms = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0);
  // Let the 600 subscriptions settle before reading the memory figure.
  ASSERT_TRUE(WaitFor([&] { return cp_->stats().events >= 600; }, milliseconds(60000)))
      << cp_->stats().events;
  const long rss = RssKb();
  std::cout << "[measure] discovery of 200 devices (4 processes): " << ms.count() << " ms"
            << std::endl;
  std::cout << "[measure] control point RSS with 200 devices: " << rss << " kB (test process "
            << "before the control point: " << rss_before << " kB)" << std::endl;
  EXPECT_EQ(cp_->Devices().size(), 200u);
}

}  // namespace
}  // namespace proxier::upnp::testing
