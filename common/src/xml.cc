// Xerces init and UTF-8/UTF-16 transcoding.
#include "proxier/common/xml.h"

#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/TransService.hpp>
#include <xercesc/util/XMLString.hpp>

#include <mutex>

#include "proxier/common/text.h"

namespace proxier::xml {

using xercesc::TranscodeFromStr;
using xercesc::XMLPlatformUtils;
using xercesc::XMLString;

void EnsureInitialized() {
  static std::once_flag once;
  std::call_once(once, [] { XMLPlatformUtils::Initialize(); });
}

std::string ToUtf8(const XMLCh* text) {
  if (!text) return {};
  return ToUtf8(text, XMLString::stringLen(text));
}

// By hand: a Xerces transcoder per call (ICU converter creation) cost a quarter of the CPU of
// parsing a 100-value CMS answer. An unpaired surrogate (never produced by the parser) becomes
// U+FFFD.
std::string ToUtf8(const XMLCh* utf16, size_t length) {
  if (!utf16 || length == 0) return {};
  std::string out;
  out.reserve(length);
  for (size_t i = 0; i < length; ++i) {
    uint32_t c = utf16[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < length && utf16[i + 1] >= 0xDC00 &&
        utf16[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (utf16[i + 1] - 0xDC00);
      ++i;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = 0xFFFD;
    }
    text::AppendUtf8(out, c);
  }
  return out;
}

XStr::XStr(std::string_view utf8) {
  EnsureInitialized();
  TranscodeFromStr in(reinterpret_cast<const XMLByte*>(utf8.data()), utf8.size(), "UTF-8");
  text_ = in.adopt();
}

XStr::~XStr() { XMLPlatformUtils::fgMemoryManager->deallocate(text_); }

std::string Escape(std::string_view in) {
  std::string out;
  out.reserve(in.size() + 8);
  size_t pos = 0;
  while (pos < in.size()) {
    const char ch = in[pos];
    if (static_cast<unsigned char>(ch) >= 0x80) {
      // The last line: whatever a store or a peer holds, the document stays well-formed.
      uint32_t cp;
      if (!text::NextCodePoint(in, &pos, &cp)) {
        text::AppendUtf8(out, 0xFFFD);
      } else if (cp != 0xFFFE && cp != 0xFFFF) {
        text::AppendUtf8(out, cp);
      }
      continue;
    }
    ++pos;
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#13;";  // a raw CR would be normalised away by the reader
        break;
      default:
        // Below 0x20 XML 1.0 allows only tab, LF and CR: others cannot be represented.
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t' && ch != '\n') break;
        out += ch;
    }
  }
  return out;
}

}  // namespace proxier::xml
