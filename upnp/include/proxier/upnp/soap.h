// SOAP 1.1 envelopes of UPnP control: requests and responses, success and UPnPError faults.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxier/common/status.h"

namespace proxier::upnp {

// Ordered name/value pairs: UPnP arguments are positional in the SCPD.
using Args = std::vector<std::pair<std::string, std::string>>;

// Value of the SOAPACTION header: "\"<service_type>#<action>\"".
std::string SoapActionHeader(std::string_view service_type, std::string_view action);
// A request envelope; every value is entity-escaped (XML-valued arguments travel as strings).
std::string BuildActionRequest(std::string_view service_type, std::string_view action,
                               const Args& args);
// A success response envelope ("<u:<action>Response>").
std::string BuildActionResponse(std::string_view service_type, std::string_view action,
                                const Args& out);
// A UPnPError fault envelope (sent with HTTP 500).
std::string BuildFault(int upnp_error, std::string_view description);

// Standard description of a UPnP error code (UDA and DM service-specific 7xx), "" if unknown.
std::string_view UpnpErrorName(int code);

struct SoapResponse {
  int upnp_error = 0;  // 0 on success
  std::string error_description;
  Args out;  // output arguments in document order (success only)
};

// Parses a response body (any HTTP status). Output arguments that carry inline XML elements
// instead of escaped text are returned serialized as text; a namespaced element standing where
// an argument should be (a document root put inline, e.g. <cms:ParameterValueList>) is returned
// whole, named by its local name. Errors: 9002 when the body is not a
// SOAP envelope, has neither the expected "<action>Response" nor a UPnPError fault, or exceeds
// `max_bytes`.
Result<SoapResponse> ParseActionResponse(std::string_view body, std::string_view action,
                                         size_t max_bytes = 8 * 1024 * 1024);

// A parsed request (device side and tests).
struct SoapRequest {
  std::string service_type;
  std::string action;
  Args args;
};
Result<SoapRequest> ParseActionRequest(std::string_view body, size_t max_bytes = 1024 * 1024);

}  // namespace proxier::upnp
