// The body format of stored operations (transfers, virtual-device operations): one "key=value"
// line per field, with '\n' and '\\' in values escaped, so any value survives a round trip.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace proxier::core {

// Fields in the given order (a key may repeat; the last one wins when decoded).
std::string EncodeFields(const std::vector<std::pair<std::string, std::string>>& fields);
// Lines without '=' are ignored; never fails (a corrupt body decodes to fewer fields).
std::map<std::string, std::string> DecodeFields(const std::string& text);
// The value of `key`, "" when absent.
std::string FieldOf(const std::map<std::string, std::string>& fields, const std::string& key);

}  // namespace proxier::core
