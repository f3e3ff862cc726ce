// Virtual-device identity (mapping.md §3) and UDN-derived values.
#include "proxier/virtual_devices/identity.h"

#include "proxier/common/hash.h"
#include "proxier/common/text.h"

namespace proxier::virtual_devices {

namespace {
constexpr char kDeviceId[] = "/UPnP/DM/DeviceInfo/PhysicalDevice/DeviceID/";
constexpr char kNativeInfo[] = "/UPnP/DM/DeviceInfo/";
constexpr size_t kMaxIdField = 64;

std::string First(const std::map<std::string, std::string>& values,
                  const std::vector<std::string>& paths) {
  for (const auto& p : paths) {
    if (p.empty()) continue;
    auto it = values.find(p);
    if (it != values.end() && !it->second.empty()) return it->second;
  }
  return "";
}
}  // namespace

std::vector<std::string> IdentityPaths(const std::string& bbf_location) {
  std::vector<std::string> out;
  for (const char* leaf : {"ManufacturerOUI", "ProductClass", "SerialNumber"})
    out.push_back(std::string(kDeviceId) + leaf);
  out.push_back(std::string(kNativeInfo) + "SoftwareVersion");
  out.push_back(std::string(kNativeInfo) + "PhysicalDevice/HardwareVersion");
  if (!bbf_location.empty()) {
    for (const char* leaf :
         {"ManufacturerOUI", "ProductClass", "SerialNumber", "SoftwareVersion", "HardwareVersion"})
      out.push_back(bbf_location + "DeviceInfo/" + leaf);
  }
  return out;
}

bool IsValidOui(std::string_view oui) {
  if (oui.size() != 6) return false;
  for (char c : oui) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

Result<VirtualIdentity> DeriveIdentity(const std::map<std::string, std::string>& values,
                                       const upnp::DeviceInfo* description, const std::string& udn,
                                       const std::string& bbf_location) {
  const std::string id = kDeviceId;
  const std::string bbf = bbf_location.empty() ? "" : bbf_location + "DeviceInfo/";
  auto in_bbf = [&](const char* leaf) { return bbf.empty() ? std::string() : bbf + leaf; };
  VirtualIdentity v;
  v.oui = First(values, {id + "ManufacturerOUI", in_bbf("ManufacturerOUI")});
  if (v.oui.empty()) {
    return Status(Code::kInvalidParameterValue,
                  "no ManufacturerOUI (neither DeviceID nor BBF DeviceInfo)");
  }
  if (!IsValidOui(v.oui)) {
    return Status(Code::kInvalidParameterValue,
                  "ManufacturerOUI '" + v.oui.substr(0, 16) + "' is not [0-9A-F]{6}");
  }
  v.product_class = First(values, {id + "ProductClass", in_bbf("ProductClass")});
  v.serial_number = First(values, {id + "SerialNumber", in_bbf("SerialNumber")});
  if (description) {
    if (v.product_class.empty()) v.product_class = description->model_name;
    if (v.serial_number.empty()) v.serial_number = description->serial_number;
    v.manufacturer = description->manufacturer;
    v.model_name = description->model_name;
    v.description = description->model_description;
  }
  if (v.serial_number.empty()) v.serial_number = udn;
  // The DeviceId and DeviceInfo an ACS shows: labels, clean and cut on a code point boundary.
  v.product_class = text::CleanLabel(v.product_class, kMaxIdField);
  v.serial_number = text::CleanLabel(v.serial_number, kMaxIdField);
  v.software_version = text::CleanLabel(
      First(values, {in_bbf("SoftwareVersion"), std::string(kNativeInfo) + "SoftwareVersion"}),
      kMaxIdField);
  v.hardware_version =
      text::CleanLabel(First(values, {in_bbf("HardwareVersion"),
                                      std::string(kNativeInfo) + "PhysicalDevice/HardwareVersion"}),
                       kMaxIdField);
  if (v.serial_number.empty()) v.serial_number = udn;  // it was only controls or blanks
  return v;
}

std::string DerivedCrPassword(const std::string& secret, const std::string& udn) {
  return Hex(HmacSha256(secret, "proxier-vd-cr:" + udn)).substr(0, 32);
}

uint32_t PhaseOffset(const std::string& udn, uint32_t spread_s) {
  if (spread_s == 0) return 0;
  Sha256Digest d = Sha256(udn);
  uint32_t x = (uint32_t{d[0]} << 24) | (uint32_t{d[1]} << 16) | (uint32_t{d[2]} << 8) | d[3];
  return x % spread_s;
}

}  // namespace proxier::virtual_devices
