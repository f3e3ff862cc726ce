// Parses the envelopes a CPE sends to the ACS (for lab-acs and round-trip tests).
#include <array>
#include <utility>

#include "proxier/core/soap_codec.h"
#include "soap_common.h"

namespace proxier::core::cwmp {

namespace {

using soap::ArgReader;
using Body = std::variant<CpeRequest, CpeResponse>;

Status ParseFaultStruct(const ArgReader& r, std::string_view tag, FaultStruct* out) {
  const xml::Element* element = r.Child(tag);
  if (!element) return r.Invalid("missing argument " + std::string(tag));
  ArgReader s = r.Sub(*element);
  PX_RETURN_IF_ERROR(s.Int("FaultCode", &out->code));
  return s.String("FaultString", &out->string, false);
}

Status Parse(const ArgReader& r, Inform* m) {
  const xml::Element* device = r.Child("DeviceId");
  if (!device) return r.Invalid("missing argument DeviceId");
  ArgReader d = r.Sub(*device);
  PX_RETURN_IF_ERROR(d.String("Manufacturer", &m->device_id.manufacturer));
  PX_RETURN_IF_ERROR(d.Token("OUI", &m->device_id.oui));
  PX_RETURN_IF_ERROR(d.String("ProductClass", &m->device_id.product_class));
  PX_RETURN_IF_ERROR(d.String("SerialNumber", &m->device_id.serial_number));
  std::vector<const xml::Element*> events;
  PX_RETURN_IF_ERROR(r.Array("Event", &events));
  for (const xml::Element* item : events) {
    ArgReader e = r.Sub(*item);
    EventStruct event;
    PX_RETURN_IF_ERROR(e.String("EventCode", &event.code));
    PX_RETURN_IF_ERROR(e.String("CommandKey", &event.command_key, false));
    m->events.push_back(std::move(event));
  }
  PX_RETURN_IF_ERROR(r.Uint("MaxEnvelopes", &m->max_envelopes));
  PX_RETURN_IF_ERROR(r.Token("CurrentTime", &m->current_time));
  PX_RETURN_IF_ERROR(r.Uint("RetryCount", &m->retry_count));
  return r.ParamValues("ParameterList", &m->params);
}

Status Parse(const ArgReader& r, TransferComplete* m) {
  PX_RETURN_IF_ERROR(r.String("CommandKey", &m->command_key));
  PX_RETURN_IF_ERROR(ParseFaultStruct(r, "FaultStruct", &m->fault));
  PX_RETURN_IF_ERROR(r.Token("StartTime", &m->start_time));
  return r.Token("CompleteTime", &m->complete_time);
}

Status Parse(const ArgReader& r, AutonomousTransferComplete* m) {
  PX_RETURN_IF_ERROR(r.Token("AnnounceURL", &m->announce_url));
  PX_RETURN_IF_ERROR(r.Token("TransferURL", &m->transfer_url));
  PX_RETURN_IF_ERROR(r.Bool("IsDownload", &m->is_download));
  PX_RETURN_IF_ERROR(r.String("FileType", &m->file_type));
  PX_RETURN_IF_ERROR(r.Uint("FileSize", &m->file_size));
  PX_RETURN_IF_ERROR(r.String("TargetFileName", &m->target_file_name));
  PX_RETURN_IF_ERROR(ParseFaultStruct(r, "FaultStruct", &m->fault));
  PX_RETURN_IF_ERROR(r.Token("StartTime", &m->start_time));
  return r.Token("CompleteTime", &m->complete_time);
}

Status ParseOpResult(const ArgReader& r, DuOpResult* out) {
  PX_RETURN_IF_ERROR(r.Token("UUID", &out->uuid));
  PX_RETURN_IF_ERROR(r.String("DeploymentUnitRef", &out->deployment_unit_ref));
  PX_RETURN_IF_ERROR(r.String("Version", &out->version));
  PX_RETURN_IF_ERROR(r.Token("CurrentState", &out->current_state));
  PX_RETURN_IF_ERROR(r.Bool("Resolved", &out->resolved));
  PX_RETURN_IF_ERROR(r.String("ExecutionUnitRefList", &out->execution_unit_ref_list));
  PX_RETURN_IF_ERROR(r.Token("StartTime", &out->start_time));
  PX_RETURN_IF_ERROR(r.Token("CompleteTime", &out->complete_time));
  return ParseFaultStruct(r, "Fault", &out->fault);
}

// Results are repeated OpResultStruct elements (cwmp-1-2.xsd); a Results array of
// <OpResultStruct> items is accepted too.
Status Parse(const ArgReader& r, DUStateChangeComplete* m) {
  for (const auto& child : r.Parent()->children) {
    if (child.name != "Results") continue;
    std::vector<const xml::Element*> items;
    if (child.Child("UUID")) {
      items.push_back(&child);
    } else {
      for (const auto& item : child.children) items.push_back(&item);
    }
    for (const xml::Element* item : items) {
      DuOpResult result;
      PX_RETURN_IF_ERROR(ParseOpResult(r.Sub(*item), &result));
      m->results.push_back(std::move(result));
    }
    if (m->results.size() > r.max_items()) {
      return Status(Code::kResourcesExceeded, "DUStateChangeComplete: too many results");
    }
  }
  if (m->results.empty()) return r.Invalid("no Results");
  return r.String("CommandKey", &m->command_key, false);
}

Status Parse(const ArgReader&, GetRPCMethods*) { return Status::Ok(); }

Status Parse(const ArgReader& r, GetRPCMethodsResult* m) {
  return r.Strings("MethodList", &m->methods);
}

Status Parse(const ArgReader& r, SetParameterValuesResult* m) {
  return r.Int("Status", &m->status);
}

Status Parse(const ArgReader& r, GetParameterValuesResult* m) {
  return r.ParamValues("ParameterList", &m->values);
}

Status Parse(const ArgReader& r, GetParameterNamesResult* m) {
  std::vector<const xml::Element*> items;
  PX_RETURN_IF_ERROR(r.Array("ParameterList", &items));
  m->names.reserve(items.size());
  for (const xml::Element* item : items) {
    ArgReader s = r.Sub(*item);
    datamodel::ParamInfo info;
    PX_RETURN_IF_ERROR(s.Token("Name", &info.name));
    PX_RETURN_IF_ERROR(s.Bool("Writable", &info.writable));
    m->names.push_back(std::move(info));
  }
  return Status::Ok();
}

Status Parse(const ArgReader& r, GetParameterAttributesResult* m) {
  std::vector<const xml::Element*> items;
  PX_RETURN_IF_ERROR(r.Array("ParameterList", &items));
  m->attributes.reserve(items.size());
  for (const xml::Element* item : items) {
    ArgReader s = r.Sub(*item);
    datamodel::ParamAttributes attrs;
    PX_RETURN_IF_ERROR(s.Token("Name", &attrs.name));
    PX_RETURN_IF_ERROR(s.Int("Notification", &attrs.notification));
    PX_RETURN_IF_ERROR(s.Strings("AccessList", &attrs.access_list, false));
    m->attributes.push_back(std::move(attrs));
  }
  return Status::Ok();
}

Status Parse(const ArgReader& r, AddObjectResult* m) {
  PX_RETURN_IF_ERROR(r.Uint("InstanceNumber", &m->instance));
  return r.Int("Status", &m->status);
}

Status Parse(const ArgReader& r, DeleteObjectResult* m) { return r.Int("Status", &m->status); }

template <typename T>
Status ParseTransferResult(const ArgReader& r, T* m) {
  PX_RETURN_IF_ERROR(r.Int("Status", &m->status));
  PX_RETURN_IF_ERROR(r.Token("StartTime", &m->start_time));
  return r.Token("CompleteTime", &m->complete_time);
}

Status Parse(const ArgReader& r, DownloadResult* m) { return ParseTransferResult(r, m); }
Status Parse(const ArgReader& r, UploadResult* m) { return ParseTransferResult(r, m); }

Status Parse(const ArgReader&, SetParameterAttributesResult*) { return Status::Ok(); }
Status Parse(const ArgReader&, RebootResult*) { return Status::Ok(); }
Status Parse(const ArgReader&, FactoryResetResult*) { return Status::Ok(); }
Status Parse(const ArgReader&, ScheduleInformResult*) { return Status::Ok(); }
Status Parse(const ArgReader&, ChangeDUStateResult*) { return Status::Ok(); }

template <typename Outer, typename T>
Status ParseInto(const ArgReader& r, Body* body) {
  T message;
  PX_RETURN_IF_ERROR(Parse(r, &message));
  *body = Outer(std::move(message));
  return Status::Ok();
}

struct Method {
  std::string_view name;
  Status (*parse)(const ArgReader&, Body*);
};

constexpr std::array kMethods = {
    Method{"Inform", ParseInto<CpeRequest, Inform>},
    Method{"TransferComplete", ParseInto<CpeRequest, TransferComplete>},
    Method{"AutonomousTransferComplete", ParseInto<CpeRequest, AutonomousTransferComplete>},
    Method{"DUStateChangeComplete", ParseInto<CpeRequest, DUStateChangeComplete>},
    Method{"GetRPCMethods", ParseInto<CpeRequest, GetRPCMethods>},
    Method{"GetRPCMethodsResponse", ParseInto<CpeResponse, GetRPCMethodsResult>},
    Method{"SetParameterValuesResponse", ParseInto<CpeResponse, SetParameterValuesResult>},
    Method{"GetParameterValuesResponse", ParseInto<CpeResponse, GetParameterValuesResult>},
    Method{"GetParameterNamesResponse", ParseInto<CpeResponse, GetParameterNamesResult>},
    Method{"SetParameterAttributesResponse", ParseInto<CpeResponse, SetParameterAttributesResult>},
    Method{"GetParameterAttributesResponse", ParseInto<CpeResponse, GetParameterAttributesResult>},
    Method{"AddObjectResponse", ParseInto<CpeResponse, AddObjectResult>},
    Method{"DeleteObjectResponse", ParseInto<CpeResponse, DeleteObjectResult>},
    Method{"RebootResponse", ParseInto<CpeResponse, RebootResult>},
    Method{"FactoryResetResponse", ParseInto<CpeResponse, FactoryResetResult>},
    Method{"DownloadResponse", ParseInto<CpeResponse, DownloadResult>},
    Method{"UploadResponse", ParseInto<CpeResponse, UploadResult>},
    Method{"ScheduleInformResponse", ParseInto<CpeResponse, ScheduleInformResult>},
    Method{"ChangeDUStateResponse", ParseInto<CpeResponse, ChangeDUStateResult>},
};

}  // namespace

Result<CpeMessage> ParseCpeEnvelope(std::string_view body, const CodecLimits& limits) {
  xml::Element tree;
  soap::EnvelopeInfo info;
  PX_RETURN_IF_ERROR(soap::ReadEnvelope(body, limits, &tree, &info));
  CpeMessage message;
  message.ns = info.ns;
  message.header = info.header;
  message.method = info.method;
  if (info.fault) {
    Fault fault;
    PX_RETURN_IF_ERROR(soap::ReadFault(*info.body, limits.max_array_items, &fault));
    message.body = CpeResponse(std::move(fault));
    return message;
  }
  for (const Method& method : kMethods) {
    if (method.name != info.method) continue;
    PX_RETURN_IF_ERROR(
        method.parse(ArgReader(*info.body, method.name, limits.max_array_items), &message.body));
    return message;
  }
  return Status(Code::kMethodNotSupported, "method not supported: " + info.method);
}

}  // namespace proxier::core::cwmp
