// VdFixture: VirtualDevices on a gateway model, a FakeCms appliance and a ScriptedAcs, all in
// process (loopback HTTP only).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "fake_cms.h"
#include "proxier/core/connection_request_server.h"
#include "proxier/core/gateway_model.h"
#include "proxier/core/http_client.h"
#include "proxier/datamodel/schema.h"
#include "proxier/proxy/instance_map.h"
#include "proxier/virtual_devices/virtual_devices.h"
#include "scripted_acs.h"

namespace proxier::testing {

namespace cwmp = core::cwmp;

class VdFixture : public ::testing::Test {
 protected:
  static constexpr char kUdn[] = "5a1e0000-0000-4000-8000-00000000c0de";

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pxvd-" + std::to_string(getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(
        datamodel::LoadSchemaDir(std::string(PROXIER_SOURCE_DIR) + "/datamodel/defs", &schema_)
            .ok());
    core::ConnectionRequestOptions cr;
    cr.listen_host = "127.0.0.1";
    cr.port = 0;
    cr.rate_limit = 20;
    auto server = core::ConnectionRequestServer::Start(loop_, cr);
    ASSERT_TRUE(server.ok());
    cr_ = std::move(server).value();
    const std::string dm = "/UPnP/DM/DeviceInfo/";
    cms_.values = {
        {dm + "PhysicalDevice/DeviceID/ManufacturerOUI", "A1B2C3"},
        {dm + "PhysicalDevice/DeviceID/ProductClass", "SmartPlug"},
        {dm + "PhysicalDevice/DeviceID/SerialNumber", "SP-0001"},
        {dm + "SoftwareVersion", "2.3.4"},
        {"/UPnP/DM/Monitoring/OperatingSystem/CPUUsage", "12"},
        {"/BBF/WiFi/SSID/0/SSID", "home"},
        {"/BBF/WiFi/SSID/0/Enable", "1"},
    };
    cms_.types["/UPnP/DM/Monitoring/OperatingSystem/CPUUsage"] = "ui4";
    cms_.types["/BBF/WiFi/SSID/0/Enable"] = "boolean";
    cms_.writable.insert("/BBF/WiFi/SSID/0/SSID");
    root_.uuid = kUdn;
    root_.description.emplace();
    root_.description->root.udn = std::string("uuid:") + kUdn;
    root_.description->root.manufacturer = "Acme";
    root_.description->root.model_name = "Plug X";
    root_.description->root.model_description = "A smart plug";
    root_.description->root.serial_number = "DESC-SN";
    OpenDb();
  }
  void TearDown() override {
    vd_.reset();
    map_.reset();
    gw_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  // (Re)opens the store: a daemon restart (VirtualDevices must be gone).
  void OpenDb() {
    vd_.reset();
    map_.reset();
    gw_.reset();
    db_.reset();
    db_ = std::move(Db::Open((dir_ / "store.db").string())).value();
    auto gw = core::GatewayModel::Create(
        *db_, schema_, "gw", {"Proxier", "02C0DE", "ProxierGW", "PX0001", "M", "D", "hw", "1.0"},
        clock_);
    ASSERT_TRUE(gw.ok()) << gw.status();
    gw_ = std::move(gw).value();
    map_ = std::move(proxy::InstanceMap::Open(*db_, kUdn)).value();
  }
  virtual_devices::VirtualDevicesOptions Options() {
    virtual_devices::VirtualDevicesOptions o;
    o.proxier = {"02C0DE", "ProxierGW", "PX0001"};
    const std::string ms = "Device.ManagementServer.";
    o.acs_seed = {{ms + "URL", acs_.Url(), {}},
                  {ms + "PeriodicInformEnable", "false", {}},
                  {ms + "CWMPRetryMinimumWaitInterval", "1", {}},
                  {ms + "ConnectionRequestUsername", "gateway-user", {}}};  // not inherited
    o.cr_secret = Secret("s3cret");
    o.work_dir = (dir_ / "work").string();
    o.notify_poll = Millis(0);
    o.gateway = &gw_->model();
    o.find_device = [this](const std::string& udn) { return udn == kUdn ? &root_ : nullptr; };
    o.on_fallback = [this](const std::string& udn, const std::string& reason) {
      fallbacks_.push_back(udn + ": " + reason);
    };
    o.identify_retry = Millis(50);
    o.sms_poll = Millis(20);
    return o;
  }
  void CreateVd() { CreateVd(Options()); }
  void CreateVd(virtual_devices::VirtualDevicesOptions o) {
    auto vd = virtual_devices::VirtualDevices::Create(loop_, random_, *db_, schema_, http_,
                                                      cr_.get(), actions_, std::move(o));
    ASSERT_TRUE(vd.ok()) << vd.status();
    vd_ = std::move(vd).value();
  }
  proxy::ManagedDevice Md() { return {kUdn, &root_, {}, &cms_, map_.get()}; }
  // Attaches the appliance and waits for the end of the first session.
  void AttachAndBootstrap() {
    ASSERT_TRUE(vd_->Attach(Md()).ok());
    ASSERT_TRUE(Wait([&] { return Client() && Client()->sessions_ok() >= 1 && Idle(); }));
  }
  core::CwmpClient* Client() { return vd_->Client(kUdn); }
  bool Idle() { return Client() && !Client()->in_session(); }
  bool Wait(const std::function<bool()>& done, Millis timeout = Millis(15000)) {
    return loop_.RunUntil(done, timeout);
  }
  // A connection request to `url` with Digest credentials; returns the HTTP status.
  long ConnectionRequest(const std::string& url, const std::string& user, const std::string& pass) {
    auto s = http_.NewSession();
    core::HttpRequest req;
    req.method = "GET";
    req.url = url;
    req.username = user;
    req.password = Secret(pass);
    req.allow_basic = false;
    std::optional<Result<core::HttpResponse>> out;
    EXPECT_TRUE(
        s->Send(req, [&](Result<core::HttpResponse> r) { out.emplace(std::move(r)); }).ok());
    EXPECT_TRUE(Wait([&] { return out.has_value(); }));
    return out && out->ok() ? (*out)->status : -1;
  }
  std::string CrUrl() { return Client()->connection_request_url(); }
  std::string CrPassword() { return virtual_devices::DerivedCrPassword("s3cret", kUdn); }
  std::string GwValue(const std::string& name) {
    return gw_->store().Get(name).value_or("<error>");
  }
  cwmp::Inform InformAt(size_t i) {
    return std::get<cwmp::Inform>(std::get<cwmp::CpeRequest>(acs_.Of("Inform").at(i).message.body));
  }
  static std::vector<std::string> Codes(const std::vector<cwmp::EventStruct>& events) {
    std::vector<std::string> out;
    for (const auto& e : events)
      out.push_back(e.code + (e.command_key.empty() ? "" : "/" + e.command_key));
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::map<std::string, std::string> ValuesOf(const std::vector<datamodel::ParamValue>& v) {
    std::map<std::string, std::string> out;
    for (const auto& p : v) out[p.name] = p.value;
    return out;
  }

  static inline int counter_ = 0;
  std::filesystem::path dir_;
  SystemClock clock_;
  EventLoop loop_{clock_};
  DefaultRandom random_{7};
  core::HttpClient http_{loop_};
  datamodel::Schema schema_;
  std::unique_ptr<core::ConnectionRequestServer> cr_;
  ScriptedAcs acs_;
  FakeCms cms_{loop_};
  FakeActions actions_{loop_};
  upnp::RootDevice root_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<core::GatewayModel> gw_;
  std::unique_ptr<proxy::InstanceMap> map_;
  std::unique_ptr<virtual_devices::VirtualDevices> vd_;
  std::vector<std::string> fallbacks_;
};

}  // namespace proxier::testing
