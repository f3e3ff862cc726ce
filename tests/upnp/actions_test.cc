// Every CMS/BMS/SMS action of DmClient against the simulator, UPnP errors, timeouts, and
// malformed answers.
#include <algorithm>
#include <chrono>
#include <iostream>

#include "sim_process.h"

namespace proxier::upnp::testing {
namespace {

using std::chrono::milliseconds;
using PVs = std::vector<cms::ParameterValue>;
using Paths = std::vector<std::string>;

class ActionsTest : public ControlPointTest {
 protected:
  void SetUp() override {
    sim_ = std::make_unique<Sim>(2, 61001, "actions", std::vector<std::string>{},
                                 std::vector<std::string>{"smart-plug", "nas"});
    ASSERT_TRUE(sim_->ready());
    plug_ = sim_->Udn(0);
    nas_ = sim_->Udn(1);
    StartControlPoint();
    ASSERT_TRUE(WaitFor([&] { return Described(plug_) && Described(nas_); }, kWait));
    // Subscriptions accepted by both devices: later changes are evented (one made before a
    // device accepts a subscription only shows in its initial event).
    ASSERT_TRUE(WaitFor(
        [&] { return Accepted(*sim_, 0).size() == 3 && Accepted(*sim_, 1).size() == 3; }, kWait));
  }
  std::string Value(const std::string& uuid, const std::string& path) {
    auto r = Await<PVs>([&](auto cb) { dm_->GetValues(uuid, {path}, cb); });
    EXPECT_TRUE(r.ok()) << r.status;
    return r.ok() && r.value.size() == 1 ? r.value[0].value : "<error>";
  }
  std::unique_ptr<Sim> sim_;
  std::string plug_, nas_;
};

TEST_F(ActionsTest, CmsReadActions) {
  auto models =
      Await<std::vector<cms::SubTree>>([&](auto cb) { dm_->GetSupportedDataModels(plug_, cb); });
  ASSERT_TRUE(models.ok()) << models.status;
  ASSERT_EQ(models.value.size(), 2u);
  EXPECT_EQ(models.value[1].location, "/BBF/");

  auto all = Await<PVs>([&](auto cb) { dm_->GetValues(plug_, {"/UPnP/DM/DeviceInfo/"}, cb); });
  ASSERT_TRUE(all.ok()) << all.status;
  EXPECT_GE(all.value.size(), 6u);
  EXPECT_EQ(Value(plug_, "/UPnP/DM/DeviceInfo/PhysicalDevice/DeviceID/SerialNumber"), "SP000000");
  EXPECT_EQ(Value(nas_, "/UPnP/DM/DeviceInfo/PhysicalDevice/DeviceID/SerialNumber"), "NAS000001");
  EXPECT_EQ(Value(plug_, "/UPnP/DM/DeviceInfo/PhysicalDevice/DeviceID/ManufacturerOUI"), "00A0C6");
  EXPECT_EQ(Value(plug_, "/UPnP/DM/Power/EnergyWh"), "123456789012");
  EXPECT_EQ(Value(plug_, "/UPnP/DM/Power/AmbientTemperature"), "-7");  // int
  EXPECT_EQ(Value(plug_, "/UPnP/DM/Power/PowerFactor"), "0.97");       // r8

  auto params =
      Await<Paths>([&](auto cb) { dm_->GetSupportedParameters(nas_, "/UPnP/DM/Storage/", 0, cb); });
  ASSERT_TRUE(params.ok()) << params.status;
  EXPECT_NE(
      std::find(params.value.begin(), params.value.end(), "/UPnP/DM/Storage/Volume/#/Share/#/Name"),
      params.value.end());
  auto level1 =
      Await<Paths>([&](auto cb) { dm_->GetSupportedParameters(nas_, "/UPnP/DM/", 1, cb); });
  ASSERT_TRUE(level1.ok());
  EXPECT_NE(std::find(level1.value.begin(), level1.value.end(), "/UPnP/DM/Storage/"),
            level1.value.end());

  auto inst = Await<Paths>([&](auto cb) { dm_->GetInstances(nas_, "/UPnP/DM/Storage/", 0, cb); });
  ASSERT_TRUE(inst.ok()) << inst.status;
  // 2 volumes with 2 shares each.
  EXPECT_EQ(inst.value.size(), 6u);
  EXPECT_NE(std::find(inst.value.begin(), inst.value.end(), "/UPnP/DM/Storage/Volume/2/Share/1/"),
            inst.value.end());
  auto bbf = Await<Paths>([&](auto cb) { dm_->GetInstances(nas_, "/BBF/IP/", 2, cb); });
  ASSERT_TRUE(bbf.ok());
  EXPECT_EQ(bbf.value, (Paths{"/BBF/IP/Interface/0/", "/BBF/IP/Interface/1/"}));

  auto sel = Await<PVs>([&](auto cb) {
    dm_->GetSelectedValues(nas_, "/UPnP/DM/Storage/Volume/#/Share/#/Name", "", cb);
  });
  ASSERT_TRUE(sel.ok()) << sel.status;
  EXPECT_EQ(sel.value.size(), 4u);

  auto attrs = Await<std::vector<cms::NodeAttributes>>(
      [&](auto cb) { dm_->GetAttributes(plug_, {"/UPnP/DM/Power/Relay"}, cb); });
  ASSERT_TRUE(attrs.ok()) << attrs.status;
  ASSERT_EQ(attrs.value.size(), 1u);
  EXPECT_EQ(attrs.value[0].attributes.at("Type"), "boolean");
  EXPECT_EQ(attrs.value[0].attributes.at("Access"), "readWrite");
  EXPECT_EQ(attrs.value[0].attributes.at("EventOnChange"), "1");

  // A table's access, on its structure path (issue 11, item 7): readWrite when instances may be
  // created and deleted, readOnly for a fixed table.
  auto tables = Await<std::vector<cms::NodeAttributes>>([&](auto cb) {
    dm_->GetAttributes(nas_,
                       {"/UPnP/DM/Configuration/Network/IPInterface/#/",
                        "/UPnP/DM/Storage/Volume/#/", "/UPnP/DM/Storage/Volume/#/Share/#/"},
                       cb);
  });
  ASSERT_TRUE(tables.ok()) << tables.status;
  ASSERT_EQ(tables.value.size(), 3u);
  EXPECT_EQ(tables.value[0].path, "/UPnP/DM/Configuration/Network/IPInterface/#/");
  EXPECT_EQ(tables.value[0].attributes.at("Access"), "readOnly");
  EXPECT_EQ(tables.value[1].attributes.at("Access"), "readWrite");
  EXPECT_EQ(tables.value[2].attributes.at("Access"), "readWrite");
  auto no_table = Await<std::vector<cms::NodeAttributes>>(
      [&](auto cb) { dm_->GetAttributes(nas_, {"/UPnP/DM/Storage/#/"}, cb); });
  EXPECT_EQ(no_table.upnp_error, 703);

  auto cu =
      Await<cms::ConfigurationUpdate>([&](auto cb) { dm_->GetConfigurationUpdate(plug_, cb); });
  ASSERT_TRUE(cu.ok()) << cu.status;
  auto ver = Await<uint32_t>([&](auto cb) { dm_->GetCurrentConfigurationVersion(plug_, cb); });
  ASSERT_TRUE(ver.ok());
  EXPECT_EQ(ver.value, cu.value.version);
}

TEST_F(ActionsTest, CmsWritesAndErrors) {
  auto v0 = Await<uint32_t>([&](auto cb) { dm_->GetCurrentConfigurationVersion(plug_, cb); });
  auto set = Await<std::string>([&](auto cb) {
    dm_->SetValues(plug_, {{"/UPnP/DM/Power/Dimmer", "42"}, {"/UPnP/DM/Power/Relay", "0"}}, cb);
  });
  ASSERT_TRUE(set.ok()) << set.status;
  EXPECT_EQ(set.value, "ChangesApplied");
  EXPECT_EQ(Value(plug_, "/UPnP/DM/Power/Dimmer"), "42");
  auto v1 = Await<uint32_t>([&](auto cb) { dm_->GetCurrentConfigurationVersion(plug_, cb); });
  EXPECT_EQ(v1.value, v0.value + 1);

  struct Case {
    PVs values;
    int code;
  } cases[] = {
      {{{"/UPnP/DM/Power/Voltage", "1"}}, 706},                                  // read-only
      {{{"/UPnP/DM/Power/Nope", "1"}}, 703},                                     // no such name
      {{{"/UPnP/DM/Power/Dimmer", "abc"}}, 704},                                 // not a ui1
      {{{"/UPnP/DM/Power/Dimmer", "300"}}, 705},                                 // out of range
      {{{"/UPnP/DM/Power/Dimmer", "7"}, {"/UPnP/DM/Power/Voltage", "1"}}, 706},  // atomic
  };
  for (const auto& c : cases) {
    auto r = Await<std::string>([&](auto cb) { dm_->SetValues(plug_, c.values, cb); });
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.upnp_error, c.code) << r.status;
    EXPECT_EQ(r.status.code(), Code::kInternalError);
  }
  EXPECT_EQ(Value(plug_, "/UPnP/DM/Power/Dimmer"), "42");  // nothing applied by the atomic case

  // 701 from the device: the typed client refuses such paths, so send the raw action.
  std::optional<ActionOutcome> raw;
  cp_->Invoke(plug_, DmService::kCms, "GetInstances",
              {{"StartingNode", "not/a/path"}, {"SearchDepth", "0"}},
              [&](ActionOutcome o) { raw = std::move(o); });
  ASSERT_TRUE(WaitFor([&] { return raw.has_value(); }, kWait));
  EXPECT_EQ(raw->upnp_error, 701);
  EXPECT_NE(raw->status.message().find("Invalid Argument Syntax"), std::string::npos);
  // 702: not XML where XML is due.
  raw.reset();
  cp_->Invoke(plug_, DmService::kCms, "GetValues", {{"Parameters", "<<garbage"}},
              [&](ActionOutcome o) { raw = std::move(o); });
  ASSERT_TRUE(WaitFor([&] { return raw.has_value(); }, kWait));
  EXPECT_EQ(raw->upnp_error, 702);
  // 401: unknown action.
  raw.reset();
  cp_->Invoke(plug_, DmService::kCms, "Bogus", {}, [&](ActionOutcome o) { raw = std::move(o); });
  ASSERT_TRUE(WaitFor([&] { return raw.has_value(); }, kWait));
  EXPECT_EQ(raw->upnp_error, 401);
  // Bad paths never leave the control point.
  auto local = Await<PVs>([&](auto cb) { dm_->GetValues(plug_, {"UPnP/DM"}, cb); });
  EXPECT_EQ(local.status.code(), Code::kInvalidArguments);
  EXPECT_EQ(local.upnp_error, 0);

  // Instances: create (with initial values), read, delete; nested table under a new row.
  const size_t events_before_create = rec_.events.size();
  auto created = Await<CreateInstanceResult>([&](auto cb) {
    dm_->CreateInstance(nas_, "/UPnP/DM/Storage/Volume/#/", {{"Name", "backup"}}, cb);
  });
  ASSERT_TRUE(created.ok()) << created.status;
  EXPECT_EQ(created.value.instance_path, "/UPnP/DM/Storage/Volume/3/");
  // A new instance changes the supported parameters: evented as SupportedParametersUpdate.
  auto supported_update = [&](size_t from) {
    for (size_t i = from; i < rec_.events.size(); ++i) {
      for (const auto& [k, v] : rec_.events[i].vars) {
        if (rec_.events[i].uuid == nas_ && k == "SupportedParametersUpdate" && !v.empty()) {
          return true;
        }
      }
    }
    return false;
  };
  EXPECT_TRUE(WaitFor([&] { return supported_update(events_before_create); }, kWait));
  EXPECT_EQ(Value(nas_, "/UPnP/DM/Storage/Volume/3/Name"), "backup");
  auto share = Await<CreateInstanceResult>(
      [&](auto cb) { dm_->CreateInstance(nas_, "/UPnP/DM/Storage/Volume/3/Share/#/", {}, cb); });
  ASSERT_TRUE(share.ok()) << share.status;
  EXPECT_EQ(share.value.instance_path, "/UPnP/DM/Storage/Volume/3/Share/1/");
  auto ro_table = Await<CreateInstanceResult>([&](auto cb) {
    dm_->CreateInstance(nas_, "/UPnP/DM/Configuration/Network/IPInterface/#/", {}, cb);
  });
  EXPECT_EQ(ro_table.upnp_error, 706);
  auto del = Await<std::string>(
      [&](auto cb) { dm_->DeleteInstance(nas_, "/UPnP/DM/Storage/Volume/3/", cb); });
  ASSERT_TRUE(del.ok()) << del.status;
  auto gone =
      Await<PVs>([&](auto cb) { dm_->GetValues(nas_, {"/UPnP/DM/Storage/Volume/3/"}, cb); });
  EXPECT_EQ(gone.upnp_error, 703);
  auto del2 = Await<std::string>(
      [&](auto cb) { dm_->DeleteInstance(nas_, "/UPnP/DM/Storage/Volume/3/", cb); });
  EXPECT_EQ(del2.upnp_error, 703);

  // Attributes: EventOnChange is settable, Access is not.
  auto sa = Await<std::string>([&](auto cb) {
    dm_->SetAttributes(plug_, {{"/UPnP/DM/Power/Voltage", {{"EventOnChange", "1"}}}}, cb);
  });
  ASSERT_TRUE(sa.ok()) << sa.status;
  auto ga = Await<std::vector<cms::NodeAttributes>>(
      [&](auto cb) { dm_->GetAttributes(plug_, {"/UPnP/DM/Power/Voltage"}, cb); });
  ASSERT_TRUE(ga.ok());
  EXPECT_EQ(ga.value[0].attributes.at("EventOnChange"), "1");
  auto sa2 = Await<std::string>([&](auto cb) {
    dm_->SetAttributes(plug_, {{"/UPnP/DM/Power/Voltage", {{"Access", "readWrite"}}}}, cb);
  });
  EXPECT_EQ(sa2.upnp_error, 706);
}

TEST_F(ActionsTest, InjectedErrorsLatencyTimeoutAndMalformedAnswers) {
  ASSERT_EQ(sim_->Command("error 0 708 2"), "OK");
  for (int i = 0; i < 2; ++i) {
    auto r = Await<std::string>([&](auto cb) { dm_->GetDeviceStatus(plug_, cb); });
    EXPECT_EQ(r.upnp_error, 708);
    EXPECT_NE(r.status.message().find("Resource Temporarily Unavailable"), std::string::npos);
  }
  EXPECT_TRUE(Await<std::string>([&](auto cb) { dm_->GetDeviceStatus(plug_, cb); }).ok());
  // The other device is unaffected by the first one's knobs, and its answer does not wait for
  // the slow one (the HTTP worker runs transfers concurrently).
  ASSERT_EQ(sim_->Command("latency 0 3000"), "OK");
  auto t0 = std::chrono::steady_clock::now();
  std::optional<ActionOutcome> slow;
  std::chrono::steady_clock::duration slow_after{};
  cp_->Invoke(
      plug_, DmService::kBms, "GetDeviceStatus", {},
      [&](ActionOutcome o) {
        slow = std::move(o);
        slow_after = std::chrono::steady_clock::now() - t0;
      },
      milliseconds(1000));
  auto fast = Await<std::string>([&](auto cb) { dm_->GetDeviceStatus(nas_, cb); });
  EXPECT_TRUE(fast.ok());
  EXPECT_FALSE(slow.has_value());  // the fast answer did not wait for the slow device
  ASSERT_TRUE(WaitFor([&] { return slow.has_value(); }, milliseconds(20000)));
  // Timed out (the answer would have come after 3 s), not earlier than asked.
  EXPECT_EQ(slow->status.code(), Code::kInternalError);
  EXPECT_NE(slow->status.message().find("timeout"), std::string::npos) << slow->status;
  EXPECT_GE(slow_after, milliseconds(950));
  ASSERT_EQ(sim_->Command("latency 0 0"), "OK");

  ASSERT_EQ(sim_->Command("malformed 0 embedded"), "OK");
  auto embedded = Await<PVs>([&](auto cb) { dm_->GetValues(plug_, {"/UPnP/DM/Power/"}, cb); });
  ASSERT_TRUE(embedded.ok()) << embedded.status;  // inline XML is accepted
  EXPECT_GE(embedded.value.size(), 10u);
  ASSERT_EQ(sim_->Command("malformed 0 garbage"), "OK");
  auto garbage = Await<PVs>([&](auto cb) { dm_->GetValues(plug_, {"/UPnP/DM/Power/"}, cb); });
  EXPECT_EQ(garbage.status.code(), Code::kInternalError);
  EXPECT_EQ(garbage.upnp_error, 0);
  ASSERT_EQ(sim_->Command("malformed 0 off"), "OK");
  EXPECT_TRUE(Await<PVs>([&](auto cb) { dm_->GetValues(plug_, {"/UPnP/DM/Power/"}, cb); }).ok());
}

TEST_F(ActionsTest, BmsActions) {
  auto status = Await<std::string>([&](auto cb) { dm_->GetDeviceStatus(plug_, cb); });
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status.value.substr(0, 3), "OK,");
  PingRequest p;
  p.host = "192.0.2.1";
  p.repetitions = 3;
  const size_t events_before = rec_.events.size();
  auto id = Await<uint32_t>([&](auto cb) { dm_->Ping(plug_, p, cb); });
  ASSERT_TRUE(id.ok()) << id.status;
  auto early = Await<PingResult>([&](auto cb) { dm_->GetPingResult(plug_, id.value, cb); });
  auto active = Await<std::vector<uint32_t>>([&](auto cb) { dm_->GetActiveTestIDs(plug_, cb); });
  ASSERT_TRUE(active.ok());
  if (early.ok()) {
    EXPECT_TRUE(active.value.empty());  // completed already
  } else {
    EXPECT_EQ(early.upnp_error, 708);  // Invalid Test State while in progress
  }
  // Completion is evented through ActiveTestIDs; then the result is there.
  ASSERT_TRUE(WaitFor(
      [&] {
        // The event listing the test among all tests and no active one.
        for (size_t i = events_before; i < rec_.events.size(); ++i) {
          const auto& e = rec_.events[i];
          bool listed = false, idle = false;
          for (const auto& [k, v] : e.vars) {
            listed = listed || (k == "TestIDs" && v == std::to_string(id.value));
            idle = idle || (k == "ActiveTestIDs" && v.empty());
          }
          if (e.uuid == plug_ && listed && idle) return true;
        }
        return false;
      },
      kWait));
  auto result = Await<PingResult>([&](auto cb) { dm_->GetPingResult(plug_, id.value, cb); });
  ASSERT_TRUE(result.ok()) << result.status;
  EXPECT_EQ(result.value.status, "Success");
  EXPECT_EQ(result.value.success_count, 3u);
  auto all = Await<std::vector<uint32_t>>([&](auto cb) { dm_->GetTestIDs(plug_, cb); });
  EXPECT_EQ(all.value, std::vector<uint32_t>{id.value});
  EXPECT_EQ(
      Await<DmClient::Unit>([&](auto cb) { dm_->CancelTest(plug_, id.value, cb); }).upnp_error,
      709);
  EXPECT_EQ(Await<DmClient::Unit>([&](auto cb) { dm_->CancelTest(plug_, 99, cb); }).upnp_error,
            706);
  // A second ping, cancelled while running.
  auto id2 = Await<uint32_t>([&](auto cb) { dm_->Ping(plug_, p, cb); });
  ASSERT_TRUE(id2.ok());
  EXPECT_TRUE(Await<DmClient::Unit>([&](auto cb) { dm_->CancelTest(plug_, id2.value, cb); }).ok());

  // BaselineReset restores the profile values.
  ASSERT_TRUE(Await<std::string>([&](auto cb) {
                dm_->SetValues(plug_, {{"/UPnP/DM/Power/Dimmer", "5"}}, cb);
              }).ok());
  EXPECT_TRUE(Await<DmClient::Unit>([&](auto cb) { dm_->BaselineReset(plug_, cb); }).ok());
  EXPECT_EQ(Value(plug_, "/UPnP/DM/Power/Dimmer"), "100");
}

TEST_F(ActionsTest, SmsActions) {
  auto wait_done = [&](uint32_t op) {
    OperationInfo info;
    EXPECT_TRUE(WaitFor(
        [&] {
          auto r = Await<OperationInfo>([&](auto cb) { dm_->GetOperationInfo(nas_, op, cb); });
          info = r.value;
          return r.ok() && (r.value.state == "Completed" || r.value.state == "Error");
        },
        kWait));
    return info;
  };
  auto op = Await<uint32_t>([&](auto cb) {
    dm_->Install(nas_, "http://192.0.2.9/apps/media-1.0.ipk", "Application", cb);
  });
  ASSERT_TRUE(op.ok()) << op.status;
  OperationInfo info = wait_done(op.value);
  EXPECT_EQ(info.state, "Completed");
  EXPECT_EQ(info.action, "Install");
  auto dus = Await<std::vector<uint32_t>>([&](auto cb) { dm_->GetDUIDs(nas_, cb); });
  ASSERT_TRUE(dus.ok());
  ASSERT_EQ(dus.value.size(), 1u);
  auto du = Await<DuInfo>([&](auto cb) { dm_->GetDUInfo(nas_, dus.value[0], cb); });
  ASSERT_TRUE(du.ok());
  EXPECT_EQ(du.value.name, "media-1.0.ipk");
  EXPECT_EQ(du.value.state, "Installed");
  auto up = Await<uint32_t>(
      [&](auto cb) { dm_->Update(nas_, dus.value[0], "http://192.0.2.9/apps/media-2.0.ipk", cb); });
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(wait_done(up.value).state, "Completed");
  EXPECT_EQ(Await<DuInfo>([&](auto cb) { dm_->GetDUInfo(nas_, dus.value[0], cb); }).value.version,
            "2.0");
  auto start = Await<uint32_t>([&](auto cb) { dm_->Start(nas_, dus.value[0], cb); });
  ASSERT_TRUE(start.ok());
  auto stop = Await<uint32_t>([&](auto cb) { dm_->Stop(nas_, dus.value[0], cb); });
  ASSERT_TRUE(stop.ok());
  auto un = Await<uint32_t>([&](auto cb) { dm_->Uninstall(nas_, dus.value[0], cb); });
  ASSERT_TRUE(un.ok());
  EXPECT_EQ(wait_done(un.value).state, "Completed");
  EXPECT_TRUE(
      Await<std::vector<uint32_t>>([&](auto cb) { dm_->GetDUIDs(nas_, cb); }).value.empty());
  auto bad = Await<uint32_t>(
      [&](auto cb) { dm_->Install(nas_, "http://192.0.2.9/fw/corrupt.bin", "Firmware", cb); });
  ASSERT_TRUE(bad.ok());
  OperationInfo failed = wait_done(bad.value);
  EXPECT_EQ(failed.state, "Error");
  EXPECT_EQ(failed.error_description, "Error_CorruptedFile");
  EXPECT_EQ(
      Await<uint32_t>([&](auto cb) { dm_->Install(nas_, "http://x/y", "Bogus", cb); }).upnp_error,
      600);
  EXPECT_EQ(Await<uint32_t>([&](auto cb) { dm_->Uninstall(nas_, 77, cb); }).upnp_error, 600);
}

// Round trip of one GetValues (one parameter) on loopback, sequential: SOAP request built,
// sent by the HTTP worker, answered by the simulator (libupnp), parsed, completion posted.
TEST_F(ActionsTest, RoundTripTime) {
  const int n = 1000;
  std::vector<int64_t> us;
  us.reserve(n);
  for (int i = 0; i < n; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(Await<PVs>([&](auto cb) {
                  dm_->GetValues(plug_, {"/UPnP/DM/DeviceInfo/SoftwareVersion"}, cb);
                }).ok());
    us.push_back(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count());
  }
  std::sort(us.begin(), us.end());
  int64_t sum = 0;
  for (int64_t x : us) sum += x;
  std::cout << "[measure] GetValues round trip on loopback (" << n << " sequential calls): median "
            << us[n / 2] << " us, p99 " << us[n * 99 / 100] << " us, mean " << sum / n
            << " us, max " << us.back() << " us" << std::endl;
  EXPECT_LT(us[n / 2], 200000);
}

}  // namespace
}  // namespace proxier::upnp::testing
