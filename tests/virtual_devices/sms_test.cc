// Download and ChangeDUState on a virtual device through the appliance's SoftwareManagement.
#include "vd_fixture.h"

namespace proxier::testing {
namespace {

class SmsTest : public VdFixture {
 protected:
  void SetUp() override {
    VdFixture::SetUp();
    upnp::ServiceInfo sms;
    sms.service_type = "urn:schemas-upnp-org:service:SoftwareManagement:1";
    sms.service_id = "urn:upnp-org:serviceId:SoftwareManagement";
    root_.description->root.services.push_back(sms);
    CreateVd();
    AttachAndBootstrap();
  }
  void RunRpc(cwmp::AcsRequest request) {
    acs_.Queue(std::move(request));
    ASSERT_EQ(ConnectionRequest(CrUrl(), "vd1", CrPassword()), 200);
  }
  template <typename T>
  std::vector<T> Requests(const std::string& method) {
    std::vector<T> out;
    for (auto& r : acs_.Of(method)) {
      out.push_back(std::get<T>(std::get<cwmp::CpeRequest>(r.message.body)));
    }
    return out;
  }
  static cwmp::Download Firmware(const std::string& key, const std::string& url) {
    cwmp::Download d;
    d.command_key = key;
    d.file_type = "1 Firmware Upgrade Image";
    d.url = url;
    return d;
  }
  static cwmp::DuOperation Op(cwmp::DuOperation::Kind kind, const std::string& uuid,
                              const std::string& url = "") {
    cwmp::DuOperation op;
    op.kind = kind;
    op.uuid = uuid;
    op.url = url;
    return op;
  }
};

TEST_F(SmsTest, FirmwareDownloadIsAnSmsInstallThenTransferComplete) {
  cwmp::Download d = Firmware("dl-1", "http://files.example/fw v2.bin");
  d.username = "op";
  d.password = Secret("p@ss");
  RunRpc(d);
  ASSERT_TRUE(Wait([&] { return acs_.Count("TransferComplete") == 1 && Idle(); }));
  EXPECT_EQ(actions_.calls.at(0), "Install http://op:p%40ss@files.example/fw v2.bin Firmware");
  auto tc = Requests<cwmp::TransferComplete>("TransferComplete").at(0);
  EXPECT_EQ(tc.command_key, "dl-1");
  EXPECT_EQ(tc.fault.code, 0);
  auto informs = acs_.Count("Inform");
  EXPECT_EQ(Codes(InformAt(informs - 1).events),
            (std::vector<std::string>{"7 TRANSFER COMPLETE", "M Download/dl-1"}));
}

TEST_F(SmsTest, FailedInstallReportsItsFault) {
  RunRpc(Firmware("dl-2", "http://files.example/corrupt.bin"));
  ASSERT_TRUE(Wait([&] { return acs_.Count("TransferComplete") == 1 && Idle(); }));
  auto tc = Requests<cwmp::TransferComplete>("TransferComplete").at(0);
  EXPECT_EQ(tc.fault.code, 9018);
}

TEST_F(SmsTest, BadDownloadsAreRefusedInTheSession) {
  cwmp::Download d = Firmware("dl-3", "ftp://files.example/fw.bin");
  RunRpc(d);
  ASSERT_TRUE(Wait([&] { return acs_.Count("Fault") == 1 && Idle(); }));
  EXPECT_TRUE(actions_.calls.empty());
}

TEST_F(SmsTest, ChangeDuStateInstallsUpdatesAndUninstallsInOrder) {
  using Kind = cwmp::DuOperation::Kind;
  cwmp::ChangeDUState install;
  install.command_key = "du-1";
  install.operations = {Op(Kind::kInstall, "", "http://files.example/app.ipk")};
  RunRpc(install);
  ASSERT_TRUE(Wait([&] { return acs_.Count("DUStateChangeComplete") == 1 && Idle(); }));
  auto first = Requests<cwmp::DUStateChangeComplete>("DUStateChangeComplete").at(0);
  EXPECT_EQ(first.command_key, "du-1");
  ASSERT_EQ(first.results.size(), 1u);
  const std::string uuid = first.results[0].uuid;
  EXPECT_EQ(uuid.size(), 36u) << "the CPE names a DU the ACS did not";
  EXPECT_EQ(first.results[0].current_state, "Installed");
  EXPECT_EQ(first.results[0].version, "1.0");
  EXPECT_EQ(first.results[0].fault.code, 0);
  EXPECT_EQ(Codes(InformAt(acs_.Count("Inform") - 1).events),
            (std::vector<std::string>{"11 DU STATE CHANGE COMPLETE", "M ChangeDUState/du-1"}));

  cwmp::ChangeDUState more;
  more.command_key = "du-2";
  more.operations = {Op(Kind::kUpdate, uuid, "http://files.example/app2.ipk"),
                     Op(Kind::kUninstall, uuid),
                     Op(Kind::kUninstall, "00000000-0000-5000-8000-000000000000")};
  RunRpc(more);
  ASSERT_TRUE(Wait([&] { return acs_.Count("DUStateChangeComplete") == 2 && Idle(); }));
  auto second = Requests<cwmp::DUStateChangeComplete>("DUStateChangeComplete").at(1);
  ASSERT_EQ(second.results.size(), 3u);
  EXPECT_EQ(second.results[0].current_state, "Installed");
  EXPECT_EQ(second.results[0].version, "2.0");
  EXPECT_EQ(second.results[1].current_state, "Uninstalled");
  EXPECT_EQ(second.results[2].fault.code, 9028);
  EXPECT_EQ(actions_.calls,
            (std::vector<std::string>{"Install http://files.example/app.ipk Application",
                                      "Update 1", "Uninstall 1"}));
}

TEST_F(SmsTest, WithoutSmsDownloadCompletesWith9010) {
  root_.description->root.services.clear();
  RunRpc(Firmware("dl-4", "http://files.example/fw.bin"));
  ASSERT_TRUE(Wait([&] { return acs_.Count("TransferComplete") == 1 && Idle(); }));
  EXPECT_EQ(Requests<cwmp::TransferComplete>("TransferComplete").at(0).fault.code, 9010);
  EXPECT_TRUE(actions_.calls.empty());
}

}  // namespace
}  // namespace proxier::testing
