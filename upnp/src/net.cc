// Interface lookup with getifaddrs.
#include "proxier/upnp/net.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

namespace proxier::upnp {

Result<Interface> ResolveInterface(const std::string& name, const std::string& ip) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return Status(Code::kInternalError, "getifaddrs failed");
  std::optional<Interface> found;
  for (ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
    char buf[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, buf, sizeof(buf));
    if (!name.empty() && name != a->ifa_name) continue;
    if (!ip.empty() && ip != buf) continue;
    found = Interface{a->ifa_name, buf, static_cast<int>(if_nametoindex(a->ifa_name)),
                      (a->ifa_flags & IFF_LOOPBACK) != 0};
    break;
  }
  freeifaddrs(list);
  if (!found) {
    return Status(Code::kInvalidArguments,
                  "no IPv4 interface '" + name + "'" + (ip.empty() ? "" : " with " + ip));
  }
  return *found;
}

}  // namespace proxier::upnp
