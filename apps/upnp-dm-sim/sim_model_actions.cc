// Simulated CMS actions: reads, writes, instances, attributes (UPnP DM errors 701-706).
#include <set>

#include "proxier/upnp/cms_codec.h"
#include "sim_model.h"
#include "sim_util.h"

namespace proxier::sim {

namespace cms = upnp::cms;
using namespace util;  // NOLINT(build/namespaces)

CmsReply SimModel::GetValues(const upnp::Args& in) {
  auto paths = cms::DecodePathList(Arg(in, "Parameters"), "ContentPathList", "ContentPath");
  if (!paths.ok()) return Error(702, paths.status().message());
  std::vector<cms::ParameterValue> out;
  for (const auto& p : *paths) {
    if (!cms::CheckPath(p, cms::PathKind::kContent).ok()) return Error(701, "invalid path " + p);
    if (p.back() == '/') {
      if (!NodeExists(p)) return Error(703, "no such node " + p);
      for (auto it = values_.lower_bound(p); it != values_.end() && Under(it->first, p); ++it) {
        out.push_back({it->first, Value(it->first)});
      }
    } else {
      if (!values_.count(p)) return Error(703, "no such parameter " + p);
      out.push_back({p, Value(p)});
    }
  }
  auto x = cms::EncodeParameterValueList(out);
  if (!x.ok()) return Error(501, x.status().message());
  return CmsReply{0, "", {{"ParameterValueList", *x}}};
}

CmsReply SimModel::SetValues(const upnp::Args& in) {
  auto list = cms::DecodeParameterValueList(Arg(in, "ParameterValueList"));
  if (!list.ok()) return Error(702, list.status().message());
  for (const auto& pv : *list) {
    std::string why;
    if (int e = CheckWrite(pv.path, pv.value, &why)) return Error(e, why);
  }
  std::vector<std::string> changed;
  for (const auto& pv : *list) {
    values_[pv.path] = pv.value;
    changed.push_back(pv.path);
  }
  Changed(changed);
  return CmsReply{0, "", {{"Status", "ChangesApplied"}}};
}

CmsReply SimModel::GetSupportedParameters(const upnp::Args& in) {
  const std::string node = Arg(in, "StartingNode");
  const std::string depth_text = Arg(in, "SearchDepth");
  if (!cms::CheckPath(node, cms::PathKind::kStructure).ok() || node.back() != '/' ||
      !IsNumber(depth_text)) {
    return Error(701, "invalid StartingNode/SearchDepth");
  }
  const size_t depth = std::stoul(depth_text);
  std::set<std::string> out;
  auto add = [&](const std::string& sp) {
    if (!Under(sp, node) || sp == node) return;
    std::string rel = sp.substr(node.size());
    if (depth == 0 || Depth(rel) <= depth) {
      out.insert(sp);
      return;
    }
    size_t pos = 0;
    for (size_t k = 0; k < depth; ++k) pos = rel.find('/', pos) + 1;
    out.insert(node + rel.substr(0, pos));
  };
  for (const auto& [sp, d] : defs_) add(sp);
  for (const auto& [sp, t] : tables_) add(sp);
  if (out.empty()) return Error(703, "no such node " + node);
  auto x = cms::EncodePathList("StructurePathList", {out.begin(), out.end()});
  if (!x.ok()) return Error(501, x.status().message());
  return CmsReply{0, "", {{"Result", *x}}};
}

CmsReply SimModel::GetInstances(const upnp::Args& in) {
  const std::string node = Arg(in, "StartingNode");
  const std::string depth_text = Arg(in, "SearchDepth");
  if (!cms::CheckPath(node, cms::PathKind::kContent).ok() || node.back() != '/' ||
      !IsNumber(depth_text)) {
    return Error(701, "invalid StartingNode/SearchDepth");
  }
  if (node != "/" && !NodeExists(node)) return Error(703, "no such node " + node);
  const size_t depth = std::stoul(depth_text);
  std::vector<std::string> out;
  for (const auto& [parent, numbers] : instances_) {
    for (uint32_t n : numbers) {
      std::string row = parent + std::to_string(n) + "/";
      if (!Under(row, node) || row == node) continue;
      if (depth != 0 && Depth(row.substr(node.size())) > depth) continue;
      out.push_back(row);
    }
  }
  auto x = cms::EncodePathList("InstancePathList", out);
  if (!x.ok()) return Error(501, x.status().message());
  return CmsReply{0, "", {{"Result", *x}}};
}

CmsReply SimModel::GetSelectedValues(const upnp::Args& in) {
  const std::string node = Arg(in, "StartingNode");
  if (!cms::CheckPath(node, cms::PathKind::kStructure).ok()) return Error(701, "invalid path");
  std::vector<cms::ParameterValue> out;
  for (const auto& c : Expand(node)) {
    if (c.back() == '/') {
      for (auto it = values_.lower_bound(c); it != values_.end() && Under(it->first, c); ++it) {
        out.push_back({it->first, Value(it->first)});
      }
    } else if (values_.count(c)) {
      out.push_back({c, Value(c)});
    }
  }
  if (out.empty()) return Error(703, "nothing matches " + node);
  auto x = cms::EncodeParameterValueList(out);
  if (!x.ok()) return Error(501, x.status().message());
  return CmsReply{0, "", {{"ParameterValueList", *x}}};
}

CmsReply SimModel::CreateInstance(const upnp::Args& in) {
  std::string name = Arg(in, "MultiInstanceName");
  if (name.size() > 2 && name.substr(name.size() - 2) == "#/") name.resize(name.size() - 2);
  if (!cms::CheckPath(name, cms::PathKind::kInstance).ok()) return Error(701, "invalid path");
  auto t = tables_.find(Structure(name) + "#/");
  if (t == tables_.end()) return Error(703, "no such table " + name);
  if (!t->second.writable) return Error(706, name + " is not writable");
  const std::string parent_table = Structure(name);
  if (parent_table.find('#') != std::string::npos) {
    // A nested table: its parent row must exist.
    std::string parent_row = name.substr(0, name.find_last_of('/', name.size() - 2) + 1);
    if (!NodeExists(parent_row)) return Error(703, "no such row " + parent_row);
  }
  std::vector<cms::ParameterValue> init;
  const std::string init_text = Arg(in, "ChildrenInitialization");
  if (!init_text.empty()) {
    auto a = cms::DecodeParameterValueList(init_text);
    if (!a.ok()) {
      std::string renamed = init_text;
      for (auto* tag : {"ParameterInitialValueList"}) {
        size_t p;
        while ((p = renamed.find(tag)) != std::string::npos) {
          renamed.replace(p, std::string(tag).size(), "ParameterValueList");
        }
      }
      a = cms::DecodeParameterValueList(renamed);
    }
    if (!a.ok()) return Error(702, a.status().message());
    init = std::move(a).value();
  }
  auto& set = instances_[name];
  uint32_t n = set.empty() ? t->second.first : *set.rbegin() + 1;
  const std::string row = name + std::to_string(n) + "/";
  set.insert(n);
  for (const auto& [sp, def] : defs_) {
    if (!Under(sp, t->first)) continue;
    std::string rest = sp.substr(t->first.size());
    if (rest.find('#') != std::string::npos) continue;  // nested tables start empty
    values_[row + rest] = Render(def.value, row + rest);
    event_on_change_[row + rest] = def.event;
    param_version_[row + rest] = version_ + 1;
  }
  std::vector<std::string> changed;
  for (auto& pv : init) {
    std::string path = pv.path[0] == '/' ? pv.path : row + pv.path;
    std::string why;
    int e = Under(path, row) ? CheckWrite(path, pv.value, &why) : 703;
    if (e == 706) e = 0;  // initial values may set read-only children
    if (e != 0) {
      set.erase(n);
      for (auto it = values_.lower_bound(row); it != values_.end() && Under(it->first, row);) {
        it = values_.erase(it);
      }
      return Error(e, why.empty() ? "bad initial value " + path : why);
    }
    values_[path] = pv.value;
    changed.push_back(path);
  }
  Changed(changed);
  params_dirty_ = true;
  ++supported_params_version_;
  return CmsReply{0, "", {{"InstanceIdentifier", row}, {"Status", "ChangesApplied"}}};
}

CmsReply SimModel::DeleteInstance(const upnp::Args& in) {
  const std::string row = Arg(in, "InstanceIdentifier");
  if (!cms::CheckPath(row, cms::PathKind::kInstance).ok()) return Error(701, "invalid path");
  auto segs = Segments(row);
  if (segs.empty() || !IsNumber(segs.back())) return Error(701, "not an instance " + row);
  const std::string table = row.substr(0, row.size() - segs.back().size() - 1);
  auto t = tables_.find(Structure(table) + "#/");
  auto set = instances_.find(table);
  const uint32_t n = static_cast<uint32_t>(std::stoul(segs.back()));
  if (t == tables_.end() || set == instances_.end() || !set->second.count(n)) {
    return Error(703, "no such instance " + row);
  }
  if (!t->second.writable) return Error(706, table + " is not writable");
  set->second.erase(n);
  for (auto it = values_.lower_bound(row); it != values_.end() && Under(it->first, row);) {
    it = values_.erase(it);
  }
  for (auto it = instances_.lower_bound(row); it != instances_.end() && Under(it->first, row);) {
    it = instances_.erase(it);
  }
  Changed({});
  params_dirty_ = true;
  ++supported_params_version_;
  return CmsReply{0, "", {{"Status", "ChangesApplied"}}};
}

CmsReply SimModel::GetAttributes(const upnp::Args& in) {
  auto paths =
      cms::DecodePathList(Arg(in, "Parameters"), "NodeAttributePathList", "NodeAttributePath");
  if (!paths.ok()) return Error(702, paths.status().message());
  std::vector<cms::NodeAttributes> out;
  for (const auto& p : *paths) {
    // A table's structure path ("/A/#/"): its Access, readWrite when instances may be created
    // and deleted. A profile with publish_table_access = false answers as before (701).
    if (profile_.publish_table_access && p.size() > 2 && p.ends_with("#/") &&
        cms::CheckPath(p, cms::PathKind::kStructure).ok()) {
      auto t = tables_.find(Structure(p));
      if (t == tables_.end()) return Error(703, "no such table " + p);
      out.push_back({p, {{"Access", t->second.writable ? "readWrite" : "readOnly"}}});
      continue;
    }
    if (!cms::CheckPath(p, cms::PathKind::kContent).ok()) return Error(701, "invalid path " + p);
    std::vector<std::string> leaves;
    if (p.back() == '/') {
      for (auto it = values_.lower_bound(p); it != values_.end() && Under(it->first, p); ++it) {
        leaves.push_back(it->first);
      }
    } else if (values_.count(p)) {
      leaves.push_back(p);
    }
    if (leaves.empty()) return Error(703, "no such node " + p);
    for (const auto& l : leaves) {
      const Def& d = defs_.at(Structure(l));
      out.push_back({l,
                     {{"Access", d.writable ? "readWrite" : "readOnly"},
                      {"Type", d.type},
                      {"EventOnChange", event_on_change_[l] ? "1" : "0"},
                      {"Version", std::to_string(param_version_[l])}}});
    }
  }
  auto x = cms::EncodeNodeAttributeValueList(out);
  if (!x.ok()) return Error(501, x.status().message());
  return CmsReply{0, "", {{"NodeAttributeValueList", *x}}};
}

CmsReply SimModel::SetAttributes(const upnp::Args& in) {
  auto nodes = cms::DecodeNodeAttributeValueList(Arg(in, "NodeAttributeValueList"));
  if (!nodes.ok()) return Error(702, nodes.status().message());
  std::vector<std::pair<std::string, bool>> apply;
  for (const auto& n : *nodes) {
    if (!cms::CheckPath(n.path, cms::PathKind::kContent).ok()) return Error(701, "invalid path");
    for (const auto& [k, v] : n.attributes) {
      if (k != "EventOnChange") return Error(706, k + " cannot be set");
      if (v != "0" && v != "1" && v != "true" && v != "false") {
        return Error(704, "EventOnChange must be boolean");
      }
    }
    auto it = n.attributes.find("EventOnChange");
    if (it == n.attributes.end()) continue;
    bool on = it->second == "1" || it->second == "true";
    bool any = false;
    for (auto v = values_.lower_bound(n.path); v != values_.end() && Under(v->first, n.path); ++v) {
      if (n.path.back() != '/' && v->first != n.path) continue;
      apply.emplace_back(v->first, on);
      any = true;
    }
    if (!any) return Error(703, "no such node " + n.path);
  }
  for (const auto& [p, on] : apply) event_on_change_[p] = on;
  return CmsReply{0, "", {{"Status", "ChangesApplied"}}};
}

}  // namespace proxier::sim
