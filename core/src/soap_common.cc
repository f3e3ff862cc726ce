// Reading side of the SOAP codec: envelope structure, header entries and typed arguments.
#include "soap_common.h"

#include <charconv>
#include <limits>

namespace proxier::core::cwmp::soap {

namespace {

Status Malformed(std::string message) {
  return Status(Code::kInvalidArguments, std::move(message));
}

bool MustUnderstand(const xml::Element& entry) {
  const std::string* mu = entry.Attr("mustUnderstand", kSoapEnvNs);
  return mu && ParseBool(*mu).value_or(false);
}

// Reads the cwmp entries of the SOAP Header. The ID is read first so that it is known even when
// another entry is invalid.
Status ReadHeader(const xml::Element& header, EnvelopeInfo* info) {
  for (const auto& entry : header.children) {
    auto ns = ParseNamespaceUri(entry.ns);
    if (ns && entry.name == "ID") {
      info->header.id = entry.text;
      info->ns = *ns;
      info->header.ns_uri = entry.ns;
    }
  }
  for (const auto& entry : header.children) {
    if (!ParseNamespaceUri(entry.ns)) continue;  // foreign entries are not ours to judge
    const std::string& name = entry.name;
    if (name == "ID") continue;
    if (name == "HoldRequests") {
      auto value = ParseBool(entry.text);
      if (!value) return Malformed("HoldRequests header is not a boolean: '" + entry.text + "'");
      info->header.hold_requests = *value;
    } else if (name == "SessionTimeout") {
      auto value = ParseUint32(entry.text);
      if (!value) return Malformed("SessionTimeout header is not an unsignedInt");
      info->header.session_timeout = *value;
    } else if (name == "SupportedCWMPVersions") {
      info->header.supported_versions = std::string(Trim(entry.text));
    } else if (name == "UseCWMPVersion") {
      info->header.use_version = std::string(Trim(entry.text));
    } else if (name == "NoMoreRequests") {
      // Deprecated since CWMP 1.1: recorded when readable, never an error.
      if (auto value = ParseBool(entry.text)) info->header.no_more_requests = *value;
    } else if (MustUnderstand(entry)) {
      return Malformed("unsupported mandatory header cwmp:" + name);
    }
  }
  return Status::Ok();
}

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsXmlSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsXmlSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::optional<bool> ParseBool(std::string_view text) {
  text = Trim(text);
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  return std::nullopt;
}

std::optional<uint32_t> ParseUint32(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '-' || text.front() == '+') return std::nullopt;
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<int32_t> ParseInt32(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return std::nullopt;
  int32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Status ReadEnvelope(std::string_view document, const CodecLimits& limits, xml::Element* tree,
                    EnvelopeInfo* info) {
  if (document.size() > limits.max_envelope_bytes) {
    return Status(Code::kResourcesExceeded, "envelope of " + std::to_string(document.size()) +
                                                " bytes exceeds the limit of " +
                                                std::to_string(limits.max_envelope_bytes));
  }
  xml::Limits xml_limits;
  xml_limits.max_bytes = limits.max_envelope_bytes;
  xml_limits.max_depth = limits.max_depth;
  xml_limits.max_elements = limits.max_elements;
  auto parsed = xml::Parse(document, xml_limits);
  if (!parsed.ok()) return parsed.status();
  *tree = std::move(parsed).value();

  const xml::Element& envelope = *tree;
  if (envelope.name != "Envelope" || envelope.ns != kSoapEnvNs) {
    return Malformed("root element is not a SOAP 1.1 Envelope ({" + envelope.ns + "}" +
                     envelope.name + ")");
  }
  const xml::Element* header = nullptr;
  const xml::Element* body = nullptr;
  for (const auto& child : envelope.children) {
    if (child.ns != kSoapEnvNs) continue;  // SOAP 1.1 allows foreign trailing elements
    if (child.name == "Header") {
      if (header) return Malformed("envelope with two Header elements");
      header = &child;
    } else if (child.name == "Body") {
      if (body) return Malformed("envelope with two Body elements");
      body = &child;
    }
  }
  if (header) PX_RETURN_IF_ERROR(ReadHeader(*header, info));
  if (!body) return Malformed("envelope without a Body");
  if (body->children.empty()) return Malformed("empty SOAP Body");
  if (body->children.size() > 1) {
    return Malformed("SOAP Body with " + std::to_string(body->children.size()) +
                     " elements (one expected)");
  }
  const xml::Element& element = body->children.front();
  info->method = element.name;
  if (element.ns == kSoapEnvNs && element.name == "Fault") {
    info->fault = true;
    const xml::Element* detail = element.Child("detail");
    const xml::Element* cwmp_fault = detail ? detail->Child("Fault") : nullptr;
    if (cwmp_fault) {
      if (auto ns = ParseNamespaceUri(cwmp_fault->ns)) {
        info->ns = *ns;
        info->header.ns_uri = cwmp_fault->ns;
      }
    }
  } else {
    auto ns = ParseNamespaceUri(element.ns);
    if (!ns) {
      return Malformed("body element " + element.name + " is not in a cwmp namespace ('" +
                       element.ns + "')");
    }
    info->ns = *ns;
    info->header.ns_uri = element.ns;
  }
  info->body = &element;
  return Status::Ok();
}

const std::string* XsiType(const xml::Element& element) { return element.Attr("type", kXsiNs); }

Status ArgReader::Invalid(std::string_view what) const {
  std::string message(method_);
  message += ": ";
  message += what;
  return Malformed(std::move(message));
}

Status ArgReader::String(std::string_view name, std::string* out, bool required) const {
  const xml::Element* child = parent_.Child(name);
  if (!child) {
    return required ? Invalid("missing argument " + std::string(name)) : Status::Ok();
  }
  *out = child->text;
  return Status::Ok();
}

Status ArgReader::Token(std::string_view name, std::string* out, bool required) const {
  const xml::Element* child = parent_.Child(name);
  if (!child) {
    return required ? Invalid("missing argument " + std::string(name)) : Status::Ok();
  }
  *out = std::string(Trim(child->text));
  return Status::Ok();
}

Status ArgReader::Uint(std::string_view name, uint32_t* out, bool required) const {
  const xml::Element* child = parent_.Child(name);
  if (!child) {
    return required ? Invalid("missing argument " + std::string(name)) : Status::Ok();
  }
  auto value = ParseUint32(child->text);
  if (!value) return Invalid(std::string(name) + " is not an unsignedInt: '" + child->text + "'");
  *out = *value;
  return Status::Ok();
}

Status ArgReader::Int(std::string_view name, int* out, bool required) const {
  const xml::Element* child = parent_.Child(name);
  if (!child) {
    return required ? Invalid("missing argument " + std::string(name)) : Status::Ok();
  }
  auto value = ParseInt32(child->text);
  if (!value) return Invalid(std::string(name) + " is not an int: '" + child->text + "'");
  *out = *value;
  return Status::Ok();
}

Status ArgReader::Bool(std::string_view name, bool* out, bool required) const {
  const xml::Element* child = parent_.Child(name);
  if (!child) {
    return required ? Invalid("missing argument " + std::string(name)) : Status::Ok();
  }
  auto value = ParseBool(child->text);
  if (!value) return Invalid(std::string(name) + " is not a boolean: '" + child->text + "'");
  *out = *value;
  return Status::Ok();
}

Status ArgReader::Array(std::string_view name, std::vector<const xml::Element*>* items,
                        bool required) const {
  items->clear();
  const xml::Element* array = parent_.Child(name);
  if (!array) {
    return required ? Invalid("missing argument " + std::string(name)) : Status::Ok();
  }
  if (array->children.size() > max_items_) {
    return Status(Code::kResourcesExceeded, std::string(method_) + ": " + std::string(name) +
                                                " has more than " + std::to_string(max_items_) +
                                                " items");
  }
  items->reserve(array->children.size());
  for (const auto& item : array->children) items->push_back(&item);
  return Status::Ok();
}

Status ArgReader::Strings(std::string_view name, std::vector<std::string>* out,
                          bool required) const {
  std::vector<const xml::Element*> items;
  PX_RETURN_IF_ERROR(Array(name, &items, required));
  out->clear();
  out->reserve(items.size());
  for (const xml::Element* item : items) {
    if (!item->children.empty()) {
      return Invalid(std::string(name) + " item <" + item->name + "> is not a string");
    }
    out->emplace_back(Trim(item->text));
  }
  return Status::Ok();
}

Status ArgReader::ParamValues(std::string_view name,
                              std::vector<datamodel::ParamValue>* out) const {
  std::vector<const xml::Element*> items;
  PX_RETURN_IF_ERROR(Array(name, &items));
  out->clear();
  out->reserve(items.size());
  for (const xml::Element* item : items) {
    ArgReader s = Sub(*item);
    datamodel::ParamValue value;
    PX_RETURN_IF_ERROR(s.Token("Name", &value.name));
    PX_RETURN_IF_ERROR(s.String("Value", &value.value));
    const std::string* type = XsiType(*item->Child("Value"));
    if (type)
      value.type = datamodel::ParseXsiType(Trim(*type)).value_or(datamodel::ValueType::kString);
    out->push_back(std::move(value));
  }
  return Status::Ok();
}

Status ReadFault(const xml::Element& fault, size_t max_items, Fault* out) {
  const std::string faultcode = fault.ChildText("faultcode");
  std::string_view code = Trim(faultcode);
  if (auto colon = code.rfind(':'); colon != std::string_view::npos) code.remove_prefix(colon + 1);
  out->faultcode = std::string(code);
  const xml::Element* detail = fault.Child("detail");
  const xml::Element* cwmp_fault = detail ? detail->Child("Fault") : nullptr;
  if (!cwmp_fault) return Malformed("SOAP Fault without a cwmp:Fault detail");
  ArgReader r(*cwmp_fault, "Fault", max_items);
  uint32_t fault_code = 0;
  PX_RETURN_IF_ERROR(r.Uint("FaultCode", &fault_code));
  if (fault_code > std::numeric_limits<uint16_t>::max()) return r.Invalid("FaultCode out of range");
  out->code = static_cast<int>(fault_code);
  PX_RETURN_IF_ERROR(r.String("FaultString", &out->string, false));
  auto entries = cwmp_fault->Children("SetParameterValuesFault");
  if (entries.size() > max_items) {
    return Status(Code::kResourcesExceeded, "Fault: too many SetParameterValuesFault entries");
  }
  for (const xml::Element* entry : entries) {
    ArgReader e = r.Sub(*entry);
    datamodel::ParamFault param;
    uint32_t param_code = 0;
    std::string text;
    PX_RETURN_IF_ERROR(e.Token("ParameterName", &param.name));
    PX_RETURN_IF_ERROR(e.Uint("FaultCode", &param_code));
    if (param_code > std::numeric_limits<uint16_t>::max()) {
      return e.Invalid("FaultCode out of range");
    }
    PX_RETURN_IF_ERROR(e.String("FaultString", &text, false));
    param.status = Status(static_cast<Code>(param_code), std::move(text));
    out->set_faults.push_back(std::move(param));
  }
  return Status::Ok();
}

}  // namespace proxier::core::cwmp::soap
