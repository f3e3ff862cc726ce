// Parses the envelopes an ACS sends to the CPE: its requests, its responses and its faults.
#include <array>
#include <utility>

#include "proxier/core/soap_codec.h"
#include "soap_common.h"

namespace proxier::core::cwmp {

namespace {

using soap::ArgReader;
using Body = std::variant<AcsRequest, AcsResponse>;

Status Parse(const ArgReader&, GetRPCMethods*) { return Status::Ok(); }

Status Parse(const ArgReader& r, SetParameterValues* m) {
  std::vector<const xml::Element*> items;
  PX_RETURN_IF_ERROR(r.Array("ParameterList", &items));
  m->params.reserve(items.size());
  for (const xml::Element* item : items) {
    ArgReader s = r.Sub(*item);
    datamodel::SetItem set;
    PX_RETURN_IF_ERROR(s.Token("Name", &set.name));
    PX_RETURN_IF_ERROR(s.String("Value", &set.value));
    if (const std::string* type = soap::XsiType(*item->Child("Value"))) {
      set.declared_type = datamodel::ParseXsiType(soap::Trim(*type));
    }
    m->params.push_back(std::move(set));
  }
  return r.String("ParameterKey", &m->parameter_key, false);
}

Status Parse(const ArgReader& r, GetParameterValues* m) {
  return r.Strings("ParameterNames", &m->names);
}

Status Parse(const ArgReader& r, GetParameterNames* m) {
  PX_RETURN_IF_ERROR(r.Token("ParameterPath", &m->path));
  return r.Bool("NextLevel", &m->next_level);
}

Status Parse(const ArgReader& r, SetParameterAttributes* m) {
  std::vector<const xml::Element*> items;
  PX_RETURN_IF_ERROR(r.Array("ParameterList", &items));
  m->params.reserve(items.size());
  for (const xml::Element* item : items) {
    ArgReader s = r.Sub(*item);
    datamodel::AttributeChange change;
    PX_RETURN_IF_ERROR(s.Token("Name", &change.name));
    PX_RETURN_IF_ERROR(s.Bool("NotificationChange", &change.notification_change));
    // Notification and AccessList only matter when their change flag is set.
    PX_RETURN_IF_ERROR(s.Int("Notification", &change.notification, change.notification_change));
    if (change.notification < 0 || change.notification > 6) {
      return s.Invalid("Notification " + std::to_string(change.notification) + " is not 0-6");
    }
    PX_RETURN_IF_ERROR(s.Bool("AccessListChange", &change.access_list_change));
    PX_RETURN_IF_ERROR(s.Strings("AccessList", &change.access_list, change.access_list_change));
    m->params.push_back(std::move(change));
  }
  return Status::Ok();
}

Status Parse(const ArgReader& r, GetParameterAttributes* m) {
  return r.Strings("ParameterNames", &m->names);
}

Status Parse(const ArgReader& r, AddObject* m) {
  PX_RETURN_IF_ERROR(r.Token("ObjectName", &m->object_name));
  return r.String("ParameterKey", &m->parameter_key, false);
}

Status Parse(const ArgReader& r, DeleteObject* m) {
  PX_RETURN_IF_ERROR(r.Token("ObjectName", &m->object_name));
  return r.String("ParameterKey", &m->parameter_key, false);
}

Status Parse(const ArgReader& r, Reboot* m) {
  return r.String("CommandKey", &m->command_key, false);
}

Status Parse(const ArgReader&, FactoryReset*) { return Status::Ok(); }

Status ReadPassword(const ArgReader& r, Secret* out) {
  std::string password;
  PX_RETURN_IF_ERROR(r.String("Password", &password, false));
  *out = Secret(std::move(password));
  return Status::Ok();
}

// FileType and URL are required; the other arguments default when an ACS leaves them out.
Status Parse(const ArgReader& r, Download* m) {
  PX_RETURN_IF_ERROR(r.String("CommandKey", &m->command_key, false));
  PX_RETURN_IF_ERROR(r.Token("FileType", &m->file_type));
  PX_RETURN_IF_ERROR(r.Token("URL", &m->url));
  PX_RETURN_IF_ERROR(r.String("Username", &m->username, false));
  PX_RETURN_IF_ERROR(ReadPassword(r, &m->password));
  PX_RETURN_IF_ERROR(r.Uint("FileSize", &m->file_size, false));
  PX_RETURN_IF_ERROR(r.String("TargetFileName", &m->target_file_name, false));
  PX_RETURN_IF_ERROR(r.Uint("DelaySeconds", &m->delay_seconds, false));
  PX_RETURN_IF_ERROR(r.Token("SuccessURL", &m->success_url, false));
  return r.Token("FailureURL", &m->failure_url, false);
}

Status Parse(const ArgReader& r, Upload* m) {
  PX_RETURN_IF_ERROR(r.String("CommandKey", &m->command_key, false));
  PX_RETURN_IF_ERROR(r.Token("FileType", &m->file_type));
  PX_RETURN_IF_ERROR(r.Token("URL", &m->url));
  PX_RETURN_IF_ERROR(r.String("Username", &m->username, false));
  PX_RETURN_IF_ERROR(ReadPassword(r, &m->password));
  return r.Uint("DelaySeconds", &m->delay_seconds, false);
}

Status Parse(const ArgReader& r, ScheduleInform* m) {
  PX_RETURN_IF_ERROR(r.Uint("DelaySeconds", &m->delay_seconds));
  return r.String("CommandKey", &m->command_key, false);
}

Status ParseOperation(const ArgReader& r, const xml::Element& element, std::string_view type,
                      DuOperation* op) {
  if (type == "InstallOpStruct") {
    op->kind = DuOperation::Kind::kInstall;
  } else if (type == "UpdateOpStruct") {
    op->kind = DuOperation::Kind::kUpdate;
  } else if (type == "UninstallOpStruct") {
    op->kind = DuOperation::Kind::kUninstall;
  } else {
    return r.Invalid("unknown operation type '" + std::string(type) + "'");
  }
  ArgReader s = r.Sub(element);
  const bool install = op->kind == DuOperation::Kind::kInstall;
  const bool uninstall = op->kind == DuOperation::Kind::kUninstall;
  PX_RETURN_IF_ERROR(s.Token("URL", &op->url, install));
  PX_RETURN_IF_ERROR(s.Token("UUID", &op->uuid, uninstall));
  PX_RETURN_IF_ERROR(s.String("Username", &op->username, false));
  PX_RETURN_IF_ERROR(ReadPassword(s, &op->password));
  PX_RETURN_IF_ERROR(s.Token("ExecutionEnvRef", &op->execution_env_ref, false));
  return s.Token("Version", &op->version, false);
}

// Operations are repeated elements typed by xsi:type (cwmp-1-2.xsd). Also accepted: one
// Operations array whose items are named after their type (<InstallOpStruct>...).
Status Parse(const ArgReader& r, ChangeDUState* m) {
  const xml::Element& parent = *r.Parent();
  for (const auto& child : parent.children) {
    if (child.name != "Operations") continue;
    if (const std::string* type = soap::XsiType(child)) {
      std::string_view local = soap::Trim(*type);
      if (auto colon = local.find(':'); colon != std::string_view::npos)
        local.remove_prefix(colon + 1);
      DuOperation op;
      PX_RETURN_IF_ERROR(ParseOperation(r, child, local, &op));
      m->operations.push_back(std::move(op));
    } else {
      for (const auto& item : child.children) {
        DuOperation op;
        PX_RETURN_IF_ERROR(ParseOperation(r, item, item.name, &op));
        m->operations.push_back(std::move(op));
      }
    }
    if (m->operations.size() > r.max_items()) {
      return Status(Code::kResourcesExceeded, "ChangeDUState: too many operations");
    }
  }
  if (m->operations.empty()) return r.Invalid("no Operations");
  return r.String("CommandKey", &m->command_key, false);
}

Status Parse(const ArgReader& r, InformResponse* m) {
  return r.Uint("MaxEnvelopes", &m->max_envelopes, false);
}
Status Parse(const ArgReader&, TransferCompleteResponse*) { return Status::Ok(); }
Status Parse(const ArgReader&, AutonomousTransferCompleteResponse*) { return Status::Ok(); }
Status Parse(const ArgReader&, DUStateChangeCompleteResponse*) { return Status::Ok(); }
Status Parse(const ArgReader& r, GetRPCMethodsResponse* m) {
  return r.Strings("MethodList", &m->methods);
}

// One entry of the method table: parses the arguments into the right alternative of Body.
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
    Method{"GetRPCMethods", ParseInto<AcsRequest, GetRPCMethods>},
    Method{"SetParameterValues", ParseInto<AcsRequest, SetParameterValues>},
    Method{"GetParameterValues", ParseInto<AcsRequest, GetParameterValues>},
    Method{"GetParameterNames", ParseInto<AcsRequest, GetParameterNames>},
    Method{"SetParameterAttributes", ParseInto<AcsRequest, SetParameterAttributes>},
    Method{"GetParameterAttributes", ParseInto<AcsRequest, GetParameterAttributes>},
    Method{"AddObject", ParseInto<AcsRequest, AddObject>},
    Method{"DeleteObject", ParseInto<AcsRequest, DeleteObject>},
    Method{"Reboot", ParseInto<AcsRequest, Reboot>},
    Method{"FactoryReset", ParseInto<AcsRequest, FactoryReset>},
    Method{"Download", ParseInto<AcsRequest, Download>},
    Method{"Upload", ParseInto<AcsRequest, Upload>},
    Method{"ScheduleInform", ParseInto<AcsRequest, ScheduleInform>},
    Method{"ChangeDUState", ParseInto<AcsRequest, ChangeDUState>},
    Method{"InformResponse", ParseInto<AcsResponse, InformResponse>},
    Method{"TransferCompleteResponse", ParseInto<AcsResponse, TransferCompleteResponse>},
    Method{"AutonomousTransferCompleteResponse",
           ParseInto<AcsResponse, AutonomousTransferCompleteResponse>},
    Method{"DUStateChangeCompleteResponse", ParseInto<AcsResponse, DUStateChangeCompleteResponse>},
    Method{"GetRPCMethodsResponse", ParseInto<AcsResponse, GetRPCMethodsResponse>},
};

}  // namespace

std::variant<AcsMessage, ParseError> ParseAcsEnvelope(std::string_view body,
                                                      const CodecLimits& limits) {
  xml::Element tree;
  soap::EnvelopeInfo info;
  Status status = soap::ReadEnvelope(body, limits, &tree, &info);
  auto error = [&info](Status s) {
    return ParseError{std::move(s), info.header.id, info.ns, info.header.ns_uri, info.method};
  };
  if (!status.ok()) return error(std::move(status));

  AcsMessage message;
  message.ns = info.ns;
  message.header = info.header;
  message.method = info.method;
  if (info.fault) {
    Fault fault;
    status = soap::ReadFault(*info.body, limits.max_array_items, &fault);
    if (!status.ok()) return error(std::move(status));
    message.body = AcsResponse(std::move(fault));
    return message;
  }
  for (const Method& method : kMethods) {
    if (method.name != info.method) continue;
    ArgReader reader(*info.body, method.name, limits.max_array_items);
    status = method.parse(reader, &message.body);
    if (!status.ok()) return error(std::move(status));
    return message;
  }
  return error(Status(Code::kMethodNotSupported, "method not supported: " + info.method));
}

}  // namespace proxier::core::cwmp
