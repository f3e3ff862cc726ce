// Hardened SAX2 parsing into an Element tree.
#include "proxier/common/xml_tree.h"

#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/sax2/Attributes.hpp>
#include <xercesc/sax2/DefaultHandler.hpp>
#include <xercesc/sax2/SAX2XMLReader.hpp>
#include <xercesc/sax2/XMLReaderFactory.hpp>
#include <xercesc/util/SecurityManager.hpp>

#include <memory>

#include "proxier/common/xml.h"

namespace proxier::xml {

const Element* Element::Child(std::string_view local, const char* ns) const {
  for (const auto& c : children) {
    if (c.name == local && (!ns || c.ns == ns)) return &c;
  }
  return nullptr;
}

std::vector<const Element*> Element::Children(std::string_view local) const {
  std::vector<const Element*> out;
  for (const auto& c : children) {
    if (c.name == local) out.push_back(&c);
  }
  return out;
}

std::string Element::ChildText(std::string_view local, std::string_view fallback) const {
  const Element* c = Child(local);
  return c ? c->text : std::string(fallback);
}

const std::string* Element::Attr(std::string_view local, const char* ns) const {
  for (const auto& a : attributes) {
    if (a.name == local && (!ns || a.ns == ns)) return &a.value;
  }
  return nullptr;
}

namespace {

// Thrown from callbacks to stop the parser; caught in Parse().
struct Abort {
  Status status;
};

class TreeBuilder : public xercesc::DefaultHandler {
 public:
  explicit TreeBuilder(const Limits& limits) : limits_(limits) {}

  Element TakeRoot() { return std::move(root_); }

  void startElement(const XMLCh* uri, const XMLCh* localname, const XMLCh* /*qname*/,
                    const xercesc::Attributes& attrs) override {
    if (++elements_ > limits_.max_elements) {
      throw Abort{
          Status(Code::kResourcesExceeded,
                 "XML has more than " + std::to_string(limits_.max_elements) + " elements")};
    }
    if (stack_.size() + 1 > limits_.max_depth) {
      throw Abort{Status(Code::kResourcesExceeded,
                         "XML nested deeper than " + std::to_string(limits_.max_depth))};
    }
    if (attrs.getLength() > limits_.max_attributes) {
      throw Abort{Status(Code::kResourcesExceeded, "XML element with too many attributes")};
    }
    Element e;
    e.ns = ToUtf8(uri);
    e.name = ToUtf8(localname);
    for (XMLSize_t i = 0; i < attrs.getLength(); ++i) {
      e.attributes.push_back(
          {ToUtf8(attrs.getURI(i)), ToUtf8(attrs.getLocalName(i)), ToUtf8(attrs.getValue(i))});
    }
    if (stack_.empty()) {
      root_ = std::move(e);
      stack_.push_back(&root_);
    } else {
      Element* parent = stack_.back();
      parent->children.push_back(std::move(e));
      stack_.push_back(&parent->children.back());
    }
  }

  void endElement(const XMLCh*, const XMLCh*, const XMLCh*) override { stack_.pop_back(); }

  void characters(const XMLCh* chars, const XMLSize_t length) override {
    if (stack_.empty()) return;
    std::string& text = stack_.back()->text;
    text += ToUtf8(chars, length);
    if (text.size() > limits_.max_text_bytes) {
      throw Abort{
          Status(Code::kResourcesExceeded,
                 "XML text longer than " + std::to_string(limits_.max_text_bytes) + " bytes")};
    }
  }

  // Any DOCTYPE is refused: no internal entities (billion laughs), no external ones.
  void startDTD(const XMLCh*, const XMLCh*, const XMLCh*) override {
    throw Abort{Status(Code::kInvalidArguments, "XML with a DOCTYPE declaration is not accepted")};
  }
  void startEntity(const XMLCh*) override {
    throw Abort{Status(Code::kInvalidArguments, "XML entity references are not accepted")};
  }

  void error(const xercesc::SAXParseException& e) override { Fail(e); }
  void fatalError(const xercesc::SAXParseException& e) override { Fail(e); }

 private:
  void Fail(const xercesc::SAXParseException& e) {
    throw Abort{Status(Code::kInvalidArguments, "malformed XML at line " +
                                                    std::to_string(e.getLineNumber()) + ": " +
                                                    ToUtf8(e.getMessage()))};
  }

  const Limits& limits_;
  Element root_;
  std::vector<Element*> stack_;
  size_t elements_ = 0;
};

}  // namespace

Result<Element> Parse(std::string_view document, const Limits& limits) {
  if (document.size() > limits.max_bytes) {
    return Status(Code::kResourcesExceeded, "XML document of " + std::to_string(document.size()) +
                                                " bytes exceeds the limit of " +
                                                std::to_string(limits.max_bytes));
  }
  if (document.empty()) return Status(Code::kInvalidArguments, "empty XML document");
  EnsureInitialized();
  std::unique_ptr<xercesc::SAX2XMLReader> reader(xercesc::XMLReaderFactory::createXMLReader());
  reader->setFeature(xercesc::XMLUni::fgSAX2CoreNameSpaces, true);
  reader->setFeature(xercesc::XMLUni::fgSAX2CoreNameSpacePrefixes, false);
  reader->setFeature(xercesc::XMLUni::fgSAX2CoreValidation, false);
  reader->setFeature(xercesc::XMLUni::fgXercesSchema, false);
  reader->setFeature(xercesc::XMLUni::fgXercesLoadExternalDTD, false);
  reader->setFeature(xercesc::XMLUni::fgXercesDisableDefaultEntityResolution, true);
  xercesc::SecurityManager security;
  security.setEntityExpansionLimit(0);
  reader->setProperty(xercesc::XMLUni::fgXercesSecurityManager, &security);
  TreeBuilder builder(limits);
  reader->setContentHandler(&builder);
  reader->setErrorHandler(&builder);
  reader->setLexicalHandler(&builder);
  try {
    xercesc::MemBufInputSource source(reinterpret_cast<const XMLByte*>(document.data()),
                                      document.size(), "xml", false);
    reader->parse(source);
  } catch (const Abort& abort) {
    return abort.status;
  } catch (const xercesc::XMLException& e) {
    return Status(Code::kInvalidArguments, "malformed XML: " + ToUtf8(e.getMessage()));
  } catch (const xercesc::SAXException& e) {
    return Status(Code::kInvalidArguments, "malformed XML: " + ToUtf8(e.getMessage()));
  } catch (const std::exception& e) {
    return Status(Code::kInternalError, std::string("XML parser: ") + e.what());
  } catch (...) {
    return Status(Code::kInternalError, "XML parser failed");
  }
  return builder.TakeRoot();
}

}  // namespace proxier::xml
