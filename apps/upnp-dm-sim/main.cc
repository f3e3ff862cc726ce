// upnp-dm-sim: hosts 1..N simulated UPnP DM appliances in one process (libupnp for HTTP, SOAP
// and GENA; Proxier's own SSDP with BOOTID.UPNP.ORG), driven by a line-based control channel.
#include <sys/signalfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "proxier/common/clock.h"
#include "proxier/common/event_loop.h"
#include "proxier/common/log.h"
#include "sim_host.h"

int main(int argc, char** argv) {
  using namespace proxier;  // NOLINT(build/namespaces)
  sim::SimOptions o;
  std::string log_level = "warning";
  CLI::App app{"UPnP DM device simulator"};
  app.add_option("--profile", o.profiles, "Profile file(s) in etc/sim/ (devices cycle through)")
      ->required();
  app.add_option("--count", o.count, "Number of simulated devices")->check(CLI::Range(1, 190));
  app.add_option("--interface", o.interface, "Interface (lo: UpnpInit on --ip)");
  app.add_option("--ip", o.ip, "IPv4 address to bind (default: the interface's)");
  app.add_option("--port", o.port, "libupnp HTTP port (>= 61000)")->required();
  app.add_option("--ssdp-port", o.ssdp_port, "Unicast SSDP port (0 = any)");
  app.add_option("--uuid-seed", o.uuid_seed, "Seed of the deterministic UDNs");
  app.add_option("--index-base", o.index_base, "Index of the first device (serial numbers)");
  app.add_option("--control-socket", o.control_socket, "Unix socket for control commands");
  app.add_option("--max-subscription-timeout", o.max_subscription_timeout_s,
                 "Longest GENA subscription granted (s)");
  app.add_option("--reply-spread-ms", o.reply_spread_ms, "Max random delay of search answers");
  app.add_option("--lease", o.lease_override, "Lease time (s) overriding the profiles");
  app.add_option("--extra-params", o.extra_params,
                 "Readable parameters /UPnP/DM/Extra/Param1..N added to every device")
      ->check(CLI::Range(0, 10000));
  app.add_option("--log-level", log_level, "debug|info|warning|error");
  CLI11_PARSE(app, argc, argv);
  log::Level level;
  if (log::ParseLevel(log_level, &level)) log::SetLevel(level);

  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal(SIGPIPE, SIG_IGN);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

  SystemClock clock;
  EventLoop loop(clock);
  auto host =
      sim::SimHost::Start(loop, o, [](const std::string& line) { std::cout << line << std::endl; });
  if (!host.ok()) {
    std::cerr << "upnp-dm-sim: " << host.status() << std::endl;
    return 1;
  }
  (void)loop.WatchFd(sfd, EventLoop::kReadable, [&](uint32_t) {
    signalfd_siginfo si;
    while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
    }
    loop.Stop();
  });
  (*host)->OnQuit([&] { loop.Stop(); });
  std::cout << "READY " << o.count << " devices" << std::endl;
  loop.Run();
  (*host)->Shutdown();
  return 0;
}
