// A CwmpClient on the gateway model (our defs) with a ScriptedAcs, for session tests.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "proxier/core/connection_request_server.h"
#include "proxier/core/cwmp_client.h"
#include "proxier/core/gateway_model.h"
#include "proxier/core/http_client.h"
#include "scripted_acs.h"

namespace proxier::testing {

class ClientFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pxclient-" + std::to_string(getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(
        datamodel::LoadSchemaDir(std::string(PROXIER_SOURCE_DIR) + "/datamodel/defs", &schema_)
            .ok());
    core::ConnectionRequestOptions cr;
    cr.listen_host = "127.0.0.1";
    cr.port = 0;
    cr.rate_limit = 3;
    auto server = core::ConnectionRequestServer::Start(loop_, cr);
    ASSERT_TRUE(server.ok());
    cr_ = std::move(server).value();
    OpenClient();
  }
  void TearDown() override {
    client_.reset();
    gw_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  // (Re)creates store, model and client on the same database file: a daemon restart.
  void OpenClient() {
    client_.reset();
    gw_.reset();
    db_.reset();
    db_ = std::move(Db::Open((dir_ / "store.db").string())).value();
    auto gw = core::GatewayModel::Create(
        *db_, schema_, "gw", {"Proxier", "02C0DE", "TestGW", "T0001", "M", "D", "hw1", "1.0"},
        clock_);
    ASSERT_TRUE(gw.ok()) << gw.status();
    gw_ = std::move(gw).value();
    core::CwmpClientOptions options;
    options.cr_path = "/cr";
    options.work_dir = (dir_ / "work").string();
    options.notify_poll = Millis(0);
    options.forced_inform = {"Device.RootDataModelVersion", "Device.DeviceInfo.SoftwareVersion",
                             "Device.ManagementServer.ParameterKey",
                             "Device.ManagementServer.ConnectionRequestURL"};
    const std::string ms = "Device.ManagementServer.";
    options.seed = {{ms + "URL", acs_.Url(), {}},
                    {ms + "PeriodicInformEnable", "false", {}},
                    {ms + "ConnectionRequestUsername", "cruser", {}},
                    {ms + "ConnectionRequestPassword", "crpass", {}},
                    {ms + "CWMPRetryMinimumWaitInterval", "1", {}},
                    {ms + "CWMPRetryIntervalMultiplier", "2000", {}}};
    hooks_.reboot = [this] { ++reboots_; };
    hooks_.factory_reset = [this] { ++factory_resets_; };
    if (skip_factory_reset_) hooks_.factory_reset = nullptr;  // as if killed before the reset
    client_ = std::make_unique<core::CwmpClient>(loop_, random_, *db_, gw_->model(), gw_->store(),
                                                 http_, cr_.get(), hooks_, options);
  }
  bool Wait(const std::function<bool()>& done, Millis timeout = Millis(15000)) {
    return loop_.RunUntil(done, timeout);
  }
  // Starts the client and waits for the first session to end.
  void StartAndSettle() {
    ASSERT_TRUE(client_->Start().ok());
    ASSERT_TRUE(Wait([&] {
      return client_->sessions_ok() + client_->sessions_failed() >= 1 && !client_->in_session();
    }));
  }
  std::string Value(const std::string& name) { return gw_->store().Get(name).value_or("<error>"); }
  static std::vector<std::string> Codes(const std::vector<core::cwmp::EventStruct>& events) {
    std::vector<std::string> out;
    for (const auto& e : events)
      out.push_back(e.code + (e.command_key.empty() ? "" : "/" + e.command_key));
    return out;
  }

  static inline int counter_ = 0;
  std::filesystem::path dir_;
  SystemClock clock_;
  EventLoop loop_{clock_};
  DefaultRandom random_{1};
  core::HttpClient http_{loop_};
  datamodel::Schema schema_;
  std::unique_ptr<core::ConnectionRequestServer> cr_;
  ScriptedAcs acs_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<core::GatewayModel> gw_;
  core::ClientHooks hooks_;
  std::unique_ptr<core::CwmpClient> client_;
  int reboots_ = 0, factory_resets_ = 0;
  bool skip_factory_reset_ = false;
};

}  // namespace proxier::testing
