// HTTP Digest authentication pieces (RFC 7616, MD5, qop=auth) for the connection-request server.
// Pure functions. Thread: any.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace proxier::core {

// Lower-case hex MD5 of `data` (RFC 1321; OpenSSL through proxier/common/hash.h).
std::string Md5Hex(std::string_view data);

// The parameters of an `Authorization: Digest k=v, k="v", ...` header, keys lower-cased and
// quoted values unescaped; nullopt when the scheme is not Digest or the list is malformed (empty
// element, duplicate key, unterminated quote, more than 32 parameters).
std::optional<std::map<std::string, std::string>> ParseDigestAuthorization(std::string_view header);

// Equal strings, in a time that does not depend on where they differ.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace proxier::core
