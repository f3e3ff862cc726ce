// SimHost: the simulator process: libupnp stack, web root, devices, SSDP and control channel.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "proxier/common/event_loop.h"
#include "proxier/upnp/device_host.h"
#include "proxier/upnp/ssdp_advertiser.h"
#include "proxier/upnp/ssdp_socket.h"
#include "proxier/upnp/stack.h"
#include "sim_device.h"

namespace proxier::sim {

struct SimOptions {
  std::vector<std::string> profiles;
  int count = 1;
  std::string interface = "lo";
  std::string ip;
  uint16_t port = 0;
  uint16_t ssdp_port = 0;
  std::string uuid_seed = "sim";
  int index_base = 0;
  std::string control_socket;
  int max_subscription_timeout_s = 1800;
  int reply_spread_ms = 100;
  uint32_t lease_override = 0;
  // Readable string parameters added to every profile: /UPnP/DM/Extra/Param1..N (value "extra-k").
  int extra_params = 0;
};

// Thread: loop thread (libupnp threads only reach the SimDevices).
class SimHost {
 public:
  using Output = std::function<void(const std::string& line)>;
  // Starts libupnp, writes the documents, registers and announces every device, opens the
  // control channel (stdin, and the unix socket when configured). Errors: 9002/9003.
  static Result<std::unique_ptr<SimHost>> Start(EventLoop& loop, const SimOptions& options,
                                                Output out);
  ~SimHost();
  // Runs one control command line; returns the reply line ("OK ..." or "ERR ...").
  std::string Command(const std::string& line);
  void OnQuit(std::function<void()> fn) { on_quit_ = std::move(fn); }
  // Byebye for every device and unregisters them.
  void Shutdown();

 private:
  struct Slot {
    std::unique_ptr<SimDevice> device;
    std::unique_ptr<upnp::DeviceHost> host;
    int ssdp_id = 0;
  };
  SimHost(EventLoop& loop, SimOptions options) : loop_(loop), options_(std::move(options)) {}
  Status Register(size_t i);
  void Offline(size_t i);
  void Reboot(size_t i);
  void WatchLines(int fd);

  EventLoop& loop_;
  SimOptions options_;
  Output out_;
  std::vector<Profile> profiles_;
  std::unique_ptr<upnp::Stack> stack_;
  std::unique_ptr<upnp::SsdpSocket> ssdp_;
  std::unique_ptr<upnp::SsdpAdvertiser> advertiser_;
  std::vector<Slot> slots_;
  std::string web_root_;
  int control_fd_ = -1;
  std::map<int, std::string> buffers_;
  std::function<void()> on_quit_;
  bool shut_ = false;
};

}  // namespace proxier::sim
