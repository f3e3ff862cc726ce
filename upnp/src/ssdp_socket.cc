// SSDP sockets bound to one interface.
#include "proxier/upnp/ssdp_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "proxier/common/log.h"

namespace proxier::upnp {
namespace {

Status Errno(const std::string& what) {
  return Status(Code::kInternalError, what + ": " + strerror(errno));
}

}  // namespace

Result<std::unique_ptr<SsdpSocket>> SsdpSocket::Open(EventLoop& loop, const Interface& iface,
                                                     uint16_t port, Handler handler) {
  std::unique_ptr<SsdpSocket> s(new SsdpSocket(loop, iface, std::move(handler)));
  in_addr group{}, local{};
  inet_pton(AF_INET, kSsdpGroup, &group);
  if (inet_pton(AF_INET, iface.ip.c_str(), &local) != 1) {
    return Status(Code::kInvalidArguments, "bad interface address " + iface.ip);
  }
  const int one = 1, zero = 0, ttl = 2, rcvbuf = 1 << 20;
  // Listener.
  s->listen_fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->listen_fd_ < 0) return Errno("socket");
  setsockopt(s->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  setsockopt(s->listen_fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  setsockopt(s->listen_fd_, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof(zero));
  setsockopt(s->listen_fd_, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
  // Best effort (needs CAP_NET_RAW): the group membership and the arrival check below suffice.
  setsockopt(s->listen_fd_, SOL_SOCKET, SO_BINDTODEVICE, iface.name.c_str(),
             static_cast<socklen_t>(iface.name.size()));
  sockaddr_in any{};
  any.sin_family = AF_INET;
  any.sin_port = htons(kSsdpPort);
  any.sin_addr = group;
  if (bind(s->listen_fd_, reinterpret_cast<sockaddr*>(&any), sizeof(any)) != 0) {
    return Errno("bind 239.255.255.250:1900");
  }
  // ip_mreq (the interface named by its address, which is this interface's own) rather than
  // ip_mreqn: qemu-user up to 7.2 drops ip_mreqn's ifindex for 64-bit targets (garbage index,
  // ENODEV), and the tests on the target architecture run there.
  ip_mreq m{};
  m.imr_multiaddr = group;
  m.imr_interface = local;
  if (setsockopt(s->listen_fd_, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)) != 0) {
    return Errno("join 239.255.255.250 on " + iface.name);
  }
  // Unicast / sender.
  s->unicast_fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->unicast_fd_ < 0) return Errno("socket");
  setsockopt(s->unicast_fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  setsockopt(s->unicast_fd_, SOL_SOCKET, SO_BINDTODEVICE, iface.name.c_str(),
             static_cast<socklen_t>(iface.name.size()));
  ip_mreqn out{};
  out.imr_address = local;
  out.imr_ifindex = iface.index;
  if (setsockopt(s->unicast_fd_, IPPROTO_IP, IP_MULTICAST_IF, &out, sizeof(out)) != 0) {
    // No Linux kernel answers ENOPROTOOPT here; qemu-user (7.2) does, not implementing the option.
    // There the routing table picks the interface (the test namespaces route SSDP to lo).
    if (errno != ENOPROTOOPT) return Errno("IP_MULTICAST_IF " + iface.name);
    PX_LOG(kWarning, "upnp") << "IP_MULTICAST_IF not supported here (emulator?): SSDP from "
                             << iface.name << " follows the routing table";
  }
  setsockopt(s->unicast_fd_, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
  setsockopt(s->unicast_fd_, IPPROTO_IP, IP_MULTICAST_LOOP, &one, sizeof(one));
  sockaddr_in me{};
  me.sin_family = AF_INET;
  me.sin_port = htons(port);
  me.sin_addr = local;
  if (bind(s->unicast_fd_, reinterpret_cast<sockaddr*>(&me), sizeof(me)) != 0) {
    return Errno("bind " + iface.ip + ":" + std::to_string(port));
  }
  socklen_t len = sizeof(me);
  getsockname(s->unicast_fd_, reinterpret_cast<sockaddr*>(&me), &len);
  s->port_ = ntohs(me.sin_port);
  SsdpSocket* self = s.get();
  for (int fd : {s->listen_fd_, s->unicast_fd_}) {
    PX_RETURN_IF_ERROR(
        loop.WatchFd(fd, EventLoop::kReadable, [self, fd](uint32_t) { self->Drain(fd); }));
  }
  return s;
}

SsdpSocket::~SsdpSocket() {
  for (int fd : {listen_fd_, unicast_fd_}) {
    if (fd < 0) continue;
    loop_.UnwatchFd(fd);
    close(fd);
  }
}

void SsdpSocket::Drain(int fd) {
  char buf[9000];
  for (int i = 0; i < 256; ++i) {
    sockaddr_in from{};
    iovec iov{buf, sizeof(buf)};
    char control[256];
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof(from);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = recvmsg(fd, &msg, 0);
    if (n < 0) return;  // EAGAIN: drained
    if (fd == listen_fd_) {
      bool ours = true;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
          in_pktinfo info;
          memcpy(&info, CMSG_DATA(c), sizeof(info));
          ours = info.ipi_ifindex == iface_.index;
        }
      }
      if (!ours) {
        ++dropped_;
        continue;
      }
    }
    auto m = ParseSsdp(std::string_view(buf, static_cast<size_t>(n)));
    if (!m.ok()) {
      ++dropped_;
      uint64_t skipped = 0;
      if (log_.Allow(loop_.clock().Now(), &skipped)) {
        char ip[INET_ADDRSTRLEN] = {};
        inet_ntop(AF_INET, &from.sin_addr, ip, sizeof(ip));
        PX_LOG(kWarning, "upnp") << "SSDP datagram from " << ip
                                 << " refused: " << m.status().message() << " (" << skipped
                                 << " more since the last report)";
      }
      continue;
    }
    handler_(*m, from);
  }
}

Status SsdpSocket::SendMulticast(std::string_view datagram) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(kSsdpPort);
  inet_pton(AF_INET, kSsdpGroup, &to.sin_addr);
  return SendTo(to, datagram);
}

Status SsdpSocket::SendTo(const sockaddr_in& to, std::string_view datagram) {
  ssize_t n = sendto(unicast_fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL,
                     reinterpret_cast<const sockaddr*>(&to), sizeof(to));
  if (n < 0) return Errno("SSDP send on " + iface_.name);
  return Status::Ok();
}

}  // namespace proxier::upnp
