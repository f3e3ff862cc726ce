// Simulator profiles (TOML): what one kind of appliance looks like and which parameters it has.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proxier/common/status.h"
#include "proxier/upnp/cms_codec.h"

namespace proxier::sim {

struct ParamSpec {
  std::string path;  // structure path, '#' for instances ("/BBF/WiFi/SSID/#/SSID")
  std::string type = "string";
  std::string value;  // template: {n} device index, {i} innermost instance, {serial}
  bool writable = false;
  bool event = false;  // EventOnChange default
};

struct TableSpec {
  std::string path;  // ends "#/"
  // readWrite: instances may be created and deleted (TOML `writable = true` or
  // `access = "readWrite"`); default readOnly, a fixed table (CreateInstance/DeleteInstance 706).
  bool writable = false;
  uint32_t instances = 0;  // created under each parent instance
  uint32_t first = 1;      // first instance number (0 under /BBF/, CMS Appendix C)
};

struct Profile {
  std::string name;
  std::string device_type = "urn:schemas-upnp-org:device:ManageableDevice:2";
  std::string root_type;  // non-empty: DM device embedded in a root of this type
  std::string friendly_name = "Device {n}";
  std::string manufacturer, manufacturer_url, model_description, model_name, model_number;
  std::string oui = "02C0DE";
  std::string product_class;
  std::string serial_prefix = "SIM";
  std::string software_version = "1.0";
  std::vector<std::string> services = {"cms", "bms", "sms"};
  uint32_t lease_time = 1800;
  // CMS GetAttributes on a table's structure path ("/A/#/") answers its Access (readWrite or
  // readOnly); false: as a device that publishes no table access (701 for such paths).
  bool publish_table_access = true;
  std::vector<upnp::cms::SubTree> subtrees;
  std::vector<TableSpec> tables;
  std::vector<ParamSpec> params;
};

// Loads a profile file. Errors: 9003 with file and reason (unknown type, bad path, TOML syntax).
Result<Profile> LoadProfile(const std::string& file);

// True if `type` is a UPnP data type the simulator knows; CheckValue validates a value of it.
bool KnownType(const std::string& type);
bool CheckValue(const std::string& type, const std::string& value, bool* out_of_range);

}  // namespace proxier::sim
