// CWMP message model: typed structs for every RPC exchanged between a CPE and an ACS.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "proxier/common/log.h"
#include "proxier/common/status.h"
#include "proxier/datamodel/data_model.h"
#include "proxier/datamodel/provider.h"

namespace proxier::core::cwmp {

// The cwmp namespace of a session: urn:dslforum-org:cwmp-1-0 / -1-1 / -1-2 (1.2 also carries
// CWMP 1.3 and 1.4). The CPE answers in the namespace the ACS uses.
enum class Namespace { k10, k11, k12 };
std::string_view NamespaceUri(Namespace ns);
std::optional<Namespace> ParseNamespaceUri(std::string_view uri);
// The namespace a CWMP version uses ("1.0" -> k10, "1.1" -> k11, "1.2" to "1.4" -> k12);
// nullopt for anything else.
std::optional<Namespace> NamespaceOfVersion(std::string_view version);

// SOAP header entries (all optional except in the cases TR-069 requires them).
struct Header {
  std::optional<std::string> id;                  // cwmp:ID (echoed in the response)
  std::optional<bool> hold_requests;              // ACS -> CPE
  std::optional<std::string> supported_versions;  // CPE Inform, CWMP 1.4: "1.0,1.1,1.2,1.3,1.4"
  std::optional<std::string> use_version;         // ACS InformResponse, CWMP 1.4
  std::optional<uint32_t> session_timeout;        // CWMP 1.3+
  std::optional<bool> no_more_requests;           // deprecated, ignored
  // The exact cwmp namespace URI. Parsers set it to the URI the peer used (which may be
  // "urn:dslforum-org:cwmp-1-3"/"-1-4", parsed as Namespace::k12); builders write it instead of
  // NamespaceUri(ns) when it is a cwmp URI, so a session echoes exactly what the ACS used. Empty:
  // NamespaceUri(ns).
  std::string ns_uri;
};

// ---- ACS -> CPE requests ------------------------------------------------------------------

struct GetRPCMethods {};
struct SetParameterValues {
  std::vector<datamodel::SetItem> params;
  std::string parameter_key;
};
struct GetParameterValues {
  std::vector<std::string> names;
};
struct GetParameterNames {
  std::string path;
  bool next_level = false;
};
struct SetParameterAttributes {
  std::vector<datamodel::AttributeChange> params;
};
struct GetParameterAttributes {
  std::vector<std::string> names;
};
struct AddObject {
  std::string object_name;
  std::string parameter_key;
};
struct DeleteObject {
  std::string object_name;
  std::string parameter_key;
};
struct Reboot {
  std::string command_key;
};
struct FactoryReset {};
struct Download {
  std::string command_key;
  std::string file_type;
  std::string url;
  std::string username;
  Secret password;
  uint32_t file_size = 0;
  std::string target_file_name;
  uint32_t delay_seconds = 0;
  std::string success_url;
  std::string failure_url;
};
struct Upload {
  std::string command_key;
  std::string file_type;
  std::string url;
  std::string username;
  Secret password;
  uint32_t delay_seconds = 0;
};
struct ScheduleInform {
  uint32_t delay_seconds = 0;
  std::string command_key;
};
// ChangeDUState operations (xsi:type InstallOpStruct / UpdateOpStruct / UninstallOpStruct).
struct DuOperation {
  enum class Kind { kInstall, kUpdate, kUninstall } kind = Kind::kInstall;
  std::string url;
  std::string uuid;
  std::string username;
  Secret password;
  std::string execution_env_ref;
  std::string version;
};
struct ChangeDUState {
  std::vector<DuOperation> operations;
  std::string command_key;
};

using AcsRequest =
    std::variant<GetRPCMethods, SetParameterValues, GetParameterValues, GetParameterNames,
                 SetParameterAttributes, GetParameterAttributes, AddObject, DeleteObject, Reboot,
                 FactoryReset, Download, Upload, ScheduleInform, ChangeDUState>;

// ---- ACS -> CPE responses to CPE requests ---------------------------------------------------

struct InformResponse {
  uint32_t max_envelopes = 1;
};
struct TransferCompleteResponse {};
struct AutonomousTransferCompleteResponse {};
struct DUStateChangeCompleteResponse {};
struct GetRPCMethodsResponse {
  std::vector<std::string> methods;
};
// A SOAP fault with cwmp:Fault detail (from either side).
struct Fault {
  int code = 0;
  std::string string;
  std::vector<datamodel::ParamFault> set_faults;  // SetParameterValuesFault entries
  // The SOAP faultcode ("Client"/"Server"). Parsers fill it; builders write it when it is one of
  // those two, else derive it from the code (IsClientFault).
  std::string faultcode;
};

using AcsResponse =
    std::variant<InformResponse, TransferCompleteResponse, AutonomousTransferCompleteResponse,
                 DUStateChangeCompleteResponse, GetRPCMethodsResponse, Fault>;

// A parsed ACS envelope: a request, a response to our request, or a fault.
struct AcsMessage {
  Namespace ns = Namespace::k12;
  Header header;
  std::string method;  // local name of the body element ("GetParameterValues", "Fault", ...)
  std::variant<AcsRequest, AcsResponse> body;
};

// ---- CPE -> ACS ------------------------------------------------------------------------------

struct DeviceId {
  std::string manufacturer;
  std::string oui;
  std::string product_class;
  std::string serial_number;
};
struct EventStruct {
  std::string code;  // "0 BOOTSTRAP", "M Reboot", ...
  std::string command_key;
  friend bool operator==(const EventStruct&, const EventStruct&) = default;
};
struct Inform {
  DeviceId device_id;
  std::vector<EventStruct> events;
  uint32_t max_envelopes = 1;
  std::string current_time;  // xsd:dateTime
  uint32_t retry_count = 0;
  std::vector<datamodel::ParamValue> params;
};
struct FaultStruct {
  int code = 0;  // 0 = success
  std::string string;
};
struct TransferComplete {
  std::string command_key;
  FaultStruct fault;
  std::string start_time;
  std::string complete_time;
};
struct AutonomousTransferComplete {
  std::string announce_url;
  std::string transfer_url;
  bool is_download = true;
  std::string file_type;
  uint32_t file_size = 0;
  std::string target_file_name;
  FaultStruct fault;
  std::string start_time;
  std::string complete_time;
};
struct DuOpResult {
  std::string uuid;
  std::string deployment_unit_ref;
  std::string version;
  std::string current_state;  // Installed | Uninstalled | Failed
  bool resolved = false;
  std::string execution_unit_ref_list;
  std::string start_time;
  std::string complete_time;
  FaultStruct fault;
};
struct DUStateChangeComplete {
  std::vector<DuOpResult> results;
  std::string command_key;
};

using CpeRequest = std::variant<Inform, TransferComplete, AutonomousTransferComplete,
                                DUStateChangeComplete, GetRPCMethods>;

// CPE responses to ACS requests.
struct GetRPCMethodsResult {
  std::vector<std::string> methods;
};
struct SetParameterValuesResult {
  int status = 0;
};
struct GetParameterValuesResult {
  std::vector<datamodel::ParamValue> values;
};
struct GetParameterNamesResult {
  std::vector<datamodel::ParamInfo> names;
};
struct SetParameterAttributesResult {};
struct GetParameterAttributesResult {
  std::vector<datamodel::ParamAttributes> attributes;
};
struct AddObjectResult {
  uint32_t instance = 0;
  int status = 0;
};
struct DeleteObjectResult {
  int status = 0;
};
struct RebootResult {};
struct FactoryResetResult {};
struct DownloadResult {
  int status = 1;
  std::string start_time = "0001-01-01T00:00:00Z";
  std::string complete_time = "0001-01-01T00:00:00Z";
};
struct UploadResult {
  int status = 1;
  std::string start_time = "0001-01-01T00:00:00Z";
  std::string complete_time = "0001-01-01T00:00:00Z";
};
struct ScheduleInformResult {};
struct ChangeDUStateResult {};

using CpeResponse =
    std::variant<GetRPCMethodsResult, SetParameterValuesResult, GetParameterValuesResult,
                 GetParameterNamesResult, SetParameterAttributesResult,
                 GetParameterAttributesResult, AddObjectResult, DeleteObjectResult, RebootResult,
                 FactoryResetResult, DownloadResult, UploadResult, ScheduleInformResult,
                 ChangeDUStateResult, Fault>;

// The method name of a request/response ("GetParameterValues", "InformResponse", ...).
std::string_view MethodName(const AcsRequest& request);
std::string_view MethodName(const CpeRequest& request);
std::string_view MethodName(const CpeResponse& response);
std::string_view MethodName(const AcsResponse& response);

}  // namespace proxier::core::cwmp
