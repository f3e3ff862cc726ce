// The DeviceId and DeviceInfo values of a virtual device (mapping.md §3), and the per-device
// values derived from its UDN (connection-request password, periodic-inform phase). Pure
// functions. Thread: any.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "proxier/common/status.h"
#include "proxier/upnp/description.h"

namespace proxier::virtual_devices {

struct VirtualIdentity {
  // DeviceId (= the VirtualDevice.{i} key).
  std::string oui;  // [0-9A-F]{6}
  std::string product_class;
  std::string serial_number;
  // Other DeviceInfo values.
  std::string manufacturer;
  std::string model_name;
  std::string description;
  std::string software_version;
  std::string hardware_version;
  friend bool operator==(const VirtualIdentity&, const VirtualIdentity&) = default;
};

// The UPnP paths whose values DeriveIdentity uses: the native DeviceID/DeviceInfo leaves and, when
// `bbf_location` is not empty ("/BBF/"), the TR-181 DeviceInfo leaves below it.
std::vector<std::string> IdentityPaths(const std::string& bbf_location);

// mapping.md §3, first non-empty source wins:
//   OUI          /UPnP/DM/DeviceInfo/PhysicalDevice/DeviceID/ManufacturerOUI, <bbf>DeviceInfo/
//                ManufacturerOUI; must match [0-9A-F]{6}
//   ProductClass …/DeviceID/ProductClass, <bbf>DeviceInfo/ProductClass, description modelName
//   SerialNumber …/DeviceID/SerialNumber, <bbf>DeviceInfo/SerialNumber, description
//                serialNumber, the UDN
//   Manufacturer, ModelName, Description: description manufacturer/modelName/modelDescription
//   SoftwareVersion <bbf>DeviceInfo/SoftwareVersion, /UPnP/DM/DeviceInfo/SoftwareVersion
//   HardwareVersion <bbf>DeviceInfo/HardwareVersion, …/PhysicalDevice/HardwareVersion
// `values`: UPnP path -> value of the paths the device answered; `description` may be null.
// ProductClass and SerialNumber are cut to 64 characters. Errors: 9007 (message = the reason)
// when no OUI was found or the first one found is not [0-9A-F]{6}.
Result<VirtualIdentity> DeriveIdentity(const std::map<std::string, std::string>& values,
                                       const upnp::DeviceInfo* description, const std::string& udn,
                                       const std::string& bbf_location);

bool IsValidOui(std::string_view oui);

// The connection-request password of a virtual device: the first 32 hex digits of
// HMAC-SHA256(key = secret, message = "proxier-vd-cr:" + udn). Deterministic, so it survives a
// wiped store; unguessable without the secret.
std::string DerivedCrPassword(const std::string& secret, const std::string& udn);

// Offset in [0, spread_s) of a virtual device's PeriodicInformTime phase: the first 4 bytes of
// SHA-256(udn) mod spread_s (0 when spread_s is 0), so that many devices do not inform at the
// same second.
uint32_t PhaseOffset(const std::string& udn, uint32_t spread_s);

}  // namespace proxier::virtual_devices
