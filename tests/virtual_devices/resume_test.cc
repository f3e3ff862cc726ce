// What a virtual device owes its ACS survives a restart of the daemon (issue 11, item 5): a
// Download, a ChangeDUState and an IPPing under way on the appliance are resumed, an
// acknowledged Reboot never sent to the appliance is sent.
#include "vd_fixture.h"

namespace proxier::testing {
namespace {

class ResumeTest : public VdFixture {
 protected:
  void SetUp() override {
    VdFixture::SetUp();
    upnp::ServiceInfo sms;
    sms.service_type = "urn:schemas-upnp-org:service:SoftwareManagement:1";
    sms.service_id = "urn:upnp-org:serviceId:SoftwareManagement";
    upnp::ServiceInfo bms;
    bms.service_type = "urn:schemas-upnp-org:service:BasicManagement:2";
    bms.service_id = "urn:upnp-org:serviceId:BasicManagement";
    root_.description->root.services = {sms, bms};
    // Before the restart nothing is polled: operations stay under way on the appliance.
    auto o = Options();
    o.sms_poll = Millis(3600 * 1000);
    CreateVd(o);
    AttachAndBootstrap();
  }
  void RunRpc(cwmp::AcsRequest request) {
    acs_.Queue(std::move(request));
    ASSERT_EQ(ConnectionRequest(CrUrl(), "vd1", CrPassword()), 200);
  }
  // The daemon stops without finishing anything (its answers are in) and starts again.
  void Restart() {
    ASSERT_TRUE(Wait([&] { return Idle(); }));
    OpenDb();
    CreateVd();
    AttachAndBootstrap();
  }
  int64_t Count(const std::string& sql) {
    auto st = db_->Prepare(sql);
    EXPECT_TRUE(st.ok());
    auto row = st->Step();
    return row.ok() && *row ? st->ColumnInt(0) : -1;
  }
  template <typename T>
  std::vector<T> Requests(const std::string& method) {
    std::vector<T> out;
    for (auto& r : acs_.Of(method)) {
      out.push_back(std::get<T>(std::get<cwmp::CpeRequest>(r.message.body)));
    }
    return out;
  }
};

TEST_F(ResumeTest, DownloadStartedOnTheApplianceIsPolledAgainAfterARestart) {
  cwmp::Download d;
  d.command_key = "dl-r";
  d.file_type = "1 Firmware Upgrade Image";
  d.url = "http://files.example/fw.bin";
  RunRpc(d);
  ASSERT_TRUE(Wait([&] { return Count("SELECT COUNT(*) FROM vd_op WHERE sms=1") == 1; }));
  Restart();
  ASSERT_TRUE(Wait([&] { return acs_.Count("TransferComplete") == 1 && Idle(); }));
  auto tc = Requests<cwmp::TransferComplete>("TransferComplete").at(0);
  EXPECT_EQ(tc.command_key, "dl-r");
  EXPECT_EQ(tc.fault.code, 0);
  EXPECT_EQ(actions_.calls, (std::vector<std::string>{"Install " + d.url + " Firmware"}))
      << "polled again, not installed twice";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vd_op"), 0);
}

TEST_F(ResumeTest, ChangeDuStateGoesOnFromTheStepItReached) {
  using Kind = cwmp::DuOperation::Kind;
  cwmp::ChangeDUState c;
  c.command_key = "du-r";
  cwmp::DuOperation install, uninstall;
  install.kind = Kind::kInstall;
  install.url = "http://files.example/app.ipk";
  install.uuid = "6b1e0c2a-0d3f-4e5a-8b7c-000000000001";
  uninstall.kind = Kind::kUninstall;
  uninstall.uuid = install.uuid;
  c.operations = {install, uninstall};
  RunRpc(c);
  ASSERT_TRUE(Wait([&] { return Count("SELECT COUNT(*) FROM vd_op WHERE sms=1") == 1; }));
  Restart();
  ASSERT_TRUE(Wait([&] { return acs_.Count("DUStateChangeComplete") == 1 && Idle(); }));
  auto done = Requests<cwmp::DUStateChangeComplete>("DUStateChangeComplete").at(0);
  EXPECT_EQ(done.command_key, "du-r");
  ASSERT_EQ(done.results.size(), 2u);
  EXPECT_EQ(done.results[0].uuid, install.uuid);
  EXPECT_EQ(done.results[0].current_state, "Installed");
  EXPECT_FALSE(done.results[0].start_time.empty());
  EXPECT_EQ(done.results[1].current_state, "Uninstalled");
  EXPECT_EQ(done.results[1].fault.code, 0);
  EXPECT_EQ(actions_.calls,
            (std::vector<std::string>{"Install " + install.url + " Application", "Uninstall 1"}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vd_op"), 0);
}

TEST_F(ResumeTest, RequestedPingIsPolledAgainAndReportedAfterARestart) {
  const std::string p = "Device.IP.Diagnostics.IPPing.";
  cwmp::SetParameterValues spv;
  spv.params = {{p + "Host", "gw.example", {}},
                {p + "NumberOfRepetitions", "3", datamodel::ValueType::kUnsignedInt},
                {p + "DiagnosticsState", "Requested", {}}};
  RunRpc(spv);
  ASSERT_TRUE(Wait([&] { return Count("SELECT COUNT(*) FROM vd_ping WHERE test=1") == 1; }));
  const size_t informs = acs_.Count("Inform");
  Restart();
  ASSERT_TRUE(Wait([&] {
    for (size_t i = informs; i < acs_.Count("Inform"); ++i) {
      auto codes = Codes(InformAt(i).events);
      if (std::count(codes.begin(), codes.end(), "8 DIAGNOSTICS COMPLETE")) return Idle();
    }
    return false;
  }));
  EXPECT_EQ(actions_.calls, (std::vector<std::string>{"Ping gw.example x3"}));
  std::optional<Result<std::vector<datamodel::ParamValue>>> out;
  vd_->Model(kUdn)->GetValues({p}, [&](auto r) { out.emplace(std::move(r)); });
  ASSERT_TRUE(Wait([&] { return out.has_value(); }));
  ASSERT_TRUE(out->ok());
  auto v = ValuesOf(**out);
  EXPECT_EQ(v[p + "DiagnosticsState"], "Complete");
  EXPECT_EQ(v[p + "SuccessCount"], "3");
  EXPECT_EQ(v[p + "Host"], "gw.example");
}

TEST_F(ResumeTest, AcknowledgedRebootNeverSentIsSentAtTheNextStart) {
  // A crash after the RebootResponse left and before the session ended: only the debt is stored.
  ASSERT_TRUE(Wait([&] { return Idle(); }));
  OpenDb();
  auto st = db_->Prepare(
      "INSERT INTO cwmp_state(ns, key, value) VALUES('vd1', 'owed_reboot', 'rb-owed')");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(st->Run().ok());
  const size_t informs = acs_.Count("Inform");
  CreateVd();
  ASSERT_TRUE(vd_->Attach(Md()).ok());
  ASSERT_TRUE(Wait([&] { return !actions_.calls.empty(); }));
  EXPECT_EQ(actions_.calls, (std::vector<std::string>{std::string("Reboot ") + kUdn}));
  loop_.RunUntilIdle();
  EXPECT_EQ(acs_.Count("Inform"), informs) << "nothing until the appliance is back";
  vd_->DeviceChanged(kUdn, upnp::DeviceChange::kRebooted);
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == informs + 1 && Idle(); }));
  EXPECT_EQ(Codes(InformAt(informs).events),
            (std::vector<std::string>{"1 BOOT", "M Reboot/rb-owed"}));
}

}  // namespace
}  // namespace proxier::testing
