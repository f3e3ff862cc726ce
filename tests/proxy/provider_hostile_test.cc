// ProxyProvider against a hostile or broken device (issue 10, finding 5): answers count only for
// what was asked, names that are no CWMP names never reach the ACS, one failing appliance never
// faults the ACS's read of the others, and a device cannot make the store grow without bound.
#include "provider_fixture.h"

namespace proxier::proxy {
namespace {

class ProviderHostileTest : public ProxyProviderTest {
 protected:
  void StartCounted(bool sync = true) {
    ProxyOptions o = Options(false);
    o.counters = &counters_;
    Start(o, sync);
  }
  ProxyCounters counters_;
};

TEST_F(ProviderHostileTest, AnswerItemsThatWereNotAskedAreDropped) {
  for (int i = 0; i < 19000; ++i) {
    dev_.extra_values.push_back({"/UPnP/DM/Evil/Item" + std::to_string(i), "x"});
  }
  StartCounted();
  const uint64_t before = counters_.unasked;
  auto r = Get({nat_ + "DeviceInfo.SoftwareVersion"});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 1u);  // 1 asked, 19,001 answered: 1 returned
  EXPECT_EQ((*r)[0].value, "1.2.3-a");
  EXPECT_EQ(counters_.unasked - before, 19000u);
  // Asked for a node, the items below it are answers; items elsewhere never are.
  dev_.extra_values = {{"/BBF/Evil", "x"}, {"/UPnP/Other/Evil", "x"}};
  auto node = Get({nat_ + "Config."});
  ASSERT_TRUE(node.ok()) << node.status();
  for (const auto& v : *node) EXPECT_TRUE(v.name.starts_with(nat_ + "Config.")) << v.name;
}

TEST_F(ProviderHostileTest, NamesThatAreNoCwmpNamesAreDroppedNotFatal) {
  dev_.extra_values = {{"/UPnP/DM/a b", "1"},         {"/UPnP/DM/<script>", "1"},
                       {"/UPnP/DM/../BBF/x", "1"},    {"/UPnP/DM/Evil:y", "1"},
                       {"/UPnP/DM/caf\xC3\xA9", "1"}, {"/UPnP/DM/-dash", "1"}};
  dev_.Define("/UPnP/DM/Good/Name", "string", false);  // a supported one among them
  dev_.Put("/UPnP/DM/Good/Name", "kept");
  StartCounted();
  const uint64_t before = counters_.unasked + counters_.names_refused;
  auto r = Get({nat_});
  ASSERT_TRUE(r.ok()) << r.status();  // one bad name never faults the whole GPV
  auto v = ByName(*r);
  EXPECT_EQ(v[nat_ + "Good.Name"].value, "kept");
  EXPECT_EQ(v[nat_ + "DeviceInfo.SoftwareVersion"].value, "1.2.3-a");
  for (const auto& [name, value] : v) {
    EXPECT_TRUE(name.find_first_of(" <>:\xC3") == std::string::npos && name.find("..") == name.npos)
        << name;
  }
  EXPECT_EQ(counters_.unasked + counters_.names_refused - before, 6u);
  // Below an asked node, what the device never said it supports is no answer either.
  dev_.extra_values = {{"/UPnP/DM/Unsupported/Item", "x"}};
  auto again = Get({nat_});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(ByName(*again).count(nat_ + "Unsupported.Item"));
}

TEST_F(ProviderHostileTest, SupportedNamesThatAreNoCwmpNamesNeverReachGpn) {
  dev_.extra_supported = {"/UPnP/DM/Evil:Name", "/UPnP/DM/a b", "/UPnP/DM/x/#/caf\xC3\xA9"};
  StartCounted();
  auto names = Names(nat_, false);
  ASSERT_TRUE(names.ok()) << names.status();
  for (const auto& i : *names) {
    EXPECT_EQ(i.name.find("Evil"), std::string::npos) << i.name;
    EXPECT_EQ(i.name.find(' '), std::string::npos) << i.name;
  }
  EXPECT_GE(counters_.names_refused, 2u);  // Evil:Name fails the CWMP rule; the rest the CMS one
}

// A partial path above several appliances: the broken one is answered from what is known of it
// (like an offline one); a direct read of it still reports its fault.
TEST_F(ProviderHostileTest, OneFailingApplianceNeverFaultsAWideRead) {
  StartCounted();
  StartB();
  ASSERT_TRUE(Get({EmbeddedBase(2)}).ok());  // fills A's cache
  dev_.FailNext("GetValues", 2, 501);
  auto wide = Get({"Device." + Vendor() + "ProxiedDevice."});
  ASSERT_TRUE(wide.ok()) << wide.status();
  auto v = ByName(*wide);
  EXPECT_EQ(v[nat_b_ + "DeviceInfo.SoftwareVersion"].value, "1.2.3-b");  // live
  EXPECT_EQ(v[nat_ + "DeviceInfo.SoftwareVersion"].value, "1.2.3-a");    // cached
  EXPECT_EQ(Get({nat_ + "DeviceInfo.SoftwareVersion"}).status().code(), Code::kInternalError);
  // GPN above both: the failing one lists the rows it showed last.
  dev_.FailNext("GetInstances", 1, 501);
  auto names = Names(EmbeddedBase(2), false);
  ASSERT_TRUE(names.ok()) << names.status();
}

TEST_F(ProviderHostileTest, InstancesPerDeviceAreCapped) {
  for (int i = 0; i < 50; ++i) {
    dev_.extra_values.push_back(
        {"/UPnP/DM/Storage/Volume/" + std::to_string(100 + i) + "/Name", "flood"});
  }
  StartCounted(/*sync=*/false);
  map_->set_max_live(20);
  Status synced = Await<Status>([&](auto cb) { proxy_->Sync(cb); });
  ASSERT_TRUE(synced.ok()) << synced;
  auto r = Get({nat_ + "Storage.Volume."});
  ASSERT_TRUE(r.ok()) << r.status();
  size_t rows = 0;
  for (const auto& v : *r) rows += v.value == "flood";
  EXPECT_LT(rows, 20u);  // the rest refused (and counted), the RPC answered
  EXPECT_GT(counters_.names_refused, 30u);
}

// A device without GetSupportedParameters, GetAttributes and GetInstances (not conformant, but
// real): what can be served is served, and the gap is told.
TEST_F(ProviderHostileTest, DeviceWithoutMetadataActionsIsStillReadWritableAndListed) {
  dev_.unimplemented = {"GetSupportedParameters", "GetAttributes", "GetInstances"};
  StartCounted();
  EXPECT_NE(proxy_->metadata_gap().find("GetSupportedParameters"), std::string::npos);
  EXPECT_NE(proxy_->metadata_gap().find("GetAttributes"), std::string::npos);
  EXPECT_EQ(Value(nat_ + "DeviceInfo.SoftwareVersion"), "1.2.3-a");
  auto names = Names(nat_ + "Storage.Volume.", false);
  ASSERT_TRUE(names.ok()) << names.status();
  std::set<std::string> listed;
  for (const auto& i : *names) listed.insert(i.name);
  EXPECT_TRUE(listed.count(nat_ + "Storage.Volume.2.Name")) << names->size();
  EXPECT_TRUE(listed.count(nat_ + "Storage.Volume.1.Share.1.Size"));
  // Written as the device decides: a writable one goes through, a read-only one is refused by it.
  auto ok = Set({{nat_ + "DeviceInfo.FriendlyName", "renamed", {}}});
  EXPECT_TRUE(ok.status.ok()) << ok.status;
  ASSERT_TRUE(loop_.RunUntil(
      [&] { return dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName") == "renamed"; }, kWait));
}

}  // namespace
}  // namespace proxier::proxy
