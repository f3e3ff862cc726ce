// UTF-8 and XML 1.0 character rules, labels, web URLs, UUIDs.
#include "proxier/common/text.h"

namespace proxier::text {
namespace {

constexpr uint32_t kReplacement = 0xFFFD;

bool IsXmlChar(uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

bool IsBidiFormat(uint32_t c) {
  return c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

bool IsControl(uint32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

bool NextCodePoint(std::string_view s, size_t* pos, uint32_t* cp) {
  const size_t i = *pos;
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char lead = b(0);
  if (lead < 0x80) {
    *cp = lead;
    *pos = i + 1;
    return true;
  }
  // Table 3-7 of the Unicode standard: the range of the second byte depends on the lead byte.
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  uint32_t value = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
    value = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    value = lead & 0x0F;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    value = lead & 0x07;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    *pos = i + 1;  // C0, C1, F5..FF or a stray continuation byte
    return false;
  }
  for (size_t k = 1; k < len; ++k) {
    if (i + k >= s.size()) {
      *pos = i + k;
      return false;
    }
    const unsigned char c = b(k);
    const unsigned char min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xBF;
    if (c < min || c > max) {
      *pos = i + k;  // the maximal subpart ends before the byte that does not fit
      return false;
    }
    value = (value << 6) | (c & 0x3F);
  }
  *cp = value;
  *pos = i + len;
  return true;
}

void AppendUtf8(std::string& out, uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool IsXmlText(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[pos]);
    if (c >= 0x20 && c < 0x80) {  // the common case
      ++pos;
      continue;
    }
    uint32_t cp;
    if (!NextCodePoint(s, &pos, &cp) || !IsXmlChar(cp)) return false;
  }
  return true;
}

std::string ToXmlText(std::string_view s) {
  if (IsXmlText(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  size_t pos = 0;
  while (pos < s.size()) {
    uint32_t cp;
    if (!NextCodePoint(s, &pos, &cp)) {
      AppendUtf8(out, kReplacement);
    } else if (IsXmlChar(cp)) {
      AppendUtf8(out, cp);
    }
  }
  return out;
}

std::string CleanLabel(std::string_view s, size_t max_bytes) {
  std::string out;
  out.reserve(s.size());
  size_t pos = 0;
  while (pos < s.size()) {
    uint32_t cp = 0;
    if (!NextCodePoint(s, &pos, &cp)) cp = kReplacement;
    if (IsBidiFormat(cp) || cp == 0xFFFE || cp == 0xFFFF) continue;
    if (IsControl(cp)) cp = ' ';
    if (cp == ' ' && (out.empty() || out.back() == ' ')) continue;  // trims and folds blanks
    const size_t before = out.size();
    AppendUtf8(out, cp);
    if (max_bytes && out.size() > max_bytes) {
      out.resize(before);
      break;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool IsWebUrl(std::string_view s, size_t max_bytes) {
  if (s.size() > max_bytes) return false;
  size_t scheme = 0;
  auto starts = [&](std::string_view p) {
    if (s.size() < p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i) {
      char c = s[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != p[i]) return false;
    }
    return true;
  };
  if (starts("http://")) {
    scheme = 7;
  } else if (starts("https://")) {
    scheme = 8;
  } else {
    return false;
  }
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == '"' || c == '<' || c == '>' || c == '\\' || c == '`') {
      return false;
    }
  }
  std::string_view rest = s.substr(scheme);
  const size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  return !authority.empty() && authority.front() != ':';
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

}  // namespace proxier::text
