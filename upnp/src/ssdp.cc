// SSDP parsing and formatting.
#include "proxier/upnp/ssdp.h"

#include <algorithm>
#include <cctype>

#include "proxier/common/text.h"

namespace proxier::upnp {
namespace {

constexpr size_t kMaxDatagram = 8192;
constexpr size_t kMaxHeaders = 64;
constexpr size_t kMaxFreeText = 256;  // bytes kept of a free-text header (SERVER)

bool IsPrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
}

// An HTTP header name (RFC 9110 token characters).
bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

// Headers whose values are protocol tokens, numbers or URLs (UDA 2.0 §1).
bool IsProtocolHeader(std::string_view upper_name) {
  static constexpr std::string_view kNames[] = {"HOST",
                                                "CACHE-CONTROL",
                                                "LOCATION",
                                                "NT",
                                                "NTS",
                                                "ST",
                                                "USN",
                                                "MAN",
                                                "MX",
                                                "BOOTID.UPNP.ORG",
                                                "CONFIGID.UPNP.ORG",
                                                "NEXTBOOTID.UPNP.ORG",
                                                "SEARCHPORT.UPNP.ORG",
                                                "SECURELOCATION.UPNP.ORG"};
  return std::find(std::begin(kNames), std::end(kNames), upper_name) != std::end(kNames);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::optional<uint32_t> Number(std::string_view s) {
  s = Trim(s);
  if (s.empty() || s.size() > 10) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > 0xffffffffULL) return std::nullopt;
  return static_cast<uint32_t>(v);
}

std::string Common(const SsdpAnnounce& a) {
  std::string out;
  out += "BOOTID.UPNP.ORG: " + std::to_string(a.boot_id) + "\r\n";
  out += "CONFIGID.UPNP.ORG: " + std::to_string(a.config_id) + "\r\n";
  return out;
}

}  // namespace

const std::string& SsdpMessage::Header(const std::string& upper_name) const {
  static const std::string kEmpty;
  auto it = headers.find(upper_name);
  return it == headers.end() ? kEmpty : it->second;
}

const std::string& SsdpMessage::Target() const {
  return Header(kind == Kind::kNotify ? "NT" : "ST");
}

std::optional<uint32_t> SsdpMessage::MaxAge() const {
  std::string cc = Upper(Header("CACHE-CONTROL"));
  size_t p = cc.find("MAX-AGE");
  if (p == std::string::npos) return std::nullopt;
  p = cc.find('=', p);
  if (p == std::string::npos) return std::nullopt;
  size_t e = cc.find_first_of(",;", p);
  return Number(std::string_view(cc).substr(p + 1, e == std::string::npos ? e : e - p - 1));
}

std::optional<uint32_t> SsdpMessage::BootId() const { return Number(Header("BOOTID.UPNP.ORG")); }
std::optional<uint32_t> SsdpMessage::ConfigId() const {
  return Number(Header("CONFIGID.UPNP.ORG"));
}

Result<SsdpMessage> ParseSsdp(std::string_view d) {
  if (d.size() > kMaxDatagram) return Status(Code::kInvalidArguments, "SSDP datagram too big");
  SsdpMessage m;
  size_t pos = 0;
  bool first = true;
  while (pos < d.size()) {
    size_t e = d.find('\n', pos);
    std::string_view line = d.substr(pos, e == std::string_view::npos ? e : e - pos);
    pos = e == std::string_view::npos ? d.size() : e + 1;
    line = Trim(line);
    if (first) {
      std::string start = Upper(line);
      if (start.rfind("NOTIFY * HTTP/1.", 0) == 0) {
        m.kind = SsdpMessage::Kind::kNotify;
      } else if (start.rfind("M-SEARCH * HTTP/1.", 0) == 0) {
        m.kind = SsdpMessage::Kind::kSearch;
      } else if (start.rfind("HTTP/1.", 0) == 0 && start.find(" 200") != std::string::npos) {
        m.kind = SsdpMessage::Kind::kResponse;
      } else {
        return Status(Code::kInvalidArguments, "not an SSDP start line");
      }
      first = false;
      continue;
    }
    if (line.empty()) break;  // end of headers (the blank line is optional)
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Status(Code::kInvalidArguments, "malformed SSDP header line");
    }
    if (m.headers.size() >= kMaxHeaders) return Status(Code::kInvalidArguments, "too many headers");
    std::string name = Upper(Trim(line.substr(0, colon)));
    std::string_view value = Trim(line.substr(colon + 1));
    if (!IsToken(name)) return Status(Code::kInvalidArguments, "malformed SSDP header name");
    if (IsProtocolHeader(name)) {
      // Protocol fields are ASCII by definition: anything else refuses the datagram.
      if (!IsPrintableAscii(value)) {
        return Status(Code::kInvalidArguments, name + " is not printable ASCII");
      }
      m.headers.emplace(std::move(name), std::string(value));
    } else {
      // Free text (SERVER, vendor headers): kept as a clean label, never as raw bytes.
      m.headers.emplace(std::move(name), text::CleanLabel(value, kMaxFreeText));
    }
  }
  if (first) return Status(Code::kInvalidArguments, "empty SSDP datagram");
  return m;
}

std::optional<Usn> ParseUsn(std::string_view usn) {
  if (usn.size() < 6 || Upper(usn.substr(0, 5)) != "UUID:") return std::nullopt;
  std::string_view rest = usn.substr(5);
  Usn out;
  size_t sep = rest.find("::");
  out.uuid = std::string(rest.substr(0, sep));
  if (sep != std::string_view::npos) out.suffix = std::string(rest.substr(sep + 2));
  if (out.uuid.empty() || out.uuid.size() > 128) return std::nullopt;
  const auto printable = [](char c) { return c > 0x20 && c < 0x7F; };
  if (!std::all_of(usn.begin(), usn.end(), printable)) return std::nullopt;
  return out;
}

std::string FormatSearch(std::string_view st, int mx) {
  return "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: " +
         std::to_string(mx) + "\r\nST: " + std::string(st) + "\r\n\r\n";
}

std::string FormatAlive(const SsdpAnnounce& a) {
  return "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=" +
         std::to_string(a.max_age) + "\r\nLOCATION: " + a.location + "\r\nNT: " + a.nt +
         "\r\nNTS: ssdp:alive\r\nSERVER: " + a.server + "\r\nUSN: " + a.usn + "\r\n" + Common(a) +
         "\r\n";
}

std::string FormatByebye(const SsdpAnnounce& a) {
  return "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: " + a.nt +
         "\r\nNTS: ssdp:byebye\r\nUSN: " + a.usn + "\r\n" + Common(a) + "\r\n";
}

std::string FormatSearchResponse(const SsdpAnnounce& a, std::string_view date) {
  return "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=" + std::to_string(a.max_age) +
         "\r\nDATE: " + std::string(date) + "\r\nEXT:\r\nLOCATION: " + a.location +
         "\r\nSERVER: " + a.server + "\r\nST: " + a.nt + "\r\nUSN: " + a.usn + "\r\n" + Common(a) +
         "\r\n";
}

}  // namespace proxier::upnp
