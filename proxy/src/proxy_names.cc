// ProxyProvider::NamesFrom: GetParameterNames from the supported structure paths and the
// device's current instances ('#' expanded), NextLevel exact.
#include <functional>

#include "proxier/datamodel/path.h"
#include "proxier/proxy/proxy_provider.h"

namespace proxier::proxy {
namespace {

// Calls `emit` for every concrete path of structure `rest` below the concrete `prefix`, taking
// instances from `rows` ("/A/1/", "/A/1/B/2/", ...). A table without rows emits its node.
void Expand(const std::string& prefix, const std::string& rest, const std::set<std::string>& rows,
            const std::function<void(const std::string&)>& emit) {
  size_t hash = rest.find('#');
  if (hash == std::string::npos) return emit(prefix + rest);
  const std::string table = prefix + rest.substr(0, hash);
  emit(table);
  const std::string after = rest.size() > hash + 2 ? rest.substr(hash + 2) : "";
  for (auto it = rows.lower_bound(table); it != rows.end() && it->starts_with(table); ++it) {
    std::string_view tail = std::string_view(*it).substr(table.size());
    if (tail.size() < 2 || tail.back() != '/' || !IsDigits(tail.substr(0, tail.size() - 1))) {
      continue;
    }
    Expand(*it, after, rows, emit);
  }
}

}  // namespace

void ProxyProvider::NamesFrom(const std::string& path, bool next_level,
                              const std::vector<std::string>& row_list,
                              Done<std::vector<datamodel::ParamInfo>> done) {
  auto node_r = ToUpnp(path);
  if (!node_r.ok()) return done(node_r.status());
  const std::string node = *node_r;
  const std::string node_structure = StructureOf(node);
  const std::set<std::string> rows(row_list.begin(), row_list.end());

  std::set<std::string> found;  // concrete UPnP paths (leaves and nodes) at/below node
  auto add = [&](const std::string& p) {
    if (!p.starts_with(node)) return;
    found.insert(p);
    for (size_t s = p.find('/', node.size()); s != std::string::npos && s + 1 < p.size();
         s = p.find('/', s + 1)) {
      found.insert(p.substr(0, s + 1));
    }
  };
  bool known = node == "/" || rows.count(node) > 0;
  for (auto it = structure_.lower_bound(node_structure);
       it != structure_.end() && it->starts_with(node_structure); ++it) {
    known = true;
    Expand(node, it->substr(node_structure.size()), rows, add);
  }
  for (const auto& m : mounts_) known = known || m.upnp == node;
  if (!known) return done(Status(Code::kInvalidParameterName, "no such object: " + path));
  found.insert(node);

  // Tables: nodes whose structure continues with '#'. Writable (rows may be added and deleted)
  // only when the device says so (published access, or an accepted CreateInstance): never
  // inferred from the parameters below, which may well be writable in a fixed table.
  auto table_writable = [&](const std::string& table_node) {
    return AccessOf(StructureOf(table_node) + "#/") == TableAccess::kWritable;
  };
  std::vector<datamodel::ParamInfo> out;
  for (const auto& p : found) {
    std::string rel = p.substr(node.size());
    if (next_level) {
      if (rel.empty()) continue;
      size_t slash = rel.find('/');
      if (slash != std::string::npos && slash + 1 != rel.size()) continue;
    }
    const Mount* m = MountOfUpnp(p);
    if (!m) continue;
    auto name = map_.ToCwmpName(*m, p);
    if (!name.ok()) {
      Dropped(0, 1, name.status().message());  // never the whole GPN
      continue;
    }
    bool writable = false;
    bool denied = false;  // no EventOnChange: active notification refused (9009)
    if (p.back() != '/') {
      const ParamMeta* meta = Meta(StructureOf(p));
      writable = meta && meta->writable;
      denied = meta && !meta->eventable;
    } else if (auto t = structure_.lower_bound(StructureOf(p) + "#/");
               t != structure_.end() && t->starts_with(StructureOf(p) + "#/")) {
      writable = table_writable(p);  // a table
    } else {
      size_t prev = p.rfind('/', p.size() - 2);
      if (IsDigits(p.substr(prev + 1, p.size() - prev - 2))) {
        writable = table_writable(p.substr(0, prev + 1));  // a row: deletable with its table
      }
    }
    out.push_back({*name, writable});
    if (denied) out.back().active_notify = datamodel::ActiveNotify::kDenied;
  }
  done(std::move(out));
}

}  // namespace proxier::proxy
