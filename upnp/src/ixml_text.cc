// ixml DOM helpers.
#include "ixml_text.h"

namespace proxier::upnp {

std::string NodeText(IXML_Node* n) {
  std::string out;
  for (IXML_Node* c = ixmlNode_getFirstChild(n); c; c = ixmlNode_getNextSibling(c)) {
    if (ixmlNode_getNodeType(c) == eTEXT_NODE) {
      out += Str(ixmlNode_getNodeValue(c));
    } else if (ixmlNode_getNodeType(c) == eELEMENT_NODE) {
      DOMString x = ixmlPrintNode(c);
      if (x) {
        out += x;
        ixmlFreeDOMString(x);
      }
    }
  }
  return out;
}

}  // namespace proxier::upnp
