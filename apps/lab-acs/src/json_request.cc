// Task bodies (JSON) <-> ACS requests.
#include <limits>
#include <set>
#include <type_traits>

#include "lab_acs/json_codec.h"
#include "proxier/datamodel/types.h"

namespace proxier::labacs {

namespace {

constexpr char kRedacted[] = "<redacted>";

// Reads the fields of one JSON object, refusing unknown keys and wrong types.
class Fields {
 public:
  Fields(const Json& object, std::string context, std::set<std::string> allowed)
      : object_(object), context_(std::move(context)), allowed_(std::move(allowed)) {}

  Status Check() const {
    if (!object_.is_object()) return Invalid("must be a JSON object");
    for (const auto& [key, value] : object_.items()) {
      if (!allowed_.count(key)) return Invalid("unknown field '" + key + "'");
    }
    return Status::Ok();
  }
  bool Has(const char* key) const { return object_.contains(key); }
  Status String(const char* key, std::string* out, bool required = false) const {
    if (!Has(key)) return required ? Missing(key) : Status::Ok();
    const Json& v = object_.at(key);
    if (!v.is_string()) return Invalid(std::string("field '") + key + "' must be a string");
    *out = v.get<std::string>();
    return Status::Ok();
  }
  Status Password(const char* key, Secret* out) const {
    std::string text;
    PX_RETURN_IF_ERROR(String(key, &text));
    *out = Secret(std::move(text));
    return Status::Ok();
  }
  Status Uint(const char* key, uint32_t* out) const {
    if (!Has(key)) return Status::Ok();
    const Json& v = object_.at(key);
    if (!v.is_number_unsigned() || v.get<uint64_t>() > std::numeric_limits<uint32_t>::max()) {
      return Invalid(std::string("field '") + key + "' must be an unsigned 32-bit integer");
    }
    *out = static_cast<uint32_t>(v.get<uint64_t>());
    return Status::Ok();
  }
  Status Bool(const char* key, bool* out) const {
    if (!Has(key)) return Status::Ok();
    const Json& v = object_.at(key);
    if (!v.is_boolean()) return Invalid(std::string("field '") + key + "' must be true or false");
    *out = v.get<bool>();
    return Status::Ok();
  }
  Status Strings(const char* key, std::vector<std::string>* out, bool required = false) const {
    if (!Has(key)) return required ? Missing(key) : Status::Ok();
    const Json& v = object_.at(key);
    bool ok = v.is_array();
    for (size_t i = 0; ok && i < v.size(); ++i) ok = v[i].is_string();
    if (!ok) return Invalid(std::string("field '") + key + "' must be an array of strings");
    *out = v.get<std::vector<std::string>>();
    return Status::Ok();
  }
  const Json& At(const char* key) const { return object_.at(key); }
  Status Invalid(const std::string& what) const {
    return Status(Code::kInvalidArguments, context_ + ": " + what);
  }
  Status Missing(const char* key) const {
    return Invalid(std::string("missing field '") + key + "'");
  }

 private:
  const Json& object_;
  std::string context_;
  std::set<std::string> allowed_;
};

// One SetParameterValues item: [name, value, xsdType?] or {"name","value","type"?}. A JSON
// boolean or integer value without a type is sent as xsd:boolean / xsd:unsignedInt / xsd:int.
Status ParseSetItem(const Json& item, size_t index, datamodel::SetItem* out) {
  const std::string context = "SetParameterValues: values[" + std::to_string(index) + "]";
  const Json* name = nullptr;
  const Json* value = nullptr;
  const Json* type = nullptr;
  if (item.is_array() && (item.size() == 2 || item.size() == 3)) {
    name = &item[0];
    value = &item[1];
    if (item.size() == 3) type = &item[2];
  } else if (item.is_object()) {
    Fields f(item, context, {"name", "value", "type"});
    PX_RETURN_IF_ERROR(f.Check());
    if (!f.Has("name") || !f.Has("value")) return f.Invalid("needs 'name' and 'value'");
    name = &f.At("name");
    value = &f.At("value");
    if (f.Has("type")) type = &f.At("type");
  } else {
    return Status(Code::kInvalidArguments,
                  context + ": must be [name, value, xsdType?] or {\"name\",\"value\",\"type\"}");
  }
  if (!name->is_string() || name->get<std::string>().empty()) {
    return Status(Code::kInvalidArguments, context + ": name must be a non-empty string");
  }
  out->name = name->get<std::string>();
  std::optional<datamodel::ValueType> inferred;
  if (value->is_string()) {
    out->value = value->get<std::string>();
  } else if (value->is_boolean()) {
    out->value = value->get<bool>() ? "true" : "false";
    inferred = datamodel::ValueType::kBoolean;
  } else if (value->is_number_unsigned()) {
    out->value = std::to_string(value->get<uint64_t>());
    inferred = datamodel::ValueType::kUnsignedInt;
  } else if (value->is_number_integer()) {
    out->value = std::to_string(value->get<int64_t>());
    inferred = datamodel::ValueType::kInt;
  } else {
    return Status(Code::kInvalidArguments,
                  context + ": value must be a string, a boolean or an integer");
  }
  out->declared_type = inferred.value_or(datamodel::ValueType::kString);
  if (type != nullptr) {
    auto parsed = type->is_string() ? datamodel::ParseXsiType(type->get<std::string>())
                                    : std::optional<datamodel::ValueType>();
    if (!parsed) {
      return Status(Code::kInvalidArguments,
                    context + ": type must be an xsd type such as \"xsd:unsignedInt\"");
    }
    out->declared_type = parsed;
  }
  return Status::Ok();
}

Status ParseAttribute(const Json& item, size_t index, datamodel::AttributeChange* out) {
  Fields f(item, "SetParameterAttributes: attributes[" + std::to_string(index) + "]",
           {"name", "notification", "access_list"});
  PX_RETURN_IF_ERROR(f.Check());
  PX_RETURN_IF_ERROR(f.String("name", &out->name, true));
  if (f.Has("notification")) {
    const Json& n = f.At("notification");
    if (!n.is_number_unsigned() || n.get<uint64_t>() > 6) {
      return f.Invalid("notification must be an integer 0-6");
    }
    out->notification_change = true;
    out->notification = static_cast<int>(n.get<uint64_t>());
  }
  if (f.Has("access_list")) {
    out->access_list_change = true;
    PX_RETURN_IF_ERROR(f.Strings("access_list", &out->access_list));
  }
  return Status::Ok();
}

Status ParseOperation(const Json& item, size_t index, cwmp::DuOperation* out) {
  using Kind = cwmp::DuOperation::Kind;
  const std::string context = "ChangeDUState: operations[" + std::to_string(index) + "]";
  if (!item.is_object() || !item.contains("op") || !item["op"].is_string()) {
    return Status(Code::kInvalidArguments, context + ": needs \"op\": install|update|uninstall");
  }
  const std::string op = item["op"].get<std::string>();
  std::set<std::string> allowed;
  if (op == "install") {
    out->kind = Kind::kInstall;
    allowed = {"op", "url", "uuid", "username", "password", "execution_env_ref"};
  } else if (op == "update") {
    out->kind = Kind::kUpdate;
    allowed = {"op", "uuid", "url", "version", "username", "password"};
  } else if (op == "uninstall") {
    out->kind = Kind::kUninstall;
    allowed = {"op", "uuid", "version", "execution_env_ref"};
  } else {
    return Status(Code::kInvalidArguments, context + ": unknown op '" + op + "'");
  }
  Fields f(item, context, allowed);
  PX_RETURN_IF_ERROR(f.Check());
  PX_RETURN_IF_ERROR(f.String("url", &out->url, out->kind == Kind::kInstall));
  PX_RETURN_IF_ERROR(f.String("uuid", &out->uuid, out->kind == Kind::kUninstall));
  PX_RETURN_IF_ERROR(f.String("username", &out->username));
  PX_RETURN_IF_ERROR(f.Password("password", &out->password));
  PX_RETURN_IF_ERROR(f.String("execution_env_ref", &out->execution_env_ref));
  return f.String("version", &out->version);
}

Result<cwmp::AcsRequest> Parse(const std::string& name, const Json& task) {
  if (name == "GetRPCMethods") {
    Fields f(task, name, {"name"});
    PX_RETURN_IF_ERROR(f.Check());
    return cwmp::AcsRequest(cwmp::GetRPCMethods{});
  }
  if (name == "GetParameterValues" || name == "GetParameterAttributes") {
    Fields f(task, name, {"name", "names"});
    PX_RETURN_IF_ERROR(f.Check());
    std::vector<std::string> names;
    PX_RETURN_IF_ERROR(f.Strings("names", &names, true));
    if (name == "GetParameterValues") return cwmp::AcsRequest(cwmp::GetParameterValues{names});
    return cwmp::AcsRequest(cwmp::GetParameterAttributes{names});
  }
  if (name == "GetParameterNames") {
    Fields f(task, name, {"name", "path", "next_level"});
    PX_RETURN_IF_ERROR(f.Check());
    cwmp::GetParameterNames m;
    PX_RETURN_IF_ERROR(f.String("path", &m.path));
    PX_RETURN_IF_ERROR(f.Bool("next_level", &m.next_level));
    return cwmp::AcsRequest(m);
  }
  if (name == "SetParameterValues") {
    Fields f(task, name, {"name", "values", "parameter_key"});
    PX_RETURN_IF_ERROR(f.Check());
    if (!f.Has("values") || !f.At("values").is_array()) {
      return f.Invalid("field 'values' must be an array of [name, value, xsdType?]");
    }
    cwmp::SetParameterValues m;
    const Json& values = f.At("values");
    for (size_t i = 0; i < values.size(); ++i) {
      datamodel::SetItem item;
      PX_RETURN_IF_ERROR(ParseSetItem(values[i], i, &item));
      m.params.push_back(std::move(item));
    }
    PX_RETURN_IF_ERROR(f.String("parameter_key", &m.parameter_key));
    return cwmp::AcsRequest(std::move(m));
  }
  if (name == "SetParameterAttributes") {
    Fields f(task, name, {"name", "attributes"});
    PX_RETURN_IF_ERROR(f.Check());
    if (!f.Has("attributes") || !f.At("attributes").is_array()) {
      return f.Invalid("field 'attributes' must be an array of objects");
    }
    cwmp::SetParameterAttributes m;
    const Json& attributes = f.At("attributes");
    for (size_t i = 0; i < attributes.size(); ++i) {
      datamodel::AttributeChange change;
      PX_RETURN_IF_ERROR(ParseAttribute(attributes[i], i, &change));
      m.params.push_back(std::move(change));
    }
    return cwmp::AcsRequest(std::move(m));
  }
  if (name == "AddObject" || name == "DeleteObject") {
    Fields f(task, name, {"name", "object", "parameter_key"});
    PX_RETURN_IF_ERROR(f.Check());
    std::string object, key;
    PX_RETURN_IF_ERROR(f.String("object", &object, true));
    PX_RETURN_IF_ERROR(f.String("parameter_key", &key));
    if (name == "AddObject") return cwmp::AcsRequest(cwmp::AddObject{object, key});
    return cwmp::AcsRequest(cwmp::DeleteObject{object, key});
  }
  if (name == "Reboot") {
    Fields f(task, name, {"name", "command_key"});
    PX_RETURN_IF_ERROR(f.Check());
    cwmp::Reboot m;
    PX_RETURN_IF_ERROR(f.String("command_key", &m.command_key));
    return cwmp::AcsRequest(m);
  }
  if (name == "FactoryReset") {
    Fields f(task, name, {"name"});
    PX_RETURN_IF_ERROR(f.Check());
    return cwmp::AcsRequest(cwmp::FactoryReset{});
  }
  if (name == "Download") {
    Fields f(task, name,
             {"name", "url", "file_type", "file_size", "command_key", "username", "password",
              "delay_seconds", "target_file_name", "success_url", "failure_url"});
    PX_RETURN_IF_ERROR(f.Check());
    cwmp::Download m;
    m.file_type = "1 Firmware Upgrade Image";
    PX_RETURN_IF_ERROR(f.String("url", &m.url, true));
    PX_RETURN_IF_ERROR(f.String("file_type", &m.file_type));
    PX_RETURN_IF_ERROR(f.Uint("file_size", &m.file_size));
    PX_RETURN_IF_ERROR(f.String("command_key", &m.command_key));
    PX_RETURN_IF_ERROR(f.String("username", &m.username));
    PX_RETURN_IF_ERROR(f.Password("password", &m.password));
    PX_RETURN_IF_ERROR(f.Uint("delay_seconds", &m.delay_seconds));
    PX_RETURN_IF_ERROR(f.String("target_file_name", &m.target_file_name));
    PX_RETURN_IF_ERROR(f.String("success_url", &m.success_url));
    PX_RETURN_IF_ERROR(f.String("failure_url", &m.failure_url));
    return cwmp::AcsRequest(std::move(m));
  }
  if (name == "Upload") {
    Fields f(task, name,
             {"name", "url", "file_type", "command_key", "username", "password", "delay_seconds"});
    PX_RETURN_IF_ERROR(f.Check());
    cwmp::Upload m;
    m.file_type = "1 Vendor Configuration File";
    PX_RETURN_IF_ERROR(f.String("url", &m.url, true));
    PX_RETURN_IF_ERROR(f.String("file_type", &m.file_type));
    PX_RETURN_IF_ERROR(f.String("command_key", &m.command_key));
    PX_RETURN_IF_ERROR(f.String("username", &m.username));
    PX_RETURN_IF_ERROR(f.Password("password", &m.password));
    PX_RETURN_IF_ERROR(f.Uint("delay_seconds", &m.delay_seconds));
    return cwmp::AcsRequest(std::move(m));
  }
  if (name == "ScheduleInform") {
    Fields f(task, name, {"name", "delay_seconds", "command_key"});
    PX_RETURN_IF_ERROR(f.Check());
    cwmp::ScheduleInform m;
    PX_RETURN_IF_ERROR(f.Uint("delay_seconds", &m.delay_seconds));
    PX_RETURN_IF_ERROR(f.String("command_key", &m.command_key));
    return cwmp::AcsRequest(m);
  }
  if (name == "ChangeDUState") {
    Fields f(task, name, {"name", "command_key", "operations"});
    PX_RETURN_IF_ERROR(f.Check());
    if (!f.Has("operations") || !f.At("operations").is_array() || f.At("operations").empty()) {
      return f.Invalid("field 'operations' must be a non-empty array");
    }
    cwmp::ChangeDUState m;
    PX_RETURN_IF_ERROR(f.String("command_key", &m.command_key));
    const Json& ops = f.At("operations");
    for (size_t i = 0; i < ops.size(); ++i) {
      cwmp::DuOperation op;
      PX_RETURN_IF_ERROR(ParseOperation(ops[i], i, &op));
      m.operations.push_back(std::move(op));
    }
    return cwmp::AcsRequest(std::move(m));
  }
  return Status(Code::kInvalidArguments, "unknown task name '" + name + "'");
}

Json PasswordJson(const Secret& secret) { return secret.empty() ? "" : kRedacted; }

}  // namespace

Result<cwmp::AcsRequest> AcsRequestFromJson(const Json& task) {
  if (!task.is_object()) return Status(Code::kInvalidArguments, "task must be a JSON object");
  if (!task.contains("name") || !task["name"].is_string()) {
    return Status(Code::kInvalidArguments, "task needs a string field 'name'");
  }
  return Parse(task["name"].get<std::string>(), task);
}

Json AcsRequestToJson(const cwmp::AcsRequest& request) {
  Json j = Json::object();
  j["name"] = std::string(cwmp::MethodName(request));
  std::visit(
      [&j](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, cwmp::GetParameterValues> ||
                      std::is_same_v<T, cwmp::GetParameterAttributes>) {
          j["names"] = m.names;
        } else if constexpr (std::is_same_v<T, cwmp::GetParameterNames>) {
          j["path"] = m.path;
          j["next_level"] = m.next_level;
        } else if constexpr (std::is_same_v<T, cwmp::SetParameterValues>) {
          Json values = Json::array();
          for (const auto& item : m.params) {
            values.push_back({item.name, item.value,
                              datamodel::XsiTypeName(
                                  item.declared_type.value_or(datamodel::ValueType::kString))});
          }
          j["values"] = std::move(values);
          j["parameter_key"] = m.parameter_key;
        } else if constexpr (std::is_same_v<T, cwmp::SetParameterAttributes>) {
          Json attributes = Json::array();
          for (const auto& change : m.params) {
            Json a = {{"name", change.name}};
            if (change.notification_change) a["notification"] = change.notification;
            if (change.access_list_change) a["access_list"] = change.access_list;
            attributes.push_back(std::move(a));
          }
          j["attributes"] = std::move(attributes);
        } else if constexpr (std::is_same_v<T, cwmp::AddObject> ||
                             std::is_same_v<T, cwmp::DeleteObject>) {
          j["object"] = m.object_name;
          j["parameter_key"] = m.parameter_key;
        } else if constexpr (std::is_same_v<T, cwmp::Reboot>) {
          j["command_key"] = m.command_key;
        } else if constexpr (std::is_same_v<T, cwmp::Download>) {
          j.update({{"url", m.url},
                    {"file_type", m.file_type},
                    {"file_size", m.file_size},
                    {"command_key", m.command_key},
                    {"username", m.username},
                    {"password", PasswordJson(m.password)},
                    {"delay_seconds", m.delay_seconds},
                    {"target_file_name", m.target_file_name},
                    {"success_url", m.success_url},
                    {"failure_url", m.failure_url}});
        } else if constexpr (std::is_same_v<T, cwmp::Upload>) {
          j.update({{"url", m.url},
                    {"file_type", m.file_type},
                    {"command_key", m.command_key},
                    {"username", m.username},
                    {"password", PasswordJson(m.password)},
                    {"delay_seconds", m.delay_seconds}});
        } else if constexpr (std::is_same_v<T, cwmp::ScheduleInform>) {
          j["delay_seconds"] = m.delay_seconds;
          j["command_key"] = m.command_key;
        } else if constexpr (std::is_same_v<T, cwmp::ChangeDUState>) {
          Json ops = Json::array();
          for (const auto& op : m.operations) {
            using Kind = cwmp::DuOperation::Kind;
            const char* kind = op.kind == Kind::kInstall  ? "install"
                               : op.kind == Kind::kUpdate ? "update"
                                                          : "uninstall";
            Json o = {{"op", kind}};
            auto set = [&o](const char* key, const std::string& v) {
              if (!v.empty()) o[key] = v;
            };
            set("url", op.url);
            set("uuid", op.uuid);
            set("username", op.username);
            if (!op.password.empty()) o["password"] = kRedacted;
            set("execution_env_ref", op.execution_env_ref);
            set("version", op.version);
            ops.push_back(std::move(o));
          }
          j["command_key"] = m.command_key;
          j["operations"] = std::move(ops);
        }
      },
      request);
  return j;
}

}  // namespace proxier::labacs
