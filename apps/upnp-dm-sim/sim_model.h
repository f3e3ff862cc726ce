// SimModel: the CMS data model of one simulated appliance (parameters, nested multi-instance
// tables, attributes, versions) and the CMS actions on it with UPnP DM errors 701-706.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "profile.h"
#include "proxier/upnp/soap.h"

namespace proxier::sim {

struct CmsReply {
  int error = 0;
  std::string description;
  upnp::Args out;
};

// Thread: not thread-safe; the owner (SimDevice) serialises access.
class SimModel {
 public:
  // Instantiates `profile` for device number `index` with serial number `serial`.
  SimModel(const Profile& profile, int index, std::string serial);

  // Runs one CMS action. Unknown action: 401.
  CmsReply Handle(const std::string& action, const upnp::Args& in);
  // A change made "on the device" (not through UPnP): 703 unknown, 704/705 bad value, else 0.
  int LocalSet(const std::string& path, const std::string& value);
  // Every value back to the profile's defaults (instances too).
  void BaselineReset();
  // Marks a reboot (UpTime restarts).
  void Rebooted() { boot_ = std::chrono::steady_clock::now(); }

  // Evented CMS variables whose value changed since the last call (ConfigurationUpdate,
  // SupportedParametersUpdate), to be sent as one GENA event.
  upnp::Args TakeEvents();
  // All evented CMS variables (initial event of a subscription).
  upnp::Args EventedState() const;
  uint32_t version() const { return version_; }
  std::string Get(const std::string& path) const;

 private:
  struct Def {
    std::string type;
    bool writable = false;
    bool event = false;
    std::string value;  // template
  };
  void Build();
  std::string Render(const std::string& tmpl, const std::string& concrete) const;
  std::vector<std::string> Expand(const std::string& structure) const;
  void CreateValuesUnder(const std::string& instance_node);
  void AddInstances(const std::string& table_structure, const std::string& parent_concrete);
  bool NodeExists(const std::string& node) const;
  int CheckWrite(const std::string& path, const std::string& value, std::string* why) const;
  void Changed(const std::vector<std::string>& paths);
  std::string Value(const std::string& path) const;

  CmsReply GetValues(const upnp::Args& in);
  CmsReply SetValues(const upnp::Args& in);
  CmsReply GetSupportedParameters(const upnp::Args& in);
  CmsReply GetInstances(const upnp::Args& in);
  CmsReply GetSelectedValues(const upnp::Args& in);
  CmsReply CreateInstance(const upnp::Args& in);
  CmsReply DeleteInstance(const upnp::Args& in);
  CmsReply GetAttributes(const upnp::Args& in);
  CmsReply SetAttributes(const upnp::Args& in);

  Profile profile_;
  int index_;
  std::string serial_;
  std::chrono::steady_clock::time_point boot_ = std::chrono::steady_clock::now();
  std::map<std::string, Def> defs_;                      // structure path -> definition
  std::map<std::string, TableSpec> tables_;              // "/A/#/" -> spec
  std::map<std::string, std::set<uint32_t>> instances_;  // concrete "/X/1/A/" -> numbers
  std::map<std::string, std::string> values_;            // concrete leaf -> value
  std::map<std::string, bool> event_on_change_;
  std::map<std::string, uint32_t> param_version_;
  uint32_t version_ = 1;
  uint32_t supported_params_version_ = 1;
  bool config_dirty_ = false;
  bool params_dirty_ = false;
  std::vector<std::string> changed_;  // since last TakeEvents
};

// "2026-01-01T00:00:00" (UTC, now).
std::string NowTimestamp();

}  // namespace proxier::sim
