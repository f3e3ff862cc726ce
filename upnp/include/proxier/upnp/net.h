// Network interface lookup (name <-> IPv4 address) for binding UPnP traffic to the LAN side.
#pragma once

#include <string>

#include "proxier/common/status.h"

namespace proxier::upnp {

struct Interface {
  std::string name;
  std::string ip;  // IPv4, dotted
  int index = 0;
  bool loopback = false;
};

// Finds an up interface by name (its first IPv4 address, or `ip` if it carries it), or by `ip`
// alone when `name` is empty. Errors: 9003 when no such interface/address exists.
// Thread: any.
Result<Interface> ResolveInterface(const std::string& name, const std::string& ip);

}  // namespace proxier::upnp
