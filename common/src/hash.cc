// Digests through OpenSSL EVP (no hand-written cryptography).
#include "proxier/common/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

namespace proxier {

namespace {

template <size_t N>
std::array<uint8_t, N> Digest(const EVP_MD* md, std::string_view data) {
  std::array<uint8_t, N> out{};
  unsigned int size = 0;
  // Only fails on allocation failure or an unavailable algorithm: nothing a caller can mend.
  if (EVP_Digest(data.data(), data.size(), out.data(), &size, md, nullptr) != 1 || size != N) {
    std::abort();
  }
  return out;
}

}  // namespace

Md5Digest Md5(std::string_view data) { return Digest<16>(EVP_md5(), data); }

Sha256Digest Sha256(std::string_view data) { return Digest<32>(EVP_sha256(), data); }

Sha256Digest HmacSha256(std::string_view key, std::string_view message) {
  Sha256Digest out{};
  unsigned int size = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(),
            &size) ||
      size != out.size()) {
    std::abort();
  }
  return out;
}

std::string Hex(const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

}  // namespace proxier
