// Attributes (Notification, AccessList) with the schema's forced/denied rules, and change tracking.
#include <gtest/gtest.h>

#include "test_util.h"

namespace proxier::datamodel {
namespace {

using testing::FakeRemote;
using testing::ModelFixture;
using testing::Sync;

class AttributesTest : public ModelFixture {
 protected:
  void SetUp() override {
    ModelFixture::SetUp();
    model_->SetDefaultNotification("Device.DeviceInfo.SoftwareVersion", 2, true);
    model_->SetDefaultNotification("Device.DeviceInfo.ProvisioningCode", 2, false);
  }
  Status SetAttr(std::vector<AttributeChange> changes) {
    return Sync<Status>([&](auto cb) { model_->SetAttributes(changes, cb); });
  }
  Result<std::vector<ParamAttributes>> GetAttr(std::vector<std::string> names) {
    return Sync<Result<std::vector<ParamAttributes>>>(
        [&](auto cb) { model_->GetAttributes(names, cb); });
  }
  int Notification(const std::string& name) {
    auto r = GetAttr({name});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && r->size() == 1 ? (*r)[0].notification : -1;
  }
  static AttributeChange Notify(const std::string& name, int level) {
    AttributeChange c;
    c.name = name;
    c.notification_change = true;
    c.notification = level;
    return c;
  }
};

TEST_F(AttributesTest, DefaultsFollowTheSchema) {
  EXPECT_EQ(Notification("Device.Test.Int"), 0);
  EXPECT_EQ(Notification("Device.DeviceInfo.SoftwareVersion"), 2);   // forceEnabled
  EXPECT_EQ(Notification("Device.DeviceInfo.ProvisioningCode"), 2);  // forceDefaultEnabled
}

TEST_F(AttributesTest, SetGetAndPersist) {
  AttributeChange c = Notify("Device.Test.Int", 2);
  c.access_list_change = true;
  c.access_list = {"Subscriber"};
  ASSERT_TRUE(SetAttr({c, Notify("Device.Test.Str", 1)}).ok());
  Rebuild();  // restart: attributes come back from the store
  auto r = GetAttr({"Device.Test.Int", "Device.Test.Str"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0], (ParamAttributes{"Device.Test.Int", 2, {"Subscriber"}}));
  EXPECT_EQ((*r)[1], (ParamAttributes{"Device.Test.Str", 1, {}}));
}

TEST_F(AttributesTest, AccessListChangeAloneKeepsNotification) {
  ASSERT_TRUE(SetAttr({Notify("Device.Test.Int", 1)}).ok());
  AttributeChange c;
  c.name = "Device.Test.Int";
  c.access_list_change = true;
  ASSERT_TRUE(SetAttr({c}).ok());
  EXPECT_EQ(Notification("Device.Test.Int"), 1);
  AttributeChange bad = c;
  bad.access_list = {"Everyone"};
  EXPECT_EQ(SetAttr({bad}).code(), Code::kInvalidArguments);
}

TEST_F(AttributesTest, ForcedAndDeniedAre9009AndNothingIsApplied) {
  EXPECT_EQ(SetAttr({Notify("Device.Test.Int", 1), Notify("Device.DeviceInfo.SoftwareVersion", 0)})
                .code(),
            Code::kNotificationRejected);
  EXPECT_EQ(Notification("Device.Test.Int"), 0) << "all-or-nothing";
  EXPECT_EQ(SetAttr({Notify("Device.DeviceInfo.UpTime", 2)}).code(), Code::kNotificationRejected);
  EXPECT_TRUE(SetAttr({Notify("Device.DeviceInfo.UpTime", 1)}).ok());  // passive is fine
  EXPECT_TRUE(SetAttr({Notify("Device.DeviceInfo.ProvisioningCode", 0)}).ok());
  EXPECT_EQ(Notification("Device.DeviceInfo.ProvisioningCode"), 0);
  EXPECT_EQ(SetAttr({Notify("Device.Test.Int", 4)}).code(), Code::kNotificationRejected);
  EXPECT_EQ(SetAttr({Notify("Device.Test.Int", 9)}).code(), Code::kInvalidArguments);
  EXPECT_EQ(SetAttr({Notify("Device.Test.Nope", 1)}).code(), Code::kInvalidParameterName);
}

TEST_F(AttributesTest, PartialPathAppliesToAllParametersBelow) {
  ASSERT_TRUE(Add("Device.Test.Table.").ok());
  ASSERT_TRUE(SetAttr({Notify("Device.Test.Table.1.", 1)}).ok());
  auto r = GetAttr({"Device.Test.Table.1."});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 5u);
  for (const auto& a : *r) EXPECT_EQ(a.notification, 1) << a.name;
  ASSERT_TRUE(Delete("Device.Test.Table.1.").ok());
  auto left = db_->Prepare("SELECT COUNT(*) FROM dm_attr WHERE path LIKE 'Device.Test.Table.1.%'");
  ASSERT_TRUE(*left->Step());
  EXPECT_EQ(left->ColumnInt(0), 0) << "attributes of a deleted row are removed";
}

TEST_F(AttributesTest, ChangesAreTrackedPerClientExceptTheirOwn) {
  int active_calls = 0;
  model_->TrackClient("acs", [&] { ++active_calls; });
  model_->TrackClient("other");
  ASSERT_TRUE(SetAttr({Notify("Device.Test.Int", 2), Notify("Device.Test.Str", 1)}).ok());
  ASSERT_TRUE(Set({{"Device.Test.Int", "3", {}},
                   {"Device.Test.Str", "xyz", {}},
                   {"Device.Test.Long", "1", {}}},
                  {}, "acs")
                  .status.ok());
  EXPECT_TRUE(model_->TakeChanges("acs").empty()) << "the ACS's own SPV is not notified back";
  EXPECT_EQ(active_calls, 0);
  auto other = model_->TakeChanges("other");
  ASSERT_EQ(other.size(), 2u);  // Long has Notification 0
  EXPECT_EQ(other[0].value.name, "Device.Test.Int");
  EXPECT_EQ(other[0].notification, 2);
  EXPECT_EQ(other[1].value.value, "xyz");
  EXPECT_TRUE(model_->TakeChanges("other").empty());
  // A daemon-side change reaches every client; the active one calls back.
  ASSERT_TRUE(model_->SetInternal("Device.Test.Int", "7").ok());
  EXPECT_EQ(active_calls, 1);
  EXPECT_TRUE(model_->HasPendingChanges("acs", 2));
  auto acs = model_->TakeChanges("acs");
  ASSERT_EQ(acs.size(), 1u);
  EXPECT_EQ(acs[0].value.value, "7");
}

TEST_F(AttributesTest, RefreshDetectsComputedChanges) {
  model_->TrackClient("acs");
  ASSERT_TRUE(SetAttr({Notify("Device.DeviceInfo.UpTime", 1)}).ok());
  bool done = false;
  model_->RefreshNotified([&] { done = true; });
  ASSERT_TRUE(done);
  EXPECT_TRUE(model_->TakeChanges("acs").empty());
  uptime_ = 43;
  model_->RefreshNotified([] {});
  auto changes = model_->TakeChanges("acs");
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].value.value, "43");
  EXPECT_EQ(changes[0].notification, 1);
}

TEST_F(AttributesTest, NumberOfEntriesChangeIsNotified) {
  model_->TrackClient("acs");
  ASSERT_TRUE(SetAttr({Notify("Device.Test.TableNumberOfEntries", 2)}).ok());
  ASSERT_TRUE(model_->AddRowInternal("Device.Test.Table.").ok());
  auto changes = model_->TakeChanges("acs");
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].value.value, "1");
}

TEST_F(AttributesTest, RemoteProvidersHearAboutNotificationAndReportChanges) {
  ASSERT_TRUE(Add("Device.Test.Table.").ok());
  FakeRemote remote("Device.Test.Table.1.R.");
  remote.values["Device.Test.Table.1.R.X"] = "1";
  model_->Mount("Device.Test.Table.1.R.", &remote);
  model_->TrackClient("acs");
  std::optional<Status> st;
  AttributeChange c = Notify("Device.Test.Table.1.R.X", 2);
  model_->SetAttributes({c}, [&](Status s) { st = s; });
  remote.Flush();
  ASSERT_TRUE(st && st->ok());
  EXPECT_EQ(remote.calls.back(), "Get:1");  // the baseline read
  EXPECT_NE(std::find(remote.calls.begin(), remote.calls.end(), "Notify:Device.Test.Table.1.R.X=2"),
            remote.calls.end());
  remote.Emit("Device.Test.Table.1.R.X", "2");
  auto changes = model_->TakeChanges("acs");
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].value.value, "2");
  model_->Unmount("Device.Test.Table.1.R.");
}

TEST_F(AttributesTest, ListenersSeeEveryChange) {
  std::vector<std::string> seen;
  model_->AddListener([&](const ParamValue& v, const std::string& origin) {
    seen.push_back(v.name + "=" + v.value + "@" + origin);
  });
  ASSERT_TRUE(Set({{"Device.Test.Bool", "1", {}}}).status.ok());
  ASSERT_TRUE(model_->SetInternal("Device.Test.ReadOnly", "r").ok());
  EXPECT_EQ(seen,
            (std::vector<std::string>{"Device.Test.Bool=true@acs", "Device.Test.ReadOnly=r@"}));
}

}  // namespace
}  // namespace proxier::datamodel

namespace proxier::datamodel {
namespace {

class RefreshTest : public testing::ModelFixture {};

TEST_F(RefreshTest, AVanishedParameterDoesNotHideOtherChanges) {
  ASSERT_TRUE(testing::Sync<Result<AddResult>>([&](auto cb) {
                model_->AddObject("Device.Test.Table.", "acs", {}, cb);
              }).ok());
  AttributeChange a{"Device.Test.Table.1.Name", true, 1, false, {}};
  AttributeChange b{"Device.DeviceInfo.UpTime", true, 1, false, {}};
  ASSERT_TRUE(testing::Sync<Status>([&](auto cb) { model_->SetAttributes({a, b}, cb); }).ok());
  model_->TrackClient("acs");
  // The row disappears behind the DataModel's back (no DeleteObject), UpTime changes.
  ASSERT_TRUE(db_->Exec("DELETE FROM dm_row WHERE tbl='Device.Test.Table.'").ok());
  uptime_ = 99;
  model_->RefreshNotified([] {});
  auto changes = model_->TakeChanges("acs");
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].value.name, "Device.DeviceInfo.UpTime");
}

}  // namespace
}  // namespace proxier::datamodel
