// SSDP datagrams (UDA 1.0/1.1): parsing (tolerant, bounded) and formatting.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "proxier/common/status.h"

namespace proxier::upnp {

inline constexpr char kSsdpGroup[] = "239.255.255.250";
inline constexpr uint16_t kSsdpPort = 1900;

struct SsdpMessage {
  enum class Kind { kNotify, kSearch, kResponse };
  Kind kind = Kind::kNotify;
  // Header names upper-cased; values trimmed. A repeated header keeps its first value.
  std::map<std::string, std::string> headers;

  // "" when absent.
  const std::string& Header(const std::string& upper_name) const;
  // NT for NOTIFY, ST for responses and searches.
  const std::string& Target() const;
  bool IsAlive() const { return kind == Kind::kNotify && Header("NTS") == "ssdp:alive"; }
  bool IsByebye() const { return kind == Kind::kNotify && Header("NTS") == "ssdp:byebye"; }
  // max-age from CACHE-CONTROL; nullopt when absent or malformed.
  std::optional<uint32_t> MaxAge() const;
  // BOOTID.UPNP.ORG / CONFIGID.UPNP.ORG; nullopt when absent or not a number.
  std::optional<uint32_t> BootId() const;
  std::optional<uint32_t> ConfigId() const;
};

// Parses one datagram. Tolerates LF-only line ends, a missing final blank line, header case and
// blanks. Trust boundary: protocol headers (HOST, CACHE-CONTROL, LOCATION, NT, NTS, ST, USN, MAN,
// MX, *.UPNP.ORG) must be printable ASCII, other values (SERVER, ...) are kept only as
// text::CleanLabel of at most 256 bytes. Errors: 9003 when the start line is not NOTIFY /
// M-SEARCH / HTTP 200, a line or header name is malformed, a protocol header is not printable
// ASCII, or the datagram has more than 64 headers or 8 KiB.
Result<SsdpMessage> ParseSsdp(std::string_view datagram);

// USN "uuid:<uuid>[::<suffix>]" split into its parts; nullopt when malformed or not printable
// ASCII without blanks. The uuid part is not checked to be a UUID (text::IsUuid does that).
struct Usn {
  std::string uuid;    // without "uuid:"
  std::string suffix;  // "" for a bare uuid USN, else "upnp:rootdevice" or a type URN
};
std::optional<Usn> ParseUsn(std::string_view usn);

// Formatting (CRLF line ends, final blank line). `extra` headers are appended as given.
std::string FormatSearch(std::string_view st, int mx);
struct SsdpAnnounce {
  std::string nt;  // NT (notify) or ST (response)
  std::string usn;
  std::string location;
  std::string server;
  uint32_t max_age = 1800;
  uint32_t boot_id = 0;
  uint32_t config_id = 0;
};
std::string FormatAlive(const SsdpAnnounce& a);
std::string FormatByebye(const SsdpAnnounce& a);
std::string FormatSearchResponse(const SsdpAnnounce& a, std::string_view date);

}  // namespace proxier::upnp
