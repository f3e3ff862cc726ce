// lab-acs connection requests: Digest GET to the CPE's ConnectionRequestURL.
#include <gtest/gtest.h>

#include "lab_test_util.h"

namespace proxier::labacs::testing {
namespace {

class ConnectionRequestTest : public LabAcsTest {
 protected:
  // A device whose Inform announced `cr`'s URL.
  std::string InformWith(const DigestCrServer& cr, TestCpe& cpe) {
    cpe.set_cr_url(cr.url());
    EXPECT_EQ(cpe.Inform().status, 200);
    EXPECT_EQ(cpe.PostEmpty().status, 204);
    return Api("devices/" + cpe.device_id() + "/connection-request");
  }
};

TEST_F(ConnectionRequestTest, ExplicitCredentialsUseDigest) {
  DigestCrServer cr("cruser", "crpass");
  TestCpe cpe(Cwmp());
  const std::string url = InformWith(cr, cpe);
  HttpResult r = ApiPost(url, R"({"username":"cruser","password":"crpass"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), Json::parse(R"({"status":200})"));
  EXPECT_EQ(cr.authorized(), 1);
  EXPECT_EQ(cr.requests(), 2);  // the challenge, then the authorized GET
  r = ApiPost(url, R"({"username":"cruser","password":"wrong"})");
  EXPECT_EQ(r.json(), Json::parse(R"({"status":401})"));
  EXPECT_EQ(cr.authorized(), 1);
  EXPECT_EQ(ApiPost(url, R"({"username":1})").status, 400);
  EXPECT_EQ(ApiPost(url, R"({"user":"x"})").status, 400);
}

TEST_F(ConnectionRequestTest, CredentialsFromASucceededSpvAreUsedByDefault) {
  DigestCrServer cr("acs-set", "pw-set");
  TestCpe cpe(Cwmp());
  const std::string url = InformWith(cr, cpe);
  // No credentials known yet: the CPE refuses.
  EXPECT_EQ(ApiPost(url, "").json(), Json::parse(R"({"status":401})"));
  // A failed SPV does not count.
  ASSERT_EQ(cpe.Inform().status, 200);
  Json values = Json::parse(R"([["Device.ManagementServer.ConnectionRequestUsername", "acs-set"],
                                ["Device.ManagementServer.ConnectionRequestPassword", "pw-set"]])");
  uint64_t failed =
      QueueTask(cpe.device_id(), {{"name", "SetParameterValues"}, {"values", values}});
  cwmp::AcsMessage m = TestCpe::Parse(cpe.PostEmpty());
  ASSERT_EQ(cpe.PostResponse(cwmp::Fault{9001, "Request denied", {}, ""}, *m.header.id).status,
            204);
  EXPECT_EQ(WaitTask(failed)["state"], "fault");
  EXPECT_EQ(ApiPost(url, "{}").json(), Json::parse(R"({"status":401})"));
  // A successful one does.
  ASSERT_EQ(cpe.Inform().status, 200);
  uint64_t ok = QueueTask(cpe.device_id(), {{"name", "SetParameterValues"}, {"values", values}});
  m = TestCpe::Parse(cpe.PostEmpty());
  ASSERT_EQ(cpe.PostResponse(cwmp::SetParameterValuesResult{0}, *m.header.id).status, 204);
  EXPECT_EQ(WaitTask(ok)["state"], "done");
  EXPECT_EQ(ApiPost(url, "").json(), Json::parse(R"({"status":200})"));
  EXPECT_EQ(cr.authorized(), 1);
}

TEST_F(ConnectionRequestTest, DefaultCredentialsFromOptionsAndQueueWithConnectionRequest) {
  LabAcsOptions options;
  options.cr_username = "opt-user";
  options.cr_password = Secret("opt-pass");
  Restart(options);
  DigestCrServer cr("opt-user", "opt-pass");
  TestCpe cpe(Cwmp());
  InformWith(cr, cpe);
  HttpResult r = ApiPost(Api("devices/" + cpe.device_id() + "/tasks?connection_request=1"),
                         R"({"name":"GetRPCMethods"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["connection_request"], Json::parse(R"({"status":200})"));
  EXPECT_TRUE(r.json()["id"].is_number_unsigned());
  EXPECT_EQ(cr.authorized(), 1);
}

TEST_F(ConnectionRequestTest, RawConnectionRequestAndErrors) {
  DigestCrServer cr("u", "p");
  HttpResult r = ApiPost(Api("connection-request"),
                         Json{{"url", cr.url()}, {"username", "u"}, {"password", "p"}}.dump());
  EXPECT_EQ(r.json(), Json::parse(R"({"status":200})"));
  EXPECT_EQ(ApiPost(Api("connection-request"), R"({"username":"u"})").status, 400);
  // Nothing listens on port 9 of loopback: a transport error.
  r = ApiPost(Api("connection-request"), R"({"url":"http://127.0.0.1:9/cr"})");
  EXPECT_EQ(r.status, 502);
  EXPECT_TRUE(r.json().contains("error"));
  EXPECT_EQ(ApiPost(Api("devices/nobody/connection-request"), "").status, 404);
  TestCpe cpe(Cwmp());
  cpe.set_cr_url("");
  ASSERT_EQ(cpe.Inform().status, 200);
  EXPECT_EQ(ApiPost(Api("devices/" + cpe.device_id() + "/connection-request"), "").status, 409);
}

}  // namespace
}  // namespace proxier::labacs::testing
