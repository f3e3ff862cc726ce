// SOAP envelope building and parsing on top of the hardened XML tree parser.
#include "proxier/upnp/soap.h"

#include "proxier/common/text.h"
#include "proxier/common/xml.h"
#include "proxier/common/xml_tree.h"
#include "proxier/upnp/xml_writer.h"

namespace proxier::upnp {
namespace {

constexpr char kEnvOpen[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>";
constexpr char kEnvClose[] = "</s:Body></s:Envelope>";

std::string Body(std::string_view service_type, std::string_view element, const Args& args) {
  std::string out = kEnvOpen;
  out += "<u:" + std::string(element) + " xmlns:u=\"" + xml::Escape(service_type) + "\">";
  for (const auto& [k, v] : args) out += "<" + k + ">" + xml::Escape(v) + "</" + k + ">";
  out += "</u:" + std::string(element) + ">" + kEnvClose;
  return out;
}

Result<xml::Element> ParseEnvelope(std::string_view body, size_t max_bytes) {
  if (body.size() > max_bytes) {
    return Status(Code::kInternalError, "SOAP body over " + std::to_string(max_bytes) + " bytes");
  }
  xml::Limits limits;
  limits.max_bytes = max_bytes;
  limits.max_depth = 40;
  limits.max_text_bytes = max_bytes;
  auto doc = xml::Parse(body, limits);
  if (!doc.ok()) return Status(Code::kInternalError, "malformed SOAP: " + doc.status().message());
  if (doc->name != "Envelope") return Status(Code::kInternalError, "not a SOAP envelope");
  const xml::Element* b = doc->Child("Body");
  if (!b) return Status(Code::kInternalError, "SOAP envelope without Body");
  xml::Element copy = *b;
  return copy;
}

}  // namespace

std::string SoapActionHeader(std::string_view service_type, std::string_view action) {
  return "\"" + std::string(service_type) + "#" + std::string(action) + "\"";
}

std::string BuildActionRequest(std::string_view service_type, std::string_view action,
                               const Args& args) {
  return Body(service_type, action, args);
}

std::string BuildActionResponse(std::string_view service_type, std::string_view action,
                                const Args& out) {
  return Body(service_type, std::string(action) + "Response", out);
}

std::string BuildFault(int upnp_error, std::string_view description) {
  return std::string(kEnvOpen) +
         "<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
         "<UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>" +
         std::to_string(upnp_error) + "</errorCode><errorDescription>" + xml::Escape(description) +
         "</errorDescription></UPnPError></detail></s:Fault>" + kEnvClose;
}

std::string_view UpnpErrorName(int code) {
  switch (code) {
    case 401:
      return "Invalid Action";
    case 402:
      return "Invalid Args";
    case 501:
      return "Action Failed";
    case 600:
      return "Argument Value Invalid";
    case 601:
      return "Argument Value Out of Range";
    case 602:
      return "Optional Action Not Implemented";
    case 603:
      return "Out of Memory";
    case 604:
      return "Human Intervention Required";
    case 605:
      return "String Argument Too Long";
    case 606:
      return "Action not authorized";
    case 701:
      return "Invalid Argument Syntax";
    case 702:
      return "Invalid XML Argument";
    case 703:
      return "No Such Name";
    case 704:
      return "Invalid Value Type";
    case 705:
      return "Invalid Value";
    case 706:
      return "Read Only Violation";
    case 707:
      return "Multiple Set";
    case 708:
      return "Resource Temporarily Unavailable";
    default:
      return "";
  }
}

Result<SoapResponse> ParseActionResponse(std::string_view body, std::string_view action,
                                         size_t max_bytes) {
  auto b = ParseEnvelope(body, max_bytes);
  if (!b.ok()) return b.status();
  SoapResponse out;
  if (const xml::Element* fault = b->Child("Fault")) {
    const xml::Element* detail = fault->Child("detail");
    const xml::Element* err = detail ? detail->Child("UPnPError") : nullptr;
    if (!err) return Status(Code::kInternalError, "SOAP fault without UPnPError");
    std::string code = err->ChildText("errorCode");
    while (!code.empty() && (code.back() == ' ' || code.back() == '\n')) code.pop_back();
    while (!code.empty() && (code.front() == ' ' || code.front() == '\n')) code.erase(0, 1);
    if (code.empty() || code.size() > 6 ||
        code.find_first_not_of("0123456789") != std::string::npos) {
      return Status(Code::kInternalError,
                    "UPnPError with bad errorCode '" + code.substr(0, 20) + "'");
    }
    out.upnp_error = std::stoi(code);
    // Device text that ends up in faults and CommandProcessingErrMsg: a clean label.
    out.error_description = text::CleanLabel(err->ChildText("errorDescription"), 1024);
    return out;
  }
  const std::string want = std::string(action) + "Response";
  const xml::Element* resp = b->Child(want);
  if (!resp) return Status(Code::kInternalError, "SOAP body without " + want);
  for (const auto& c : resp->children) {
    // UPnP argument elements are unqualified. A namespaced child is a document's root put where
    // the argument should be (field devices answer <cms:ParameterValueList> in place of
    // <ParameterValueList>&lt;cms:...): it is kept whole, under its own name.
    out.out.emplace_back(c.name, c.ns.empty() ? ContentOf(c) : WriteXml(c));
  }
  return out;
}

Result<SoapRequest> ParseActionRequest(std::string_view body, size_t max_bytes) {
  auto b = ParseEnvelope(body, max_bytes);
  if (!b.ok()) return b.status();
  if (b->children.size() != 1) return Status(Code::kInvalidArguments, "Body must hold one action");
  const xml::Element& a = b->children[0];
  SoapRequest out{a.ns, a.name, {}};
  for (const auto& c : a.children) out.args.emplace_back(c.name, ContentOf(c));
  return out;
}

}  // namespace proxier::upnp
