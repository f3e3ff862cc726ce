// CWMP <-> UPnP DM mapping rules of ../shared/spec/mapping.md: mounts and path segments (§2),
// value types (§6) and UPnP errors to CWMP faults (§7). Pure functions; no state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proxier/common/status.h"
#include "proxier/datamodel/types.h"

namespace proxier::proxy {

// One subtree of a device as the ACS sees it: CWMP names at/under `cwmp` (ends with '.') are
// UPnP paths at/under `upnp` (ends with '/'). `bbf`: a TR-181 subtree (0-based UPnP instances).
struct Mount {
  std::string cwmp;  // "Device.X_02C0DE_ProxiedDevice.2.BBF."
  std::string upnp;  // "/BBF/"
  bool bbf = false;
  friend bool operator==(const Mount&, const Mount&) = default;
};

// The CWMP mount name of a device data-model location (mapping.md §2.1/§2.3) below `base`
// ("Device.X_02C0DE_ProxiedDevice.2." in embedded mode, "Device." in virtual mode):
// a BBF subtree -> base+"BBF." (embedded) or base (virtual); "/UPnP/DM/" -> base+"UPnP.DM."
// (embedded) or base+"X_<OUI>_UPnP.DM." (virtual); other "/UPnP/X/" alike. Empty when the
// location cannot be mounted (not under /UPnP/ and not BBF).
std::string MountName(const std::string& base, const std::string& location, bool bbf,
                      bool virtual_root, const std::string& vendor_prefix);

// True when a SupportedDataModels URI names the TR-181 Device:2 model.
bool IsBbfUri(std::string_view uri);

// "/A/3/B/7/C" -> "/A/#/B/#/C" (UPnP instance segments are all digits).
std::string StructureOf(std::string_view upnp_path);
// "Device.A.{i}.B" style schema path of a CWMP name ("Device.A.3.B" -> "Device.A.{i}.B").
std::string SchemaPathOf(std::string_view cwmp_name);
bool IsDigits(std::string_view s);
// A CWMP (TR-106) object or parameter name segment: a letter or '_' first, then letters, digits,
// '_' or '-'. Names a device reports that break this never reach the ACS.
bool IsNameSegment(std::string_view s);
// True when every name of a device path (a structure path may hold '#') can become a CWMP name:
// the CMS grammar holds (cms::CheckPath) and each segment that is no instance number maps to an
// IsNameSegment name ('_' put before a leading digit).
bool IsMappablePath(std::string_view upnp_path);
// Longest full parameter name handed to the ACS (TR-069 ParameterName is string(256)).
inline constexpr size_t kMaxNameLength = 256;

// A UPnP DM (UDA) data type -> CWMP type (mapping.md §6). Unknown types: string.
datamodel::ValueType TypeOfUpnp(std::string_view upnp_type);
// A value read from the device, as CWMP text of `type`: booleans 1/true/yes -> "1", 0/false/no ->
// "0"; dateTime to UTC "...Z" (date only -> T00:00:00Z, empty -> Unknown Time). Other text as is.
std::string ToCwmpValue(datamodel::ValueType type, std::string_view upnp_value);
// A (validated, canonical) CWMP value as sent to the device: booleans "1"/"0", others as is.
std::string ToUpnpValue(datamodel::ValueType type, std::string_view cwmp_value);

// Where a UPnP failure happened, for the faults that depend on it (§7).
enum class FaultContext { kRead, kSet, kAddDelete };
// The CWMP fault for a failed action. `upnp_error` 0 means a transport failure or timeout
// (-> 9002). The message keeps the device's own text.
Status FaultFromUpnp(int upnp_error, const Status& status, FaultContext context);
// The device does not implement the action: 401 Invalid Action, 602 Optional Action Not
// Implemented (devices in the field lack GetSupportedParameters, GetAttributes, GetInstances).
inline bool IsNotImplemented(int upnp_error) { return upnp_error == 401 || upnp_error == 602; }
// Temporary failures the embedded mode retries: 708, a timeout, a transport error.
bool IsRetryable(int upnp_error, const Status& status);

}  // namespace proxier::proxy
