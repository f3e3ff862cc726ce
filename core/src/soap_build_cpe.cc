// Builds the envelopes a CPE sends: its requests (Inform, ...), its responses and its faults.
#include <type_traits>

#include "proxier/core/soap_codec.h"
#include "soap_common.h"

namespace proxier::core::cwmp {

namespace {

using soap::Writer;

std::string_view Bit(bool value) { return value ? "1" : "0"; }

void WriteFaultStruct(Writer& w, std::string_view tag, const FaultStruct& fault) {
  w.Open(tag);
  w.Signed("FaultCode", fault.code);
  w.Leaf("FaultString", fault.string);
  w.Close(tag);
}

void WriteBody(Writer& w, const Inform& m) {
  w.Open("DeviceId");
  w.Leaf("Manufacturer", m.device_id.manufacturer);
  w.Leaf("OUI", m.device_id.oui);
  w.Leaf("ProductClass", m.device_id.product_class);
  w.Leaf("SerialNumber", m.device_id.serial_number);
  w.Close("DeviceId");
  w.OpenArray("Event", "cwmp:EventStruct", m.events.size());
  for (const auto& event : m.events) {
    w.Open("EventStruct");
    w.Leaf("EventCode", event.code);
    w.Leaf("CommandKey", event.command_key);
    w.Close("EventStruct");
  }
  w.Close("Event");
  w.Unsigned("MaxEnvelopes", m.max_envelopes);
  w.Leaf("CurrentTime", m.current_time);
  w.Unsigned("RetryCount", m.retry_count);
  w.ParamValues("ParameterList", m.params);
}

void WriteBody(Writer& w, const TransferComplete& m) {
  w.Leaf("CommandKey", m.command_key);
  WriteFaultStruct(w, "FaultStruct", m.fault);
  w.Leaf("StartTime", m.start_time);
  w.Leaf("CompleteTime", m.complete_time);
}

void WriteBody(Writer& w, const AutonomousTransferComplete& m) {
  w.Leaf("AnnounceURL", m.announce_url);
  w.Leaf("TransferURL", m.transfer_url);
  w.Leaf("IsDownload", Bit(m.is_download));
  w.Leaf("FileType", m.file_type);
  w.Unsigned("FileSize", m.file_size);
  w.Leaf("TargetFileName", m.target_file_name);
  WriteFaultStruct(w, "FaultStruct", m.fault);
  w.Leaf("StartTime", m.start_time);
  w.Leaf("CompleteTime", m.complete_time);
}

// Results are repeated elements of type OpResultStruct (cwmp-1-2.xsd), not a SOAP array.
void WriteBody(Writer& w, const DUStateChangeComplete& m) {
  for (const auto& r : m.results) {
    w.Open("Results");
    w.Leaf("UUID", r.uuid);
    w.Leaf("DeploymentUnitRef", r.deployment_unit_ref);
    w.Leaf("Version", r.version);
    w.Leaf("CurrentState", r.current_state);
    w.Leaf("Resolved", Bit(r.resolved));
    w.Leaf("ExecutionUnitRefList", r.execution_unit_ref_list);
    w.Leaf("StartTime", r.start_time);
    w.Leaf("CompleteTime", r.complete_time);
    WriteFaultStruct(w, "Fault", r.fault);
    w.Close("Results");
  }
  w.Leaf("CommandKey", m.command_key);
}

void WriteBody(Writer&, const GetRPCMethods&) {}

void WriteBody(Writer& w, const GetRPCMethodsResult& m) { w.StringArray("MethodList", m.methods); }

void WriteBody(Writer& w, const SetParameterValuesResult& m) { w.Signed("Status", m.status); }

void WriteBody(Writer& w, const GetParameterValuesResult& m) {
  w.ParamValues("ParameterList", m.values);
}

void WriteBody(Writer& w, const GetParameterNamesResult& m) {
  w.OpenArray("ParameterList", "cwmp:ParameterInfoStruct", m.names.size());
  for (const auto& info : m.names) {
    w.Open("ParameterInfoStruct");
    w.Leaf("Name", info.name);
    w.Leaf("Writable", Bit(info.writable));
    w.Close("ParameterInfoStruct");
  }
  w.Close("ParameterList");
}

void WriteBody(Writer& w, const GetParameterAttributesResult& m) {
  w.OpenArray("ParameterList", "cwmp:ParameterAttributeStruct", m.attributes.size());
  for (const auto& attrs : m.attributes) {
    w.Open("ParameterAttributeStruct");
    w.Leaf("Name", attrs.name);
    w.Signed("Notification", attrs.notification);
    w.StringArray("AccessList", attrs.access_list);
    w.Close("ParameterAttributeStruct");
  }
  w.Close("ParameterList");
}

void WriteBody(Writer& w, const AddObjectResult& m) {
  w.Unsigned("InstanceNumber", m.instance);
  w.Signed("Status", m.status);
}

void WriteBody(Writer& w, const DeleteObjectResult& m) { w.Signed("Status", m.status); }

template <typename T>
void WriteTransferResult(Writer& w, const T& m) {
  w.Signed("Status", m.status);
  w.Leaf("StartTime", m.start_time);
  w.Leaf("CompleteTime", m.complete_time);
}

void WriteBody(Writer& w, const DownloadResult& m) { WriteTransferResult(w, m); }
void WriteBody(Writer& w, const UploadResult& m) { WriteTransferResult(w, m); }

// Responses without arguments.
void WriteBody(Writer&, const SetParameterAttributesResult&) {}
void WriteBody(Writer&, const RebootResult&) {}
void WriteBody(Writer&, const FactoryResetResult&) {}
void WriteBody(Writer&, const ScheduleInformResult&) {}
void WriteBody(Writer&, const ChangeDUStateResult&) {}
// A Fault is not a body element of its own: BuildCpeResponse hands it to BuildCpeFault.
void WriteBody(Writer&, const Fault&) {}

template <typename Variant>
std::string Build(Namespace ns, const Header& header, const Variant& message) {
  Writer w(soap::Style::kCpe, ns, header);
  std::string tag = "cwmp:";
  tag += MethodName(message);
  w.Open(tag);
  std::visit([&w](const auto& m) { WriteBody(w, m); }, message);
  w.Close(tag);
  return w.Finish();
}

}  // namespace

std::string BuildCpeRequest(Namespace ns, const Header& header, const CpeRequest& request) {
  return Build(ns, header, request);
}

std::string BuildCpeResponse(Namespace ns, const Header& header, const CpeResponse& response) {
  if (const auto* fault = std::get_if<Fault>(&response)) return BuildCpeFault(ns, header, *fault);
  return Build(ns, header, response);
}

std::string BuildCpeFault(Namespace ns, const Header& header, const Fault& fault) {
  Writer w(soap::Style::kCpe, ns, header);
  w.SoapFault(fault);
  return w.Finish();
}

}  // namespace proxier::core::cwmp
