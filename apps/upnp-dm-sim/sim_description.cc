// Description and SCPD documents of a simulated device.
#include <map>
#include <string>

#include "proxier/common/xml.h"
#include "sim_device.h"

namespace proxier::sim {
namespace {

struct ServiceDef {
  const char* key;
  const char* type;
  const char* id;
  std::vector<const char*> actions;
  std::vector<const char*> evented;
};

const std::vector<ServiceDef>& Services() {
  static const std::vector<ServiceDef> kDefs = {
      {"cms",
       "urn:schemas-upnp-org:service:ConfigurationManagement:2",
       "urn:upnp-org:serviceId:ConfigurationManagement",
       {"GetSupportedDataModels", "GetSupportedParameters", "GetInstances", "GetValues",
        "GetSelectedValues", "SetValues", "CreateInstance", "DeleteInstance", "GetAttributes",
        "SetAttributes", "GetConfigurationUpdate", "GetCurrentConfigurationVersion",
        "GetSupportedDataModelsUpdate", "GetSupportedParametersUpdate"},
       {"ConfigurationUpdate", "SupportedDataModelsUpdate", "SupportedParametersUpdate"}},
      {"bms",
       "urn:schemas-upnp-org:service:BasicManagement:2",
       "urn:upnp-org:serviceId:BasicManagement",
       {"Reboot", "BaselineReset", "GetDeviceStatus", "Ping", "GetPingResult", "GetTestIDs",
        "GetActiveTestIDs", "GetTestInfo", "CancelTest"},
       {"DeviceStatus", "TestIDs", "ActiveTestIDs"}},
      {"sms",
       "urn:schemas-upnp-org:service:SoftwareManagement:2",
       "urn:upnp-org:serviceId:SoftwareManagement",
       {"Install", "Update", "Uninstall", "Start", "Stop", "GetDUIDs", "GetEUIDs",
        "GetOperationIDs", "GetOperationInfo", "GetDUInfo"},
       {"OperationIDs", "DUIDs", "EUIDs"}},
  };
  return kDefs;
}

std::string Tag(const char* name, const std::string& text) {
  return std::string("<") + name + ">" + xml::Escape(text) + "</" + name + ">";
}

}  // namespace

std::map<std::string, std::string> SimDevice::ServiceTypes() const {
  std::map<std::string, std::string> out;
  for (const auto& s : Services()) out[s.id] = s.type;
  return out;
}

std::map<std::string, std::string> SimDevice::Files() const {
  std::map<std::string, std::string> files;
  std::string services;
  for (const auto& s : Services()) {
    bool on = false;
    for (const auto& k : profile_.services) on = on || k == s.key;
    if (!on) continue;
    // Relative URLs on purpose: the control point resolves them against LOCATION.
    services += std::string("<service><serviceType>") + s.type + "</serviceType><serviceId>" +
                s.id + "</serviceId><SCPDURL>" + s.key + ".xml</SCPDURL><controlURL>" + s.key +
                "/control</controlURL><eventSubURL>" + s.key + "/event</eventSubURL></service>";
    std::string scpd =
        "<?xml version=\"1.0\"?><scpd xmlns=\"urn:schemas-upnp-org:service-1-0\"><specVersion>"
        "<major>1</major><minor>0</minor></specVersion><actionList>";
    for (const char* a : s.actions) scpd += std::string("<action><name>") + a + "</name></action>";
    scpd += "</actionList><serviceStateTable>";
    for (const char* v : s.evented) {
      scpd += std::string("<stateVariable sendEvents=\"yes\"><name>") + v +
              "</name><dataType>string</dataType></stateVariable>";
    }
    scpd += "</serviceStateTable></scpd>";
    files[std::string(s.key) + ".xml"] = scpd;
  }
  auto render = [&](const std::string& t) {
    std::string out = t;
    size_t p;
    while ((p = out.find("{n}")) != std::string::npos) out.replace(p, 3, std::to_string(index_));
    return out;
  };
  std::string dm_device = Tag("deviceType", profile_.device_type) +
                          Tag("friendlyName", render(profile_.friendly_name)) +
                          Tag("manufacturer", profile_.manufacturer) +
                          Tag("manufacturerURL", profile_.manufacturer_url) +
                          Tag("modelDescription", profile_.model_description) +
                          Tag("modelName", profile_.model_name) +
                          Tag("modelNumber", profile_.model_number) + Tag("serialNumber", serial_) +
                          Tag("UDN", dm_udn_) + "<serviceList>" + services + "</serviceList>";
  std::string body;
  if (profile_.root_type.empty()) {
    body = "<device>" + dm_device + "<presentationURL>/</presentationURL></device>";
  } else {
    body = "<device>" + Tag("deviceType", profile_.root_type) +
           Tag("friendlyName", render(profile_.friendly_name)) +
           Tag("manufacturer", profile_.manufacturer) + Tag("modelName", profile_.model_name) +
           Tag("serialNumber", serial_) + Tag("UDN", "uuid:" + uuid_) + "<deviceList><device>" +
           dm_device + "</device></deviceList></device>";
  }
  files["desc.xml"] =
      "<?xml version=\"1.0\"?>\n<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><specVersion>"
      "<major>1</major><minor>1</minor></specVersion>" +
      body + "</root>\n";
  return files;
}

}  // namespace proxier::sim
