// Attaching appliances: DeviceId, ProxierInfo, reads through the virtual device's session,
// VirtualDevice rows, connection requests, fallback, identity kept across restarts.
#include <sqlite3.h>

#include <chrono>

#include "vd_fixture.h"

namespace proxier::testing {
namespace {

class AttachTest : public VdFixture {};

TEST_F(AttachTest, BootstrapsWithItsOwnDeviceIdAndServesReads) {
  const std::string vp = "Device.X_02C0DE_UPnP.DM.";
  acs_.Queue(cwmp::GetParameterValues{{"Device.DeviceInfo.ProxierInfo.", "Device.WiFi.SSID.1.SSID",
                                       vp + "DeviceInfo.SoftwareVersion",
                                       vp + "Monitoring.OperatingSystem.CPUUsage"}});
  CreateVd();
  ASSERT_TRUE(vd_->Attach(Md()).ok());
  ASSERT_TRUE(Wait([&] { return acs_.Count("GetParameterValuesResponse") == 1 && Idle(); }));

  cwmp::Inform inform = InformAt(0);
  EXPECT_EQ(inform.device_id.manufacturer, "Acme");
  EXPECT_EQ(inform.device_id.oui, "A1B2C3");
  EXPECT_EQ(inform.device_id.product_class, "SmartPlug");
  EXPECT_EQ(inform.device_id.serial_number, "SP-0001");
  EXPECT_EQ(Codes(inform.events), (std::vector<std::string>{"0 BOOTSTRAP", "1 BOOT"}));
  auto params = ValuesOf(inform.params);
  EXPECT_EQ(params["Device.DeviceInfo.SoftwareVersion"], "2.3.4");
  EXPECT_EQ(params["Device.RootDataModelVersion"], "2.17");
  EXPECT_TRUE(params["Device.ManagementServer.ConnectionRequestURL"].ends_with("/vd/1"))
      << params["Device.ManagementServer.ConnectionRequestURL"];

  auto gpv = std::get<cwmp::GetParameterValuesResult>(
      std::get<cwmp::CpeResponse>(acs_.Of("GetParameterValuesResponse")[0].message.body));
  auto values = ValuesOf(gpv.values);
  EXPECT_EQ(values["Device.DeviceInfo.ProxierInfo.ManufacturerOUI"], "02C0DE");
  EXPECT_EQ(values["Device.DeviceInfo.ProxierInfo.ProductClass"], "ProxierGW");
  EXPECT_EQ(values["Device.DeviceInfo.ProxierInfo.SerialNumber"], "PX0001");
  EXPECT_EQ(values["Device.DeviceInfo.ProxierInfo.ProxyProtocol"], "UPnP-DM");
  EXPECT_EQ(values["Device.WiFi.SSID.1.SSID"], "home");
  EXPECT_EQ(values[vp + "DeviceInfo.SoftwareVersion"], "2.3.4");
  EXPECT_EQ(values[vp + "Monitoring.OperatingSystem.CPUUsage"], "12");

  // Its own ManagementServer: inherited ACS URL, own CR credentials, a spread periodic phase.
  auto* model = vd_->Model(kUdn);
  ASSERT_NE(model, nullptr);
  auto* store = model->store();
  EXPECT_EQ(store->Get("Device.ManagementServer.URL").value_or(""), acs_.Url());
  EXPECT_EQ(store->Get("Device.ManagementServer.ConnectionRequestUsername").value_or(""), "vd1");
  EXPECT_EQ(store->GetSecret("Device.ManagementServer.ConnectionRequestPassword").value_or(""),
            CrPassword());
  EXPECT_NE(store->Get("Device.ManagementServer.PeriodicInformTime").value_or(""),
            "0001-01-01T00:00:00Z");
  // The gateway's own DeviceInfo is untouched.
  EXPECT_EQ(GwValue("Device.DeviceInfo.ManufacturerOUI"), "02C0DE");
}

TEST_F(AttachTest, NamesAndWritesOfTheVirtualRoot) {
  CreateVd();
  AttachAndBootstrap();
  auto* model = vd_->Model(kUdn);
  std::optional<Result<std::vector<datamodel::ParamInfo>>> names;
  model->GetNames("Device.", true, [&](auto r) { names.emplace(std::move(r)); });
  ASSERT_TRUE(Wait([&] { return names.has_value(); }));
  ASSERT_TRUE(names->ok()) << names->status();
  std::set<std::string> top;
  for (const auto& n : **names) top.insert(n.name);
  for (const char* want :
       {"Device.DeviceInfo.", "Device.ManagementServer.", "Device.RootDataModelVersion",
        "Device.WiFi.", "Device.X_02C0DE_UPnP.", "Device.IP."}) {
    EXPECT_TRUE(top.count(want)) << want;
  }
  EXPECT_FALSE(top.count("Device.UPnP.")) << "the gateway's own objects are not the device's";
  // Virtual SPV waits for the device: ChangesApplied -> Status 0.
  std::optional<datamodel::SetResult> set;
  model->SetValues({{"Device.WiFi.SSID.1.SSID", "office", {}}}, "acs", {},
                   [&](datamodel::SetResult r) { set = r; });
  ASSERT_TRUE(Wait([&] { return set.has_value(); }));
  ASSERT_TRUE(set->status.ok()) << set->status;
  EXPECT_EQ(set->apply_status, 0);
  EXPECT_EQ(cms_.values["/BBF/WiFi/SSID/0/SSID"], "office");
}

TEST_F(AttachTest, IdentityFromBbfDeviceInfoAndTheDescription) {
  for (const char* leaf : {"ManufacturerOUI", "ProductClass", "SerialNumber"})
    cms_.values.erase(std::string("/UPnP/DM/DeviceInfo/PhysicalDevice/DeviceID/") + leaf);
  cms_.values["/BBF/DeviceInfo/ManufacturerOUI"] = "00AA11";
  cms_.values["/BBF/DeviceInfo/SerialNumber"] = "BBF-SN";
  CreateVd();
  AttachAndBootstrap();
  cwmp::Inform inform = InformAt(0);
  EXPECT_EQ(inform.device_id.oui, "00AA11");
  EXPECT_EQ(inform.device_id.product_class, "Plug X") << "description modelName";
  EXPECT_EQ(inform.device_id.serial_number, "BBF-SN");
  // Some paths were unknown (703): the first combined read was followed by one read per path.
  EXPECT_GT(cms_.get_values_calls.size(), 2u);
}

TEST_F(AttachTest, VirtualDeviceRowFollowsAttachAndDetach) {
  CreateVd();
  AttachAndBootstrap();
  const std::string ms = "Device.ManagementServer.";
  EXPECT_EQ(GwValue(ms + "VirtualDeviceNumberOfEntries"), "1");
  auto info = vd_->Info(kUdn);
  ASSERT_TRUE(info && info->row);
  const std::string row = ms + "VirtualDevice." + std::to_string(info->row) + ".";
  EXPECT_EQ(GwValue(row + "ManufacturerOUI"), "A1B2C3");
  EXPECT_EQ(GwValue(row + "ProductClass"), "SmartPlug");
  EXPECT_EQ(GwValue(row + "SerialNumber"), "SP-0001");
  EXPECT_EQ(GwValue(row + "ProxyProtocol"), "UPnP-DM");
  EXPECT_EQ(GwValue(row + "DiscoveryProtocol"), "UPnP");

  const uint32_t number = info->row;
  vd_->Detach(kUdn);
  EXPECT_EQ(GwValue(ms + "VirtualDeviceNumberOfEntries"), "0");
  EXPECT_EQ(vd_->Client(kUdn), nullptr);
  ASSERT_TRUE(vd_->Attach(Md()).ok());
  EXPECT_EQ(GwValue(ms + "VirtualDeviceNumberOfEntries"), "1");
  EXPECT_EQ(vd_->Info(kUdn)->row, number) << "row numbers are kept per UDN";
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == 2 && Idle(); }));
  EXPECT_EQ(Codes(InformAt(1).events), (std::vector<std::string>{"1 BOOT"}))
      << "re-attach: the ACS knows it already";
}

// A new device stores its identity, gateway row, model and client state (dozens of values) in
// one commit, and so does a known one when it is attached again: with 100 devices, one commit
// (one fsync) per value made the first bootstrap of all of them mostly a wait for the disk.
TEST_F(AttachTest, AttachingStoresInFewCommits) {
  int commits = 0;
  sqlite3_commit_hook(
      db_->raw(),
      [](void* n) {
        ++*static_cast<int*>(n);
        return 0;
      },
      &commits);
  CreateVd();
  commits = 0;
  ASSERT_TRUE(vd_->Attach(Md()).ok());
  ASSERT_TRUE(Wait([&] { return Client() != nullptr; }));
  EXPECT_LE(commits, 3) << "identified and started";
  ASSERT_TRUE(Wait([&] { return Client()->sessions_ok() >= 1 && Idle(); }));
  vd_->Detach(kUdn);
  commits = 0;
  ASSERT_TRUE(vd_->Attach(Md()).ok());
  EXPECT_NE(Client(), nullptr);
  EXPECT_LE(commits, 2) << "attached again";
  sqlite3_commit_hook(db_->raw(), nullptr, nullptr);
}

TEST_F(AttachTest, ConnectionRequestsReachItAnd503WhileOffline) {
  CreateVd();
  AttachAndBootstrap();
  EXPECT_EQ(ConnectionRequest(CrUrl(), "vd1", "wrong"), 401);
  EXPECT_EQ(ConnectionRequest(CrUrl(), "vd1", CrPassword()), 200);
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == 2 && Idle(); }));
  EXPECT_EQ(Codes(InformAt(1).events), (std::vector<std::string>{"6 CONNECTION REQUEST"}));
  EXPECT_EQ(InformAt(1).device_id.serial_number, "SP-0001");

  cms_.online = false;
  vd_->DeviceChanged(kUdn, upnp::DeviceChange::kByebye);
  EXPECT_FALSE(vd_->Info(kUdn)->available);
  EXPECT_EQ(ConnectionRequest(CrUrl(), "vd1", CrPassword()), 503);
  EXPECT_EQ(ConnectionRequest(CrUrl(), "vd1", "wrong"), 401);
  Client()->Trigger("2 PERIODIC");
  loop_.RunUntilIdle();
  EXPECT_FALSE(Client()->in_session()) << "no session while the appliance is away";
  EXPECT_EQ(acs_.Count("Inform"), 2u);
}

TEST_F(AttachTest, InvalidIdentityFallsBack) {
  cms_.values["/UPnP/DM/DeviceInfo/PhysicalDevice/DeviceID/ManufacturerOUI"] = "a1b2c3";
  CreateVd();
  ASSERT_TRUE(vd_->Attach(Md()).ok()) << "not known yet: the answer comes later";
  ASSERT_TRUE(Wait([&] { return !fallbacks_.empty(); }));
  EXPECT_NE(fallbacks_[0].find("not [0-9A-F]{6}"), std::string::npos) << fallbacks_[0];
  EXPECT_EQ(Client(), nullptr);
  EXPECT_EQ(GwValue("Device.ManagementServer.VirtualDeviceNumberOfEntries"), "0");
  EXPECT_EQ(acs_.Count("Inform"), 0u);
}

TEST_F(AttachTest, UnreadableIdentityFallsBackAfterRetries) {
  CreateVd();
  ASSERT_TRUE(vd_->Attach(Md()).ok());
  cms_.online = false;  // every read fails as a transport error, the lease still looks active
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(Wait([&] { return !fallbacks_.empty(); }));
  EXPECT_NE(fallbacks_[0].find("cannot read the DeviceId"), std::string::npos) << fallbacks_[0];
  // Five tries with doubling waits (50, 100, 200, 400 ms here): timers never fire early.
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(750));
}

TEST_F(AttachTest, OfflineWithoutStoredIdentityIsRefusedAtOnce) {
  cms_.online = false;
  CreateVd();
  Status st = vd_->Attach(Md());
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("DeviceId"), std::string::npos);
}

TEST_F(AttachTest, RestartKeepsIdentityRowAndBootstrapState) {
  CreateVd();
  AttachAndBootstrap();
  const uint32_t row = vd_->Info(kUdn)->row;
  OpenDb();  // proxierd restarts; the appliance is away
  cms_.online = false;
  CreateVd();
  ASSERT_TRUE(vd_->Attach(Md()).ok());
  auto info = vd_->Info(kUdn);
  ASSERT_TRUE(info && info->identity);
  EXPECT_EQ(info->identity->serial_number, "SP-0001");
  EXPECT_EQ(info->row, row);
  EXPECT_EQ(GwValue("Device.ManagementServer.VirtualDeviceNumberOfEntries"), "1");
  EXPECT_EQ(ConnectionRequest(CrUrl(), "vd1", CrPassword()), 503);
  loop_.RunUntilIdle();
  EXPECT_EQ(acs_.Count("Inform"), 1u);
  // Back: 1 BOOT only (BOOTSTRAP was acknowledged before the restart).
  cms_.online = true;
  vd_->DeviceChanged(kUdn, upnp::DeviceChange::kAdded);
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == 2 && Idle(); }));
  EXPECT_EQ(Codes(InformAt(1).events), (std::vector<std::string>{"1 BOOT"}));
}

TEST_F(AttachTest, StaleRowsOfAPreviousRunAreDropped) {
  CreateVd();
  AttachAndBootstrap();
  OpenDb();
  CreateVd();  // nothing attached before the loop turns
  loop_.RunUntilIdle();
  EXPECT_EQ(GwValue("Device.ManagementServer.VirtualDeviceNumberOfEntries"), "0");
}

}  // namespace
}  // namespace proxier::testing
