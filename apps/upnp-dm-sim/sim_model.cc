// Simulated CMS data model: building, reading, writing.
#include "sim_model.h"

#include <algorithm>
#include <ctime>

#include "proxier/upnp/cms_codec.h"
#include "sim_util.h"

namespace proxier::sim {
namespace cms = upnp::cms;
using namespace util;  // NOLINT(build/namespaces)

std::string NowTimestamp() {
  char buf[32];
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

SimModel::SimModel(const Profile& profile, int index, std::string serial)
    : profile_(profile), index_(index), serial_(std::move(serial)) {
  Build();
}

void SimModel::Build() {
  defs_.clear();
  tables_.clear();
  instances_.clear();
  values_.clear();
  event_on_change_.clear();
  param_version_.clear();
  const std::string id = "/UPnP/DM/DeviceInfo/";
  defs_[id + "PhysicalDevice/DeviceID/ManufacturerOUI"] = {"string", false, false, profile_.oui};
  defs_[id + "PhysicalDevice/DeviceID/ProductClass"] = {"string", false, false,
                                                        profile_.product_class};
  defs_[id + "PhysicalDevice/DeviceID/SerialNumber"] = {"string", false, false, "{serial}"};
  defs_[id + "SoftwareVersion"] = {"string", false, false, profile_.software_version};
  defs_[id + "ProvisioningCode"] = {"string", true, true, ""};
  defs_[id + "UpTime"] = {"ui4", false, false, "0"};
  for (const auto& p : profile_.params) defs_[p.path] = {p.type, p.writable, p.event, p.value};
  for (const auto& t : profile_.tables) tables_[t.path] = t;
  // Tables shallow first, so nested ones find their parents.
  std::vector<const TableSpec*> order;
  for (const auto& t : profile_.tables) order.push_back(&t);
  std::sort(order.begin(), order.end(), [](const TableSpec* a, const TableSpec* b) {
    return std::count(a->path.begin(), a->path.end(), '#') <
           std::count(b->path.begin(), b->path.end(), '#');
  });
  for (const auto* t : order) {
    std::string parent_structure = t->path.substr(0, t->path.size() - 2);  // "/A/"
    size_t last_hash = parent_structure.rfind('#');
    if (last_hash == std::string::npos) {
      AddInstances(t->path, parent_structure);
      continue;
    }
    // Concrete parents: expand the enclosing table rows.
    for (const auto& row : Expand(parent_structure.substr(0, last_hash + 2))) {
      AddInstances(t->path, row + parent_structure.substr(last_hash + 2));
    }
  }
  for (const auto& [sp, def] : defs_) {
    for (const auto& c : Expand(sp)) {
      values_[c] = Render(def.value, c);
      event_on_change_[c] = def.event;
      param_version_[c] = 1;
    }
  }
}

void SimModel::AddInstances(const std::string& table_structure, const std::string& parent) {
  const TableSpec& t = tables_.at(table_structure);
  auto& set = instances_[parent];
  for (uint32_t k = 0; k < t.instances; ++k) set.insert(t.first + k);
}

std::string SimModel::Render(const std::string& tmpl, const std::string& concrete) const {
  std::string inner;
  for (const auto& s : Segments(concrete)) {
    if (IsNumber(s)) inner = s;
  }
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl.compare(i, 3, "{n}") == 0) {
      out += std::to_string(index_);
      i += 2;
    } else if (tmpl.compare(i, 3, "{i}") == 0) {
      out += inner;
      i += 2;
    } else if (tmpl.compare(i, 8, "{serial}") == 0) {
      out += serial_;
      i += 7;
    } else {
      out += tmpl[i];
    }
  }
  return out;
}

std::vector<std::string> SimModel::Expand(const std::string& structure) const {
  std::vector<std::string> cur = {"/"};
  auto segs = Segments(structure);
  for (size_t k = 0; k < segs.size(); ++k) {
    const bool last = k + 1 == segs.size();
    const std::string tail = (!last || structure.back() == '/') ? "/" : "";
    std::vector<std::string> next;
    for (const auto& c : cur) {
      if (segs[k] == "#") {
        auto it = instances_.find(c);
        if (it == instances_.end()) continue;
        for (uint32_t n : it->second) next.push_back(c + std::to_string(n) + tail);
      } else {
        next.push_back(c + segs[k] + tail);
      }
    }
    cur.swap(next);
  }
  return cur;
}

std::string SimModel::Value(const std::string& path) const {
  if (path == "/UPnP/DM/DeviceInfo/UpTime") {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - boot_)
            .count());
  }
  auto it = values_.find(path);
  return it == values_.end() ? "" : it->second;
}

std::string SimModel::Get(const std::string& path) const { return Value(path); }

bool SimModel::NodeExists(const std::string& node) const {
  auto it = values_.lower_bound(node);
  if (it != values_.end() && Under(it->first, node)) return true;
  auto jt = instances_.lower_bound(node);
  return jt != instances_.end() && Under(jt->first, node);
}

int SimModel::CheckWrite(const std::string& path, const std::string& value,
                         std::string* why) const {
  if (!cms::CheckPath(path, cms::PathKind::kParameter).ok()) {
    *why = "invalid path " + path;
    return 701;
  }
  if (!values_.count(path)) {
    *why = "no such parameter " + path;
    return 703;
  }
  const Def& d = defs_.at(Structure(path));
  if (!d.writable) {
    *why = path + " is read-only";
    return 706;
  }
  bool range = false;
  if (!CheckValue(d.type, value, &range)) {
    *why = "'" + value.substr(0, 40) + "' is not a valid " + d.type + " for " + path;
    return range ? 705 : 704;
  }
  return 0;
}

void SimModel::Changed(const std::vector<std::string>& paths) {
  ++version_;
  config_dirty_ = true;
  for (const auto& p : paths) {
    param_version_[p] = version_;
    changed_.push_back(p);
  }
}

int SimModel::LocalSet(const std::string& path, const std::string& value) {
  if (!values_.count(path)) return 703;
  bool range = false;
  if (!CheckValue(defs_.at(Structure(path)).type, value, &range)) return range ? 705 : 704;
  values_[path] = value;
  Changed({path});
  return 0;
}

void SimModel::BaselineReset() {
  Build();
  ++version_;
  config_dirty_ = true;
  params_dirty_ = true;
  ++supported_params_version_;
}

upnp::Args SimModel::TakeEvents() {
  upnp::Args out;
  if (config_dirty_) {
    std::string v = std::to_string(version_) + "," + NowTimestamp();
    std::vector<cms::ParameterValue> list;
    for (const auto& p : changed_) {
      auto it = event_on_change_.find(p);
      if (it != event_on_change_.end() && it->second) list.push_back({p, Value(p)});
    }
    if (!list.empty()) {
      auto x = cms::EncodeParameterValueList(list);
      if (x.ok()) v += "," + *x;
    }
    out.emplace_back("ConfigurationUpdate", v);
  }
  if (params_dirty_) {
    out.emplace_back("SupportedParametersUpdate",
                     std::to_string(supported_params_version_) + "," + NowTimestamp());
  }
  config_dirty_ = params_dirty_ = false;
  changed_.clear();
  return out;
}

upnp::Args SimModel::EventedState() const {
  return {{"ConfigurationUpdate", std::to_string(version_) + "," + NowTimestamp()},
          {"SupportedDataModelsUpdate", "1," + NowTimestamp()},
          {"SupportedParametersUpdate",
           std::to_string(supported_params_version_) + "," + NowTimestamp()}};
}

CmsReply SimModel::Handle(const std::string& action, const upnp::Args& in) {
  if (action == "GetValues") return GetValues(in);
  if (action == "SetValues") return SetValues(in);
  if (action == "GetSupportedParameters") return GetSupportedParameters(in);
  if (action == "GetInstances") return GetInstances(in);
  if (action == "GetSelectedValues") return GetSelectedValues(in);
  if (action == "CreateInstance") return CreateInstance(in);
  if (action == "DeleteInstance") return DeleteInstance(in);
  if (action == "GetAttributes") return GetAttributes(in);
  if (action == "SetAttributes") return SetAttributes(in);
  if (action == "GetSupportedDataModels") {
    auto x = cms::EncodeSupportedDataModels(profile_.subtrees);
    if (!x.ok()) return Error(501, x.status().message());
    return CmsReply{0, "", {{"SupportedDataModels", *x}}};
  }
  if (action == "GetConfigurationUpdate") {
    return CmsReply{
        0, "", {{"StateVariableValue", std::to_string(version_) + "," + NowTimestamp()}}};
  }
  if (action == "GetCurrentConfigurationVersion") {
    return CmsReply{0, "", {{"StateVariableValue", std::to_string(version_)}}};
  }
  if (action == "GetSupportedParametersUpdate") {
    return CmsReply{
        0,
        "",
        {{"StateVariableValue", std::to_string(supported_params_version_) + "," + NowTimestamp()}}};
  }
  if (action == "GetSupportedDataModelsUpdate") {
    return CmsReply{0, "", {{"StateVariableValue", "1," + NowTimestamp()}}};
  }
  return Error(401, "Invalid Action");
}

}  // namespace proxier::sim
