// CwmpClient transfers: Download (success, size mismatch, 404, unsupported protocol, apply hook
// with reboot), Upload, TransferComplete with FaultStruct and times.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "client_fixture.h"

namespace proxier::testing {
namespace {

namespace cwmp = core::cwmp;

class TransferTest : public ClientFixture {
 protected:
  TransferTest()
      : files_([this](const RecordedRequest& r) {
          std::lock_guard<std::mutex> lock(mu_);
          if (r.method == "PUT") {
            uploaded_ = r.body;
            return CannedResponse{201, "", {}};
          }
          if (r.path == "/fw.bin") return CannedResponse{200, firmware_, {}};
          return CannedResponse{404, "", {}};
        }) {}
  const cwmp::TransferComplete* LastTransferComplete() {
    auto tcs = acs_.Of("TransferComplete");
    if (tcs.empty()) return nullptr;
    last_ = tcs.back();
    return &std::get<cwmp::TransferComplete>(std::get<cwmp::CpeRequest>(last_.message.body));
  }
  cwmp::Download Download(const std::string& path, uint32_t size, const std::string& key) {
    cwmp::Download d;
    d.command_key = key;
    d.file_type = "1 Firmware Upgrade Image";
    d.url = files_.Url(path);
    d.file_size = size;
    return d;
  }
  std::mutex mu_;
  std::string firmware_ = std::string(184, 'F');
  std::string uploaded_;
  TestHttpServer files_;
  ScriptedAcs::Received last_;
};

TEST_F(TransferTest, DownloadThenTransferCompleteWithMDownload) {
  acs_.Queue(Download("/fw.bin", 184, "dl-1"));
  StartAndSettle();
  auto dr = acs_.Of("DownloadResponse");
  ASSERT_EQ(dr.size(), 1u);
  EXPECT_EQ(std::get<cwmp::DownloadResult>(std::get<cwmp::CpeResponse>(dr[0].message.body)).status,
            1);
  ASSERT_TRUE(Wait([&] { return acs_.Count("TransferComplete") == 1 && !client_->in_session(); }));
  const auto* tc = LastTransferComplete();
  EXPECT_EQ(tc->command_key, "dl-1");
  EXPECT_EQ(tc->fault.code, 0);
  EXPECT_NE(tc->start_time, "0001-01-01T00:00:00Z");
  EXPECT_NE(tc->complete_time, "0001-01-01T00:00:00Z");
  EXPECT_EQ(Codes(acs_.EventsOfInform(1)),
            (std::vector<std::string>{"7 TRANSFER COMPLETE", "M Download/dl-1"}));
  EXPECT_EQ(files_.requests().at(0).method, "GET");
}

// Each stored operation has an id of its own for the store's lifetime (issue 11, item 5: ids made
// of the epoch second and a per-process counter collided after a restart and the newer Download
// replaced a delayed one, which never completed).
TEST_F(TransferTest, DownloadsAcrossARestartNeverReplaceEachOther) {
  cwmp::Download later = Download("/fw.bin", 184, "delayed");
  later.delay_seconds = 2;
  acs_.Queue(later);
  StartAndSettle();
  OpenClient();  // a restart within the same second
  acs_.Queue(Download("/fw.bin", 184, "after-restart"));
  StartAndSettle();
  ASSERT_TRUE(Wait([&] { return acs_.Count("TransferComplete") == 2 && !client_->in_session(); },
                   Millis(20000)));
  std::set<std::string> keys;
  for (const auto& r : acs_.Of("TransferComplete")) {
    keys.insert(
        std::get<cwmp::TransferComplete>(std::get<cwmp::CpeRequest>(r.message.body)).command_key);
  }
  EXPECT_EQ(keys, (std::set<std::string>{"delayed", "after-restart"}));
}

TEST_F(TransferTest, SizeMismatchAndMissingFileAreTransferFaults) {
  acs_.Queue(Download("/fw.bin", 100, "dl-size"));
  acs_.Queue(Download("/missing.bin", 0, "dl-404"));
  StartAndSettle();
  ASSERT_TRUE(Wait([&] { return acs_.Count("TransferComplete") == 2 && !client_->in_session(); }));
  std::map<std::string, int> codes;
  for (auto& r : acs_.Of("TransferComplete")) {
    auto& tc = std::get<cwmp::TransferComplete>(std::get<cwmp::CpeRequest>(r.message.body));
    codes[tc.command_key] = tc.fault.code;
  }
  EXPECT_EQ(codes["dl-size"], 9018);
  EXPECT_EQ(codes["dl-404"], 9016);
}

TEST_F(TransferTest, UnsupportedProtocolIsAFaultOnTheRpc) {
  cwmp::Download d = Download("/fw.bin", 0, "ftp");
  d.url = "ftp://127.0.0.1/fw.bin";
  acs_.Queue(d);
  cwmp::Download bad_type = Download("/fw.bin", 0, "t");
  bad_type.file_type = "4 Tone File";
  acs_.Queue(bad_type);
  StartAndSettle();
  auto faults = acs_.Of("Fault");
  ASSERT_EQ(faults.size(), 2u);
  EXPECT_EQ(std::get<cwmp::Fault>(std::get<cwmp::CpeResponse>(faults[0].message.body)).code, 9013);
  EXPECT_EQ(std::get<cwmp::Fault>(std::get<cwmp::CpeResponse>(faults[1].message.body)).code, 9003);
}

TEST_F(TransferTest, FirmwareAppliedByTheHookThenRebootThenTransferComplete) {
  std::string applied;
  hooks_.apply_download = [&](const std::string& type, const std::string& path,
                              std::function<void(cwmp::FaultStruct, bool)> done) {
    std::ifstream in(path);
    applied = type + ":" + std::string(std::istreambuf_iterator<char>(in), {});
    done({0, ""}, true);
  };
  OpenClient();  // picks up the hook
  acs_.Queue(Download("/fw.bin", 184, "fw-2"));
  StartAndSettle();
  ASSERT_TRUE(Wait([&] { return reboots_ == 1; }));
  EXPECT_EQ(applied, "1 Firmware Upgrade Image:" + firmware_);
  EXPECT_EQ(acs_.Count("TransferComplete"), 0u) << "sent after the reboot";
  OpenClient();  // the device comes back
  StartAndSettle();
  auto events = Codes(acs_.EventsOfInform(acs_.Count("Inform") - 1));
  EXPECT_EQ(events, (std::vector<std::string>{"7 TRANSFER COMPLETE", "M Download/fw-2", "1 BOOT"}));
  ASSERT_NE(LastTransferComplete(), nullptr);
  EXPECT_EQ(LastTransferComplete()->command_key, "fw-2");
}

TEST_F(TransferTest, UploadPutsTheFileAndReportsMUpload) {
  auto source = dir_ / "config.txt";
  std::ofstream(source) << "Device.X=1\n";
  hooks_.upload_source = [&](const std::string& type) -> Result<std::string> {
    if (type != "1 Vendor Configuration File") return Status(Code::kInvalidArguments, "type");
    return source.string();
  };
  OpenClient();
  cwmp::Upload u;
  u.command_key = "up-1";
  u.file_type = "1 Vendor Configuration File";
  u.url = files_.Url("/upload/cfg");
  acs_.Queue(u);
  StartAndSettle();
  ASSERT_TRUE(Wait([&] { return acs_.Count("TransferComplete") == 1 && !client_->in_session(); }));
  EXPECT_EQ(LastTransferComplete()->fault.code, 0);
  {
    std::lock_guard<std::mutex> lock(mu_);
    EXPECT_EQ(uploaded_, "Device.X=1\n");
  }
  EXPECT_EQ(Codes(acs_.EventsOfInform(1)),
            (std::vector<std::string>{"7 TRANSFER COMPLETE", "M Upload/up-1"}));
}

}  // namespace
}  // namespace proxier::testing
