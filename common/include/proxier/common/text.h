// Text from untrusted peers: UTF-8 well-formedness, XML 1.0 characters, display labels, web
// URLs and UUIDs. Pure functions; thread: any.
//
// One rule set for every module that takes text in (upnp/ for the LAN, core/ for the WAN, the
// config and definition loaders) and for the writers that are the last line (xml::Escape).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace proxier::text {

// True when `s` is well-formed UTF-8 (no overlong form, no surrogate, nothing above U+10FFFF)
// and every code point is an XML 1.0 Char (tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD,
// U+10000-U+10FFFF): such text can travel in any XML document as is (escaped).
bool IsXmlText(std::string_view s);

// `s` as XML text: each ill-formed UTF-8 sequence becomes U+FFFD (one per maximal invalid
// subpart, as Unicode 15 §3.9 advises) and each code point XML 1.0 cannot carry (other C0
// controls, U+FFFE, U+FFFF) is dropped. Valid XML text comes back unchanged.
std::string ToXmlText(std::string_view s);

// A label from an untrusted peer (a device's friendly name, manufacturer, SERVER header, an
// error text): each ill-formed UTF-8 sequence becomes U+FFFD, every control character (C0
// including tab/CR/LF, DEL, C1 U+0080-U+009F) becomes a space, every bidirectional formatting
// character (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) and U+FFFE/U+FFFF are removed, so that
// nothing can reorder or hide what an operator reads; runs of blanks fold into one, the ends are
// trimmed and the result is cut to at most `max_bytes` bytes on a code point boundary (0: no
// cut). The result is always XML text (IsXmlText).
std::string CleanLabel(std::string_view s, size_t max_bytes = 0);

// True for a URL an operator may be shown and follow: "http://" or "https://" (any case), a
// non-empty host, only printable ASCII without blanks, quotes, '<', '>' or '\', at most
// `max_bytes` long. "javascript:", "file:", "data:" and the like are not web URLs.
bool IsWebUrl(std::string_view s, size_t max_bytes = 2048);

// True for an RFC 4122 UUID in its text form, 8-4-4-4-12 hexadecimal digits (either case),
// without a "uuid:" prefix. Placeholders ("UUID", "", "0") are not UUIDs.
bool IsUuid(std::string_view s);

// Decodes the code point at s[*pos] and advances *pos past it. Returns false (and advances by
// the maximal invalid subpart, at least one byte) when the bytes there are not well-formed UTF-8.
bool NextCodePoint(std::string_view s, size_t* pos, uint32_t* code_point);
// Appends the UTF-8 form of `code_point` (which must be a Unicode scalar value).
void AppendUtf8(std::string& out, uint32_t code_point);

}  // namespace proxier::text
