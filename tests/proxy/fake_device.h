// FakeDevice: an in-memory UPnP DM device behind CmsPort for proxy tests. It keeps a CMS model
// (parameter definitions by structure path, rows, values, EventOnChange), answers every action
// later on the loop (loop.Post) like the real port, counts and records the calls, and can be
// taken offline or told to fail the next calls of an action.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "proxier/common/event_loop.h"
#include "proxier/proxy/cms_port.h"
#include "proxier/proxy/mapping.h"

namespace proxier::proxy::testing {

class FakeDevice final : public CmsPort {
 public:
  struct Def {
    std::string type;  // UPnP type ("string", "ui4", ...)
    bool writable = false;
    bool eventable = true;  // the device reports (and accepts) EventOnChange for it
  };

  explicit FakeDevice(EventLoop& loop) : loop_(loop) {}

  // --- The model.
  void Define(const std::string& structure, std::string type, bool writable,
              bool eventable = true) {
    defs_[structure] = Def{std::move(type), writable, eventable};
  }
  // A row ("/A/3/") with default values for the leaves directly in it.
  void AddRow(const std::string& row) {
    rows_.insert(row);
    const std::string s = StructureOf(row);
    for (const auto& [sp, def] : defs_) {
      if (!sp.starts_with(s)) continue;
      const std::string rest = sp.substr(s.size());
      if (rest.find('#') != std::string::npos) continue;
      if (!values_.count(row + rest)) values_[row + rest] = Default(def.type);
    }
  }
  // Sets a leaf's value (creating the leaf); a test's way to change the device behind our back.
  void Put(const std::string& leaf, const std::string& value) { values_[leaf] = value; }
  std::string Value(const std::string& leaf) const {
    auto it = values_.find(leaf);
    return it == values_.end() ? "<none>" : it->second;
  }
  bool HasRow(const std::string& row) const { return rows_.count(row) > 0; }
  // Table nodes by structure ("/A/", "/A/#/B/") on which Create/DeleteInstance work.
  std::set<std::string> creatable;

  // --- Knobs.
  bool online = true;
  bool hash_form = true;      // CreateInstance takes "…/T/#/" (else only "…/T/")
  bool report_nodes = false;  // GetSupportedParameters also lists every intermediate node
  // GetAttributes on a table's structure path ("/A/#/") answers its Access (readWrite when in
  // `creatable`); false: 701, as a device that publishes no table access.
  bool publish_table_access = true;
  std::string set_status = "ChangesApplied";
  std::string create_status = "ChangesApplied";
  std::string delete_status = "ChangesApplied";
  // Actions the device does not implement (401 Invalid Action), as some devices in the field.
  std::set<std::string> unimplemented;
  // Hostile answers: appended to every GetValues answer / GetSupportedParameters list.
  Values extra_values;
  std::vector<std::string> extra_supported;
  // The next `count` calls of `action` fail with `upnp_error` (0: transport failure, 9002).
  void FailNext(const std::string& action, int count, int upnp_error) {
    failures_[action] = {count, upnp_error};
  }

  // --- What happened.
  int calls(const std::string& action) const {
    auto it = calls_.find(action);
    return it == calls_.end() ? 0 : it->second;
  }
  int total_calls() const {
    int n = 0;
    for (const auto& [a, c] : calls_) n += c;
    return n;
  }
  void ResetCounters() {
    calls_.clear();
    get_values.clear();
    set_values.clear();
    set_attributes.clear();
    created.clear();
    deleted.clear();
  }
  std::vector<std::vector<std::string>> get_values;  // ContentPaths of each GetValues
  std::vector<Values> set_values;                    // ParameterValueList of each SetValues
  std::vector<std::vector<upnp::cms::NodeAttributes>> set_attributes;
  std::vector<std::string> created;  // MultiInstanceName of each CreateInstance
  std::vector<std::string> deleted;  // InstanceIdentifier of each DeleteInstance
  std::map<std::string, bool> event_on_change;

  // --- CmsPort.
  bool Online() const override { return online; }

  void GetSupportedDataModels(Done<std::vector<upnp::cms::SubTree>> done) override {
    if (Failed("GetSupportedDataModels", done)) return;
    Answer(done, std::vector<upnp::cms::SubTree>{
                     {"urn:broadband-forum-org:tr-181-2-12-0", "/BBF/", "", ""},
                     {"urn:upnp-org:smgt-surn:base", "/UPnP/DM/", "", ""}});
  }

  void GetValues(const std::vector<std::string>& paths, Done<Values> done) override {
    get_values.push_back(paths);
    if (Failed("GetValues", done)) return;
    Values out;
    for (const auto& p : paths) {
      if (p.ends_with('/')) {
        if (!NodeExists(p)) return Fail(done, 703, "no such node " + p);
        for (auto it = values_.lower_bound(p); it != values_.end() && it->first.starts_with(p);
             ++it) {
          out.push_back({it->first, it->second});
        }
      } else {
        auto it = values_.find(p);
        if (it == values_.end()) return Fail(done, 703, "no such parameter " + p);
        out.push_back({it->first, it->second});
      }
    }
    out.insert(out.end(), extra_values.begin(), extra_values.end());
    Answer(done, std::move(out));
  }

  void SetValues(const Values& values, Done<std::string> done) override {
    set_values.push_back(values);
    if (Failed("SetValues", done)) return;
    for (const auto& pv : values) {
      if (!values_.count(pv.path)) return Fail(done, 703, "no such parameter " + pv.path);
      const Def* d = DefOf(pv.path);
      if (!d || !d->writable) return Fail(done, 706, pv.path + " is read-only");
      if (d->type == "boolean" && pv.value != "0" && pv.value != "1") {
        return Fail(done, 705, "booleans are 0 or 1 here: " + pv.value);
      }
    }
    for (const auto& pv : values) values_[pv.path] = pv.value;
    Answer(done, set_status);
  }

  void GetSupportedParameters(const std::string& node, uint32_t,
                              Done<std::vector<std::string>> done) override {
    if (Failed("GetSupportedParameters", done)) return;
    const std::string s = StructureOf(node);
    std::set<std::string> out;
    for (const auto& [sp, def] : defs_) {
      if (!sp.starts_with(s)) continue;
      out.insert(sp);
      for (size_t slash = sp.find('/', s.size()); slash != std::string::npos;
           slash = sp.find('/', slash + 1)) {
        const std::string prefix = sp.substr(0, slash + 1);
        if (report_nodes || prefix.ends_with("#/")) out.insert(prefix);
      }
    }
    if (out.empty()) return Fail(done, 703, "no such node " + node);
    out.insert(extra_supported.begin(), extra_supported.end());
    Answer(done, std::vector<std::string>(out.begin(), out.end()));
  }

  void GetInstances(const std::string& node, uint32_t,
                    Done<std::vector<std::string>> done) override {
    if (Failed("GetInstances", done)) return;
    if (!NodeExists(node)) return Fail(done, 703, "no such node " + node);
    std::vector<std::string> out;
    for (const auto& r : rows_) {
      if (r.starts_with(node) && r != node) out.push_back(r);
    }
    Answer(done, std::move(out));
  }

  void GetAttributes(const std::vector<std::string>& paths,
                     Done<std::vector<upnp::cms::NodeAttributes>> done) override {
    if (Failed("GetAttributes", done)) return;
    std::vector<upnp::cms::NodeAttributes> out;
    for (const auto& p : paths) {
      if (p.ends_with("#/")) {  // a table's structure path: its Access, if published
        if (!publish_table_access) return Fail(done, 701, "invalid path " + p);
        bool known = false;
        for (const auto& [sp, def] : defs_) known = known || sp.starts_with(p);
        if (!known) return Fail(done, 703, "no such table " + p);
        const bool rw = creatable.count(p.substr(0, p.size() - 2)) > 0;
        out.push_back({p, {{"Access", rw ? "readWrite" : "readOnly"}}});
        continue;
      }
      std::vector<std::string> leaves;
      for (auto it = values_.lower_bound(p); it != values_.end() && it->first.starts_with(p);
           ++it) {
        if (p.ends_with('/') || it->first == p) leaves.push_back(it->first);
      }
      if (leaves.empty()) return Fail(done, 703, "no such node " + p);
      for (const auto& l : leaves) {
        const Def* d = DefOf(l);
        if (!d) continue;
        upnp::cms::NodeAttributes a{l,
                                    {{"Access", d->writable ? "readWrite" : "readOnly"},
                                     {"Type", d->type},
                                     {"Version", "1"}}};
        if (d->eventable) a.attributes["EventOnChange"] = event_on_change[l] ? "1" : "0";
        out.push_back(std::move(a));
      }
    }
    Answer(done, std::move(out));
  }

  void SetAttributes(const std::vector<upnp::cms::NodeAttributes>& nodes,
                     Done<std::string> done) override {
    set_attributes.push_back(nodes);
    if (Failed("SetAttributes", done)) return;
    for (const auto& n : nodes) {
      if (!values_.count(n.path)) return Fail(done, 703, "no such parameter " + n.path);
      const Def* d = DefOf(n.path);
      if (!d || !d->eventable) return Fail(done, 706, "no EventOnChange for " + n.path);
    }
    for (const auto& n : nodes) {
      auto it = n.attributes.find("EventOnChange");
      if (it != n.attributes.end()) event_on_change[n.path] = it->second == "1";
    }
    Answer(done, std::string("ChangesApplied"));
  }

  void CreateInstance(const std::string& name, const Values&,
                      Done<upnp::CreateInstanceResult> done) override {
    created.push_back(name);
    if (Failed("CreateInstance", done)) return;
    const bool hash = name.ends_with("#/");
    if (hash != hash_form) return Fail(done, 701, "MultiInstanceName form: " + name);
    const std::string table = hash ? name.substr(0, name.size() - 2) : name;
    const std::string ts = StructureOf(table);
    bool known = false;
    for (const auto& [sp, def] : defs_) known = known || sp.starts_with(ts + "#/");
    if (!known || !NodeExists(table)) return Fail(done, 703, "no such table " + table);
    if (!creatable.count(ts)) return Fail(done, 706, table + " is not writable");
    uint32_t k = table.starts_with("/BBF/") ? 0 : 1;
    for (const auto& r : rows_) {
      if (!r.starts_with(table)) continue;
      const std::string rest = r.substr(table.size(), r.size() - table.size() - 1);
      if (IsDigits(rest)) k = std::max<uint32_t>(k, static_cast<uint32_t>(std::stoul(rest)) + 1);
    }
    const std::string row = table + std::to_string(k) + "/";
    AddRow(row);
    Answer(done, upnp::CreateInstanceResult{row, create_status});
  }

  void DeleteInstance(const std::string& path, Done<std::string> done) override {
    deleted.push_back(path);
    if (Failed("DeleteInstance", done)) return;
    if (!rows_.count(path)) return Fail(done, 703, "no such instance " + path);
    const std::string table = path.substr(0, path.rfind('/', path.size() - 2) + 1);
    if (!creatable.count(StructureOf(table))) return Fail(done, 706, table + " is not writable");
    for (auto it = rows_.lower_bound(path); it != rows_.end() && it->starts_with(path);) {
      it = rows_.erase(it);
    }
    for (auto it = values_.lower_bound(path); it != values_.end() && it->first.starts_with(path);) {
      it = values_.erase(it);
    }
    Answer(done, delete_status);
  }

 private:
  static std::string Default(const std::string& type) {
    if (type == "boolean") return "0";
    if (type.starts_with("i") || type.starts_with("ui")) return "0";
    return "";
  }
  const Def* DefOf(const std::string& leaf) const {
    auto it = defs_.find(StructureOf(leaf));
    return it == defs_.end() ? nullptr : &it->second;
  }
  // A node exists when the model defines something below it and its rows exist.
  bool NodeExists(const std::string& node) const {
    if (node == "/") return true;
    const std::string s = StructureOf(node);
    bool defined = false;
    for (const auto& [sp, def] : defs_) defined = defined || sp.starts_with(s);
    if (!defined) return false;
    for (size_t slash = node.find('/', 1); slash != std::string::npos;
         slash = node.find('/', slash + 1)) {
      size_t prev = node.rfind('/', slash - 1);
      if (IsDigits(node.substr(prev + 1, slash - prev - 1)) &&
          !rows_.count(node.substr(0, slash + 1))) {
        return false;
      }
    }
    return true;
  }
  template <typename T>
  void Answer(Done<T> done, T value) {
    upnp::Reply<T> r;
    r.value = std::move(value);
    loop_.Post([done, r] { done(r); });
  }
  template <typename T>
  void Fail(Done<T> done, int upnp_error, const std::string& why) {
    upnp::Reply<T> r;
    r.upnp_error = upnp_error;
    r.status = upnp_error == 0 ? Status(Code::kInternalError, "transport: " + why)
                               : Status(Code::kInternalError,
                                        "UPnP error " + std::to_string(upnp_error) + ": " + why);
    loop_.Post([done, r] { done(r); });
  }
  // Counts the call; true (and the failure posted) when offline or an injected failure is due.
  template <typename T>
  bool Failed(const std::string& action, Done<T>& done) {
    ++calls_[action];
    if (!online) {
      Fail(done, 0, action + ": no route to device");
      return true;
    }
    if (unimplemented.count(action)) {
      Fail(done, 401, "Invalid Action " + action);
      return true;
    }
    auto it = failures_.find(action);
    if (it == failures_.end() || it->second.first <= 0) return false;
    --it->second.first;
    Fail(done, it->second.second, action + " refused (injected)");
    return true;
  }

  EventLoop& loop_;
  std::map<std::string, Def> defs_;                      // structure path of a leaf -> definition
  std::set<std::string> rows_;                           // "/A/3/"
  std::map<std::string, std::string> values_;            // concrete leaf -> value
  std::map<std::string, std::pair<int, int>> failures_;  // action -> (count, upnp error)
  std::map<std::string, int> calls_;
};

}  // namespace proxier::proxy::testing
