// Writing side of the SOAP codec: the compact one-line envelope style of the fixtures.
#include <string>

#include "proxier/common/xml.h"
#include "soap_common.h"

namespace proxier::core::cwmp::soap {

namespace {

void AppendHeaderEntry(std::string& out, std::string_view name, std::string_view must_understand,
                       std::string_view text) {
  out += "<cwmp:";
  out += name;
  out += " soap-env:mustUnderstand=\"";
  out += must_understand;
  out += "\">";
  out += EscapeText(text);
  out += "</cwmp:";
  out += name;
  out += '>';
}

}  // namespace

std::string EscapeText(std::string_view text) { return xml::Escape(text); }

Writer::Writer(Style style, Namespace ns, const Header& header) {
  std::string_view uri = NamespaceUri(ns);
  if (!header.ns_uri.empty() && ParseNamespaceUri(header.ns_uri)) uri = header.ns_uri;
  out_.reserve(1024);
  out_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap-env:Envelope ";
  const std::string env = std::string("xmlns:soap-env=\"") + kSoapEnvNs + "\" ";
  const std::string enc = std::string("xmlns:soap-enc=\"") + kSoapEncNs + "\" ";
  // The CPE declares soap-env first; GenieACS declares soap-enc first.
  out_ += style == Style::kCpe ? env + enc : enc + env;
  out_ += "xmlns:xsd=\"";
  out_ += kXsdNs;
  out_ += "\" xmlns:xsi=\"";
  out_ += kXsiNs;
  out_ += "\" xmlns:cwmp=\"";
  out_ += EscapeText(uri);
  out_ += "\">";
  const bool has_header = header.id || header.hold_requests || header.supported_versions ||
                          header.use_version || header.session_timeout;
  if (has_header) {
    out_ += "<soap-env:Header>";
    if (header.id) AppendHeaderEntry(out_, "ID", "1", *header.id);
    if (header.hold_requests) {
      AppendHeaderEntry(out_, "HoldRequests", "1", *header.hold_requests ? "1" : "0");
    }
    if (header.supported_versions) {
      AppendHeaderEntry(out_, "SupportedCWMPVersions", "0", *header.supported_versions);
    }
    if (header.use_version) AppendHeaderEntry(out_, "UseCWMPVersion", "1", *header.use_version);
    if (header.session_timeout) {
      AppendHeaderEntry(out_, "SessionTimeout", "0", std::to_string(*header.session_timeout));
    }
    out_ += "</soap-env:Header>";
  }
  out_ += "<soap-env:Body>";
}

std::string Writer::Finish() {
  out_ += "</soap-env:Body></soap-env:Envelope>";
  return std::move(out_);
}

void Writer::Open(std::string_view tag) {
  out_ += '<';
  out_ += tag;
  out_ += '>';
}

void Writer::Close(std::string_view tag) {
  out_ += "</";
  out_ += tag;
  out_ += '>';
}

void Writer::OpenArray(std::string_view tag, std::string_view type, size_t n) {
  out_ += '<';
  out_ += tag;
  out_ += " soap-enc:arrayType=\"";
  out_ += type;
  out_ += '[';
  out_ += std::to_string(n);
  out_ += "]\">";
}

void Writer::Leaf(std::string_view tag, std::string_view text) {
  Open(tag);
  out_ += EscapeText(text);
  Close(tag);
}

void Writer::Unsigned(std::string_view tag, uint64_t number) { Leaf(tag, std::to_string(number)); }

void Writer::Signed(std::string_view tag, int64_t number) { Leaf(tag, std::to_string(number)); }

void Writer::TypedLeaf(std::string_view tag, std::string_view type, std::string_view text) {
  out_ += '<';
  out_ += tag;
  out_ += " xsi:type=\"";
  out_ += type;
  out_ += "\">";
  out_ += EscapeText(text);
  Close(tag);
}

void Writer::StringArray(std::string_view tag, const std::vector<std::string>& items) {
  OpenArray(tag, "xsd:string", items.size());
  for (const auto& item : items) Leaf("string", item);
  Close(tag);
}

void Writer::ParamValues(std::string_view tag, const std::vector<datamodel::ParamValue>& values) {
  OpenArray(tag, "cwmp:ParameterValueStruct", values.size());
  for (const auto& value : values) {
    Open("ParameterValueStruct");
    Leaf("Name", value.name);
    TypedLeaf("Value", datamodel::XsiTypeName(value.type), value.value);
    Close("ParameterValueStruct");
  }
  Close(tag);
}

void Writer::SoapFault(const Fault& fault) {
  const Code code = static_cast<Code>(fault.code);
  std::string_view faultcode = fault.faultcode;
  if (faultcode != "Client" && faultcode != "Server") {
    faultcode = IsClientFault(code) ? "Client" : "Server";
  }
  Open("soap-env:Fault");
  Leaf("faultcode", faultcode);
  Leaf("faultstring", "CWMP fault");
  Open("detail");
  Open("cwmp:Fault");
  Signed("FaultCode", fault.code);
  Leaf("FaultString", fault.string.empty() ? CodeName(code) : std::string_view(fault.string));
  for (const auto& param : fault.set_faults) {
    Open("SetParameterValuesFault");
    Leaf("ParameterName", param.name);
    Signed("FaultCode", param.status.fault_code());
    Leaf("FaultString", param.status.message().empty() ? CodeName(param.status.code())
                                                       : std::string_view(param.status.message()));
    Close("SetParameterValuesFault");
  }
  Close("cwmp:Fault");
  Close("detail");
  Close("soap-env:Fault");
}

}  // namespace proxier::core::cwmp::soap
