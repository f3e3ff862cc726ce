// Builds the envelopes an ACS sends, in GenieACS 1.2's style (for lab-acs and tests).
#include <type_traits>

#include "proxier/core/soap_codec.h"
#include "soap_common.h"

namespace proxier::core::cwmp {

namespace {

using soap::Writer;

// GenieACS writes GetParameterNames' NextLevel as 0/1 and the SetParameterAttributes flags as
// true/false.
std::string_view Bit(bool value) { return value ? "1" : "0"; }
std::string_view Word(bool value) { return value ? "true" : "false"; }

void WriteBody(Writer&, const GetRPCMethods&) {}

void WriteBody(Writer& w, const SetParameterValues& m) {
  w.OpenArray("ParameterList", "cwmp:ParameterValueStruct", m.params.size());
  for (const auto& item : m.params) {
    w.Open("ParameterValueStruct");
    w.Leaf("Name", item.name);
    w.TypedLeaf("Value",
                datamodel::XsiTypeName(item.declared_type.value_or(datamodel::ValueType::kString)),
                item.value);
    w.Close("ParameterValueStruct");
  }
  w.Close("ParameterList");
  w.Leaf("ParameterKey", m.parameter_key);
}

void WriteBody(Writer& w, const GetParameterValues& m) { w.StringArray("ParameterNames", m.names); }

void WriteBody(Writer& w, const GetParameterNames& m) {
  w.Leaf("ParameterPath", m.path);
  w.Leaf("NextLevel", Bit(m.next_level));
}

void WriteBody(Writer& w, const SetParameterAttributes& m) {
  w.OpenArray("ParameterList", "cwmp:SetParameterAttributesStruct", m.params.size());
  for (const auto& change : m.params) {
    w.Open("SetParameterAttributesStruct");
    w.Leaf("Name", change.name);
    w.Leaf("NotificationChange", Word(change.notification_change));
    w.Signed("Notification", change.notification);
    w.Leaf("AccessListChange", Word(change.access_list_change));
    w.StringArray("AccessList", change.access_list);
    w.Close("SetParameterAttributesStruct");
  }
  w.Close("ParameterList");
}

void WriteBody(Writer& w, const GetParameterAttributes& m) {
  w.StringArray("ParameterNames", m.names);
}

void WriteBody(Writer& w, const AddObject& m) {
  w.Leaf("ObjectName", m.object_name);
  w.Leaf("ParameterKey", m.parameter_key);
}

void WriteBody(Writer& w, const DeleteObject& m) {
  w.Leaf("ObjectName", m.object_name);
  w.Leaf("ParameterKey", m.parameter_key);
}

void WriteBody(Writer& w, const Reboot& m) { w.Leaf("CommandKey", m.command_key); }

void WriteBody(Writer&, const FactoryReset&) {}

void WriteBody(Writer& w, const Download& m) {
  w.Leaf("CommandKey", m.command_key);
  w.Leaf("FileType", m.file_type);
  w.Leaf("URL", m.url);
  w.Leaf("Username", m.username);
  w.Leaf("Password", m.password.Reveal());
  w.Unsigned("FileSize", m.file_size);
  w.Leaf("TargetFileName", m.target_file_name);
  w.Unsigned("DelaySeconds", m.delay_seconds);
  w.Leaf("SuccessURL", m.success_url);
  w.Leaf("FailureURL", m.failure_url);
}

void WriteBody(Writer& w, const Upload& m) {
  w.Leaf("CommandKey", m.command_key);
  w.Leaf("FileType", m.file_type);
  w.Leaf("URL", m.url);
  w.Leaf("Username", m.username);
  w.Leaf("Password", m.password.Reveal());
  w.Unsigned("DelaySeconds", m.delay_seconds);
}

void WriteBody(Writer& w, const ScheduleInform& m) {
  w.Unsigned("DelaySeconds", m.delay_seconds);
  w.Leaf("CommandKey", m.command_key);
}

// Operations are repeated elements typed with xsi:type (cwmp-1-2.xsd); optional members are left
// out when empty.
void WriteBody(Writer& w, const ChangeDUState& m) {
  for (const auto& op : m.operations) {
    auto optional = [&w](std::string_view tag, std::string_view value) {
      if (!value.empty()) w.Leaf(tag, value);
    };
    switch (op.kind) {
      case DuOperation::Kind::kInstall:
        w.Open("Operations xsi:type=\"cwmp:InstallOpStruct\"");
        w.Leaf("URL", op.url);
        optional("UUID", op.uuid);
        optional("Username", op.username);
        optional("Password", op.password.Reveal());
        optional("ExecutionEnvRef", op.execution_env_ref);
        break;
      case DuOperation::Kind::kUpdate:
        w.Open("Operations xsi:type=\"cwmp:UpdateOpStruct\"");
        optional("UUID", op.uuid);
        optional("Version", op.version);
        optional("URL", op.url);
        optional("Username", op.username);
        optional("Password", op.password.Reveal());
        break;
      case DuOperation::Kind::kUninstall:
        w.Open("Operations xsi:type=\"cwmp:UninstallOpStruct\"");
        w.Leaf("UUID", op.uuid);
        optional("Version", op.version);
        optional("ExecutionEnvRef", op.execution_env_ref);
        break;
    }
    w.Close("Operations");
  }
  w.Leaf("CommandKey", m.command_key);
}

void WriteBody(Writer& w, const InformResponse& m) { w.Unsigned("MaxEnvelopes", m.max_envelopes); }
void WriteBody(Writer&, const TransferCompleteResponse&) {}
void WriteBody(Writer&, const AutonomousTransferCompleteResponse&) {}
void WriteBody(Writer&, const DUStateChangeCompleteResponse&) {}
void WriteBody(Writer& w, const GetRPCMethodsResponse& m) {
  w.StringArray("MethodList", m.methods);
}
// A Fault is written by SoapFault, never as a cwmp body element.
void WriteBody(Writer&, const Fault&) {}

template <typename Variant>
std::string Build(Namespace ns, const Header& header, const Variant& message) {
  Writer w(soap::Style::kAcs, ns, header);
  if (const auto* fault = std::get_if<Fault>(&message)) {
    w.SoapFault(*fault);
    return w.Finish();
  }
  std::string tag = "cwmp:";
  tag += MethodName(message);
  w.Open(tag);
  std::visit([&w](const auto& m) { WriteBody(w, m); }, message);
  w.Close(tag);
  return w.Finish();
}

}  // namespace

std::string BuildAcsRequest(Namespace ns, const Header& header, const AcsRequest& request) {
  Writer w(soap::Style::kAcs, ns, header);
  std::string tag = "cwmp:";
  tag += MethodName(request);
  w.Open(tag);
  std::visit([&w](const auto& m) { WriteBody(w, m); }, request);
  w.Close(tag);
  return w.Finish();
}

std::string BuildAcsResponse(Namespace ns, const Header& header, const AcsResponse& response) {
  return Build(ns, header, response);
}

}  // namespace proxier::core::cwmp
