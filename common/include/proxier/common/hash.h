// Message digests over OpenSSL's EVP interface: MD5 (HTTP Digest authentication, RFC 7616),
// SHA-256 and HMAC-SHA256 (derived per-device secrets). Pure functions. Thread: any.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace proxier {

using Md5Digest = std::array<uint8_t, 16>;
using Sha256Digest = std::array<uint8_t, 32>;

Md5Digest Md5(std::string_view data);
Sha256Digest Sha256(std::string_view data);
Sha256Digest HmacSha256(std::string_view key, std::string_view message);

// Lower-case hex of bytes.
std::string Hex(const uint8_t* data, size_t size);
template <size_t N>
std::string Hex(const std::array<uint8_t, N>& digest) {
  return Hex(digest.data(), N);
}

}  // namespace proxier
