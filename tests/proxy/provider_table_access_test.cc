// ProxyProvider: a table's access comes from the device (GetAttributes on "/A/#/"), never from
// the parameters below it (issue 11, item 7); a device that publishes none decides by its answers.
#include "provider_fixture.h"

namespace proxier::proxy {
namespace {

using Infos_t = std::vector<std::pair<std::string, bool>>;

// The fixture's BBF WiFi.Radio table is fixed although its OperatingFrequencyBand is writable;
// WiFi.SSID is a readWrite table. The old rule (writable when a parameter below is) showed both
// writable.
TEST_F(ProxyProviderTest, GpnTableWritableIsThePublishedAccessNotTheLeaves) {
  StartEmbedded();
  EXPECT_EQ(proxy_->AccessOf("/BBF/WiFi/Radio/#/"), TableAccess::kFixed);
  EXPECT_EQ(proxy_->AccessOf("/BBF/WiFi/SSID/#/"), TableAccess::kWritable);
  EXPECT_EQ(proxy_->AccessOf("/UPnP/DM/Storage/Volume/#/Share/#/"), TableAccess::kWritable);
  auto r = Names(bbf_ + "WiFi.", false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (Infos_t{{bbf_ + "WiFi.", false},
                                {bbf_ + "WiFi.Radio.", false},
                                {bbf_ + "WiFi.Radio.1.", false},
                                {bbf_ + "WiFi.Radio.1.OperatingFrequencyBand", true},
                                {bbf_ + "WiFi.SSID.", true},
                                {bbf_ + "WiFi.SSID.1.", true},
                                {bbf_ + "WiFi.SSID.1.Enable", true},
                                {bbf_ + "WiFi.SSID.1.SSID", true},
                                {bbf_ + "WiFi.SSID.2.", true},
                                {bbf_ + "WiFi.SSID.2.Enable", true},
                                {bbf_ + "WiFi.SSID.2.SSID", true}}));
}

TEST_F(ProxyProviderTest, AddDeleteOnAFixedTableFault9005BeforeTheDeviceIsAsked) {
  StartEmbedded();
  dev_.ResetCounters();
  EXPECT_EQ(Add(bbf_ + "WiFi.Radio.").status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Delete(bbf_ + "WiFi.Radio.1.").status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Add(nat_ + "Monitoring.Process.").status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Delete(nat_ + "Monitoring.Process.2.").status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(dev_.calls("CreateInstance"), 0);
  EXPECT_EQ(dev_.calls("DeleteInstance"), 0);
  EXPECT_TRUE(dev_.HasRow("/BBF/WiFi/Radio/0/"));
  // Also while the device is away, and after a restart that does not reach it (stored access).
  dev_.online = false;
  EXPECT_EQ(Add(bbf_ + "WiFi.Radio.").status().code(), Code::kInvalidParameterName);
  Restart(Options(false), /*sync=*/false);
  dev_.online = true;
  EXPECT_EQ(Add(nat_ + "Monitoring.Process.").status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(dev_.total_calls(), 0);
  // A writable table still works end to end.
  auto a = Add(bbf_ + "WiFi.SSID.");
  ASSERT_TRUE(a.ok()) << a.status();
  auto d = Delete(bbf_ + "WiFi.SSID." + std::to_string(a->instance) + ".");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(dev_.calls("CreateInstance"), 1);
  EXPECT_EQ(dev_.calls("DeleteInstance"), 1);
}

TEST_F(ProxyProviderTest, VirtualModeRefusesFixedTablesToo) {
  StartVirtual();
  dev_.ResetCounters();
  EXPECT_EQ(Add(vnat_ + "Monitoring.Process.").status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Delete(vnat_ + "Monitoring.Process.1.").status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(dev_.total_calls(), 0);
  auto r = Names(vnat_ + "Monitoring.Process.", true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (Infos_t{{vnat_ + "Monitoring.Process.1.", false},
                                {vnat_ + "Monitoring.Process.2.", false}}));
  auto a = Add(vnat_ + "Storage.Volume.");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(dev_.calls("CreateInstance"), 1);
}

// Unknown access (the device answers 701 to "/A/#/"): not shown writable, but AddObject and
// DeleteObject are forwarded and the device's answer decides; an accepted one teaches the table
// writable, which a re-read of the metadata and a restart keep.
TEST_F(ProxyProviderTest, UnpublishedTableAccessIsDecidedByTheDevice) {
  dev_.publish_table_access = false;
  StartEmbedded();
  EXPECT_EQ(proxy_->AccessOf("/BBF/WiFi/SSID/#/"), TableAccess::kUnknown);
  EXPECT_EQ(proxy_->AccessOf("/UPnP/DM/Monitoring/Process/#/"), TableAccess::kUnknown);
  EXPECT_TRUE(proxy_->metadata_gap().empty());  // no failure of the sync
  auto r = Names(bbf_ + "WiFi.", true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (Infos_t{{bbf_ + "WiFi.Radio.", false}, {bbf_ + "WiFi.SSID.", false}}));
  // A fixed table: the device says 706 -> 9001 (mapping.md §7).
  dev_.ResetCounters();
  EXPECT_EQ(Add(nat_ + "Monitoring.Process.").status().code(), Code::kRequestDenied);
  EXPECT_EQ(Delete(nat_ + "Monitoring.Process.1.").status().code(), Code::kRequestDenied);
  EXPECT_EQ(dev_.calls("CreateInstance"), 1);
  EXPECT_EQ(dev_.calls("DeleteInstance"), 1);
  EXPECT_EQ(proxy_->AccessOf("/UPnP/DM/Monitoring/Process/#/"), TableAccess::kUnknown);
  // A table that accepts: learned writable.
  auto a = Add(bbf_ + "WiFi.SSID.");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(proxy_->AccessOf("/BBF/WiFi/SSID/#/"), TableAccess::kWritable);
  r = Names(bbf_ + "WiFi.", true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (Infos_t{{bbf_ + "WiFi.Radio.", false}, {bbf_ + "WiFi.SSID.", true}}));
  // A DeleteObject accepted teaches it too.
  EXPECT_TRUE(Delete(nat_ + "Storage.Volume.1.Share.1.").ok());
  EXPECT_EQ(proxy_->AccessOf("/UPnP/DM/Storage/Volume/#/Share/#/"), TableAccess::kWritable);
  // Kept by a new sync (the device still publishes nothing) and by a restart.
  Status st = Await<Status>([&](auto cb) { proxy_->Sync(cb); });
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(proxy_->AccessOf("/BBF/WiFi/SSID/#/"), TableAccess::kWritable);
  Restart(Options(false), /*sync=*/true);
  EXPECT_EQ(proxy_->AccessOf("/BBF/WiFi/SSID/#/"), TableAccess::kWritable);
  EXPECT_EQ(proxy_->AccessOf("/UPnP/DM/Storage/Volume/#/Share/#/"), TableAccess::kWritable);
  EXPECT_EQ(proxy_->AccessOf("/BBF/WiFi/Radio/#/"), TableAccess::kUnknown);
  // What the device publishes later wins over what was learned.
  dev_.publish_table_access = true;
  dev_.creatable.erase("/BBF/WiFi/SSID/");
  st = Await<Status>([&](auto cb) { proxy_->Sync(cb); });
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(proxy_->AccessOf("/BBF/WiFi/SSID/#/"), TableAccess::kFixed);
}

// Each table has its own access: a fixed outer table with a writable nested one.
TEST_F(ProxyProviderTest, NestedTablesHaveTheirOwnAccess) {
  dev_.creatable.erase("/UPnP/DM/Storage/Volume/");
  StartEmbedded();
  EXPECT_EQ(proxy_->AccessOf("/UPnP/DM/Storage/Volume/#/"), TableAccess::kFixed);
  EXPECT_EQ(proxy_->AccessOf("/UPnP/DM/Storage/Volume/#/Share/#/"), TableAccess::kWritable);
  dev_.ResetCounters();
  EXPECT_EQ(Add(nat_ + "Storage.Volume.").status().code(), Code::kInvalidParameterName);
  auto a = Add(nat_ + "Storage.Volume.1.Share.");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(dev_.created, std::vector<std::string>{"/UPnP/DM/Storage/Volume/1/Share/#/"});
}

}  // namespace
}  // namespace proxier::proxy
