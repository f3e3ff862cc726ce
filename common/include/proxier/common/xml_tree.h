// A hardened XML parser (Xerces SAX2) that builds a small element tree, with limits.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "proxier/common/status.h"

namespace proxier::xml {

// Limits enforced while parsing; a document over any limit is refused before it is fully read.
struct Limits {
  size_t max_bytes = 4 * 1024 * 1024;
  size_t max_depth = 32;
  size_t max_elements = 200000;
  size_t max_attributes = 64;       // per element
  size_t max_text_bytes = 1 << 20;  // per element
};

struct Attribute {
  std::string ns;    // namespace URI ("" if none)
  std::string name;  // local name
  std::string value;
};

// One element: namespace URI + local name, its attributes, its direct text and children.
struct Element {
  std::string ns;
  std::string name;
  std::vector<Attribute> attributes;
  std::string text;  // concatenated character data directly inside this element
  std::vector<Element> children;

  // First child with local name `local` (any namespace when `ns` is nullptr); nullptr if none.
  const Element* Child(std::string_view local, const char* ns = nullptr) const;
  // All children with local name `local`.
  std::vector<const Element*> Children(std::string_view local) const;
  // Text of the first child `local`, or `fallback` if absent.
  std::string ChildText(std::string_view local, std::string_view fallback = "") const;
  // Attribute value by namespace URI and local name (ns nullptr = any namespace); nullptr if
  // absent.
  const std::string* Attr(std::string_view local, const char* ns = nullptr) const;
};

// Parses `document` into a tree. DOCTYPE declarations (hence entity definitions) are refused,
// external entities are never resolved, namespaces are processed.
// Errors: 9004 when a limit is exceeded; 9003 for malformed XML or a DOCTYPE, with line and reason.
// Thread: any (each call uses its own parser).
Result<Element> Parse(std::string_view document, const Limits& limits = {});

}  // namespace proxier::xml
