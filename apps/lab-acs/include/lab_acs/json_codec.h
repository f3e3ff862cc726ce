// JSON <-> CWMP message model for the lab-acs control API: task bodies to ACS requests, and CPE
// responses/requests to the JSON shapes the API returns. Pure functions, no state.
#pragma once

#include <nlohmann/json.hpp>

#include "proxier/common/status.h"
#include "proxier/core/cwmp_messages.h"

namespace proxier::labacs {

namespace cwmp = core::cwmp;
using Json = nlohmann::json;

// Turns a task body ({"name": "GetParameterValues", "names": [...]}, ...) into an ACS request.
// Unknown names, unknown or mistyped fields and missing required fields are 9003 errors whose
// message says what is wrong (the API answers them with 400).
// Thread: any.
Result<cwmp::AcsRequest> AcsRequestFromJson(const Json& task);

// The request as the API shows it (same field names as the task body; passwords shown as
// "<redacted>" when set).
Json AcsRequestToJson(const cwmp::AcsRequest& request);

// A CPE response or fault in the API's encodings:
//   GPV {"values":[[name,value,xsdType]]}, GPN {"names":[[name,writable]]}, SPV {"status"},
//   AddObject {"instance","status"}, DeleteObject {"status"}, GPA {"attributes":[{"name",
//   "notification","access_list"}]}, GetRPCMethods {"methods"}, Download/Upload {"status",
//   "start_time","complete_time"}, empty responses {}, faults {"fault":{"code","string",
//   "set_faults":[{"name","code","string"}]}}.
Json CpeResponseToJson(const cwmp::CpeResponse& response);
Json FaultToJson(const cwmp::Fault& fault);

// A CPE-initiated request (Inform, TransferComplete, ...) as a JSON object with a "method" key.
Json CpeRequestToJson(const cwmp::CpeRequest& request);

// Inform helpers: events as [[code, command_key]], params as {name: value}.
Json EventsToJson(const std::vector<cwmp::EventStruct>& events);
Json ParamsToObject(const std::vector<datamodel::ParamValue>& params);

}  // namespace proxier::labacs
