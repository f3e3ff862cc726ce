// Helpers for datamodel tests: a loaded test schema, a data model over it, sync wrappers and a
// fake asynchronous (remote) provider.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "proxier/common/sqlite.h"
#include "proxier/datamodel/data_model.h"
#include "proxier/datamodel/path.h"
#include "proxier/datamodel/schema.h"
#include "proxier/datamodel/stored_provider.h"

namespace proxier::datamodel::testing {

inline std::string TestDataDir() {
  return std::string(PROXIER_SOURCE_DIR) + "/tests/datamodel/testdata";
}
inline std::string SharedDir() { return PROXIER_SHARED_DIR; }

inline Schema LoadTestSchema() {
  Schema schema;
  Status st = LoadSchemaFile(TestDataDir() + "/test-model.xml", &schema);
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_TRUE(schema.Finalize().ok());
  return schema;
}

// Runs an async call whose callback fires synchronously; fails the test otherwise.
template <typename T, typename Call>
T Sync(Call call) {
  std::optional<T> out;
  call([&](T r) { out.emplace(std::move(r)); });
  EXPECT_TRUE(out.has_value()) << "callback did not run synchronously";
  if (!out) {
    if constexpr (std::is_default_constructible_v<T>) {
      return T{};
    } else {
      return T(Status(Code::kInternalError, "no callback"));
    }
  }
  return std::move(*out);
}

// A provider whose answers arrive later (when the test calls Flush()), serving a flat map of
// values below its mount point. Records the calls it got.
class FakeRemote final : public Provider {
 public:
  explicit FakeRemote(std::string mount) : mount_(std::move(mount)) {}
  std::map<std::string, std::string> values;  // full name -> value
  std::vector<std::string> calls;             // "Get:<n names>", "Apply:...", ...
  Status fail_apply;                          // non-ok: ApplySet fails with it
  int apply_status = 0;

  bool IsLocal() const override { return false; }
  void GetValues(const std::vector<std::string>& names,
                 Done<std::vector<ParamValue>> done) override {
    calls.push_back("Get:" + std::to_string(names.size()));
    Later([this, names, done] {
      std::vector<ParamValue> out;
      for (const auto& n : names) {
        bool any = false;
        for (const auto& [k, v] : values) {
          if (k == n || (IsPartialPath(n) && IsUnder(k, n))) {
            out.push_back({k, v, ValueType::kString});
            any = true;
          }
        }
        if (!any) return done(Status(Code::kInvalidParameterName, "remote: no " + n));
      }
      done(std::move(out));
    });
  }
  void GetNames(const std::string& path, bool next_level,
                Done<std::vector<ParamInfo>> done) override {
    calls.push_back("Names:" + path);
    Later([this, path, next_level, done] {
      std::vector<ParamInfo> out;
      if (!next_level) out.push_back({path, false});
      for (const auto& [k, v] : values) {
        if (!IsUnder(k, path) || k == path) continue;
        if (next_level && ParentPath(k) != path) continue;
        out.push_back({k, true});
      }
      done(std::move(out));
    });
  }
  void ValidateSet(const std::vector<SetItem>& items,
                   std::function<void(std::vector<ParamFault>)> done) override {
    calls.push_back("Validate:" + std::to_string(items.size()));
    Later([this, items, done] {
      std::vector<ParamFault> faults;
      for (const auto& i : items) {
        if (!values.count(i.name))
          faults.push_back({i.name, Status(Code::kInvalidParameterName, "remote")});
        else if (i.value == "bad")
          faults.push_back({i.name, Status(Code::kInvalidParameterValue, "remote")});
      }
      done(faults);
    });
  }
  void ApplySet(const std::vector<SetItem>& items, Done<int> done) override {
    calls.push_back("Apply:" + std::to_string(items.size()));
    Later([this, items, done] {
      if (!fail_apply.ok()) return done(fail_apply);
      for (const auto& i : items) values[i.name] = i.value;
      done(apply_status);
    });
  }
  void NotificationChanged(const std::string& param, int level) override {
    calls.push_back("Notify:" + param + "=" + std::to_string(level));
  }
  void Emit(const std::string& name, const std::string& value) {
    values[name] = value;
    if (sink()) sink()->ValueChanged({name, value, ValueType::kString});
  }
  // Completes every pending call (and those they start).
  void Flush() {
    while (!pending_.empty()) {
      auto f = std::move(pending_.front());
      pending_.pop_front();
      f();
    }
  }
  size_t pending() const { return pending_.size(); }

 private:
  void Later(std::function<void()> f) { pending_.push_back(std::move(f)); }
  std::string mount_;
  std::deque<std::function<void()>> pending_;
};

// A DataModel over the test schema: StoredProvider at "Device.", computed UpTime.
class ModelFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = LoadTestSchema();
    auto db = Db::Open(":memory:");
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
    Rebuild();
  }
  void Rebuild() {
    model_.reset();
    auto store = StoredProvider::Create(*db_, schema_, "t");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    auto model = DataModel::Create(*db_, "t");
    ASSERT_TRUE(model.ok()) << model.status();
    model_ = std::move(model).value();
    model_->Mount("Device.", store_.get());
    model_->SetStore(store_.get());
    ComputedProvider::Param up;
    up.type = ValueType::kUnsignedInt;
    up.volatile_value = true;
    up.get = [this] { return std::to_string(uptime_); };
    computed_.Add("Device.DeviceInfo.UpTime", up);
    model_->MountComputed(&computed_);
  }

  Result<std::vector<ParamValue>> Get(std::vector<std::string> names) {
    return Sync<Result<std::vector<ParamValue>>>([&](auto cb) { model_->GetValues(names, cb); });
  }
  std::string Value(const std::string& name) {
    auto r = Get({name});
    EXPECT_TRUE(r.ok()) << name << ": " << r.status();
    if (!r.ok() || r->size() != 1) return "<error>";
    return (*r)[0].value;
  }
  Result<std::vector<ParamInfo>> Names(const std::string& path, bool next_level) {
    return Sync<Result<std::vector<ParamInfo>>>(
        [&](auto cb) { model_->GetNames(path, next_level, cb); });
  }
  SetResult Set(std::vector<SetItem> items, InTransaction in_tx = {}, std::string origin = "acs") {
    return Sync<SetResult>([&](auto cb) { model_->SetValues(items, origin, in_tx, cb); });
  }
  Result<AddResult> Add(const std::string& table, InTransaction in_tx = {}) {
    return Sync<Result<AddResult>>([&](auto cb) { model_->AddObject(table, "acs", in_tx, cb); });
  }
  Result<DeleteResult> Delete(const std::string& row, InTransaction in_tx = {}) {
    return Sync<Result<DeleteResult>>(
        [&](auto cb) { model_->DeleteObject(row, "acs", in_tx, cb); });
  }

  Schema schema_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<StoredProvider> store_;
  std::unique_ptr<DataModel> model_;
  ComputedProvider computed_;
  int uptime_ = 42;
};

}  // namespace proxier::datamodel::testing
