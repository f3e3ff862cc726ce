// SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104), small and dependency-free: used to derive each
// virtual device's connection-request password from the proxier's secret.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace proxier::virtual_devices {

using Digest256 = std::array<uint8_t, 32>;

Digest256 Sha256(std::string_view data);
Digest256 HmacSha256(std::string_view key, std::string_view message);
// Lower-case hex of a digest.
std::string Hex(const Digest256& digest);

}  // namespace proxier::virtual_devices
