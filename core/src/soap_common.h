// Private helpers shared by the SOAP parsers and builders: envelope reading, argument readers,
// and a small writer for the compact envelope style.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxier/common/status.h"
#include "proxier/common/xml_tree.h"
#include "proxier/core/cwmp_messages.h"
#include "proxier/core/soap_codec.h"

namespace proxier::core::cwmp::soap {

inline constexpr char kSoapEnvNs[] = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr char kSoapEncNs[] = "http://schemas.xmlsoap.org/soap/encoding/";
inline constexpr char kXsdNs[] = "http://www.w3.org/2001/XMLSchema";
inline constexpr char kXsiNs[] = "http://www.w3.org/2001/XMLSchema-instance";

// ---- reading ---------------------------------------------------------------------------------

// What ReadEnvelope found. `body` points into the tree passed to ReadEnvelope.
struct EnvelopeInfo {
  Namespace ns = Namespace::k12;
  Header header;                       // header.ns_uri = the cwmp URI in use, if any
  std::string method;                  // local name of the body element
  const xml::Element* body = nullptr;  // the single body element
  bool fault = false;                  // body is a soap-env:Fault
};

// Parses `document` into `*tree` and checks the SOAP 1.1 structure: Envelope, optional Header
// (cwmp entries read into info->header), Body with exactly one element in a cwmp namespace or a
// soap-env:Fault. On error `*info` keeps what could be read (id, ns, method).
// Errors: 9004 over a limit, 9003 malformed XML or structure.
Status ReadEnvelope(std::string_view document, const CodecLimits& limits, xml::Element* tree,
                    EnvelopeInfo* info);

std::string_view Trim(std::string_view text);
// xs:boolean ("true"/"false"/"1"/"0", surrounding whitespace allowed).
std::optional<bool> ParseBool(std::string_view text);
// xs:unsignedInt (optional '+', surrounding whitespace allowed).
std::optional<uint32_t> ParseUint32(std::string_view text);
// xs:int.
std::optional<int32_t> ParseInt32(std::string_view text);

// Reads the arguments of one body element. Errors name the argument and the method.
// Thread: any (one reader per message).
class ArgReader {
 public:
  ArgReader(const xml::Element& parent, std::string_view method, size_t max_array_items)
      : parent_(parent), method_(method), max_items_(max_array_items) {}

  const xml::Element* Parent() const { return &parent_; }
  const xml::Element* Child(std::string_view name) const { return parent_.Child(name); }
  // Text of a child, exactly as sent. Absent: 9003 when required, else `out` is left as is.
  Status String(std::string_view name, std::string* out, bool required = true) const;
  // Text of a child without surrounding whitespace (names, paths, URLs).
  Status Token(std::string_view name, std::string* out, bool required = true) const;
  Status Uint(std::string_view name, uint32_t* out, bool required = true) const;
  Status Int(std::string_view name, int* out, bool required = true) const;
  Status Bool(std::string_view name, bool* out, bool required = true) const;
  // The item elements of array child `name` (any item element name; the arrayType count is not
  // trusted). 9004 above max_array_items.
  Status Array(std::string_view name, std::vector<const xml::Element*>* items,
               bool required = true) const;
  // An array of strings (trimmed).
  Status Strings(std::string_view name, std::vector<std::string>* out, bool required = true) const;
  // A ParameterValueStruct array; types from xsi:type (missing/unknown: string).
  Status ParamValues(std::string_view name, std::vector<datamodel::ParamValue>* out) const;
  // A nested reader for a struct element.
  ArgReader Sub(const xml::Element& element) const {
    return ArgReader(element, method_, max_items_);
  }
  Status Invalid(std::string_view what) const;
  size_t max_items() const { return max_items_; }

 private:
  const xml::Element& parent_;
  std::string_view method_;
  size_t max_items_;
};

// The xsi:type attribute of an element (any prefix; matched by namespace), or nullptr.
const std::string* XsiType(const xml::Element& element);
// Reads a soap-env:Fault element with its cwmp:Fault detail. 9003 when the detail is missing.
Status ReadFault(const xml::Element& fault, size_t max_items, Fault* out);

// ---- writing ---------------------------------------------------------------------------------

// Escapes text for element content: & < > " ' as entities, CR as &#13; (so it survives parsing);
// characters XML 1.0 cannot carry (C0 controls other than TAB/LF/CR) are dropped.
std::string EscapeText(std::string_view text);

// Who writes the envelope: the CPE (our compact style) or the ACS (GenieACS's style).
enum class Style { kCpe, kAcs };

// Appends compact XML to a string: no whitespace, empty elements as start + end tags.
class Writer {
 public:
  Writer(Style style, Namespace ns, const Header& header);
  // Closes Body and Envelope and returns the document.
  std::string Finish();

  void Open(std::string_view tag);
  void Close(std::string_view tag);
  // <tag soap-enc:arrayType="type[n]">
  void OpenArray(std::string_view tag, std::string_view type, size_t n);
  // <tag>escaped text</tag>
  void Leaf(std::string_view tag, std::string_view text);
  void Unsigned(std::string_view tag, uint64_t number);
  void Signed(std::string_view tag, int64_t number);
  // <tag xsi:type="type">escaped text</tag>
  void TypedLeaf(std::string_view tag, std::string_view type, std::string_view text);
  void Empty(std::string_view tag) { Leaf(tag, std::string_view()); }
  // A string array: <tag soap-enc:arrayType="xsd:string[n]"><string>..</string>...</tag>
  void StringArray(std::string_view tag, const std::vector<std::string>& items);
  // A ParameterValueStruct array.
  void ParamValues(std::string_view tag, const std::vector<datamodel::ParamValue>& values);
  // soap-env:Fault with cwmp:Fault detail.
  void SoapFault(const Fault& fault);

 private:
  std::string out_;
};

}  // namespace proxier::core::cwmp::soap
