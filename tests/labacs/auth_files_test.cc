// lab-acs HTTP auth on the CWMP endpoint, and the file server.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "lab_test_util.h"

namespace proxier::labacs::testing {
namespace {

class AuthTest : public LabAcsTest {
 protected:
  void StartWithAuth(AuthMode mode) {
    LabAcsOptions options;
    options.auth = mode;
    options.username = "cpe";
    options.password = Secret("s3cret");
    Restart(options);
  }
};

TEST_F(AuthTest, BasicAuth) {
  StartWithAuth(AuthMode::kBasic);
  TestCpe anonymous(Cwmp());
  HttpResult r = anonymous.Inform();
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.headers["www-authenticate"].rfind("Basic", 0), 0u) << r.headers["www-authenticate"];
  TestCpe wrong(Cwmp());
  wrong.http().SetAuth(CURLAUTH_BASIC, "cpe", "nope");
  EXPECT_EQ(wrong.Inform().status, 401);
  EXPECT_EQ(ApiGet(Api("devices")).json().size(), 0u);
  TestCpe cpe(Cwmp());
  cpe.http().SetAuth(CURLAUTH_BASIC, "cpe", "s3cret");
  EXPECT_EQ(cpe.Inform().status, 200);
  EXPECT_EQ(cpe.PostEmpty().status, 204);
}

TEST_F(AuthTest, DigestAuth) {
  StartWithAuth(AuthMode::kDigest);
  TestCpe anonymous(Cwmp());
  HttpResult r = anonymous.Inform();
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.headers["www-authenticate"].rfind("Digest", 0), 0u) << r.headers["www-authenticate"];
  TestCpe wrong(Cwmp());
  wrong.http().SetAuth(CURLAUTH_DIGEST, "cpe", "nope");
  EXPECT_EQ(wrong.Inform().status, 401);
  TestCpe basic(Cwmp());
  basic.http().SetAuth(CURLAUTH_BASIC, "cpe", "s3cret");
  EXPECT_EQ(basic.Inform().status, 401);
  TestCpe cpe(Cwmp());
  cpe.http().SetAuth(CURLAUTH_DIGEST, "cpe", "s3cret");
  EXPECT_EQ(cpe.Inform().status, 200);
  uint64_t id = QueueTask(
      cpe.device_id(), {{"name", "ScheduleInform"}, {"delay_seconds", 5}, {"command_key", "si"}});
  cwmp::AcsMessage m = TestCpe::Parse(cpe.PostEmpty());
  ASSERT_EQ(m.method, "ScheduleInform");
  EXPECT_EQ(cpe.PostResponse(cwmp::ScheduleInformResult{}, *m.header.id).status, 204);
  EXPECT_EQ(WaitTask(id)["response"], Json::object());
}

class FileServerTest : public LabAcsTest {
 protected:
  void WriteFile(const std::string& name, const std::string& content) {
    std::ofstream(files_dir_ / name, std::ios::binary) << content;
  }
  std::string ReadFile(const std::string& name) {
    std::ifstream in(files_dir_ / name, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }
};

TEST_F(FileServerTest, GetPutAndLog) {
  WriteFile("fw-0.2.0.bin", std::string(184, 'x'));
  HttpClient http;
  HttpResult r = http.Request("GET", Cwmp("files/fw-0.2.0.bin"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, std::string(184, 'x'));
  EXPECT_EQ(r.headers["content-type"], "application/octet-stream");
  EXPECT_EQ(http.Request("GET", Cwmp("files/missing.bin")).status, 404);
  r = http.Request("PUT", Cwmp("files/upload.cfg"), "config-data");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(ReadFile("upload.cfg"), "config-data");
  EXPECT_EQ(http.Request("PUT", Cwmp("files/upload.cfg"), "v2").status, 200);
  EXPECT_EQ(ReadFile("upload.cfg"), "v2");
  EXPECT_EQ(http.Request("DELETE", Cwmp("files/upload.cfg")).status, 405);
  Json log = ApiGet(Api("files-log")).json();
  ASSERT_EQ(log.size(), 5u);
  EXPECT_EQ(log[0]["method"], "GET");
  EXPECT_EQ(log[0]["name"], "fw-0.2.0.bin");
  EXPECT_EQ(log[0]["size"], 184);
  EXPECT_EQ(log[0]["status"], 200);
  EXPECT_EQ(log[1]["status"], 404);
  EXPECT_EQ(log[2]["method"], "PUT");
  EXPECT_EQ(log[2]["size"], 11);
  EXPECT_EQ(log[2]["user"], "");
}

TEST_F(FileServerTest, TraversalIsRejected) {
  std::ofstream(files_dir_.parent_path() / (files_dir_.filename().string() + "-secret")) << "s";
  const std::string secret = "../" + files_dir_.filename().string() + "-secret";
  HttpClient http;
  http.SetPathAsIs(true);
  EXPECT_EQ(http.Request("GET", Cwmp("files/" + secret)).status, 400);
  EXPECT_EQ(
      http.Request("GET", Cwmp("files/..%2F" + files_dir_.filename().string() + "-secret")).status,
      400);
  EXPECT_EQ(http.Request("GET", Cwmp("files/..")).status, 400);
  EXPECT_EQ(http.Request("GET", Cwmp("files/")).status, 400);
  EXPECT_EQ(http.Request("PUT", Cwmp("files/..%2Fescape"), "x").status, 400);
  EXPECT_FALSE(std::filesystem::exists(files_dir_.parent_path() / "escape"));
  std::filesystem::remove(files_dir_.parent_path() / (files_dir_.filename().string() + "-secret"));
}

TEST_F(FileServerTest, DigestProtectedFilesRecordTheUser) {
  WriteFile("fw.bin", "firmware");
  ASSERT_EQ(ApiPost(Api("config"), R"({"files_username":"fw","files_password":"fwpass"})").status,
            200);
  HttpClient anonymous;
  EXPECT_EQ(anonymous.Request("GET", Cwmp("files/fw.bin")).status, 401);
  HttpClient http;
  http.SetAuth(CURLAUTH_DIGEST, "fw", "fwpass");
  HttpResult r = http.Request("GET", Cwmp("files/fw.bin"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "firmware");
  Json log = ApiGet(Api("files-log")).json();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back()["user"], "fw");
  EXPECT_EQ(log.back()["status"], 200);
  EXPECT_EQ(log.back()["size"], 8);
}

TEST_F(FileServerTest, NoFilesDirectoryMeans404) {
  Restart(LabAcsOptions{});
  HttpClient http;
  EXPECT_EQ(http.Request("GET", Cwmp("files/any")).status, 404);
}

}  // namespace
}  // namespace proxier::labacs::testing
