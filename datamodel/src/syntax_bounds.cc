// Integer bounds and WideInt's text conversion and step arithmetic.
#include "syntax_bounds.h"

#include <algorithm>

namespace proxier::datamodel {

WideInt TypeMin(ValueType type) {
  switch (type) {
    case ValueType::kInt:
      return INT32_MIN;
    case ValueType::kLong:
      return INT64_MIN;
    default:
      return 0;  // unsigned types, lengths and other non-integer facets
  }
}

WideInt TypeMax(ValueType type) {
  switch (type) {
    case ValueType::kInt:
      return INT32_MAX;
    case ValueType::kUnsignedInt:
      return UINT32_MAX;
    case ValueType::kLong:
      return INT64_MAX;
    default:
      return WideInt::Unsigned(UINT64_MAX);
  }
}

bool WideInt::Parse(std::string_view text, WideInt* out) {
  if (text.empty()) return false;
  bool negative = false;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || text.size() > 30) return false;
  uint64_t v = 0;
  bool beyond = false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) beyond = true;  // saturates; the digits are still checked
    if (!beyond) v = v * 10 + digit;
  }
  if (beyond) v = UINT64_MAX;
  *out = WideInt(negative && (v != 0 || beyond), v, beyond);
  return true;
}

std::string WideInt::ToString() const {
  if (beyond_) return negative_ ? "-18446744073709551616" : "18446744073709551616";  // +-2^64
  std::string out = std::to_string(magnitude_);
  return negative_ ? "-" + out : out;
}

bool WideInt::AlignedTo(const WideInt& base, uint64_t step) const {
  if (step <= 1) return true;
  if (beyond_ || base.beyond_) return false;
  // *this >= base: the distance is |this| - |base| (same sign, this the larger one when
  // non-negative) or |this| + |base| (this >= 0 > base), taken modulo step without overflow.
  if (negative_ == base.negative_) {
    const uint64_t d = negative_ ? base.magnitude_ - magnitude_ : magnitude_ - base.magnitude_;
    return d % step == 0;
  }
  return (magnitude_ % step + base.magnitude_ % step) % step == 0;
}

}  // namespace proxier::datamodel
