// Minimal http:// URL parsing and relative-reference resolution for UPnP descriptions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "proxier/common/status.h"

namespace proxier::upnp {

// An absolute http URL split into parts. `path` includes any query ("/a/b?x=1"), never empty.
struct Url {
  std::string host;  // IPv4 address or name, lower-case; IPv6 literals keep their brackets
  uint16_t port = 80;
  std::string path = "/";

  // "host:port" (port always written).
  std::string HostPort() const;
  // "http://host:port/path".
  std::string ToString() const;
};

// Parses an absolute http URL (no userinfo, no https: UPnP DM control is plain HTTP on the LAN).
// Errors: 9003 for anything else (other schemes, bad port, control characters, > 2048 bytes).
Result<Url> ParseUrl(std::string_view text);

// Resolves `ref` (absolute, "/abs/path", or "relative/path") against the absolute `base`
// (RFC 3986 merge without dot-segment magic beyond "./" and "../"). Errors: as ParseUrl.
Result<Url> ResolveUrl(const Url& base, std::string_view ref);

}  // namespace proxier::upnp
