// Element tree -> XML text.
#include "proxier/upnp/xml_writer.h"

#include "proxier/common/xml.h"

namespace proxier::upnp {
namespace {

void Write(const xml::Element& e, const std::string& parent_ns, std::string& out) {
  out += "<" + e.name;
  if (e.ns != parent_ns) out += " xmlns=\"" + xml::Escape(e.ns) + "\"";
  for (const auto& a : e.attributes) {
    if (!a.ns.empty()) continue;  // namespaced attributes (xsi:...) carry no payload here
    out += " " + a.name + "=\"" + xml::Escape(a.value) + "\"";
  }
  if (e.text.empty() && e.children.empty()) {
    out += "/>";
    return;
  }
  out += ">" + xml::Escape(e.text);
  for (const auto& c : e.children) Write(c, e.ns, out);
  out += "</" + e.name + ">";
}

}  // namespace

std::string WriteXml(const xml::Element& element) {
  std::string out;
  Write(element, "", out);
  return out;
}

std::string ContentOf(const xml::Element& element) {
  std::string out = element.text;  // text first (mixed content: "3,2026-...," then a list)
  for (const auto& c : element.children) out += WriteXml(c);
  return out;
}

}  // namespace proxier::upnp
