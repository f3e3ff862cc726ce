// libupnp initialisation, SSDP silencing and callback sinks.
#include "proxier/upnp/stack.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <upnp/upnp.h>
#include <upnp/upnptools.h>

#include <atomic>
#include <cstdlib>

#include "proxier/common/log.h"
#include "proxier/upnp/net.h"

namespace proxier::upnp {
namespace {

std::atomic<bool> g_started{false};

// Leaves the SSDP multicast groups on libupnp's own port-1900 sockets, so libupnp neither
// answers searches (without BOOTID, with its own max-age) nor queues jobs for advertisements.
void SilenceLibupnpSsdp(const std::string& ip, int ifindex) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return;
  while (dirent* e = readdir(dir)) {
    int fd = atoi(e->d_name);
    if (fd <= 2) continue;
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) continue;
    int type = 0;
    socklen_t tl = sizeof(type);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_DGRAM) continue;
    if (ss.ss_family == AF_INET) {
      auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
      if (ntohs(sin->sin_port) != 1900) continue;
      ip_mreq m{};  // as libupnp joined (and see ssdp_socket.cc on ip_mreqn under qemu)
      inet_pton(AF_INET, "239.255.255.250", &m.imr_multiaddr);
      inet_pton(AF_INET, ip.c_str(), &m.imr_interface);
      setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof(m));
      // Without this the socket still gets every group joined by any socket (ours included).
      const int off = 0;
      setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &off, sizeof(off));
      PX_LOG(kDebug, "upnp") << "libupnp SSDP socket " << fd << " left the SSDP group";
    } else if (ss.ss_family == AF_INET6) {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
      if (ntohs(sin6->sin6_port) != 1900) continue;
      for (const char* group : {"ff02::c", "ff05::c", "ff0e::c"}) {
        ipv6_mreq m{};
        inet_pton(AF_INET6, group, &m.ipv6mr_multiaddr);
        m.ipv6mr_interface = static_cast<unsigned>(ifindex);
        setsockopt(fd, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &m, sizeof(m));
      }
    }
  }
  closedir(dir);
}

}  // namespace

Result<std::unique_ptr<Stack>> Stack::Start(const Options& options) {
  if (g_started.exchange(true)) {
    return Status(Code::kInternalError, "libupnp is already initialised in this process");
  }
  std::unique_ptr<Stack> s(new Stack());
  auto iface = ResolveInterface(options.interface, options.ip);
  if (!iface.ok()) {
    g_started = false;
    return iface.status();
  }
  int rc;
  if (iface->loopback) {
    rc = UpnpInit(iface->ip.c_str(), options.port);
  } else {
    rc = UpnpInit2(iface->name.c_str(), options.port);
  }
  if (rc != UPNP_E_SUCCESS) {
    UpnpFinish();
    g_started = false;
    return Status(Code::kInternalError, "libupnp init on " + iface->name + "/" + iface->ip +
                                            " port " + std::to_string(options.port) + " failed: " +
                                            std::to_string(rc) + " " + UpnpGetErrorMessage(rc));
  }
  UpnpSetMaxContentLength(options.max_content_length);
  s->ip_ = UpnpGetServerIpAddress() ? UpnpGetServerIpAddress() : iface->ip;
  s->port_ = UpnpGetServerPort();
  s->interface_ = iface->name;
  SilenceLibupnpSsdp(iface->ip, iface->index);
  PX_LOG(kInfo, "upnp") << "libupnp up on " << s->interface_ << " " << s->ip_ << ":" << s->port_;
  return s;
}

Stack::~Stack() {
  for (auto& sink : sinks_) sink.Detach();
  UpnpFinish();
  g_started = false;
}

void Stack::Sink::Detach() {
  std::lock_guard<std::mutex> lock(mu_);
  handler_ = nullptr;
}

Stack::Sink* Stack::NewSink(Sink::Handler handler) {
  std::lock_guard<std::mutex> lock(sinks_mu_);
  sinks_.emplace_back();
  sinks_.back().handler_ = std::move(handler);
  return &sinks_.back();
}

int Stack::Dispatch(Upnp_EventType event_type, const void* event, void* cookie) {
  auto* sink = static_cast<Sink*>(cookie);
  if (!sink) return 0;
  std::lock_guard<std::mutex> lock(sink->mu_);
  if (sink->handler_) sink->handler_(static_cast<int>(event_type), event);
  return 0;
}

}  // namespace proxier::upnp
