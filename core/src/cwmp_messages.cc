// CWMP message model helpers: namespace URIs and method names.
#include "proxier/core/cwmp_messages.h"

#include <type_traits>

namespace proxier::core::cwmp {

std::string_view NamespaceUri(Namespace ns) {
  switch (ns) {
    case Namespace::k10:
      return "urn:dslforum-org:cwmp-1-0";
    case Namespace::k11:
      return "urn:dslforum-org:cwmp-1-1";
    case Namespace::k12:
      return "urn:dslforum-org:cwmp-1-2";
  }
  return "urn:dslforum-org:cwmp-1-2";
}

std::optional<Namespace> NamespaceOfVersion(std::string_view version) {
  if (version == "1.0") return Namespace::k10;
  if (version == "1.1") return Namespace::k11;
  if (version == "1.2" || version == "1.3" || version == "1.4") return Namespace::k12;
  return std::nullopt;
}

std::optional<Namespace> ParseNamespaceUri(std::string_view uri) {
  if (uri == "urn:dslforum-org:cwmp-1-0") return Namespace::k10;
  if (uri == "urn:dslforum-org:cwmp-1-1") return Namespace::k11;
  // CWMP 1.3 and 1.4 extend the 1-2 namespace; some ACSes still send (or echo) these URNs.
  if (uri == "urn:dslforum-org:cwmp-1-2" || uri == "urn:dslforum-org:cwmp-1-3" ||
      uri == "urn:dslforum-org:cwmp-1-4") {
    return Namespace::k12;
  }
  return std::nullopt;
}

std::string_view MethodName(const AcsRequest& request) {
  return std::visit(
      [](const auto& r) -> std::string_view {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, GetRPCMethods>)
          return "GetRPCMethods";
        else if constexpr (std::is_same_v<T, SetParameterValues>)
          return "SetParameterValues";
        else if constexpr (std::is_same_v<T, GetParameterValues>)
          return "GetParameterValues";
        else if constexpr (std::is_same_v<T, GetParameterNames>)
          return "GetParameterNames";
        else if constexpr (std::is_same_v<T, SetParameterAttributes>)
          return "SetParameterAttributes";
        else if constexpr (std::is_same_v<T, GetParameterAttributes>)
          return "GetParameterAttributes";
        else if constexpr (std::is_same_v<T, AddObject>)
          return "AddObject";
        else if constexpr (std::is_same_v<T, DeleteObject>)
          return "DeleteObject";
        else if constexpr (std::is_same_v<T, Reboot>)
          return "Reboot";
        else if constexpr (std::is_same_v<T, FactoryReset>)
          return "FactoryReset";
        else if constexpr (std::is_same_v<T, Download>)
          return "Download";
        else if constexpr (std::is_same_v<T, Upload>)
          return "Upload";
        else if constexpr (std::is_same_v<T, ScheduleInform>)
          return "ScheduleInform";
        else if constexpr (std::is_same_v<T, ChangeDUState>)
          return "ChangeDUState";
        else
          static_assert(sizeof(T) == 0, "unhandled ACS request");
      },
      request);
}

std::string_view MethodName(const CpeRequest& request) {
  return std::visit(
      [](const auto& r) -> std::string_view {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, Inform>)
          return "Inform";
        else if constexpr (std::is_same_v<T, TransferComplete>)
          return "TransferComplete";
        else if constexpr (std::is_same_v<T, AutonomousTransferComplete>) {
          return "AutonomousTransferComplete";
        } else if constexpr (std::is_same_v<T, DUStateChangeComplete>) {
          return "DUStateChangeComplete";
        } else if constexpr (std::is_same_v<T, GetRPCMethods>) {
          return "GetRPCMethods";
        } else {
          static_assert(sizeof(T) == 0, "unhandled CPE request");
        }
      },
      request);
}

std::string_view MethodName(const CpeResponse& response) {
  return std::visit(
      [](const auto& r) -> std::string_view {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, GetRPCMethodsResult>)
          return "GetRPCMethodsResponse";
        else if constexpr (std::is_same_v<T, SetParameterValuesResult>) {
          return "SetParameterValuesResponse";
        } else if constexpr (std::is_same_v<T, GetParameterValuesResult>) {
          return "GetParameterValuesResponse";
        } else if constexpr (std::is_same_v<T, GetParameterNamesResult>) {
          return "GetParameterNamesResponse";
        } else if constexpr (std::is_same_v<T, SetParameterAttributesResult>) {
          return "SetParameterAttributesResponse";
        } else if constexpr (std::is_same_v<T, GetParameterAttributesResult>) {
          return "GetParameterAttributesResponse";
        } else if constexpr (std::is_same_v<T, AddObjectResult>) {
          return "AddObjectResponse";
        } else if constexpr (std::is_same_v<T, DeleteObjectResult>) {
          return "DeleteObjectResponse";
        } else if constexpr (std::is_same_v<T, RebootResult>) {
          return "RebootResponse";
        } else if constexpr (std::is_same_v<T, FactoryResetResult>) {
          return "FactoryResetResponse";
        } else if constexpr (std::is_same_v<T, DownloadResult>) {
          return "DownloadResponse";
        } else if constexpr (std::is_same_v<T, UploadResult>) {
          return "UploadResponse";
        } else if constexpr (std::is_same_v<T, ScheduleInformResult>) {
          return "ScheduleInformResponse";
        } else if constexpr (std::is_same_v<T, ChangeDUStateResult>) {
          return "ChangeDUStateResponse";
        } else if constexpr (std::is_same_v<T, Fault>) {
          return "Fault";
        } else {
          static_assert(sizeof(T) == 0, "unhandled CPE response");
        }
      },
      response);
}

std::string_view MethodName(const AcsResponse& response) {
  return std::visit(
      [](const auto& r) -> std::string_view {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, InformResponse>)
          return "InformResponse";
        else if constexpr (std::is_same_v<T, TransferCompleteResponse>) {
          return "TransferCompleteResponse";
        } else if constexpr (std::is_same_v<T, AutonomousTransferCompleteResponse>) {
          return "AutonomousTransferCompleteResponse";
        } else if constexpr (std::is_same_v<T, DUStateChangeCompleteResponse>) {
          return "DUStateChangeCompleteResponse";
        } else if constexpr (std::is_same_v<T, GetRPCMethodsResponse>) {
          return "GetRPCMethodsResponse";
        } else if constexpr (std::is_same_v<T, Fault>) {
          return "Fault";
        } else {
          static_assert(sizeof(T) == 0, "unhandled ACS response");
        }
      },
      response);
}

}  // namespace proxier::core::cwmp
