// Helpers shared by the ControlPoint's source files (private to upnp/).
#pragma once

#include <cstdint>
#include <string>

namespace proxier::upnp::cp_internal {

// Leases longer than a day are cut to a day: an announcement cannot pin an entry for years.
inline constexpr uint32_t kMaxLease = 86400;
// A description that failed is fetched again at most this often.
inline constexpr int kRefetchSeconds = 30;

inline bool IsServiceSuffix(const std::string& s) {
  return s.find(":service:") != std::string::npos;
}
inline bool IsDeviceSuffix(const std::string& s) { return s.find(":device:") != std::string::npos; }

// Preference of a USN form for the Discovery tables: device type > rootdevice > bare uuid.
inline int UsnRank(const std::string& suffix) {
  if (IsDeviceSuffix(suffix)) return 3;
  if (suffix == "upnp:rootdevice") return 2;
  return 1;
}

// "uuid:X::urn:a:service:Name:2" -> "uuid:X::urn:a:service:Name".
inline std::string ServiceKey(const std::string& usn) {
  size_t c = usn.rfind(':');
  if (c == std::string::npos || c + 1 >= usn.size() ||
      usn.find_first_not_of("0123456789", c + 1) != std::string::npos) {
    return usn;
  }
  return usn.substr(0, c);
}

inline int Version(const std::string& usn) {
  size_t c = usn.rfind(':');
  if (c == std::string::npos || c + 1 >= usn.size() || usn.size() - c > 6 ||
      usn.find_first_not_of("0123456789", c + 1) != std::string::npos) {
    return 0;
  }
  return std::stoi(usn.substr(c + 1));
}

}  // namespace proxier::upnp::cp_internal
