// UPnP device descriptions: parsing (hardened, bounded) into root/embedded devices and services.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "proxier/common/status.h"

namespace proxier::upnp {

inline constexpr char kCmsType[] = "urn:schemas-upnp-org:service:ConfigurationManagement:";
inline constexpr char kBmsType[] = "urn:schemas-upnp-org:service:BasicManagement:";
inline constexpr char kSmsType[] = "urn:schemas-upnp-org:service:SoftwareManagement:";

// Which DM service a service type is (version 1 or 2), if any.
enum class DmService { kNone, kCms, kBms, kSms };
DmService ClassifyService(std::string_view service_type);

struct ServiceInfo {
  std::string service_type;
  std::string service_id;
  // Absolute URLs, resolved against URLBase / LOCATION and checked to be on the announcing host.
  std::string scpd_url;
  std::string control_url;
  std::string event_sub_url;  // "" when the service has no eventing
};

struct DeviceInfo {
  std::string udn;  // "uuid:..." as written in the description
  std::string device_type;
  std::string friendly_name;
  std::string manufacturer;
  std::string manufacturer_url;
  std::string model_description;
  std::string model_name;
  std::string model_number;
  std::string model_url;
  std::string serial_number;
  std::string upc;
  std::string presentation_url;  // absolute, "" if absent
  std::vector<ServiceInfo> services;
  std::vector<DeviceInfo> devices;  // embedded devices

  // The UUID part of the UDN ("uuid:" removed).
  std::string Uuid() const;
};

struct Description {
  std::string url_base;      // URLBase if present, else LOCATION
  std::string spec_version;  // "major.minor"
  DeviceInfo root;

  // Root first, then embedded devices depth-first.
  std::vector<const DeviceInfo*> AllDevices() const;
  // The device of the tree whose UDN is "uuid:" + `uuid`, or nullptr.
  const DeviceInfo* FindDevice(std::string_view uuid) const;
  // True when any device of the tree offers CMS, BMS or SMS (version 1 or 2).
  bool IsDmCapable() const;
  // First service of the given kind in the tree, with the device that offers it.
  const ServiceInfo* FindService(DmService kind, const DeviceInfo** device = nullptr) const;
};

struct DescriptionLimits {
  size_t max_bytes = 512 * 1024;
  size_t max_depth = 24;      // XML nesting
  size_t max_devices = 32;    // root + embedded
  size_t max_services = 128;  // whole tree
  size_t max_field = 1024;    // bytes of one text field
};

// Parses the description fetched from `location` (absolute http URL). Relative URLs are
// resolved against URLBase (if present) else `location`. Refused (9003) when: not a device
// description, no root device, a UDN that is not "uuid:" + a UUID (text::IsUuid) or appears
// twice, a deviceType/serviceType/serviceId that is not printable ASCII, a device nests too deep,
// any URLBase/SCPD/control/event URL points at another host or port family than `location` (a
// foreign control URL), malformed XML. Over a limit: 9004.
// Trust boundary: labels (friendlyName, manufacturer, modelDescription, modelName, modelNumber,
// serialNumber, UPC) come out as text::CleanLabel; manufacturerURL, modelURL and presentationURL
// are kept only when they are web URLs (text::IsWebUrl), else empty. Thread: any.
Result<Description> ParseDescription(std::string_view xml, std::string_view location,
                                     const DescriptionLimits& limits = {});

}  // namespace proxier::upnp
