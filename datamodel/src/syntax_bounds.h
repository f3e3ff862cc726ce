// Integer bounds of CWMP types and 128-bit integer parsing/formatting.
#pragma once

#include <string>
#include <string_view>

#include "proxier/datamodel/types.h"

namespace proxier::datamodel {

__int128 TypeMin(ValueType type);
__int128 TypeMax(ValueType type);
// Parses an optionally signed decimal integer; false on any other text or overflow beyond 2^100.
bool ParseInt128(std::string_view text, __int128* out);
std::string Int128ToString(__int128 value);

}  // namespace proxier::datamodel
