// Integer bounds and 128-bit integer text conversion.
#include "syntax_bounds.h"

#include <algorithm>

namespace proxier::datamodel {

__int128 TypeMin(ValueType type) {
  switch (type) {
    case ValueType::kInt:
      return INT32_MIN;
    case ValueType::kLong:
      return INT64_MIN;
    case ValueType::kUnsignedInt:
    case ValueType::kUnsignedLong:
      return 0;
    default:
      return 0;  // lengths and other non-integer facets
  }
}

__int128 TypeMax(ValueType type) {
  switch (type) {
    case ValueType::kInt:
      return INT32_MAX;
    case ValueType::kUnsignedInt:
      return UINT32_MAX;
    case ValueType::kLong:
      return INT64_MAX;
    case ValueType::kUnsignedLong:
      return static_cast<__int128>(UINT64_MAX);
    default:
      return static_cast<__int128>(UINT64_MAX);
  }
}

bool ParseInt128(std::string_view text, __int128* out) {
  if (text.empty()) return false;
  bool negative = false;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || text.size() > 30) return false;
  __int128 v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = negative ? -v : v;
  return true;
}

std::string Int128ToString(__int128 value) {
  if (value == 0) return "0";
  bool negative = value < 0;
  std::string out;
  while (value != 0) {
    int digit = static_cast<int>(value % 10);
    out.push_back(static_cast<char>('0' + (negative ? -digit : digit)));
    value /= 10;
  }
  if (negative) out.push_back('-');
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace proxier::datamodel
