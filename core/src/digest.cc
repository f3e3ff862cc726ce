// The Digest Authorization header parser; MD5 comes from proxier/common/hash.h (OpenSSL).
#include "proxier/core/digest.h"

#include <cstring>

#include "proxier/common/hash.h"

namespace proxier::core {

namespace {

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string Md5Hex(std::string_view data) { return Hex(Md5(data)); }

std::optional<std::map<std::string, std::string>> ParseDigestAuthorization(std::string_view s) {
  size_t i = 0;
  auto skip_ows = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  };
  skip_ows();
  static constexpr std::string_view kScheme = "digest";
  if (s.size() - i < kScheme.size()) return std::nullopt;
  for (char c : kScheme) {
    if (Lower(s[i++]) != c) return std::nullopt;
  }
  if (i >= s.size() || (s[i] != ' ' && s[i] != '\t')) return std::nullopt;
  std::map<std::string, std::string> out;
  for (;;) {
    skip_ows();
    std::string key;
    while (i < s.size() && IsTokenChar(s[i])) key += Lower(s[i++]);
    if (key.empty()) return std::nullopt;
    skip_ows();
    if (i >= s.size() || s[i] != '=') return std::nullopt;
    ++i;
    skip_ows();
    std::string value;
    if (i < s.size() && s[i] == '"') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        char c = s[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\') {
          if (i >= s.size()) return std::nullopt;
          c = s[i++];
        }
        value += c;
      }
      if (!closed) return std::nullopt;
    } else {
      while (i < s.size() && IsTokenChar(s[i])) value += s[i++];
      if (value.empty()) return std::nullopt;
    }
    if (out.size() >= 32 || !out.emplace(std::move(key), std::move(value)).second) {
      return std::nullopt;
    }
    skip_ows();
    if (i == s.size()) return out;
    if (s[i] != ',') return std::nullopt;
    ++i;
  }
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

}  // namespace proxier::core
