// CPE responses, faults and CPE-initiated requests -> the control API's JSON shapes.
#include <type_traits>

#include "lab_acs/json_codec.h"
#include "proxier/datamodel/types.h"

namespace proxier::labacs {

namespace {

Json FaultStructJson(const cwmp::FaultStruct& fault) {
  return {{"code", fault.code}, {"string", fault.string}};
}

Json ValuesJson(const std::vector<datamodel::ParamValue>& values) {
  Json out = Json::array();
  for (const auto& v : values) {
    out.push_back({v.name, v.value, std::string(datamodel::XsiTypeName(v.type))});
  }
  return out;
}

}  // namespace

Json EventsToJson(const std::vector<cwmp::EventStruct>& events) {
  Json out = Json::array();
  for (const auto& e : events) out.push_back({e.code, e.command_key});
  return out;
}

Json ParamsToObject(const std::vector<datamodel::ParamValue>& params) {
  Json out = Json::object();
  for (const auto& p : params) out[p.name] = p.value;
  return out;
}

Json FaultToJson(const cwmp::Fault& fault) {
  Json set_faults = Json::array();
  for (const auto& f : fault.set_faults) {
    set_faults.push_back(
        {{"name", f.name},
         {"code", f.status.fault_code()},
         {"string", f.status.message().empty() ? std::string(CodeName(f.status.code()))
                                               : f.status.message()}});
  }
  return {
      {"fault",
       {{"code", fault.code}, {"string", fault.string}, {"set_faults", std::move(set_faults)}}}};
}

Json CpeResponseToJson(const cwmp::CpeResponse& response) {
  return std::visit(
      [](const auto& m) -> Json {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, cwmp::Fault>) {
          return FaultToJson(m);
        } else if constexpr (std::is_same_v<T, cwmp::GetRPCMethodsResult>) {
          return {{"methods", m.methods}};
        } else if constexpr (std::is_same_v<T, cwmp::GetParameterValuesResult>) {
          return {{"values", ValuesJson(m.values)}};
        } else if constexpr (std::is_same_v<T, cwmp::GetParameterNamesResult>) {
          Json names = Json::array();
          for (const auto& info : m.names) names.push_back({info.name, info.writable});
          return {{"names", std::move(names)}};
        } else if constexpr (std::is_same_v<T, cwmp::SetParameterValuesResult> ||
                             std::is_same_v<T, cwmp::DeleteObjectResult>) {
          return {{"status", m.status}};
        } else if constexpr (std::is_same_v<T, cwmp::AddObjectResult>) {
          return {{"instance", m.instance}, {"status", m.status}};
        } else if constexpr (std::is_same_v<T, cwmp::GetParameterAttributesResult>) {
          Json attributes = Json::array();
          for (const auto& a : m.attributes) {
            attributes.push_back({{"name", a.name},
                                  {"notification", a.notification},
                                  {"access_list", a.access_list}});
          }
          return {{"attributes", std::move(attributes)}};
        } else if constexpr (std::is_same_v<T, cwmp::DownloadResult> ||
                             std::is_same_v<T, cwmp::UploadResult>) {
          return {{"status", m.status},
                  {"start_time", m.start_time},
                  {"complete_time", m.complete_time}};
        } else {
          return Json::object();  // empty responses
        }
      },
      response);
}

Json CpeRequestToJson(const cwmp::CpeRequest& request) {
  Json j = std::visit(
      [](const auto& m) -> Json {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, cwmp::Inform>) {
          return {{"manufacturer", m.device_id.manufacturer},
                  {"oui", m.device_id.oui},
                  {"product_class", m.device_id.product_class},
                  {"serial_number", m.device_id.serial_number},
                  {"events", EventsToJson(m.events)},
                  {"current_time", m.current_time},
                  {"retry_count", m.retry_count},
                  {"params", ParamsToObject(m.params)}};
        } else if constexpr (std::is_same_v<T, cwmp::TransferComplete>) {
          return {{"command_key", m.command_key},
                  {"fault", FaultStructJson(m.fault)},
                  {"start_time", m.start_time},
                  {"complete_time", m.complete_time}};
        } else if constexpr (std::is_same_v<T, cwmp::AutonomousTransferComplete>) {
          return {{"announce_url", m.announce_url},    {"transfer_url", m.transfer_url},
                  {"is_download", m.is_download},      {"file_type", m.file_type},
                  {"file_size", m.file_size},          {"target_file_name", m.target_file_name},
                  {"fault", FaultStructJson(m.fault)}, {"start_time", m.start_time},
                  {"complete_time", m.complete_time}};
        } else if constexpr (std::is_same_v<T, cwmp::DUStateChangeComplete>) {
          Json results = Json::array();
          for (const auto& r : m.results) {
            results.push_back({{"uuid", r.uuid},
                               {"deployment_unit_ref", r.deployment_unit_ref},
                               {"version", r.version},
                               {"current_state", r.current_state},
                               {"resolved", r.resolved},
                               {"execution_unit_ref_list", r.execution_unit_ref_list},
                               {"start_time", r.start_time},
                               {"complete_time", r.complete_time},
                               {"fault", FaultStructJson(r.fault)}});
          }
          return {{"command_key", m.command_key}, {"results", std::move(results)}};
        } else {
          return Json::object();  // GetRPCMethods
        }
      },
      request);
  j["method"] = std::string(cwmp::MethodName(request));
  return j;
}

}  // namespace proxier::labacs
