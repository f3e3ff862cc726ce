// DataModel façade: routing by mount point, merging across providers, atomic SetParameterValues.
#include "proxier/datamodel/data_model.h"

#include <gtest/gtest.h>

#include <set>

#include "test_util.h"

namespace proxier::datamodel {
namespace {

using testing::FakeRemote;
using testing::ModelFixture;

class DataModelTest : public ModelFixture {
 protected:
  void SetUp() override {
    ModelFixture::SetUp();
    remote_ = std::make_unique<FakeRemote>("Device.Test.Table.1.Remote.Dev.");
    remote_->values = {{"Device.Test.Table.1.Remote.Dev.A", "a"},
                       {"Device.Test.Table.1.Remote.Dev.B", "b"},
                       {"Device.Test.Table.1.Remote.Dev.Sub.C", "c"}};
    ASSERT_TRUE(Add("Device.Test.Table.").ok());
    model_->Mount("Device.Test.Table.1.Remote.Dev.", remote_.get());
  }
  // Async variants: run, then flush the remote.
  Result<std::vector<ParamValue>> GetAsync(std::vector<std::string> names) {
    std::optional<Result<std::vector<ParamValue>>> out;
    model_->GetValues(names, [&](auto r) { out.emplace(std::move(r)); });
    remote_->Flush();
    EXPECT_TRUE(out.has_value());
    return out ? std::move(*out) : Result<std::vector<ParamValue>>(Code::kInternalError, "none");
  }
  Result<std::vector<ParamInfo>> NamesAsync(const std::string& path, bool next) {
    std::optional<Result<std::vector<ParamInfo>>> out;
    model_->GetNames(path, next, [&](auto r) { out.emplace(std::move(r)); });
    remote_->Flush();
    EXPECT_TRUE(out.has_value());
    return out ? std::move(*out) : Result<std::vector<ParamInfo>>(Code::kInternalError, "none");
  }
  SetResult SetAsync(std::vector<SetItem> items, InTransaction in_tx = {}) {
    std::optional<SetResult> out;
    model_->SetValues(items, "acs", in_tx, [&](SetResult r) { out.emplace(std::move(r)); });
    remote_->Flush();
    EXPECT_TRUE(out.has_value());
    return out ? std::move(*out) : SetResult{};
  }
  std::unique_ptr<FakeRemote> remote_;
};

std::set<std::string> NameSet(const Result<std::vector<ParamValue>>& r) {
  std::set<std::string> out;
  if (r.ok())
    for (const auto& v : *r) out.insert(v.name);
  return out;
}

TEST_F(DataModelTest, CallbackWaitsForTheRemoteProvider) {
  bool done = false;
  model_->GetValues({"Device.Test.Table.1.Remote.Dev.A"}, [&](auto) { done = true; });
  EXPECT_FALSE(done);
  EXPECT_EQ(remote_->pending(), 1u);
  remote_->Flush();
  EXPECT_TRUE(done);
}

TEST_F(DataModelTest, RoutesFullNamesToTheLongestMount) {
  auto r =
      GetAsync({"Device.Test.Table.1.Remote.Dev.A", "Device.Test.Int", "Device.DeviceInfo.UpTime"});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  std::map<std::string, std::string> got;
  for (const auto& v : *r) got[v.name] = v.value;
  EXPECT_EQ(got["Device.Test.Table.1.Remote.Dev.A"], "a");
  EXPECT_EQ(got["Device.DeviceInfo.UpTime"], "42");
}

TEST_F(DataModelTest, OneRemoteCallPerRequestForAllItsNames) {
  auto r = GetAsync({"Device.Test.Table.1.Remote.Dev.A", "Device.Test.Table.1.Remote.Dev.B",
                     "Device.Test.Table.1.Remote.Dev.Sub."});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(remote_->calls, (std::vector<std::string>{"Get:3"}));
}

TEST_F(DataModelTest, PartialPathMergesProviders) {
  auto r = GetAsync({"Device.Test.Table.1."});
  ASSERT_TRUE(r.ok()) << r.status();
  auto names = NameSet(r);
  EXPECT_TRUE(names.count("Device.Test.Table.1.Name"));
  EXPECT_TRUE(names.count("Device.Test.Table.1.Remote.Dev.Sub.C"));
  // "Device.Test.Table.1.Remote." exists only as the way to the mount: served from below.
  auto mid = GetAsync({"Device.Test.Table.1.Remote."});
  ASSERT_TRUE(mid.ok()) << mid.status();
  EXPECT_EQ(NameSet(mid).size(), 3u);
}

TEST_F(DataModelTest, ErrorsOfAnyProviderFailTheWholeGet) {
  auto r = GetAsync({"Device.Test.Int", "Device.Test.Table.1.Remote.Dev.Nope"});
  EXPECT_EQ(r.status().code(), Code::kInvalidParameterName);
}

TEST_F(DataModelTest, NamesIncludeMountPointsAndIntermediateObjects) {
  auto next = NamesAsync("Device.Test.Table.1.", true);
  ASSERT_TRUE(next.ok()) << next.status();
  std::set<std::string> names;
  for (const auto& i : *next) names.insert(i.name);
  EXPECT_TRUE(names.count("Device.Test.Table.1.Remote."));
  EXPECT_TRUE(names.count("Device.Test.Table.1.Name"));
  EXPECT_FALSE(names.count("Device.Test.Table.1.Remote.Dev.A"));
  auto deep = NamesAsync("Device.Test.Table.1.", false);
  ASSERT_TRUE(deep.ok());
  names.clear();
  for (const auto& i : *deep) names.insert(i.name);
  for (const char* n :
       {"Device.Test.Table.1.", "Device.Test.Table.1.Remote.", "Device.Test.Table.1.Remote.Dev.",
        "Device.Test.Table.1.Remote.Dev.A", "Device.Test.Table.1.Remote.Dev.Sub.C"}) {
    EXPECT_TRUE(names.count(n)) << n;
  }
  auto below = NamesAsync("Device.Test.Table.1.Remote.", true);
  ASSERT_TRUE(below.ok()) << below.status();
  ASSERT_EQ(below->size(), 1u);
  EXPECT_EQ((*below)[0].name, "Device.Test.Table.1.Remote.Dev.");
  auto leaf = NamesAsync("Device.Test.Table.1.Remote.Dev.", true);
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(leaf->size(), 2u);  // A and B (Sub.C is not a direct child in the fake)
}

TEST_F(DataModelTest, SetIsAtomicAcrossLocalParameters) {
  auto r = Set({{"Device.Test.Int", "5", {}},
                {"Device.Test.UInt", "9", {}},
                {"Device.Test.ReadOnly", "x", {}},
                {"Device.Test.Nope", "1", {}},
                {"Device.Test.Bool", "maybe", {}}});
  EXPECT_EQ(r.status.code(), Code::kInvalidArguments);
  ASSERT_EQ(r.faults.size(), 4u);
  EXPECT_EQ(r.faults[0].name, "Device.Test.UInt");
  EXPECT_EQ(r.faults[0].status.code(), Code::kInvalidParameterValue);
  EXPECT_EQ(r.faults[1].status.code(), Code::kNonWritableParameter);
  EXPECT_EQ(r.faults[2].status.code(), Code::kInvalidParameterName);
  EXPECT_EQ(r.faults[3].status.code(), Code::kInvalidParameterType);
  EXPECT_EQ(Value("Device.Test.Int"), "0") << "nothing applied";
}

TEST_F(DataModelTest, SetAppliesAllAndRunsInTransactionWork) {
  int calls = 0;
  auto r = Set({{"Device.Test.Int", "5", {}}, {"Device.Test.Bool", "0", {}}}, [&] {
    ++calls;
    return model_->store()->SetInternal("Device.Test.ReadOnly", "key-1");
  });
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.apply_status, 0);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(Value("Device.Test.Int"), "5");
  EXPECT_EQ(Value("Device.Test.Bool"), "false");
  EXPECT_EQ(Value("Device.Test.ReadOnly"), "key-1");
}

TEST_F(DataModelTest, FailingInTransactionWorkRollsBackEverything) {
  auto r = Set({{"Device.Test.Int", "5", {}}},
               [] { return Status(Code::kInternalError, "disk on fire"); });
  EXPECT_EQ(r.status.code(), Code::kInternalError);
  EXPECT_EQ(Value("Device.Test.Int"), "0");
}

TEST_F(DataModelTest, DuplicateNamesAre9003) {
  auto r = Set({{"Device.Test.Int", "5", {}}, {"Device.Test.Int", "6", {}}});
  EXPECT_EQ(r.status.code(), Code::kInvalidArguments);
  EXPECT_EQ(Value("Device.Test.Int"), "0");
}

TEST_F(DataModelTest, MixedListRemoteFaultBlocksLocal) {
  auto r =
      SetAsync({{"Device.Test.Int", "5", {}}, {"Device.Test.Table.1.Remote.Dev.A", "bad", {}}});
  EXPECT_EQ(r.status.code(), Code::kInvalidArguments);
  ASSERT_EQ(r.faults.size(), 1u);
  EXPECT_EQ(r.faults[0].name, "Device.Test.Table.1.Remote.Dev.A");
  EXPECT_EQ(Value("Device.Test.Int"), "0");
  EXPECT_EQ(remote_->values["Device.Test.Table.1.Remote.Dev.A"], "a");
}

TEST_F(DataModelTest, MixedListAppliesRemoteFirstThenLocal) {
  remote_->apply_status = 1;
  auto r =
      SetAsync({{"Device.Test.Int", "5", {}}, {"Device.Test.Table.1.Remote.Dev.A", "new", {}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.apply_status, 1);
  EXPECT_EQ(Value("Device.Test.Int"), "5");
  EXPECT_EQ(remote_->values["Device.Test.Table.1.Remote.Dev.A"], "new");
  EXPECT_EQ(remote_->calls, (std::vector<std::string>{"Validate:1", "Apply:1"}));
}

TEST_F(DataModelTest, RemoteApplyFailureLeavesLocalUntouched) {
  remote_->fail_apply = Status(Code::kInternalError, "device went away");
  auto r =
      SetAsync({{"Device.Test.Int", "5", {}}, {"Device.Test.Table.1.Remote.Dev.A", "new", {}}});
  EXPECT_EQ(r.status.code(), Code::kInternalError);
  EXPECT_EQ(Value("Device.Test.Int"), "0");
}

TEST_F(DataModelTest, AddAndDeleteRunInTransactionWork) {
  int calls = 0;
  auto add = Add("Device.Test.Table.", [&] {
    ++calls;
    return Status::Ok();
  });
  ASSERT_TRUE(add.ok());
  EXPECT_EQ(calls, 1);
  auto failing = Add("Device.Test.Table.", [] { return Status(Code::kInternalError, "no"); });
  EXPECT_FALSE(failing.ok());
  EXPECT_EQ(*store_->Rows("Device.Test.Table."), (std::vector<uint32_t>{1, 2}));
  auto del = Delete("Device.Test.Table.2.", [] { return Status(Code::kInternalError, "no"); });
  EXPECT_FALSE(del.ok());
  EXPECT_EQ(store_->Rows("Device.Test.Table.")->size(), 2u);
}

TEST_F(DataModelTest, UnmountRemovesTheSubtree) {
  model_->Unmount("Device.Test.Table.1.Remote.Dev.");
  EXPECT_EQ(GetAsync({"Device.Test.Table.1.Remote.Dev.A"}).status().code(),
            Code::kInvalidParameterName);
  EXPECT_FALSE(
      NameSet(GetAsync({"Device.Test.Table.1."})).count("Device.Test.Table.1.Remote.Dev.A"));
}

}  // namespace
}  // namespace proxier::datamodel
