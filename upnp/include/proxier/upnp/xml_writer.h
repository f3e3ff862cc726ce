// Writes an xml::Element tree back to text (used to carry embedded XML arguments as strings).
#pragma once

#include <string>

#include "proxier/common/xml_tree.h"

namespace proxier::upnp {

// Serializes `element` with escaped text and attributes. Namespaces are written as default
// namespace declarations wherever an element's namespace differs from its parent's.
// Mixed content is written as text first, then children (xml::Element keeps no interleaving).
// Thread: any.
std::string WriteXml(const xml::Element& element);

// The value an element carries as an argument or state variable: its text, followed by the XML
// elements a device put inside instead of escaped text, serialized (WriteXml each).
std::string ContentOf(const xml::Element& element);

}  // namespace proxier::upnp
