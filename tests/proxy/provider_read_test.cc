// ProxyProvider reads: GetParameterValues, GetParameterNames, Sync.
#include "provider_fixture.h"

namespace proxier::proxy {
namespace {

// ---------------------------------------------------------------------------------------------
// GetParameterValues.

TEST_F(ProxyProviderTest, SyncStoresMetadataAndLastSync) {
  StartEmbedded();
  const ParamMeta* m = proxy_->Meta("/UPnP/DM/DeviceInfo/FriendlyName");
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->writable);
  EXPECT_EQ(m->upnp_type, "string");
  m = proxy_->Meta("/UPnP/DM/Storage/Volume/#/Share/#/Size");
  ASSERT_NE(m, nullptr);
  EXPECT_FALSE(m->writable);
  EXPECT_EQ(m->type, ValueType::kUnsignedLong);
  m = proxy_->Meta("/UPnP/DM/DeviceInfo/UpTime");
  ASSERT_NE(m, nullptr);
  EXPECT_FALSE(m->eventable);
  EXPECT_EQ(proxy_->Meta("/UPnP/DM/Nope"), nullptr);
  ASSERT_TRUE(proxy_->last_sync().has_value());
  EXPECT_EQ(*proxy_->last_sync(), clock_.WallNow());
}

TEST_F(ProxyProviderTest, GpvOneParameterIsOneRequest) {
  StartEmbedded();
  auto r = Get({nat_ + "DeviceInfo.SoftwareVersion"});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0],
            (ParamValue{nat_ + "DeviceInfo.SoftwareVersion", "1.2.3-a", ValueType::kString}));
  EXPECT_EQ(dev_.total_calls(), 1);
  ASSERT_EQ(dev_.get_values.size(), 1u);
  EXPECT_EQ(dev_.get_values[0], std::vector<std::string>{"/UPnP/DM/DeviceInfo/SoftwareVersion"});
}

TEST_F(ProxyProviderTest, GpvTypesPerMappingSection6) {
  StartEmbedded();
  auto r =
      Get({nat_ + "Config.Enabled", nat_ + "Config.Level", nat_ + "Config.Offset",
           nat_ + "Config.Ratio", nat_ + "Config.Big", nat_ + "Config.Key",
           nat_ + "DeviceInfo.LastBoot", nat_ + "DeviceInfo.UpTime", nat_ + "Radio._5GHz.Channel"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(dev_.calls("GetValues"), 1);
  auto v = ByName(*r);
  ASSERT_EQ(v.size(), 9u);
  auto check = [&](const std::string& rel, const std::string& value, std::string_view xsi) {
    const ParamValue& p = v[nat_ + rel];
    EXPECT_EQ(p.value, value) << rel;
    EXPECT_EQ(datamodel::XsiTypeName(p.type), xsi) << rel;
  };
  check("Config.Enabled", "1", "xsd:boolean");
  check("Config.Level", "5", "xsd:unsignedInt");
  check("Config.Offset", "-3", "xsd:int");
  check("Config.Ratio", "0.5", "xsd:string");
  check("Config.Big", "18446744073709551615", "xsd:unsignedLong");
  check("Config.Key", "00ff", "xsd:hexBinary");
  check("DeviceInfo.LastBoot", "2026-01-01T08:00:00Z", "xsd:dateTime");
  check("DeviceInfo.UpTime", "3600", "xsd:unsignedInt");
  check("Radio._5GHz.Channel", "36", "xsd:unsignedInt");
}

TEST_F(ProxyProviderTest, GpvDateOnlyAndEmptyDateTimes) {
  StartEmbedded();
  dev_.Put("/UPnP/DM/DeviceInfo/LastBoot", "2026-02-03");
  EXPECT_EQ(Value(nat_ + "DeviceInfo.LastBoot"), "2026-02-03T00:00:00Z");
  dev_.Put("/UPnP/DM/DeviceInfo/LastBoot", "");
  EXPECT_EQ(Value(nat_ + "DeviceInfo.LastBoot"), "0001-01-01T00:00:00Z");
}

TEST_F(ProxyProviderTest, GpvPartialPathIsOneNodeRequest) {
  StartEmbedded();
  auto r = Get({nat_ + "Storage."});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(dev_.get_values.size(), 1u);
  EXPECT_EQ(dev_.get_values[0], std::vector<std::string>{"/UPnP/DM/Storage/"});
  EXPECT_EQ(dev_.total_calls(), 1);
  auto v = ByName(*r);
  std::set<std::string> names;
  for (const auto& [n, p] : v) names.insert(n);
  const std::string s = nat_ + "Storage.Volume.";
  EXPECT_EQ(names,
            (std::set<std::string>{s + "1.Name", s + "1.Share.1.Name", s + "1.Share.1.Size",
                                   s + "1.Share.2.Name", s + "1.Share.2.Size", s + "2.Name"}));
  EXPECT_EQ(v[s + "1.Share.1.Name"].value, "music");  // native index 0 -> 1
  EXPECT_EQ(v[s + "1.Share.2.Name"].value, "films");  // index 1 -> 2 (1 was taken)
  EXPECT_EQ(v[s + "1.Share.2.Size"].type, ValueType::kUnsignedLong);
  EXPECT_EQ(v[s + "2.Name"].value, "media-a");
}

TEST_F(ProxyProviderTest, GpvTwoMountsIsOneRequestTypedFromTr181) {
  StartEmbedded();
  auto r = Get({nat_ + "DeviceInfo.SoftwareVersion", bbf_ + "WiFi.SSID.1.SSID",
                bbf_ + "WiFi.SSID.2.Enable", bbf_ + "DeviceInfo.UpTime"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(dev_.total_calls(), 1);
  ASSERT_EQ(dev_.get_values.size(), 1u);
  EXPECT_EQ(dev_.get_values[0], (std::vector<std::string>{
                                    "/UPnP/DM/DeviceInfo/SoftwareVersion", "/BBF/WiFi/SSID/0/SSID",
                                    "/BBF/WiFi/SSID/1/Enable", "/BBF/DeviceInfo/UpTime"}));
  auto v = ByName(*r);
  EXPECT_EQ(v[nat_ + "DeviceInfo.SoftwareVersion"].value, "1.2.3-a");
  EXPECT_EQ(v[bbf_ + "WiFi.SSID.1.SSID"].value, "home-a");
  // The device calls them strings; TR-181 is authoritative for BBF paths.
  EXPECT_EQ(v[bbf_ + "WiFi.SSID.2.Enable"].value, "0");
  EXPECT_EQ(v[bbf_ + "WiFi.SSID.2.Enable"].type, ValueType::kBoolean);
  EXPECT_EQ(v[bbf_ + "DeviceInfo.UpTime"].value, "77");
  EXPECT_EQ(v[bbf_ + "DeviceInfo.UpTime"].type, ValueType::kUnsignedInt);
}

TEST_F(ProxyProviderTest, GpvBbfTypesFromTheDeviceWithoutTr181) {
  ProxyOptions o = Options(false);
  o.tr181 = nullptr;
  Start(o);
  auto r = Get({bbf_ + "WiFi.SSID.2.Enable", bbf_ + "DeviceInfo.UpTime"});
  ASSERT_TRUE(r.ok()) << r.status();
  auto v = ByName(*r);
  EXPECT_EQ(v[bbf_ + "WiFi.SSID.2.Enable"].value, "false");
  EXPECT_EQ(v[bbf_ + "WiFi.SSID.2.Enable"].type, ValueType::kString);
  EXPECT_EQ(v[bbf_ + "DeviceInfo.UpTime"].type, ValueType::kString);
}

TEST_F(ProxyProviderTest, GpvUnknownNamesAre9005) {
  StartEmbedded();
  EXPECT_EQ(Get({nat_ + "DeviceInfo.Nope"}).status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Get({nat_ + "Storage.Volume.9.Name"}).status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Get({nat_ + "Nope."}).status().code(), Code::kInvalidParameterName);
  // A number that cannot be an instance never reaches the device.
  dev_.ResetCounters();
  EXPECT_EQ(Get({nat_ + "Storage.Volume.99999999999.Name"}).status().code(),
            Code::kInvalidParameterName);
  EXPECT_EQ(dev_.total_calls(), 0);
}

TEST_F(ProxyProviderTest, GpvDeviceErrorsMapToFaults) {
  StartEmbedded();
  dev_.FailNext("GetValues", 1, 501);
  EXPECT_EQ(Get({nat_ + "DeviceInfo.SoftwareVersion"}).status().code(), Code::kInternalError);
  dev_.FailNext("GetValues", 1, 603);
  EXPECT_EQ(Get({nat_ + "DeviceInfo.SoftwareVersion"}).status().code(), Code::kResourcesExceeded);
  EXPECT_EQ(Value(nat_ + "DeviceInfo.SoftwareVersion"), "1.2.3-a");
}

TEST_F(ProxyProviderTest, GpvOfflineEmbeddedServesCachedValues) {
  StartEmbedded();
  dev_.Put("/UPnP/DM/DeviceInfo/FriendlyName", "Renamed");
  EXPECT_EQ(Value(nat_ + "DeviceInfo.FriendlyName"), "Renamed");
  const WallTime read_at = clock_.WallNow();
  clock_.Advance(Millis(60000));
  dev_.online = false;
  dev_.ResetCounters();
  auto r = Get(
      {nat_ + "DeviceInfo.FriendlyName", nat_ + "Storage.Volume.1.", bbf_ + "WiFi.SSID.1.SSID"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(dev_.total_calls(), 0);
  auto v = ByName(*r);
  EXPECT_EQ(v[nat_ + "DeviceInfo.FriendlyName"].value, "Renamed");
  EXPECT_EQ(v[nat_ + "Storage.Volume.1.Name"].value, "data-a");
  EXPECT_EQ(v[nat_ + "Storage.Volume.1.Share.2.Size"].value, "200");
  EXPECT_EQ(v[bbf_ + "WiFi.SSID.1.SSID"].value, "home-a");
  EXPECT_EQ(v.size(), 7u);
  // LastSyncTime tells the age of the cache.
  EXPECT_EQ(proxy_->last_sync(), read_at);
  // A transport failure of an online device serves the cache too.
  dev_.online = true;
  dev_.FailNext("GetValues", 1, 0);
  EXPECT_EQ(Value(nat_ + "DeviceInfo.FriendlyName"), "Renamed");
}

// The value cache is stored: a restart while the device is away still answers from it.
TEST_F(ProxyProviderTest, GpvOfflineEmbeddedAfterRestartFromStoredCache) {
  StartEmbedded();  // the sync read every value
  dev_.online = false;
  Restart(Options(false), /*sync=*/false);
  EXPECT_EQ(Value(nat_ + "DeviceInfo.SoftwareVersion"), "1.2.3-a");
  EXPECT_EQ(Value(nat_ + "Config.Enabled"), "1");
  EXPECT_EQ(dev_.total_calls(), 0);
  // What was never read cannot be answered.
  EXPECT_EQ(Get({nat_ + "DeviceInfo.NeverRead"}).status().code(), Code::kInternalError);
}

// Changes reach the store within kCacheFlushDelay, without a clean shutdown (kill -9): rows that
// vanished from the device vanish from the stored cache too.
TEST_F(ProxyProviderTest, CacheChangesStoredWithinAFlushDelay) {
  StartEmbedded();
  auto stored = [&](const std::string& name) -> std::string {
    auto st = db_->Prepare("SELECT value FROM proxy_value WHERE udn=? AND name=?");
    EXPECT_TRUE(st.ok());
    st->Bind(0, kUdnA).Bind(1, name);
    auto row = st->Step();
    return row.ok() && *row ? st->ColumnText(0) : "<none>";
  };
  const std::string version = nat_ + "DeviceInfo.SoftwareVersion";
  EXPECT_EQ(Value(version), "1.2.3-a");
  loop_.RunUntilIdle();
  clock_.Advance(ProxyProvider::kCacheFlushDelay);
  loop_.RunUntilIdle();
  EXPECT_EQ(stored(version), "1.2.3-a");
  dev_.Put("/UPnP/DM/DeviceInfo/SoftwareVersion", "2.0");
  EXPECT_EQ(Value(version), "2.0");
  EXPECT_EQ(stored(version), "1.2.3-a");  // not yet: the flush is coalesced
  clock_.Advance(ProxyProvider::kCacheFlushDelay);
  loop_.RunUntilIdle();
  EXPECT_EQ(stored(version), "2.0");
}

TEST_F(ProxyProviderTest, GpvOfflineVirtualIs9002) {
  StartVirtual();
  EXPECT_EQ(Value(vnat_ + "DeviceInfo.SoftwareVersion"), "1.2.3-a");
  EXPECT_EQ(Value("Device.WiFi.SSID.1.SSID"), "home-a");
  dev_.online = false;
  EXPECT_EQ(Get({vnat_ + "DeviceInfo.SoftwareVersion"}).status().code(), Code::kInternalError);
  EXPECT_EQ(Get({"Device.WiFi.SSID.1.SSID"}).status().code(), Code::kInternalError);
  dev_.online = true;
  dev_.FailNext("GetValues", 1, 0);
  EXPECT_EQ(Get({vnat_ + "DeviceInfo.SoftwareVersion"}).status().code(), Code::kInternalError);
}

TEST_F(ProxyProviderTest, GpvVirtualTwoMountsIsOneRequest) {
  StartVirtual();
  auto r = Get({"Device.WiFi.SSID.2.SSID", vnat_ + "Radio._5GHz.Channel"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(dev_.total_calls(), 1);
  auto v = ByName(*r);
  EXPECT_EQ(v["Device.WiFi.SSID.2.SSID"].value, "guest-a");
  EXPECT_EQ(v[vnat_ + "Radio._5GHz.Channel"].value, "36");
}

// ---------------------------------------------------------------------------------------------
// GetParameterNames.

TEST_F(ProxyProviderTest, GpnNextLevelOnNestedTables) {
  StartEmbedded();
  const std::string v = nat_ + "Storage.Volume.";
  auto r = Names(v + "1.", true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (std::vector<std::pair<std::string, bool>>{{v + "1.Name", true},
                                                                  {v + "1.Share.", true}}));
  r = Names(v, true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r),
            (std::vector<std::pair<std::string, bool>>{{v + "1.", true}, {v + "2.", true}}));
  r = Names(v + "1.Share.", false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (std::vector<std::pair<std::string, bool>>{
                           {v + "1.Share.", true},
                           {v + "1.Share.1.", true},
                           {v + "1.Share.1.Name", true},
                           {v + "1.Share.1.Size", false},
                           {v + "1.Share.2.", true},
                           {v + "1.Share.2.Name", true},
                           {v + "1.Share.2.Size", false},
                       }));
  // A row without rows in its subtable lists the empty table.
  r = Names(v + "2.", false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (std::vector<std::pair<std::string, bool>>{
                           {v + "2.", true}, {v + "2.Name", true}, {v + "2.Share.", true}}));
}

TEST_F(ProxyProviderTest, GpnMountRootAndPlainObjects) {
  StartEmbedded();
  auto r = Names(nat_, true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (std::vector<std::pair<std::string, bool>>{{nat_ + "Config.", false},
                                                                  {nat_ + "DeviceInfo.", false},
                                                                  {nat_ + "Monitoring.", false},
                                                                  {nat_ + "Radio.", false},
                                                                  {nat_ + "Storage.", false}}));
  r = Names(nat_ + "Radio.", false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r),
            (std::vector<std::pair<std::string, bool>>{{nat_ + "Radio.", false},
                                                       {nat_ + "Radio._5GHz.", false},
                                                       {nat_ + "Radio._5GHz.Channel", true}}));
  // A read-only table and its rows are not writable.
  r = Names(nat_ + "Monitoring.", false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (std::vector<std::pair<std::string, bool>>{
                           {nat_ + "Monitoring.", false},
                           {nat_ + "Monitoring.Process.", false},
                           {nat_ + "Monitoring.Process.1.", false},
                           {nat_ + "Monitoring.Process.1.Command", false},
                           {nat_ + "Monitoring.Process.2.", false},
                           {nat_ + "Monitoring.Process.2.Command", false}}));
}

TEST_F(ProxyProviderTest, GpnWholeSubtreeMatchesGpv) {
  StartEmbedded();
  auto names = Names(nat_, false);
  ASSERT_TRUE(names.ok()) << names.status();
  auto values = Get({nat_});
  ASSERT_TRUE(values.ok()) << values.status();
  std::set<std::string> params, objects;
  for (const auto& i : *names) {
    EXPECT_EQ(i.name.find('#'), std::string::npos) << i.name;
    EXPECT_TRUE(i.name.starts_with(nat_)) << i.name;
    (i.name.ends_with('.') ? objects : params).insert(i.name);
  }
  std::set<std::string> read;
  for (const auto& v : *values) read.insert(v.name);
  EXPECT_EQ(params, read);
  EXPECT_TRUE(objects.count(nat_));
  EXPECT_TRUE(objects.count(nat_ + "Storage.Volume.1.Share.2."));
  // BBF side, 0-based indexes shown 1-based.
  auto bbf = Names(bbf_ + "WiFi.SSID.", true);
  ASSERT_TRUE(bbf.ok()) << bbf.status();
  EXPECT_EQ(Infos(*bbf), (std::vector<std::pair<std::string, bool>>{
                             {bbf_ + "WiFi.SSID.1.", true}, {bbf_ + "WiFi.SSID.2.", true}}));
}

TEST_F(ProxyProviderTest, GpnSameAnswerWhenTheDeviceListsEveryNode) {
  dev_.report_nodes = true;
  StartEmbedded();
  const std::string v = nat_ + "Storage.Volume.";
  auto r = Names(v + "1.", true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (std::vector<std::pair<std::string, bool>>{{v + "1.Name", true},
                                                                  {v + "1.Share.", true}}));
  r = Names(nat_, true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->size(), 5u);
  r = Names(nat_ + "Monitoring.", true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r),
            (std::vector<std::pair<std::string, bool>>{{nat_ + "Monitoring.Process.", false}}));
}

TEST_F(ProxyProviderTest, GpnParametersUnknownNamesAndNextLevelOnParameter) {
  StartEmbedded();
  auto r = Names(nat_ + "DeviceInfo.FriendlyName", false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r),
            (std::vector<std::pair<std::string, bool>>{{nat_ + "DeviceInfo.FriendlyName", true}}));
  r = Names(nat_ + "DeviceInfo.SoftwareVersion", false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(
      Infos(*r),
      (std::vector<std::pair<std::string, bool>>{{nat_ + "DeviceInfo.SoftwareVersion", false}}));
  EXPECT_EQ(Names(nat_ + "DeviceInfo.FriendlyName", true).status().code(), Code::kInvalidArguments);
  EXPECT_EQ(Names(nat_ + "DeviceInfo.Nope", false).status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Names(nat_ + "Nope.", false).status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Names(nat_ + "Nope.", true).status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Names(nat_ + "Storage.Volume.7.", true).status().code(), Code::kInvalidParameterName);
}

TEST_F(ProxyProviderTest, GpnOfflineEmbeddedListsTheRowsLastSeen) {
  StartEmbedded();
  dev_.online = false;
  dev_.ResetCounters();
  const std::string v = nat_ + "Storage.Volume.";
  auto r = Names(v, true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r),
            (std::vector<std::pair<std::string, bool>>{{v + "1.", true}, {v + "2.", true}}));
  r = Names(v + "1.Share.", true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (std::vector<std::pair<std::string, bool>>{{v + "1.Share.1.", true},
                                                                  {v + "1.Share.2.", true}}));
  EXPECT_EQ(dev_.total_calls(), 0);
}

TEST_F(ProxyProviderTest, GpnOfflineVirtualIs9002) {
  StartVirtual();
  dev_.online = false;
  EXPECT_EQ(Names(vnat_ + "Storage.", true).status().code(), Code::kInternalError);
  EXPECT_EQ(Names("Device.WiFi.SSID.", false).status().code(), Code::kInternalError);
}

TEST_F(ProxyProviderTest, SyncFailures) {
  StartEmbedded();
  dev_.FailNext("GetSupportedParameters", 1, 501);
  Status st = Await<Status>([&](auto cb) { proxy_->Sync(cb); });
  EXPECT_EQ(st.code(), Code::kInternalError);
  dev_.FailNext("GetAttributes", 1, 603);
  st = Await<Status>([&](auto cb) { proxy_->Sync(cb); });
  EXPECT_EQ(st.code(), Code::kResourcesExceeded);
  // The metadata of the last good sync stays.
  EXPECT_NE(proxy_->Meta("/UPnP/DM/DeviceInfo/FriendlyName"), nullptr);
  dev_.online = false;
  st = Await<Status>([&](auto cb) { proxy_->Sync(cb); });
  EXPECT_EQ(st.code(), Code::kInternalError);
}

TEST_F(ProxyProviderTest, GpvAboveTheMountsIsOneRequest) {
  StartEmbedded();
  auto r = Get({EmbeddedBase(2)});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(dev_.calls("GetValues"), 1);
  ASSERT_EQ(dev_.get_values.size(), 1u);
  EXPECT_EQ(dev_.get_values[0], (std::vector<std::string>{"/BBF/", "/UPnP/DM/"}));
  auto v = ByName(*r);
  EXPECT_EQ(v[bbf_ + "WiFi.SSID.2.SSID"].value, "guest-a");
  EXPECT_EQ(v[nat_ + "Storage.Volume.2.Name"].value, "media-a");
}

}  // namespace
}  // namespace proxier::proxy
