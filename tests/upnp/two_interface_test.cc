// Testbed bug 1, fixed in the product: with the default route on another interface ("WAN"),
// the control point's SSDP still leaves only through its configured LAN interface.
// Runs in a namespace with two veth interfaces lan0 and wan0 (see CMakeLists.txt).
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "proxier/common/clock.h"
#include "proxier/common/event_loop.h"
#include "proxier/upnp/control_point.h"

namespace proxier::upnp {
namespace {

// Captures every frame sent or received on one interface and counts SSDP (UDP port 1900).
class Capture {
 public:
  explicit Capture(const char* ifname) {
    fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
    EXPECT_GE(fd_, 0) << "AF_PACKET needs CAP_NET_RAW";
    sockaddr_ll a{};
    a.sll_family = AF_PACKET;
    a.sll_protocol = htons(ETH_P_ALL);
    a.sll_ifindex = static_cast<int>(if_nametoindex(ifname));
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  }
  ~Capture() { close(fd_); }
  // Reads what is queued; returns the SSDP count so far.
  int Ssdp() {
    unsigned char buf[4096];
    ssize_t n;
    while ((n = recv(fd_, buf, sizeof(buf), 0)) > 0) {
      if (n < 14 + 20 + 8 || buf[12] != 0x08 || buf[13] != 0x00) continue;
      const unsigned char* ip = buf + 14;
      size_t ihl = (ip[0] & 0x0f) * 4u;
      if (ip[9] != IPPROTO_UDP || static_cast<size_t>(n) < 14 + ihl + 8) continue;
      const unsigned char* udp = ip + ihl;
      int sport = udp[0] << 8 | udp[1], dport = udp[2] << 8 | udp[3];
      if (sport == 1900 || dport == 1900) ++ssdp_;
    }
    return ssdp_;
  }

 private:
  int fd_ = -1;
  int ssdp_ = 0;
};

TEST(TwoInterfacesTest, SsdpLeavesOnlyThroughTheLanInterface) {
  Capture lan("lan0"), wan("wan0");
  SystemClock clock;
  EventLoop loop(clock);
  ControlPointOptions o;
  o.interface = "lan0";
  o.port = 61000;
  auto cp = ControlPoint::Create(loop, o);
  ASSERT_TRUE(cp.ok()) << cp.status();
  ASSERT_TRUE((*cp)->Start().ok());
  const int expected = 2 * static_cast<int>((*cp)->options().search_targets.size());
  // Both search rounds (at once and 100 ms later) are seen on the LAN side.
  ASSERT_TRUE(loop.RunUntil([&] { return lan.Ssdp() >= expected; }, Millis(3000)))
      << lan.Ssdp() << " of " << expected;
  (*cp)->Search();
  ASSERT_TRUE(loop.RunUntil([&] { return lan.Ssdp() >= 2 * expected; }, Millis(3000)));
  EXPECT_EQ(wan.Ssdp(), 0) << "SSDP leaked through the WAN interface";

  // Control: a socket that leaves the choice to the routing table does go out on the WAN,
  // so the capture above would have seen a leak.
  int raw = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(1900);
  inet_pton(AF_INET, "239.255.255.250", &to.sin_addr);
  const char probe[] = "M-SEARCH * HTTP/1.1\r\nST: upnp:rootdevice\r\n\r\n";
  ASSERT_GT(sendto(raw, probe, sizeof(probe) - 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)),
            0);
  close(raw);
  ASSERT_TRUE(loop.RunUntil([&] { return wan.Ssdp() >= 1; }, Millis(3000)));
  (*cp)->Stop();
}

}  // namespace
}  // namespace proxier::upnp
