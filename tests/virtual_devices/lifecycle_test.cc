// The appliance's lifecycle seen by its virtual CPE: byebye and return, reboot by BOOTID, Reboot
// and FactoryReset RPCs, value-change events.
#include "vd_fixture.h"

namespace proxier::testing {
namespace {

class LifecycleTest : public VdFixture {
 protected:
  void SetUp() override {
    VdFixture::SetUp();
    CreateVd();
    AttachAndBootstrap();
  }
  // Makes the ACS send `request` in a session opened by a connection request.
  void RunRpc(cwmp::AcsRequest request) {
    acs_.Queue(std::move(request));
    ASSERT_EQ(ConnectionRequest(CrUrl(), "vd1", CrPassword()), 200);
  }
};

TEST_F(LifecycleTest, ReturnAfterByebyeInformsBoot) {
  cms_.online = false;
  vd_->DeviceChanged(kUdn, upnp::DeviceChange::kByebye);
  loop_.RunUntilIdle();
  cms_.online = true;
  vd_->DeviceChanged(kUdn, upnp::DeviceChange::kReturned);
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == 2 && Idle(); }));
  EXPECT_EQ(Codes(InformAt(1).events), (std::vector<std::string>{"1 BOOT"}));
  EXPECT_TRUE(vd_->Info(kUdn)->available);
  EXPECT_EQ(ConnectionRequest(CrUrl(), "vd1", CrPassword()), 200);
}

TEST_F(LifecycleTest, NewBootIdInformsBoot) {
  vd_->DeviceChanged(kUdn, upnp::DeviceChange::kRebooted);
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == 2 && Idle(); }));
  EXPECT_EQ(Codes(InformAt(1).events), (std::vector<std::string>{"1 BOOT"}));
  // A lease refresh or a new description is no boot.
  vd_->DeviceChanged(kUdn, upnp::DeviceChange::kUpdated);
  vd_->DeviceChanged(kUdn, upnp::DeviceChange::kDescribed);
  loop_.RunUntilIdle();
  EXPECT_EQ(acs_.Count("Inform"), 2u);
}

TEST_F(LifecycleTest, RebootGoesToTheApplianceAfterTheSessionThenBootAndMReboot) {
  size_t responses_at_reboot = 0, sessions_at_reboot = 0;
  actions_.on_call = [&] {
    responses_at_reboot = acs_.Count("RebootResponse");
    sessions_at_reboot = acs_.sessions_ended();
  };
  RunRpc(cwmp::Reboot{"rb-7"});
  ASSERT_TRUE(Wait([&] { return !actions_.calls.empty(); }));
  EXPECT_EQ(actions_.calls, (std::vector<std::string>{std::string("Reboot ") + kUdn}));
  EXPECT_EQ(responses_at_reboot, 1u);
  EXPECT_EQ(sessions_at_reboot, 2u) << "BMS Reboot only after the session ended (204)";
  EXPECT_FALSE(vd_->Info(kUdn)->available);
  EXPECT_EQ(ConnectionRequest(CrUrl(), "vd1", CrPassword()), 503);
  loop_.RunUntilIdle();
  EXPECT_EQ(acs_.Count("Inform"), 2u) << "nothing until the appliance is back";

  // The appliance goes away and comes back with a new BOOTID.
  cms_.online = false;
  vd_->DeviceChanged(kUdn, upnp::DeviceChange::kByebye);
  cms_.online = true;
  vd_->DeviceChanged(kUdn, upnp::DeviceChange::kRebooted);
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == 3 && Idle(); }));
  EXPECT_EQ(Codes(InformAt(2).events), (std::vector<std::string>{"1 BOOT", "M Reboot/rb-7"}));
  EXPECT_TRUE(vd_->Info(kUdn)->available);
}

TEST_F(LifecycleTest, FailedBmsRebootResumesTheClient) {
  actions_.answer = Status(Code::kInternalError, "UPnP error 501");
  RunRpc(cwmp::Reboot{"rb-8"});
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == 3 && Idle(); }));
  EXPECT_EQ(Codes(InformAt(2).events), (std::vector<std::string>{"1 BOOT", "M Reboot/rb-8"}));
}

TEST_F(LifecycleTest, FactoryResetSendsBaselineResetThenBootstraps) {
  // An ACS-set value of the virtual CPE, to be wiped.
  auto* store = vd_->Model(kUdn)->store();
  ASSERT_TRUE(
      store->SetInternal("Device.ManagementServer.DefaultActiveNotificationThrottle", "77").ok());
  RunRpc(cwmp::FactoryReset{});
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == 3 && Idle(); }));
  EXPECT_EQ(actions_.calls, (std::vector<std::string>{std::string("BaselineReset ") + kUdn}));
  EXPECT_EQ(Codes(InformAt(2).events), (std::vector<std::string>{"0 BOOTSTRAP", "1 BOOT"}));
  EXPECT_EQ(InformAt(2).device_id.serial_number, "SP-0001") << "the DeviceId stays";
  store = vd_->Model(kUdn)->store();
  EXPECT_NE(store->Get("Device.ManagementServer.DefaultActiveNotificationThrottle").value_or(""),
            "77")
      << "ACS-set values are gone";
  EXPECT_EQ(store->Get("Device.ManagementServer.URL").value_or(""), acs_.Url());
}

TEST_F(LifecycleTest, ConfigurationUpdateOfANotifiedValueInformsValueChange) {
  std::optional<Status> st;
  datamodel::AttributeChange c;
  c.name = "Device.WiFi.SSID.1.SSID";
  c.notification_change = true;
  c.notification = 2;
  vd_->Model(kUdn)->SetAttributes({c}, [&](Status s) { st = s; });
  ASSERT_TRUE(Wait([&] { return st.has_value(); }));
  ASSERT_TRUE(st->ok()) << *st;
  // Baseline read, then the appliance changes the value and says so (no parameter list).
  std::optional<bool> read;
  vd_->Model(kUdn)->GetValues({"Device.WiFi.SSID.1.SSID"}, [&](auto r) { read = r.ok(); });
  ASSERT_TRUE(Wait([&] { return read.has_value(); }));
  cms_.values["/BBF/WiFi/SSID/0/SSID"] = "guest";
  vd_->Event(kUdn, upnp::DmService::kCms, {{"ConfigurationUpdate", "5,2024-01-01T00:00:00Z"}});
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == 2 && Idle(); }));
  EXPECT_EQ(Codes(InformAt(1).events), (std::vector<std::string>{"4 VALUE CHANGE"}));
  EXPECT_EQ(ValuesOf(InformAt(1).params)["Device.WiFi.SSID.1.SSID"], "guest");
}

TEST_F(LifecycleTest, DetachStopsEverythingAndKeepsState) {
  const std::string url = CrUrl();
  vd_->Detach(kUdn);
  EXPECT_TRUE(vd_->Attached().empty());
  EXPECT_EQ(ConnectionRequest(url, "vd1", CrPassword()), 404);
  vd_->DeviceChanged(kUdn, upnp::DeviceChange::kRebooted);  // ignored
  loop_.RunUntilIdle();
  EXPECT_EQ(acs_.Count("Inform"), 1u);
}

}  // namespace
}  // namespace proxier::testing
