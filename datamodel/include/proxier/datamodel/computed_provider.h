// ComputedProvider: parameters whose values come from callbacks (UpTime, CurrentLocalTime, ...).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "proxier/datamodel/provider.h"

namespace proxier::datamodel {

// A set of individual parameters served by callbacks; each is mounted on its own full name
// (DataModel::MountComputed). Thread: engine thread; callbacks run on it and must not block.
class ComputedProvider final : public Provider {
 public:
  struct Param {
    ValueType type = ValueType::kString;
    std::function<std::string()> get;
    // Optional: makes the parameter writable. Receives the canonical value (checked against
    // `syntax`); its effects should be idempotent since a failed commit cannot undo them.
    std::function<Status(const std::string&)> set;
    Syntax syntax;  // value checks for `set`; type is forced to `type`
    // Changes on its own all the time (UpTime): active notification is refused (9009).
    bool volatile_value = false;
    bool forced_inform = false;
  };

  // Registers `name` (a full parameter name). Replaces an earlier registration.
  void Add(const std::string& name, Param param);
  void Remove(const std::string& name);
  std::vector<std::string> Names() const;

  bool IsLocal() const override { return true; }
  void GetValues(const std::vector<std::string>& names,
                 Done<std::vector<ParamValue>> done) override;
  void GetNames(const std::string& path, bool next_level,
                Done<std::vector<ParamInfo>> done) override;
  void ValidateSet(const std::vector<SetItem>& items,
                   std::function<void(std::vector<ParamFault>)> done) override;
  void ApplySet(const std::vector<SetItem>& items, Done<int> done) override;

 private:
  std::map<std::string, Param> params_;
};

}  // namespace proxier::datamodel
