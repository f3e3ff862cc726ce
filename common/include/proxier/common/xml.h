// Xerces-C++ helpers shared by every module that parses XML: process init, transcoding.
#pragma once

#include <xercesc/util/XercesDefs.hpp>

#include <string>
#include <string_view>

namespace proxier::xml {

// Initializes Xerces once per process (idempotent, thread-safe). Never terminated: Xerces state
// lives until exit, so parsers may be created from any module at any time.
void EnsureInitialized();

// UTF-16 (XMLCh) -> UTF-8. nullptr gives "".
std::string ToUtf8(const XMLCh* text);
std::string ToUtf8(const XMLCh* text, size_t length);

// UTF-8 -> XMLCh, owned.
class XStr {
 public:
  explicit XStr(std::string_view utf8);
  ~XStr();
  XStr(const XStr&) = delete;
  XStr& operator=(const XStr&) = delete;
  const XMLCh* get() const { return text_; }

 private:
  XMLCh* text_;
};

// Escapes &, <, >, " and ' for XML text and attribute values; CR becomes &#13; and the
// control characters XML 1.0 cannot represent are dropped. Whatever the bytes, the result is
// XML text: ill-formed UTF-8 becomes U+FFFD and U+FFFE/U+FFFF are dropped (text::ToXmlText's
// rules), so a writer that escapes every value cannot emit a document that is not well-formed.
std::string Escape(std::string_view text);

}  // namespace proxier::xml
