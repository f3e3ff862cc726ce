// ProxyProvider AddObject/DeleteObject, notifications and device events, two devices, lifetimes.
#include "provider_fixture.h"

namespace proxier::proxy {
namespace {

// ---------------------------------------------------------------------------------------------
// AddObject / DeleteObject.

TEST_F(ProxyProviderTest, AddObjectCreatesInstanceWithHashForm) {
  StartEmbedded();
  auto r = Add(nat_ + "Storage.Volume.");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->instance, 3u);  // device index 3, native: 3
  EXPECT_EQ(r->status, 0);
  EXPECT_EQ(dev_.created, std::vector<std::string>{"/UPnP/DM/Storage/Volume/#/"});
  EXPECT_TRUE(dev_.HasRow("/UPnP/DM/Storage/Volume/3/"));
  // The new row is readable, writable and listed.
  EXPECT_EQ(Value(nat_ + "Storage.Volume.3.Name"), "");
  SetResult s = Set({{nat_ + "Storage.Volume.3.Name", "backup", {}}});
  ASSERT_TRUE(s.status.ok()) << s.status;
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(dev_.Value("/UPnP/DM/Storage/Volume/3/Name"), "backup");
  auto names = Names(nat_ + "Storage.Volume.", true);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(names->size(), 3u);
}

TEST_F(ProxyProviderTest, AddObjectFallsBackOn701) {
  dev_.hash_form = false;
  StartEmbedded();
  auto r = Add(nat_ + "Storage.Volume.");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->instance, 3u);
  EXPECT_EQ(dev_.created,
            (std::vector<std::string>{"/UPnP/DM/Storage/Volume/#/", "/UPnP/DM/Storage/Volume/"}));
}

TEST_F(ProxyProviderTest, AddObjectNumbersFollowTheMap) {
  StartEmbedded();
  // BBF: device index 2 -> 3.
  auto r = Add(bbf_ + "WiFi.SSID.");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(dev_.created.back(), "/BBF/WiFi/SSID/#/");
  EXPECT_EQ(r->instance, 3u);
  EXPECT_EQ(Value(bbf_ + "WiFi.SSID.3.SSID"), "");
  // Native nested: share index 2 would like 2, taken by index 1 -> 3.
  r = Add(nat_ + "Storage.Volume.1.Share.");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(dev_.created.back(), "/UPnP/DM/Storage/Volume/1/Share/#/");
  EXPECT_EQ(r->instance, 3u);
  EXPECT_TRUE(dev_.HasRow("/UPnP/DM/Storage/Volume/1/Share/2/"));
  dev_.create_status = "ChangesCommitted";
  r = Add(nat_ + "Storage.Volume.2.Share.");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->instance, 1u);
  EXPECT_EQ(r->status, 1);
}

TEST_F(ProxyProviderTest, DeleteObjectAndNumbersAreNotReused) {
  StartEmbedded();
  auto d = Delete(nat_ + "Storage.Volume.2.");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->status, 0);
  EXPECT_EQ(dev_.deleted, std::vector<std::string>{"/UPnP/DM/Storage/Volume/2/"});
  EXPECT_FALSE(dev_.HasRow("/UPnP/DM/Storage/Volume/2/"));
  // The device gives index 2 again; the ACS gets a new number.
  auto a = Add(nat_ + "Storage.Volume.");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(dev_.HasRow("/UPnP/DM/Storage/Volume/2/"));
  EXPECT_EQ(a->instance, 3u);
  EXPECT_EQ(Value(nat_ + "Storage.Volume.3.Name"), "");
  dev_.ResetCounters();
  EXPECT_EQ(Get({nat_ + "Storage.Volume.2.Name"}).status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(dev_.total_calls(), 0);
  auto names = Names(nat_ + "Storage.Volume.", true);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(Infos(*names),
            (std::vector<std::pair<std::string, bool>>{{nat_ + "Storage.Volume.1.", true},
                                                       {nat_ + "Storage.Volume.3.", true}}));
  // Deleting a row with a subtable retires the subtable's numbers too.
  d = Delete(nat_ + "Storage.Volume.1.");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(dev_.deleted.back(), "/UPnP/DM/Storage/Volume/1/");
  EXPECT_EQ(Get({nat_ + "Storage.Volume.1.Share.1.Name"}).status().code(),
            Code::kInvalidParameterName);
  // Still retired after a restart.
  Restart(Options(false), /*sync=*/true);
  EXPECT_EQ(Get({nat_ + "Storage.Volume.2.Name"}).status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Value(nat_ + "Storage.Volume.3.Name"), "");
}

TEST_F(ProxyProviderTest, AddDeleteFaults) {
  StartEmbedded();
  // A table the device publishes as fixed: 9005 without asking it (provider_table_access_test).
  EXPECT_EQ(Add(nat_ + "Monitoring.Process.").status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Delete(nat_ + "Monitoring.Process.1.").status().code(), Code::kInvalidParameterName);
  EXPECT_TRUE(dev_.HasRow("/UPnP/DM/Monitoring/Process/0/"));
  // A writable table the device refuses to extend anyway: 706 -> 9001.
  dev_.FailNext("CreateInstance", 1, 706);
  EXPECT_EQ(Add(nat_ + "Storage.Volume.").status().code(), Code::kRequestDenied);
  dev_.FailNext("CreateInstance", 1, 603);
  EXPECT_EQ(Add(nat_ + "Storage.Volume.").status().code(), Code::kResourcesExceeded);
  // Unknown rows and tables.
  EXPECT_EQ(Delete(nat_ + "Storage.Volume.7.").status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Add(nat_ + "Nope.").status().code(), Code::kInvalidParameterName);
  // Offline.
  dev_.online = false;
  dev_.ResetCounters();
  EXPECT_EQ(Add(nat_ + "Storage.Volume.").status().code(), Code::kInternalError);
  EXPECT_EQ(Delete(nat_ + "Storage.Volume.1.").status().code(), Code::kInternalError);
  EXPECT_EQ(dev_.total_calls(), 0);
  EXPECT_TRUE(dev_.HasRow("/UPnP/DM/Storage/Volume/1/"));
}

// ---------------------------------------------------------------------------------------------
// Notifications.

TEST_F(ProxyProviderTest, NotificationSubscribesEventOnChange) {
  StartEmbedded();
  const std::string path = "/UPnP/DM/DeviceInfo/FriendlyName";
  ASSERT_TRUE(Notify(nat_ + "DeviceInfo.FriendlyName", 2).ok());
  loop_.RunUntilIdle();
  ASSERT_EQ(dev_.set_attributes.size(), 1u);
  EXPECT_EQ(dev_.set_attributes[0],
            (std::vector<upnp::cms::NodeAttributes>{{path, {{"EventOnChange", "1"}}}}));
  EXPECT_TRUE(dev_.event_on_change[path]);
  ASSERT_TRUE(Notify(nat_ + "DeviceInfo.FriendlyName", 1).ok());
  loop_.RunUntilIdle();
  EXPECT_EQ(dev_.set_attributes.back(),
            (std::vector<upnp::cms::NodeAttributes>{{path, {{"EventOnChange", "1"}}}}));
  ASSERT_TRUE(Notify(nat_ + "DeviceInfo.FriendlyName", 0).ok());
  loop_.RunUntilIdle();
  EXPECT_EQ(dev_.set_attributes.back(),
            (std::vector<upnp::cms::NodeAttributes>{{path, {{"EventOnChange", "0"}}}}));
  EXPECT_FALSE(dev_.event_on_change[path]);
}

TEST_F(ProxyProviderTest, NotificationOnParameterWithoutEventOnChange) {
  StartEmbedded();
  // Active notification cannot be served: 9009. Passive is polled: accepted, nothing asked.
  EXPECT_EQ(Notify(nat_ + "DeviceInfo.UpTime", 2).code(), Code::kNotificationRejected);
  EXPECT_TRUE(Notify(nat_ + "DeviceInfo.UpTime", 1).ok());
  loop_.RunUntilIdle();
  EXPECT_EQ(dev_.calls("SetAttributes"), 0);
}

TEST_F(ProxyProviderTest, SyncReplaysSubscriptions) {
  StartEmbedded();
  ASSERT_TRUE(Notify(nat_ + "DeviceInfo.FriendlyName", 2).ok());
  loop_.RunUntilIdle();
  dev_.event_on_change.clear();  // the device rebooted
  dev_.ResetCounters();
  Status st = Await<Status>([&](auto cb) { proxy_->Sync(cb); });
  ASSERT_TRUE(st.ok()) << st;
  loop_.RunUntilIdle();
  EXPECT_EQ(dev_.calls("SetAttributes"), 1);
  EXPECT_TRUE(dev_.event_on_change["/UPnP/DM/DeviceInfo/FriendlyName"]);
}

std::string ConfigurationUpdate(uint32_t version, const upnp::cms::ParameterValue* changed,
                                size_t n) {
  std::string text = std::to_string(version) + ",2026-01-01T00:00:00Z";
  if (n == 0) return text;
  auto list = upnp::cms::EncodeParameterValueList(
      std::vector<upnp::cms::ParameterValue>(changed, changed + n));
  EXPECT_TRUE(list.ok()) << list.status();
  return text + "," + list.value_or("");
}

TEST_F(ProxyProviderTest, ConfigurationUpdateWithChangedListIsRecorded) {
  StartEmbedded();
  int active = 0;
  model_->TrackClient("acs", [&] { ++active; });
  ASSERT_TRUE(Notify(nat_ + "DeviceInfo.FriendlyName", 2).ok());
  ASSERT_TRUE(Notify(bbf_ + "WiFi.SSID.1.Enable", 1).ok());
  loop_.RunUntilIdle();
  model_->TakeChanges("acs");
  const upnp::cms::ParameterValue changed[] = {
      {"/UPnP/DM/DeviceInfo/FriendlyName", "Kitchen"},
      {"/UPnP/DM/Config/Level", "9"},        // not notified
      {"/BBF/WiFi/SSID/0/Enable", "false"},  // notified (passive), typed by TR-181
  };
  proxy_->OnEvent({{"ConfigurationUpdate", ConfigurationUpdate(7, changed, 3)}});
  loop_.RunUntilIdle();
  auto changes = model_->TakeChanges("acs");
  std::map<std::string, datamodel::NotifiedChange> by_name;
  for (const auto& c : changes) by_name[c.value.name] = c;
  ASSERT_EQ(by_name.size(), 2u);
  EXPECT_EQ(by_name[nat_ + "DeviceInfo.FriendlyName"].value.value, "Kitchen");
  EXPECT_EQ(by_name[nat_ + "DeviceInfo.FriendlyName"].notification, 2);
  EXPECT_EQ(by_name[bbf_ + "WiFi.SSID.1.Enable"].value.value, "0");
  EXPECT_EQ(by_name[bbf_ + "WiFi.SSID.1.Enable"].value.type, ValueType::kBoolean);
  EXPECT_EQ(by_name[bbf_ + "WiFi.SSID.1.Enable"].notification, 1);
  EXPECT_GE(active, 1);
  // The same values again are no change; "no" is the same boolean as "false".
  const upnp::cms::ParameterValue again[] = {{"/UPnP/DM/DeviceInfo/FriendlyName", "Kitchen"},
                                             {"/BBF/WiFi/SSID/0/Enable", "no"}};
  proxy_->OnEvent({{"ConfigurationUpdate", ConfigurationUpdate(8, again, 2)}});
  loop_.RunUntilIdle();
  EXPECT_TRUE(model_->TakeChanges("acs").empty());
  // The cache serves the new value while the device is away.
  dev_.online = false;
  EXPECT_EQ(Value(nat_ + "DeviceInfo.FriendlyName"), "Kitchen");
}

// A device that events on and on (or a forged burst) costs at most one report per window: the
// first change goes at once, the others in one batch with their latest values (issue 10).
TEST_F(ProxyProviderTest, EventBurstsAreCoalescedPerWindow) {
  StartEmbedded();
  int active = 0;
  model_->TrackClient("acs", [&] { ++active; });
  ASSERT_TRUE(Notify(nat_ + "DeviceInfo.FriendlyName", 2).ok());
  loop_.RunUntilIdle();
  model_->TakeChanges("acs");
  for (int i = 0; i < 5; ++i) {
    const upnp::cms::ParameterValue changed[] = {
        {"/UPnP/DM/DeviceInfo/FriendlyName", "name-" + std::to_string(i)}};
    proxy_->OnEvent({{"ConfigurationUpdate", ConfigurationUpdate(20 + i, changed, 1)}});
    loop_.RunUntilIdle();
  }
  EXPECT_EQ(active, 1);
  auto first = model_->TakeChanges("acs");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].value.value, "name-0");
  Advance(Options(false).event_coalesce);
  EXPECT_EQ(active, 2);
  auto rest = model_->TakeChanges("acs");
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].value.value, "name-4");
  Advance(Options(false).event_coalesce);  // nothing held: nothing more
  EXPECT_EQ(active, 2);
}

TEST_F(ProxyProviderTest, ConfigurationUpdateWithoutListReReadsNotified) {
  StartEmbedded();
  model_->TrackClient("acs");
  ASSERT_TRUE(Notify(nat_ + "DeviceInfo.FriendlyName", 2).ok());
  loop_.RunUntilIdle();
  model_->TakeChanges("acs");
  dev_.Put("/UPnP/DM/DeviceInfo/FriendlyName", "Attic");
  dev_.Put("/UPnP/DM/Config/Level", "9");
  dev_.ResetCounters();
  proxy_->OnEvent({{"ConfigurationUpdate", ConfigurationUpdate(9, nullptr, 0)}});
  ASSERT_TRUE(loop_.RunUntil([&] { return model_->HasPendingChanges("acs", 2); }, kWait));
  ASSERT_EQ(dev_.get_values.size(), 1u);
  EXPECT_EQ(dev_.get_values[0], std::vector<std::string>{"/UPnP/DM/DeviceInfo/FriendlyName"});
  auto changes = model_->TakeChanges("acs");
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].value.name, nat_ + "DeviceInfo.FriendlyName");
  EXPECT_EQ(changes[0].value.value, "Attic");
  // Nothing changed since: nothing recorded.
  proxy_->OnEvent({{"ConfigurationUpdate", ConfigurationUpdate(10, nullptr, 0)}});
  loop_.RunUntilIdle();
  EXPECT_TRUE(model_->TakeChanges("acs").empty());
}

TEST_F(ProxyProviderTest, SupportedParametersUpdateRefreshesMetadata) {
  StartEmbedded();
  EXPECT_EQ(proxy_->Meta("/UPnP/DM/DeviceInfo/Location"), nullptr);
  // The subscription's initial event carries the value our attach-time sync already matches:
  // no second full sync.
  proxy_->OnEvent({{"SupportedParametersUpdate", "2026-01-01T00:00:00Z"}});
  loop_.RunUntilIdle();
  EXPECT_EQ(dev_.total_calls(), 0);
  proxy_->OnEvent({{"SupportedParametersUpdate", "2026-01-01T00:00:00Z"}});  // unchanged
  loop_.RunUntilIdle();
  EXPECT_EQ(dev_.total_calls(), 0);
  dev_.Define("/UPnP/DM/DeviceInfo/Location", "string", true);
  dev_.Put("/UPnP/DM/DeviceInfo/Location", "hall");
  proxy_->OnEvent({{"SupportedParametersUpdate", "2026-01-02T00:00:00Z"}});
  ASSERT_TRUE(loop_.RunUntil(
      [&] { return proxy_->Meta("/UPnP/DM/DeviceInfo/Location") != nullptr; }, kWait));
  EXPECT_TRUE(proxy_->Meta("/UPnP/DM/DeviceInfo/Location")->writable);
  auto r = Names(nat_ + "DeviceInfo.Location", false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Value(nat_ + "DeviceInfo.Location"), "hall");
}

// ---------------------------------------------------------------------------------------------
// Two devices with the same parameter names.

TEST_F(ProxyProviderTest, TwoDevicesNeverMixValues) {
  dev_b_.AddRow("/UPnP/DM/Storage/Volume/0/");
  dev_b_.Put("/UPnP/DM/Storage/Volume/0/Name", "boot-b");
  StartEmbedded();
  StartB();
  auto r = Get({nat_ + "DeviceInfo.SoftwareVersion", nat_b_ + "DeviceInfo.SoftwareVersion",
                nat_ + "Storage.Volume.1.Name", nat_b_ + "Storage.Volume.1.Name",
                nat_b_ + "Storage.Volume.2.Name"});
  ASSERT_TRUE(r.ok()) << r.status();
  auto v = ByName(*r);
  EXPECT_EQ(v[nat_ + "DeviceInfo.SoftwareVersion"].value, "1.2.3-a");
  EXPECT_EQ(v[nat_b_ + "DeviceInfo.SoftwareVersion"].value, "1.2.3-b");
  EXPECT_EQ(v[nat_ + "Storage.Volume.1.Name"].value, "data-a");
  // Device B's own map: its index 0 took number 1.
  EXPECT_EQ(v[nat_b_ + "Storage.Volume.1.Name"].value, "boot-b");
  EXPECT_EQ(v[nat_b_ + "Storage.Volume.2.Name"].value, "data-b");
  EXPECT_EQ(dev_.calls("GetValues"), 1);
  EXPECT_EQ(dev_b_.calls("GetValues"), 1);

  // Writes go to their own device.
  ASSERT_TRUE(Set({{nat_b_ + "DeviceInfo.FriendlyName", "B!", {}}}).status.ok());
  ASSERT_TRUE(loop_.RunUntil([&] { return dev_b_.calls("SetValues") == 1; }, kWait));
  loop_.RunUntilIdle();
  EXPECT_EQ(dev_.calls("SetValues"), 0);
  EXPECT_EQ(dev_b_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "B!");
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Lamp a");

  // Events name their own device's parameters.
  model_->TrackClient("acs");
  ASSERT_TRUE(Notify(nat_ + "DeviceInfo.FriendlyName", 2).ok());
  ASSERT_TRUE(Notify(nat_b_ + "DeviceInfo.FriendlyName", 2).ok());
  loop_.RunUntilIdle();
  model_->TakeChanges("acs");
  const upnp::cms::ParameterValue changed[] = {{"/UPnP/DM/DeviceInfo/FriendlyName", "Hall"}};
  proxy_b_->OnEvent({{"ConfigurationUpdate", ConfigurationUpdate(3, changed, 1)}});
  loop_.RunUntilIdle();
  auto changes = model_->TakeChanges("acs");
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].value.name, nat_b_ + "DeviceInfo.FriendlyName");
  EXPECT_EQ(changes[0].value.value, "Hall");

  // Device A away: its cache, device B live.
  dev_.online = false;
  dev_b_.Put("/UPnP/DM/DeviceInfo/SoftwareVersion", "2.0-b");
  r = Get({nat_ + "DeviceInfo.SoftwareVersion", nat_b_ + "DeviceInfo.SoftwareVersion"});
  ASSERT_TRUE(r.ok()) << r.status();
  v = ByName(*r);
  EXPECT_EQ(v[nat_ + "DeviceInfo.SoftwareVersion"].value, "1.2.3-a");
  EXPECT_EQ(v[nat_b_ + "DeviceInfo.SoftwareVersion"].value, "2.0-b");
}

// ---------------------------------------------------------------------------------------------
// Answers after the provider is gone.

TEST_F(ProxyProviderTest, AnswersAfterDestructionAreDropped) {
  StartEmbedded();
  ASSERT_TRUE(Notify(nat_ + "DeviceInfo.FriendlyName", 2).ok());
  loop_.RunUntilIdle();
  int answered = 0;
  auto count = [&answered](auto) { ++answered; };
  proxy_->GetValues({nat_ + "DeviceInfo.FriendlyName"}, count);
  proxy_->GetNames(nat_ + "Storage.", false, count);
  proxy_->ValidateSet({{nat_ + "DeviceInfo.NotYetKnown", "x", {}}}, count);
  proxy_->AddObject(nat_ + "Storage.Volume.", count);
  proxy_->DeleteObject(nat_ + "Storage.Volume.2.", count);
  proxy_->Sync(count);
  proxy_->OnEvent({{"ConfigurationUpdate", ConfigurationUpdate(4, nullptr, 0)}});
  proxy_->NotificationChanged(nat_ + "Config.Level", 1);
  proxy_->ApplySet({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}}, count);  // Status 1 at once
  EXPECT_EQ(answered, 1);
  const int in_flight = dev_.total_calls();
  EXPECT_GE(in_flight, 7);
  for (const auto& m : proxy_->mounts()) model_->Unmount(m.cwmp);
  proxy_.reset();
  loop_.RunUntilIdle();
  Advance(Millis(600000));
  EXPECT_EQ(dev_.calls("SetValues"), 0);  // the posted delivery did not run
  EXPECT_LE(answered, 7);
}

TEST_F(ProxyProviderTest, PendingRetryTimerDiesWithTheProvider) {
  StartEmbedded();
  dev_.FailNext("SetValues", 1, 708);
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.ok());
  ASSERT_TRUE(WaitReports(2));
  for (const auto& m : proxy_->mounts()) model_->Unmount(m.cwmp);
  proxy_.reset();
  Advance(Millis(600000));
  EXPECT_EQ(dev_.calls("SetValues"), 1);
  EXPECT_EQ(reports_.size(), 2u);
}

TEST_F(ProxyProviderTest, VirtualSetAnsweredAfterDestruction) {
  StartVirtual();
  std::optional<Result<int>> out;
  proxy_->ApplySet({{vnat_ + "DeviceInfo.FriendlyName", "Desk", {}}},
                   [&](Result<int> r) { out.emplace(std::move(r)); });
  proxy_->GetValues({vnat_ + "DeviceInfo.FriendlyName"}, [](auto) {});
  for (const auto& m : proxy_->mounts()) model_->Unmount(m.cwmp);
  proxy_.reset();
  loop_.RunUntilIdle();
  if (out) {
    EXPECT_FALSE(out->ok());
  }
}

}  // namespace
}  // namespace proxier::proxy
