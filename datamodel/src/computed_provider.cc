// ComputedProvider implementation.
#include "proxier/datamodel/computed_provider.h"

#include "proxier/datamodel/path.h"
#include "proxier/datamodel/value.h"

namespace proxier::datamodel {

void ComputedProvider::Add(const std::string& name, Param param) {
  param.syntax.type = param.type;
  params_[name] = std::move(param);
}

void ComputedProvider::Remove(const std::string& name) { params_.erase(name); }

std::vector<std::string> ComputedProvider::Names() const {
  std::vector<std::string> out;
  for (const auto& [name, p] : params_) out.push_back(name);
  return out;
}

void ComputedProvider::GetValues(const std::vector<std::string>& names,
                                 Done<std::vector<ParamValue>> done) {
  std::vector<ParamValue> out;
  for (const auto& name : names) {
    auto it = params_.find(name);
    if (it == params_.end()) {
      return done(Status(Code::kInvalidParameterName, "no such parameter: " + name));
    }
    out.push_back({name, it->second.get ? it->second.get() : std::string(), it->second.type});
  }
  done(std::move(out));
}

void ComputedProvider::GetNames(const std::string& path, bool next_level,
                                Done<std::vector<ParamInfo>> done) {
  auto it = params_.find(path);
  if (it == params_.end())
    return done(Status(Code::kInvalidParameterName, "no such parameter: " + path));
  if (next_level) {
    return done(
        Status(Code::kInvalidArguments, "NextLevel must be false for a parameter name: " + path));
  }
  ActiveNotify notify = it->second.volatile_value ? ActiveNotify::kDenied : ActiveNotify::kNormal;
  done(std::vector<ParamInfo>{
      {path, static_cast<bool>(it->second.set), notify, it->second.forced_inform}});
}

void ComputedProvider::ValidateSet(const std::vector<SetItem>& items,
                                   std::function<void(std::vector<ParamFault>)> done) {
  std::vector<ParamFault> faults;
  for (const auto& item : items) {
    auto it = params_.find(item.name);
    if (it == params_.end()) {
      faults.push_back(
          {item.name, Status(Code::kInvalidParameterName, "no such parameter: " + item.name)});
    } else if (!it->second.set) {
      faults.push_back(
          {item.name, Status(Code::kNonWritableParameter, item.name + " is read-only")});
    } else {
      auto canon = CheckValue(item.name, it->second.syntax, item.value, item.declared_type);
      if (!canon.ok()) faults.push_back({item.name, canon.status()});
    }
  }
  done(std::move(faults));
}

void ComputedProvider::ApplySet(const std::vector<SetItem>& items, Done<int> done) {
  for (const auto& item : items) {
    auto it = params_.find(item.name);
    if (it == params_.end() || !it->second.set) {
      return done(Status(Code::kNonWritableParameter, item.name + " is read-only"));
    }
    auto canon = CheckValue(item.name, it->second.syntax, item.value, item.declared_type);
    if (!canon.ok()) return done(canon.status());
    Status st = it->second.set(*canon);
    if (!st.ok()) return done(st);
  }
  done(0);
}

}  // namespace proxier::datamodel
