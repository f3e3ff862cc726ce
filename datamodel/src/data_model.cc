// DataModel: mount routing and the read side (GetParameterValues, GetParameterNames).
#include "proxier/datamodel/data_model.h"

#include <algorithm>
#include <set>

#include "join.h"
#include "proxier/datamodel/path.h"
#include "store_tables.h"

namespace proxier::datamodel {

DataModel::DataModel(Db& db, std::string ns) : db_(db), ns_(std::move(ns)) {}
DataModel::~DataModel() = default;

Result<std::unique_ptr<DataModel>> DataModel::Create(Db& db, std::string ns) {
  PX_RETURN_IF_ERROR(MigrateDataModelTables(db));
  std::unique_ptr<DataModel> dm(new DataModel(db, std::move(ns)));
  PX_RETURN_IF_ERROR(dm->LoadAttributes());
  return dm;
}

void DataModel::Mount(const std::string& prefix, Provider* provider) {
  mounts_[prefix] = provider;
  provider->SetChangeSink(this);
}

void DataModel::MountComputed(ComputedProvider* provider) {
  for (const auto& name : provider->Names()) Mount(name, provider);
}

void DataModel::Unmount(const std::string& prefix) {
  auto it = mounts_.find(prefix);
  if (it == mounts_.end()) return;
  Provider* p = it->second;
  mounts_.erase(it);
  bool still_mounted =
      std::any_of(mounts_.begin(), mounts_.end(), [p](const auto& m) { return m.second == p; });
  if (!still_mounted) p->SetChangeSink(nullptr);
}

Provider* DataModel::Owner(const std::string& name) const {
  // Walk candidate prefixes from the longest: the name itself, then each ancestor object path.
  std::string_view probe = name;
  for (;;) {
    auto it = mounts_.find(std::string(probe));
    if (it != mounts_.end()) return it->second;
    if (probe.empty()) return nullptr;
    probe = ParentPath(probe);
    if (probe.empty()) return nullptr;
  }
}

std::vector<std::pair<std::string, Provider*>> DataModel::MountsBelow(
    const std::string& path) const {
  std::vector<std::pair<std::string, Provider*>> out;
  for (auto it = mounts_.lower_bound(path); it != mounts_.end() && IsUnder(it->first, path); ++it) {
    if (it->first != path) out.emplace_back(it->first, it->second);
  }
  return out;
}

namespace {
// One provider call of a GPV: names to ask and whether a 9005 from it may be ignored.
struct Call {
  Provider* provider;
  std::vector<std::string> names;
  bool soft;
};
}  // namespace

void DataModel::GetValues(const std::vector<std::string>& names,
                          std::function<void(Result<std::vector<ParamValue>>)> done) {
  // One call per provider for all its names (a proxy then sends one device request per RPC).
  std::vector<Call> calls;
  auto add = [&](Provider* p, const std::string& name, bool soft) {
    for (auto& c : calls) {
      if (c.provider == p && c.soft == soft) {
        c.names.push_back(name);
        return;
      }
    }
    calls.push_back({p, {name}, soft});
  };
  for (const auto& raw : names) {
    std::string name = raw.empty() ? "Device." : raw;
    Status syntax = CheckPathSyntax(name, true);
    if (!syntax.ok()) return done(syntax);
    Provider* owner = Owner(name);
    if (!IsPartialPath(name)) {
      if (!owner) return done(Status(Code::kInvalidParameterName, "no such parameter: " + name));
      add(owner, name, false);
      continue;
    }
    auto below = MountsBelow(name);
    if (owner) add(owner, name, !below.empty());
    for (const auto& [prefix, p] : below) add(p, prefix, false);
    if (!owner && below.empty()) {
      return done(Status(Code::kInvalidParameterName, "no such object: " + name));
    }
  }
  auto join = Join<Result<std::vector<ParamValue>>>::Make(
      calls.size(), [this, calls, done](std::vector<Result<std::vector<ParamValue>>> results) {
        std::vector<ParamValue> out;
        std::set<std::string> seen;
        for (size_t i = 0; i < results.size(); ++i) {
          if (!results[i].ok()) {
            if (calls[i].soft && results[i].status().code() == Code::kInvalidParameterName)
              continue;
            return done(results[i].status());
          }
          for (auto& v : *results[i]) {
            // A deeper mount owns its names even if a shallower provider also reported them.
            if (Owner(v.name) != calls[i].provider) continue;
            out.push_back(std::move(v));
          }
        }
        done(std::move(out));
      });
  for (size_t i = 0; i < calls.size(); ++i)
    calls[i].provider->GetValues(calls[i].names, join->Slot(i));
}

void DataModel::GetNames(const std::string& raw_path, bool next_level,
                         std::function<void(Result<std::vector<ParamInfo>>)> done) {
  if (raw_path.empty()) {
    if (next_level) return done(std::vector<ParamInfo>{{"Device.", false}});
    return GetNames("Device.", false, std::move(done));
  }
  const std::string path = raw_path;
  Status syntax = CheckPathSyntax(path, true);
  if (!syntax.ok()) return done(syntax);
  Provider* owner = Owner(path);
  if (!IsPartialPath(path)) {
    if (!owner) return done(Status(Code::kInvalidParameterName, "no such parameter: " + path));
    return owner->GetNames(path, next_level, std::move(done));
  }
  auto below = MountsBelow(path);
  if (!owner && below.empty())
    return done(Status(Code::kInvalidParameterName, "no such object: " + path));

  // Calls: the owner for `path`, then (NextLevel false) each deeper mount for its own subtree,
  // or (NextLevel true) each deeper parameter mount that is a direct child.
  std::vector<std::pair<Provider*, std::string>> calls;
  if (owner) calls.emplace_back(owner, path);
  std::vector<ParamInfo> synthesized;  // intermediate objects nobody reports
  for (const auto& [prefix, p] : below) {
    std::string_view rest = std::string_view(prefix).substr(path.size());
    size_t dot = rest.find('.');
    bool direct_child = dot == std::string_view::npos || dot + 1 == rest.size();
    if (!next_level) {
      calls.emplace_back(p, prefix);
      // Objects between `path` and the mount point.
      for (size_t pos = rest.find('.'); pos != std::string_view::npos && pos + 1 < rest.size();
           pos = rest.find('.', pos + 1)) {
        synthesized.push_back({path + std::string(rest.substr(0, pos + 1)), false});
      }
    } else if (direct_child && !IsPartialPath(prefix)) {
      calls.emplace_back(p, prefix);
    } else {
      synthesized.push_back({path + std::string(rest.substr(0, dot + 1)), false});
    }
  }
  const bool soft_owner = owner && !below.empty();
  auto join = Join<Result<std::vector<ParamInfo>>>::Make(
      calls.size(), [this, calls, synthesized, soft_owner, path,
                     done](std::vector<Result<std::vector<ParamInfo>>> results) {
        std::vector<ParamInfo> out;
        std::map<std::string, size_t> index;
        for (size_t i = 0; i < results.size(); ++i) {
          if (!results[i].ok()) {
            if (i == 0 && soft_owner && results[i].status().code() == Code::kInvalidParameterName) {
              continue;
            }
            return done(results[i].status());
          }
          for (auto& info : *results[i]) {
            bool mount_point = info.name == calls[i].second;
            if (!mount_point && Owner(info.name) != calls[i].first) continue;
            auto it = index.find(info.name);
            if (it != index.end()) {
              out[it->second] = std::move(info);  // the deeper provider's entry wins
              continue;
            }
            index.emplace(info.name, out.size());
            out.push_back(std::move(info));
          }
        }
        for (const auto& s : synthesized) {
          if (index.count(s.name)) continue;
          index.emplace(s.name, out.size());
          out.push_back(s);
        }
        if (out.empty() && !results.empty() && !results[0].ok()) return done(results[0].status());
        done(std::move(out));
      });
  for (size_t i = 0; i < calls.size(); ++i) {
    bool nl = calls[i].first == owner && calls[i].second == path ? next_level : false;
    calls[i].first->GetNames(calls[i].second, nl, join->Slot(i));
  }
}

}  // namespace proxier::datamodel
