// Small helpers over libupnp's ixml DOM (private to upnp/).
#pragma once

#include <upnp/ixml.h>

#include <string>

namespace proxier::upnp {

// "" for a null C string.
inline std::string Str(const char* s) { return s ? s : ""; }

// Text of a node's children: plain text, or the markup of inline elements (payloads that a
// device sent as embedded XML instead of escaped text).
std::string NodeText(IXML_Node* node);

}  // namespace proxier::upnp
