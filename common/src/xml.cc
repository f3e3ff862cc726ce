// Xerces init and UTF-8/UTF-16 transcoding.
#include "proxier/common/xml.h"

#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/TransService.hpp>
#include <xercesc/util/XMLString.hpp>

#include <mutex>

namespace proxier::xml {

using xercesc::TranscodeFromStr;
using xercesc::TranscodeToStr;
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

std::string ToUtf8(const XMLCh* text, size_t length) {
  if (!text || length == 0) return {};
  TranscodeToStr out(text, length, "UTF-8");
  return std::string(reinterpret_cast<const char*>(out.str()), out.length());
}

XStr::XStr(std::string_view utf8) {
  EnsureInitialized();
  TranscodeFromStr in(reinterpret_cast<const XMLByte*>(utf8.data()), utf8.size(), "UTF-8");
  text_ = in.adopt();
}

XStr::~XStr() { XMLPlatformUtils::fgMemoryManager->deallocate(text_); }

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char ch : text) {
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
