// ProxyProvider writes: SetParameterValues validation, embedded delivery, virtual apply, mixed
// lists.
#include "provider_fixture.h"

namespace proxier::proxy {
namespace {

TEST_F(ProxyProviderTest, SpvValidationFaultsSendNothing) {
  StartEmbedded();
  const std::string long_ssid(33, 'x');
  struct Case {
    SetItem item;
    Code code;
  };
  const std::vector<Case> cases = {
      {{nat_ + "DeviceInfo.Nope", "x", {}}, Code::kInvalidParameterName},
      {{nat_ + "Storage.Volume.9.Name", "x", {}}, Code::kInvalidParameterName},
      {{nat_ + "DeviceInfo.SoftwareVersion", "x", {}}, Code::kNonWritableParameter},
      {{nat_ + "Storage.Volume.1.Share.1.Size", "1", {}}, Code::kNonWritableParameter},
      {{nat_ + "Config.Level", "abc", {}}, Code::kInvalidParameterType},
      {{nat_ + "Config.Enabled", "maybe", {}}, Code::kInvalidParameterType},
      {{nat_ + "DeviceInfo.FriendlyName", "5", ValueType::kInt}, Code::kInvalidParameterType},
      {{bbf_ + "WiFi.SSID.1.Enable", "yes", {}}, Code::kInvalidParameterType},
      {{bbf_ + "WiFi.SSID.1.SSID", long_ssid, {}}, Code::kInvalidParameterValue},
      {{bbf_ + "WiFi.Radio.1.OperatingFrequencyBand", "6GHz", {}}, Code::kInvalidParameterValue},
  };
  std::vector<SetItem> all;
  std::vector<Fault> expected;
  for (const auto& c : cases) {
    SetResult r = Set({c.item});
    EXPECT_EQ(r.status.code(), Code::kInvalidArguments) << c.item.name;
    EXPECT_EQ(Faults(r), (std::vector<Fault>{{c.item.name, c.code}}));
    all.push_back(c.item);
    expected.push_back({c.item.name, c.code});
  }
  // All at once, with a valid one among them: every fault, nothing applied.
  all.push_back({nat_ + "Config.Ratio", "0.7", {}});
  SetResult r = Set(all);
  EXPECT_EQ(r.status.code(), Code::kInvalidArguments);
  EXPECT_EQ(Faults(r), expected);
  loop_.RunUntilIdle();
  Advance(Millis(600000));
  EXPECT_EQ(dev_.calls("SetValues"), 0);
  EXPECT_EQ(proxy_->pending_commands(), 0u);
  EXPECT_TRUE(reports_.empty());
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Lamp a");
}

// UPnP integer types carry their own range (ui1 0-255, i1 -128-127, ...): mapping.md §4 "range ->
// 9007 using cached GetAttributes".
TEST_F(ProxyProviderTest, SpvNativeIntegerRangesFromTheUpnpType) {
  StartEmbedded();
  SetResult r = Set({{nat_ + "Config.Level", "256", {}}});
  EXPECT_EQ(Faults(r), (std::vector<Fault>{{nat_ + "Config.Level", Code::kInvalidParameterValue}}));
  r = Set({{nat_ + "Config.Level", "255", {}}});
  EXPECT_TRUE(r.status.ok()) << r.status;
  r = Set({{nat_ + "Config.Offset", "-2147483649", {}}});
  EXPECT_FALSE(r.status.ok());
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(dev_.calls("SetValues"), 1);
}

// ---------------------------------------------------------------------------------------------
// SetParameterValues: embedded delivery.

TEST_F(ProxyProviderTest, SpvEmbeddedStatus1ThenPendingSuccess) {
  StartEmbedded();
  SetResult r = Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}},
                     {nat_ + "Config.Enabled", "false", ValueType::kBoolean},
                     {nat_ + "Config.Level", "7", ValueType::kUnsignedInt},
                     {bbf_ + "WiFi.SSID.1.Enable", "true", {}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.apply_status, 1);
  ASSERT_FALSE(reports_.empty());
  EXPECT_EQ(reports_[0], (std::pair<std::string, std::string>{"Pending", ""}));
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(States(), (std::vector<std::string>{"Pending", "Success"}));
  EXPECT_EQ(reports_[1].second, "");
  ASSERT_EQ(dev_.calls("SetValues"), 1);
  EXPECT_EQ(dev_.set_values[0], (CmsPort::Values{{"/UPnP/DM/DeviceInfo/FriendlyName", "Desk"},
                                                 {"/UPnP/DM/Config/Enabled", "0"},
                                                 {"/UPnP/DM/Config/Level", "7"},
                                                 {"/BBF/WiFi/SSID/0/Enable", "1"}}));
  EXPECT_EQ(proxy_->pending_commands(), 0u);
  EXPECT_EQ(proxy_->last_sync(), clock_.WallNow());
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Desk");
  // Booleans go as 1/0 whatever the ACS wrote.
  r = Set({{nat_ + "Config.Enabled", "1", {}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_TRUE(WaitReports(4));
  EXPECT_EQ(dev_.set_values.back(), (CmsPort::Values{{"/UPnP/DM/Config/Enabled", "1"}}));
  EXPECT_EQ(Value(nat_ + "Config.Enabled"), "1");
}

TEST_F(ProxyProviderTest, SpvEmbedded708OnceRetriesAfterBackOff) {
  StartEmbedded();
  dev_.FailNext("SetValues", 1, 708);
  SetResult r = Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.apply_status, 1);
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(States(), (std::vector<std::string>{"Pending", "Retrying"}));
  EXPECT_NE(reports_[1].second.find("708"), std::string::npos) << reports_[1].second;
  EXPECT_EQ(dev_.calls("SetValues"), 1);
  EXPECT_EQ(proxy_->pending_commands(), 1u);
  Advance(Millis(4999));
  EXPECT_EQ(dev_.calls("SetValues"), 1);
  Advance(Millis(1));
  ASSERT_TRUE(WaitReports(3));
  EXPECT_EQ(States(), (std::vector<std::string>{"Pending", "Retrying", "Success"}));
  EXPECT_EQ(dev_.calls("SetValues"), 2);
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Desk");
  EXPECT_EQ(proxy_->pending_commands(), 0u);
}

TEST_F(ProxyProviderTest, SpvEmbeddedTransportFailureRetries) {
  StartEmbedded();
  dev_.FailNext("SetValues", 1, 0);
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.ok());
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(reports_[1].first, "Retrying");
  Advance(Millis(5000));
  ASSERT_TRUE(WaitReports(3));
  EXPECT_EQ(reports_[2].first, "Success");
}

TEST_F(ProxyProviderTest, SpvEmbedded708FiveTimesIsErrorAndDropped) {
  StartEmbedded();
  dev_.FailNext("SetValues", 5, 708);
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.ok());
  ASSERT_TRUE(WaitReports(2));
  // Back-off 5, 10, 20, 40 s between the five tries.
  for (int wait_s : {5, 10, 20, 40}) {
    const int before = dev_.calls("SetValues");
    Advance(Millis(wait_s * 1000 - 1));
    EXPECT_EQ(dev_.calls("SetValues"), before) << wait_s;
    Advance(Millis(1));
    EXPECT_EQ(dev_.calls("SetValues"), before + 1) << wait_s;
  }
  ASSERT_TRUE(WaitReports(6));
  EXPECT_EQ(States(), (std::vector<std::string>{"Pending", "Retrying", "Retrying", "Retrying",
                                                "Retrying", "Error"}));
  EXPECT_NE(reports_.back().second.find("708"), std::string::npos) << reports_.back().second;
  EXPECT_EQ(proxy_->pending_commands(), 0u);
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Lamp a");
  Advance(Millis(3600000));
  EXPECT_EQ(dev_.calls("SetValues"), 5);
  // The next command goes through.
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "Den", {}}}).status.ok());
  ASSERT_TRUE(WaitReports(8));
  EXPECT_EQ(reports_.back().first, "Success");
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Den");
}

TEST_F(ProxyProviderTest, SpvEmbeddedPermanentDeviceErrorIsErrorAtOnce) {
  StartEmbedded();
  dev_.FailNext("SetValues", 1, 705);
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.ok());
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(States(), (std::vector<std::string>{"Pending", "Error"}));
  EXPECT_FALSE(reports_[1].second.empty());
  EXPECT_EQ(dev_.calls("SetValues"), 1);
  EXPECT_EQ(proxy_->pending_commands(), 0u);
}

TEST_F(ProxyProviderTest, SpvEmbeddedOfflineDeliveredWhenBack) {
  StartEmbedded();
  dev_.online = false;
  SetResult r = Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.apply_status, 1);
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(States(), (std::vector<std::string>{"Pending", "Retrying"}));
  EXPECT_NE(reports_[1].second.find("offline"), std::string::npos) << reports_[1].second;
  Advance(Millis(3600000));
  EXPECT_EQ(dev_.calls("SetValues"), 0);
  EXPECT_EQ(proxy_->pending_commands(), 1u);
  dev_.online = true;
  proxy_->OnlineChanged(true);
  ASSERT_TRUE(WaitReports(3));
  EXPECT_EQ(reports_.back().first, "Success");
  EXPECT_EQ(dev_.calls("SetValues"), 1);
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Desk");
}

TEST_F(ProxyProviderTest, SpvEmbeddedPendingCommandsSurviveARestart) {
  StartEmbedded();
  dev_.online = false;
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.ok());
  ASSERT_TRUE(Set({{nat_ + "Config.Enabled", "true", {}}}).status.ok());
  EXPECT_EQ(proxy_->pending_commands(), 2u);
  // The process dies; the database file stays.
  Restart(Options(false), /*sync=*/false);
  EXPECT_EQ(proxy_->pending_commands(), 2u);
  // Metadata came back from the database: validation works while the device is away.
  EXPECT_EQ(
      Faults(Set({{nat_ + "DeviceInfo.SoftwareVersion", "x", {}}})),
      (std::vector<Fault>{{nat_ + "DeviceInfo.SoftwareVersion", Code::kNonWritableParameter}}));
  EXPECT_EQ(Faults(Set({{nat_ + "Config.Level", "abc", {}}})),
            (std::vector<Fault>{{nat_ + "Config.Level", Code::kInvalidParameterType}}));
  EXPECT_EQ(dev_.total_calls(), 0);
  dev_.online = true;
  proxy_->OnlineChanged(true);
  ASSERT_TRUE(loop_.RunUntil([&] { return proxy_->pending_commands() == 0; }, kWait));
  loop_.RunUntilIdle();
  EXPECT_EQ(reports_.back().first, "Success");
  ASSERT_EQ(dev_.set_values.size(), 2u);
  EXPECT_EQ(dev_.set_values[0], (CmsPort::Values{{"/UPnP/DM/DeviceInfo/FriendlyName", "Desk"}}));
  EXPECT_EQ(dev_.set_values[1], (CmsPort::Values{{"/UPnP/DM/Config/Enabled", "1"}}));
  Restart(Options(false), /*sync=*/false);
  EXPECT_EQ(proxy_->pending_commands(), 0u);
}

TEST_F(ProxyProviderTest, SpvEmbeddedRetryCountSurvivesARestart) {
  StartEmbedded();
  dev_.FailNext("SetValues", 5, 708);
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.ok());
  ASSERT_TRUE(WaitReports(2));
  for (int wait_s : {5, 10, 20}) Advance(Millis(wait_s * 1000));
  EXPECT_EQ(dev_.calls("SetValues"), 4);
  Restart(Options(false), /*sync=*/false);
  // Fifth and last try.
  proxy_->OnlineChanged(true);
  loop_.RunUntilIdle();
  EXPECT_EQ(dev_.calls("SetValues"), 1);
  ASSERT_FALSE(reports_.empty());
  EXPECT_EQ(reports_.back().first, "Error");
  EXPECT_EQ(proxy_->pending_commands(), 0u);
}

TEST_F(ProxyProviderTest, SpvEmbeddedCommandsDeliveredOneByOneInOrder) {
  StartEmbedded();
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "One", {}}}).status.ok());
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "Two", {}}}).status.ok());
  ASSERT_TRUE(Set({{nat_ + "Config.Level", "8", {}}}).status.ok());
  ASSERT_TRUE(loop_.RunUntil([&] { return proxy_->pending_commands() == 0; }, kWait));
  loop_.RunUntilIdle();
  ASSERT_EQ(dev_.set_values.size(), 3u);
  EXPECT_EQ(dev_.set_values[0], (CmsPort::Values{{"/UPnP/DM/DeviceInfo/FriendlyName", "One"}}));
  EXPECT_EQ(dev_.set_values[1], (CmsPort::Values{{"/UPnP/DM/DeviceInfo/FriendlyName", "Two"}}));
  EXPECT_EQ(dev_.set_values[2], (CmsPort::Values{{"/UPnP/DM/Config/Level", "8"}}));
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Two");
  EXPECT_EQ(States().front(), "Pending");
  EXPECT_EQ(States().back(), "Success");
}

TEST_F(ProxyProviderTest, SpvRowsNeverReadAreCheckedWithTheDevice) {
  StartEmbedded();
  // A row the device created behind our back: asked once, then accepted.
  dev_.AddRow("/UPnP/DM/Storage/Volume/4/");
  dev_.ResetCounters();
  SetResult r = Set({{nat_ + "Storage.Volume.4.Name", "new", {}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(dev_.calls("GetAttributes"), 1);
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(reports_.back().first, "Success");
  EXPECT_EQ(dev_.Value("/UPnP/DM/Storage/Volume/4/Name"), "new");
  // A row it does not have: 9005 at once, never Status 1.
  r = Set({{nat_ + "Storage.Volume.5.Name", "x", {}}, {nat_ + "Config.Level", "3", {}}});
  EXPECT_EQ(Faults(r),
            (std::vector<Fault>{{nat_ + "Storage.Volume.5.Name", Code::kInvalidParameterName}}));
  // Two unknown rows in one request: each is pinned.
  r = Set({{nat_ + "Storage.Volume.5.Name", "x", {}},
           {nat_ + "Storage.Volume.1.Share.7.Name", "y", {}},
           {nat_ + "DeviceInfo.FriendlyName", "Desk", {}}});
  EXPECT_EQ(Faults(r), (std::vector<Fault>{
                           {nat_ + "Storage.Volume.5.Name", Code::kInvalidParameterName},
                           {nat_ + "Storage.Volume.1.Share.7.Name", Code::kInvalidParameterName}}));
  loop_.RunUntilIdle();
  EXPECT_EQ(dev_.calls("SetValues"), 1);
  EXPECT_EQ(reports_.size(), 2u);
}

// ---------------------------------------------------------------------------------------------
// SetParameterValues: virtual mode.

TEST_F(ProxyProviderTest, SpvVirtualWaitsForTheDevice) {
  StartVirtual();
  SetResult r = Set({{vnat_ + "DeviceInfo.FriendlyName", "Desk", {}},
                     {"Device.WiFi.SSID.1.Enable", "false", {}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.apply_status, 0);
  ASSERT_EQ(dev_.calls("SetValues"), 1);
  EXPECT_EQ(dev_.set_values[0], (CmsPort::Values{{"/UPnP/DM/DeviceInfo/FriendlyName", "Desk"},
                                                 {"/BBF/WiFi/SSID/0/Enable", "0"}}));
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Desk");
  dev_.set_status = "ChangesCommitted";
  r = Set({{vnat_ + "DeviceInfo.FriendlyName", "Den", {}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.apply_status, 1);
  EXPECT_TRUE(reports_.empty());  // no CommandProcessed in virtual mode
  EXPECT_EQ(proxy_->pending_commands(), 0u);
}

TEST_F(ProxyProviderTest, SpvVirtualDeviceErrorsMapToFaults) {
  StartVirtual();
  dev_.FailNext("SetValues", 1, 706);
  EXPECT_EQ(Set({{vnat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.code(),
            Code::kNonWritableParameter);
  dev_.FailNext("SetValues", 1, 705);
  EXPECT_EQ(Set({{vnat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.code(),
            Code::kInvalidParameterValue);
  dev_.FailNext("SetValues", 1, 708);
  EXPECT_EQ(Set({{vnat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.code(),
            Code::kInternalError);
  dev_.online = false;
  EXPECT_EQ(Set({{vnat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.code(),
            Code::kInternalError);
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Lamp a");
  // Validation is local in virtual mode too.
  dev_.online = true;
  dev_.ResetCounters();
  EXPECT_EQ(
      Faults(Set({{vnat_ + "DeviceInfo.SoftwareVersion", "x", {}}})),
      (std::vector<Fault>{{vnat_ + "DeviceInfo.SoftwareVersion", Code::kNonWritableParameter}}));
  EXPECT_EQ(dev_.calls("SetValues"), 0);
}

// ---------------------------------------------------------------------------------------------
// SetParameterValues: a stored and a proxied parameter in one request.

TEST_F(ProxyProviderTest, SpvMixedStoredAndProxied) {
  StartEmbedded();
  const std::string code = "Device.DeviceInfo.ProvisioningCode";
  const std::string before = Value(code);
  SetResult r = Set({{code, "abc", {}}, {nat_ + "DeviceInfo.FriendlyName", "Desk", {}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.apply_status, 1);
  EXPECT_EQ(Value(code), "abc");
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(reports_.back().first, "Success");
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Desk");
  EXPECT_NE(before, "abc");

  // The proxied one is invalid: nothing is applied, the stored value stays.
  dev_.ResetCounters();
  r = Set({{code, "zzz", {}}, {nat_ + "DeviceInfo.SoftwareVersion", "x", {}}});
  EXPECT_EQ(r.status.code(), Code::kInvalidArguments);
  EXPECT_EQ(
      Faults(r),
      (std::vector<Fault>{{nat_ + "DeviceInfo.SoftwareVersion", Code::kNonWritableParameter}}));
  EXPECT_EQ(Value(code), "abc");
  // The stored one is invalid: the proxied one is not sent.
  r = Set({{code, std::string(65, 'z'), {}}, {nat_ + "DeviceInfo.FriendlyName", "Den", {}}});
  EXPECT_EQ(Faults(r), (std::vector<Fault>{{code, Code::kInvalidParameterValue}}));
  loop_.RunUntilIdle();
  Advance(Millis(60000));
  EXPECT_EQ(dev_.calls("SetValues"), 0);
  EXPECT_EQ(proxy_->pending_commands(), 0u);
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Desk");
  EXPECT_EQ(Value(code), "abc");
}

}  // namespace
}  // namespace proxier::proxy
