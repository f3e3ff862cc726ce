// SsdpAdvertiser: the device side of SSDP (UDA 1.1): alive/byebye with BOOTID.UPNP.ORG and
// answers to M-SEARCH, for any number of root devices sharing one SsdpSocket.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "proxier/common/event_loop.h"
#include "proxier/upnp/description.h"
#include "proxier/upnp/ssdp_socket.h"

namespace proxier::upnp {

// (NT, USN) pairs a device tree announces: upnp:rootdevice, uuid:<udn>, device types, service
// types (UDA 1.0 §1.1.2), root first.
std::vector<std::pair<std::string, std::string>> AnnouncedTargets(const DeviceInfo& root);

// Thread: engine thread (the loop of the SsdpSocket).
class SsdpAdvertiser {
 public:
  struct Device {
    std::string location;
    std::string server;
    uint32_t max_age = 1800;
    uint32_t boot_id = 1;
    uint32_t config_id = 1;
    std::vector<std::pair<std::string, std::string>> targets;
  };

  // `max_reply_delay` bounds the random delay of search answers (also bounded by MX).
  SsdpAdvertiser(EventLoop& loop, SsdpSocket& socket, Millis max_reply_delay, uint64_t seed);
  ~SsdpAdvertiser();

  // Adds a device (offline until Announce). Returns its id.
  int Add(Device device);
  Device& Get(int id) { return devices_.at(id).device; }
  // Goes online: alive for every target (twice), then again every max_age/2 (bounded 1..900 s).
  void Announce(int id);
  // Goes offline: byebye for every target; no more alive nor search answers.
  void Byebye(int id);
  bool online(int id) const { return devices_.at(id).online; }

  // Feed every M-SEARCH received on the socket here. Answers go after a random delay, formatted
  // when sent (the BOOTID then current); a byebye meanwhile cancels them.
  void OnSearch(const SsdpMessage& search, const sockaddr_in& from);

 private:
  struct Entry {
    Device device;
    bool online = false;
    EventLoop::TimerId refresh = 0;
    uint64_t generation = 0;  // +1 at each byebye
  };
  void SendAlive(int id);

  EventLoop& loop_;
  SsdpSocket& socket_;
  Millis max_reply_delay_;
  std::mt19937_64 rng_;
  std::map<int, Entry> devices_;
  int next_id_ = 1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for pending search answers
};

}  // namespace proxier::upnp
