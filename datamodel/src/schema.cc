// Schema lookups and finalization.
#include "proxier/datamodel/schema.h"

#include <algorithm>

#include "proxier/datamodel/path.h"

namespace proxier::datamodel {

const ParamDef* ObjectDef::FindParam(std::string_view name) const {
  for (const auto& p : params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

void Schema::AddObject(ObjectDef object) {
  auto it = objects_.find(object.path);
  if (it == objects_.end()) {
    std::string key = object.path;
    objects_.emplace(std::move(key), std::move(object));
    return;
  }
  ObjectDef& existing = it->second;
  existing.writable = object.writable;
  existing.multi = object.multi;
  existing.min_entries = object.min_entries;
  existing.max_entries = object.max_entries;
  if (!object.num_entries_param.empty()) existing.num_entries_param = object.num_entries_param;
  for (auto& p : object.params) {
    auto found = std::find_if(existing.params.begin(), existing.params.end(),
                              [&](const ParamDef& e) { return e.name == p.name; });
    if (found != existing.params.end()) {
      *found = std::move(p);
    } else {
      existing.params.push_back(std::move(p));
    }
  }
  for (auto& k : object.unique_keys) existing.unique_keys.push_back(std::move(k));
}

void Schema::AddDataType(std::string name, Syntax syntax) {
  data_types_[std::move(name)] = std::move(syntax);
}

const Syntax* Schema::FindDataType(std::string_view name) const {
  auto it = data_types_.find(std::string(name));
  return it == data_types_.end() ? nullptr : &it->second;
}

namespace {
// Schema path of the object that holds `object_path` as a child.
std::string ParentObjectOf(const std::string& object_path, bool multi) {
  std::string_view path = object_path;
  if (multi) path = ParentPath(path);  // "A.B.{i}." -> "A.B."
  return std::string(ParentPath(path));
}
}  // namespace

Status Schema::Finalize() {
  // Create missing intermediate objects (e.g. a defs file that only defines "Device.A.B.").
  std::vector<ObjectDef> missing;
  for (const auto& [path, obj] : objects_) {
    std::string parent = ParentObjectOf(path, obj.multi);
    while (!parent.empty() && !objects_.count(parent)) {
      bool parent_multi = LastSegment(parent) == "{i}";
      if (parent_multi) {
        return Status(Code::kInternalError,
                      "object " + path + " has no definition for table " + parent);
      }
      ObjectDef def;
      def.path = parent;
      missing.push_back(def);
      parent = ParentObjectOf(parent, false);
    }
  }
  for (auto& def : missing) {
    if (!objects_.count(def.path)) objects_.emplace(def.path, def);
  }
  for (auto& [path, obj] : objects_) obj.child_objects.clear();
  for (const auto& [path, obj] : objects_) {
    std::string parent = ParentObjectOf(path, obj.multi);
    if (parent.empty()) continue;
    objects_.find(parent)->second.child_objects.push_back(path);
  }
  for (auto& [path, obj] : objects_) std::sort(obj.child_objects.begin(), obj.child_objects.end());
  return Status::Ok();
}

const ObjectDef* Schema::FindObject(std::string_view schema_path) const {
  auto it = objects_.find(schema_path);
  return it == objects_.end() ? nullptr : &it->second;
}

const ParamDef* Schema::FindParam(std::string_view schema_param_path,
                                  const ObjectDef** owner) const {
  if (schema_param_path.empty() || schema_param_path.back() == '.') return nullptr;
  const ObjectDef* obj = FindObject(ParentPath(schema_param_path));
  if (!obj) return nullptr;
  const ParamDef* p = obj->FindParam(LastSegment(schema_param_path));
  if (p && owner) *owner = obj;
  return p;
}

size_t Schema::param_count() const {
  size_t n = 0;
  for (const auto& [path, obj] : objects_) n += obj.params.size();
  return n;
}

}  // namespace proxier::datamodel
