// SOAP codec for CWMP: parses ACS envelopes into typed messages and builds CPE envelopes.
#pragma once

#include <string>
#include <string_view>

#include "proxier/common/xml_tree.h"
#include "proxier/core/cwmp_messages.h"

namespace proxier::core::cwmp {

struct CodecLimits {
  size_t max_envelope_bytes = 4 * 1024 * 1024;  // larger envelopes are refused with 9004
  size_t max_depth = 32;
  size_t max_elements = 200000;
  size_t max_array_items = 100000;  // items of one array (ParameterNames, ParameterList, ...)
};

// Why an ACS envelope could not be turned into a message, and how to answer it.
struct ParseError {
  Status status;  // 9003 malformed/invalid arguments, 9004 limits, 9000 unknown method
  std::optional<std::string> id;  // the cwmp:ID when it could be read (echo it in the fault)
  Namespace ns = Namespace::k12;  // namespace to answer in
  std::string ns_uri;             // exact cwmp URI the ACS used, when known (see Header::ns_uri)
  std::string method;             // body element name when known
};

// Parses one ACS HTTP body (an envelope). Tolerates: any namespace prefixes, whitespace, an XML
// declaration or none, SOAP-ENV header entries it does not know (unless mustUnderstand="1" on an
// unknown cwmp header), the three cwmp namespaces (and cwmp-1-3/1-4 URNs used by some ACSes,
// treated as 1-2). Never throws; every error comes back as ParseError.
// Arguments: array items may have any element name and the arrayType count is not trusted (more
// than max_array_items: 9004); SPV xsi:type (any prefix) goes to SetItem::declared_type (unknown
// types: none). ParameterKey, CommandKey, InformResponse's MaxEnvelopes and Download/Upload's
// Username, Password, FileSize, TargetFileName, DelaySeconds, SuccessURL, FailureURL default when
// absent; any other missing or ill-typed argument is 9003. A SOAP Fault (to one of our requests)
// becomes AcsResponse Fault; one without a cwmp:Fault detail is 9003. Unknown or unsupported
// methods (ScheduleDownload, GetQueuedTransfers, ...) are 9000 with id/ns/method kept.
// Thread: any.
std::variant<AcsMessage, ParseError> ParseAcsEnvelope(std::string_view body,
                                                      const CodecLimits& limits = {});

// Builds a CPE envelope in the compact style of the fixtures: XML declaration + "\n", one line,
// prefixes soap-env/soap-enc/xsd/xsi/cwmp, arrays with soap-enc:arrayType, values with xsi:type,
// empty elements as start+end tags. `header.id` is written as cwmp:ID mustUnderstand="1"; a
// header without entries writes no Header element. Header order: ID, HoldRequests,
// SupportedCWMPVersions (mustUnderstand="0"), UseCWMPVersion, SessionTimeout; NoMoreRequests is
// never written. Booleans are written 1/0. Text is entity-escaped; control characters XML 1.0
// cannot carry are dropped.
std::string BuildCpeRequest(Namespace ns, const Header& header, const CpeRequest& request);
std::string BuildCpeResponse(Namespace ns, const Header& header, const CpeResponse& response);
// A SOAP Fault with cwmp:Fault detail (faultcode Client for 9003/9005-9008/..., else Server,
// unless Fault::faultcode says Client/Server). An empty FaultString (of the fault or of a
// SetParameterValuesFault entry) is written as CodeName(code).
std::string BuildCpeFault(Namespace ns, const Header& header, const Fault& fault);

// ACS side (for lab-acs and tests): builds an ACS request/response envelope in GenieACS 1.2's
// style (soap-enc declared first, NextLevel 0/1, SPA flags true/false, SPV xsi:type from
// declared_type or xsd:string) and parses a CPE one (same tolerance and errors as above; an
// unknown method is 9000).
std::string BuildAcsRequest(Namespace ns, const Header& header, const AcsRequest& request);
std::string BuildAcsResponse(Namespace ns, const Header& header, const AcsResponse& response);
struct CpeMessage {
  Namespace ns = Namespace::k12;
  Header header;
  std::string method;
  std::variant<CpeRequest, CpeResponse> body;
};
Result<CpeMessage> ParseCpeEnvelope(std::string_view body, const CodecLimits& limits = {});

}  // namespace proxier::core::cwmp
