// SsdpSocket: SSDP on one interface only (multicast listener + unicast/search socket) on the loop.
#pragma once

#include <netinet/in.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "proxier/common/event_loop.h"
#include "proxier/common/log.h"
#include "proxier/upnp/net.h"
#include "proxier/upnp/ssdp.h"

namespace proxier::upnp {

// Two UDP sockets bound to one interface:
//  - a listener on 239.255.255.250:1900, member of the group on that interface only
//    (IP_MULTICAST_ALL off, SO_BINDTODEVICE when permitted, arrival interface checked);
//  - a unicast socket on <interface ip>:<port> whose multicast leaves through that interface
//    only (IP_MULTICAST_IF by index, TTL 2, SO_BINDTODEVICE when permitted). Searches and
//    announcements go out from it; search answers come back to it.
// This is the fix of testbed bug 1: SSDP never leaves through another interface, whatever the
// routing table says. Thread: engine thread (the loop's); callbacks run there.
class SsdpSocket {
 public:
  using Handler = std::function<void(const SsdpMessage& message, const sockaddr_in& from)>;

  // `port` 0 lets the kernel choose the unicast port. Malformed datagrams are dropped (counted).
  // Errors: 9002 when a socket cannot be set up.
  static Result<std::unique_ptr<SsdpSocket>> Open(EventLoop& loop, const Interface& iface,
                                                  uint16_t port, Handler handler);
  ~SsdpSocket();
  SsdpSocket(const SsdpSocket&) = delete;
  SsdpSocket& operator=(const SsdpSocket&) = delete;

  // Sends to 239.255.255.250:1900 through the interface. Errors: 9002 with errno text.
  Status SendMulticast(std::string_view datagram);
  Status SendTo(const sockaddr_in& to, std::string_view datagram);

  const Interface& interface() const { return iface_; }
  uint16_t port() const { return port_; }
  // Datagrams refused: malformed (logged, rate-limited) or from another interface.
  uint64_t dropped() const { return dropped_; }

 private:
  SsdpSocket(EventLoop& loop, Interface iface, Handler handler)
      : loop_(loop), iface_(std::move(iface)), handler_(std::move(handler)) {}
  void Drain(int fd);

  EventLoop& loop_;
  Interface iface_;
  Handler handler_;
  int listen_fd_ = -1;
  int unicast_fd_ = -1;
  uint16_t port_ = 0;
  uint64_t dropped_ = 0;
  log::Throttle log_;
};

}  // namespace proxier::upnp
