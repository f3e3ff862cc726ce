// Mapping rules (mapping.md §2, §6, §7).
#include "proxier/proxy/mapping.h"

#include <algorithm>
#include <cctype>

#include "proxier/datamodel/value.h"
#include "proxier/upnp/cms_codec.h"

namespace proxier::proxy {

using datamodel::ValueType;

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsNameSegment(std::string_view s) {
  if (s.empty()) return false;
  const auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  if (!alpha(s[0]) && s[0] != '_') return false;
  return std::all_of(s.begin() + 1, s.end(), [&](char c) {
    return alpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool IsMappablePath(std::string_view path) {
  if (!upnp::cms::CheckPath(path, upnp::cms::PathKind::kStructure).ok()) return false;
  size_t start = 1;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(start, slash - start);
    if (seg != "#" && !IsDigits(seg)) {
      const bool digit_first = seg[0] >= '0' && seg[0] <= '9';
      if (!IsNameSegment(digit_first ? "_" + std::string(seg) : std::string(seg))) return false;
    }
    start = slash + 1;
  }
  return true;
}

bool IsBbfUri(std::string_view uri) { return uri.starts_with("urn:broadband-forum-org:tr-181-2"); }

std::string MountName(const std::string& base, const std::string& location, bool bbf,
                      bool virtual_root, const std::string& vendor_prefix) {
  if (location.size() < 2 || location.front() != '/' || location.back() != '/') return "";
  if (bbf) return virtual_root ? base : base + "BBF.";
  if (!location.starts_with("/UPnP/")) return "";
  std::string rest = location.substr(1);  // "UPnP/DM/"
  std::replace(rest.begin(), rest.end(), '/', '.');
  return virtual_root ? base + vendor_prefix + rest : base + rest;
}

std::string StructureOf(std::string_view path) {
  std::string out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view seg = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    out += IsDigits(seg) ? std::string_view("#") : seg;
    if (slash == std::string_view::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

std::string SchemaPathOf(std::string_view name) {
  std::string out;
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    std::string_view seg =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    out += IsDigits(seg) ? std::string_view("{i}") : seg;
    if (dot == std::string_view::npos) break;
    out += '.';
    start = dot + 1;
  }
  return out;
}

ValueType TypeOfUpnp(std::string_view t) {
  std::string type(t);
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (type == "boolean") return ValueType::kBoolean;
  if (type == "i1" || type == "i2" || type == "i4" || type == "int") return ValueType::kInt;
  if (type == "ui1" || type == "ui2" || type == "ui4") return ValueType::kUnsignedInt;
  if (type == "i8") return ValueType::kLong;
  if (type == "ui8") return ValueType::kUnsignedLong;
  if (type == "date" || type == "datetime" || type == "datetime.tz") return ValueType::kDateTime;
  if (type == "bin.base64") return ValueType::kBase64;
  if (type == "bin.hex") return ValueType::kHexBinary;
  return ValueType::kString;  // string, char, uri, uuid, time, r4, r8, number, fixed.14.4, ...
}

std::string ToCwmpValue(ValueType type, std::string_view v) {
  if (type == ValueType::kBoolean) {
    std::string s(v);
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (s == "1" || s == "true" || s == "yes") return "1";
    if (s == "0" || s == "false" || s == "no") return "0";
    return std::string(v);
  }
  if (type == ValueType::kDateTime) {
    if (v.empty()) return std::string(datamodel::kUnknownTime);
    std::string text(v);
    if (text.size() == 10) text += "T00:00:00Z";  // date only
    auto c = datamodel::CanonicalDateTime(text);
    return c.ok() ? *c : std::string(v);
  }
  return std::string(v);
}

std::string ToUpnpValue(ValueType type, std::string_view v) {
  if (type == ValueType::kBoolean) return (v == "true" || v == "1") ? "1" : "0";
  return std::string(v);
}

Status FaultFromUpnp(int e, const Status& status, FaultContext context) {
  const std::string why = status.message().empty() ? "device error" : status.message();
  auto fault = [&](Code c) { return Status(c, why); };
  switch (e) {
    case 0:
      return fault(Code::kInternalError);
    case 401:
    case 602:
      return fault(Code::kRequestDenied);
    case 402:
    case 701:
      return fault(Code::kInvalidArguments);
    case 501:
    case 702:
      return fault(Code::kInternalError);
    case 600:
    case 601:
    case 605:
    case 705:
      return fault(Code::kInvalidParameterValue);
    case 603:
      return fault(Code::kResourcesExceeded);
    case 604:
    case 606:
      return fault(Code::kRequestDenied);
    case 703:
      return fault(Code::kInvalidParameterName);
    case 704:
      return fault(Code::kInvalidParameterType);
    case 706:
      return fault(context == FaultContext::kSet ? Code::kNonWritableParameter
                                                 : Code::kRequestDenied);
    case 707:
      return fault(Code::kInvalidArguments);
    default:
      return fault(Code::kInternalError);
  }
}

bool IsRetryable(int upnp_error, const Status& status) {
  if (upnp_error == 708) return true;
  return upnp_error == 0 && !status.ok() && status.code() == Code::kInternalError;
}

}  // namespace proxier::proxy
