// CheckValue: type, size, range, enumeration, pattern and list checks with canonical output.
#include "proxier/datamodel/value.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <regex>

#include "proxier/common/log.h"
#include "proxier/common/text.h"
#include "syntax_bounds.h"

namespace proxier::datamodel {

namespace {

Status TypeError(std::string_view name, std::string_view value, ValueType type) {
  return Status(Code::kInvalidParameterType, std::string(name) + ": '" + std::string(value) +
                                                 "' is not a valid " +
                                                 std::string(XsiTypeName(type)));
}

Status ValueError(std::string_view name, std::string why) {
  return Status(Code::kInvalidParameterValue, std::string(name) + ": " + why);
}

// UTF-8 code points (TR-106 string sizes count characters).
size_t CharCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Compiled XSD patterns, memoized process-wide (patterns are few and shared by many parameters).
// A pattern std::regex cannot compile is logged once and not enforced.
std::shared_ptr<const std::regex> CompiledPattern(const std::string& pattern) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const std::regex>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(pattern);
  if (it != cache.end()) return it->second;
  std::shared_ptr<const std::regex> re;
  try {
    re = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error&) {
    PX_LOG(kWarning, "datamodel") << "pattern not enforced (unsupported syntax): " << pattern;
  }
  cache.emplace(pattern, re);
  return re;
}

std::optional<size_t> Base64Bytes(std::string_view s) {
  if (s.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '+' || c == '/';
    if (c == '=') {
      if (i + 2 < s.size()) return std::nullopt;
      ++pad;
    } else if (!alpha || pad) {
      return std::nullopt;
    }
  }
  return s.size() / 4 * 3 - pad;
}

// [+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+), by hand: std::regex recurses once per character.
bool IsDecimal(std::string_view v) {
  size_t i = 0;
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
  size_t digits = 0;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i, ++digits;
  if (i < v.size() && v[i] == '.') {
    ++i;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i, ++digits;
  }
  return i == v.size() && digits > 0 && v.size() <= 64;
}

constexpr size_t kMaxPatternInput = 1024;

Result<std::string> CheckScalar(std::string_view name, const Syntax& syn, std::string_view v) {
  std::string canon;
  switch (syn.type) {
    case ValueType::kString:
      // Nothing ill-formed is stored: it could not travel in an envelope as it is.
      if (!text::IsXmlText(v)) {
        return ValueError(name, "not UTF-8 text made of XML characters");
      }
      canon = v;
      break;
    case ValueType::kBoolean:
      if (v == "true" || v == "1")
        canon = "true";
      else if (v == "false" || v == "0")
        canon = "false";
      else
        return TypeError(name, v, syn.type);
      break;
    case ValueType::kInt:
    case ValueType::kUnsignedInt:
    case ValueType::kLong:
    case ValueType::kUnsignedLong: {
      WideInt n;
      if (!WideInt::Parse(v, &n)) return TypeError(name, v, syn.type);
      if (n < TypeMin(syn.type) || n > TypeMax(syn.type)) {
        return ValueError(name, "'" + std::string(v) + "' is outside the range of " +
                                    std::string(XsiTypeName(syn.type)));
      }
      if (!syn.ranges.empty()) {
        bool in = std::any_of(syn.ranges.begin(), syn.ranges.end(), [&](const IntRange& r) {
          return n >= r.min && n <= r.max && n.AlignedTo(r.min, static_cast<uint64_t>(r.step));
        });
        if (!in) {
          std::string allowed;
          for (const auto& r : syn.ranges) {
            if (!allowed.empty()) allowed += ", ";
            allowed += "[" + r.min.ToString() + ".." + r.max.ToString() + "]";
          }
          return ValueError(name, "'" + std::string(v) + "' is out of range " + allowed);
        }
      }
      canon = n.ToString();
      break;
    }
    case ValueType::kDateTime: {
      auto dt = CanonicalDateTime(v);
      if (!dt.ok()) return TypeError(name, v, syn.type);
      canon = std::move(dt).value();
      break;
    }
    case ValueType::kBase64:
      if (!Base64Bytes(v)) return TypeError(name, v, syn.type);
      canon = v;
      break;
    case ValueType::kHexBinary:
      if (v.size() % 2 != 0 || !std::all_of(v.begin(), v.end(), [](char c) {
            return std::isxdigit(static_cast<unsigned char>(c));
          })) {
        return TypeError(name, v, syn.type);
      }
      canon.resize(v.size());
      std::transform(v.begin(), v.end(), canon.begin(),
                     [](char c) { return static_cast<char>(std::tolower(c)); });
      break;
    case ValueType::kDecimal: {
      if (!IsDecimal(v)) return TypeError(name, v, syn.type);
      canon = v;
      if (!syn.decimal_ranges.empty()) {
        long double d = std::stold(canon);
        bool in = std::any_of(
            syn.decimal_ranges.begin(), syn.decimal_ranges.end(), [&](const std::string& r) {
              auto colon = r.find(':');
              std::string lo = r.substr(0, colon), hi = r.substr(colon + 1);
              return (lo.empty() || d >= std::stold(lo)) && (hi.empty() || d <= std::stold(hi));
            });
        if (!in) return ValueError(name, "'" + canon + "' is out of range");
      }
      break;
    }
  }
  // Size facets: characters for strings, decoded bytes for binary types.
  if (syn.min_length || syn.max_length) {
    size_t len = CharCount(canon);
    if (syn.type == ValueType::kBase64) len = *Base64Bytes(canon);
    if (syn.type == ValueType::kHexBinary) len = canon.size() / 2;
    if (syn.min_length && len < *syn.min_length) {
      return ValueError(name, "length " + std::to_string(len) + " is below the minimum " +
                                  std::to_string(*syn.min_length));
    }
    if (syn.max_length && len > *syn.max_length) {
      return ValueError(name, "length " + std::to_string(len) + " exceeds the maximum " +
                                  std::to_string(*syn.max_length));
    }
  }
  if (!syn.enumerations.empty() && std::find(syn.enumerations.begin(), syn.enumerations.end(),
                                             canon) == syn.enumerations.end()) {
    return ValueError(name, "'" + canon + "' is not one of the allowed values");
  }
  if (!syn.patterns.empty()) {
    // std::regex recurses per character: a long value could overflow the stack.
    if (canon.size() > kMaxPatternInput) {
      return ValueError(name, "too long to match its pattern");
    }
    bool any_enforced = false, matched = false;
    for (const auto& p : syn.patterns) {
      auto re = CompiledPattern(p);
      if (!re) continue;
      any_enforced = true;
      if (std::regex_match(canon, *re)) {
        matched = true;
        break;
      }
    }
    if (any_enforced && !matched) {
      return ValueError(name, "'" + canon + "' does not match the required pattern");
    }
  }
  return canon;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::string> CheckValue(std::string_view name, const Syntax& syntax, std::string_view value,
                               std::optional<ValueType> declared) {
  if (declared && *declared != syntax.type) {
    bool both_int = IsIntegerType(*declared) && IsIntegerType(syntax.type);
    if (!both_int) {
      return Status(Code::kInvalidParameterType,
                    std::string(name) + ": value sent as " + std::string(XsiTypeName(*declared)) +
                        ", parameter is " + std::string(XsiTypeName(syntax.type)));
    }
  }
  if (value.size() > 65535) return ValueError(name, "value too long");
  if (!syntax.is_list) return CheckScalar(name, syntax, value);

  if (syntax.list_max_length && CharCount(value) > *syntax.list_max_length) {
    return ValueError(
        name, "list longer than " + std::to_string(*syntax.list_max_length) + " characters");
  }
  std::vector<std::string> items;
  if (!Trim(value).empty()) {
    size_t start = 0;
    for (;;) {
      size_t comma = value.find(',', start);
      std::string_view item =
          Trim(value.substr(start, comma == std::string_view::npos ? comma : comma - start));
      auto checked = CheckScalar(name, syntax, item);
      if (!checked.ok()) return checked.status();
      items.push_back(std::move(checked).value());
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  if (syntax.list_min_items && items.size() < *syntax.list_min_items) {
    return ValueError(name,
                      "list needs at least " + std::to_string(*syntax.list_min_items) + " items");
  }
  if (syntax.list_max_items && items.size() > *syntax.list_max_items) {
    return ValueError(name,
                      "list allows at most " + std::to_string(*syntax.list_max_items) + " items");
  }
  std::string joined;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) joined += ',';
    joined += items[i];
  }
  return joined;
}

}  // namespace proxier::datamodel
