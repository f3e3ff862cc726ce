// lab-acs control API: errors, long polls, failure injection, inform history.
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "lab_test_util.h"

namespace proxier::labacs::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class ApiTest : public LabAcsTest {};

TEST_F(ApiTest, HealthAndErrors) {
  HttpResult r = ApiGet(Api("health"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json(), Json::parse(R"({"ok":true})"));
  EXPECT_EQ(r.headers["content-type"], "application/json");
  TestCpe cpe(Cwmp());
  ASSERT_EQ(cpe.Inform().status, 200);
  const std::string tasks = Api("devices/" + cpe.device_id() + "/tasks");
  struct Case {
    std::string body;
    std::string error_part;
  };
  for (const Case& c : std::vector<Case>{
           {"{not json", "invalid JSON"},
           {"", "JSON body is required"},
           {"[1]", "must be an object"},
           {R"({"names":[]})", "'name'"},
           {R"({"name":"Frobnicate"})", "unknown task name 'Frobnicate'"},
           {R"({"name":"GetParameterValues","nmes":[]})", "unknown field 'nmes'"},
           {R"({"name":"GetParameterValues","names":[1]})", "array of strings"},
           {R"({"name":"Download"})", "missing field 'url'"},
           {R"({"name":"SetParameterValues","values":[["a","1","xsd:nope"]]})", "xsd type"},
           {R"({"name":"SetParameterAttributes","attributes":[{"name":"a","notification":7}]})",
            "0-6"},
           {R"({"name":"ChangeDUState","operations":[{"op":"explode"}]})", "unknown op"},
       }) {
    HttpResult bad = ApiPost(tasks, c.body);
    EXPECT_EQ(bad.status, 400) << c.body;
    Json j = bad.json();
    ASSERT_TRUE(j.is_object() && j.contains("error")) << bad.body;
    EXPECT_NE(j["error"].get<std::string>().find(c.error_part), std::string::npos)
        << c.body << " -> " << j["error"];
  }
  EXPECT_EQ(ApiGet(Api("devices/" + cpe.device_id() + "/tasks")).json().size(), 0u);
  EXPECT_EQ(ApiPost(Api("devices/nobody/tasks"), R"({"name":"Reboot"})").status, 404);
  EXPECT_EQ(ApiGet(Api("tasks/999")).status, 404);
  EXPECT_EQ(ApiGet(Api("tasks/abc")).status, 404);
  EXPECT_EQ(ApiGet(Api("no/such/route")).status, 404);
  EXPECT_EQ(ApiPost(Api("devices"), "{}").status, 405);
  EXPECT_EQ(ApiGet(Api("tasks/1?wait=soon")).status, 400);
}

TEST_F(ApiTest, TaskLongPollReturnsAsSoonAsTheTaskCompletes) {
  TestCpe cpe(Cwmp());
  ASSERT_EQ(cpe.Inform().status, 200);
  uint64_t id =
      QueueTask(cpe.device_id(), {{"name", "AddObject"}, {"object", "Device.NAT.PortMapping."}});
  cwmp::AcsMessage m = TestCpe::Parse(cpe.PostEmpty());
  ASSERT_EQ(m.method, "AddObject");
  const auto start = Clock::now();
  auto poll = std::async(std::launch::async,
                         [&] { return ApiGet(Api("tasks/" + std::to_string(id) + "?wait=20")); });
  // Answer only once the poll is parked in the wait, so it really has to be woken up.
  ASSERT_TRUE(acs_->registry().WaitForWaiters(1, milliseconds(10000)));
  EXPECT_EQ(cpe.PostResponse(cwmp::AddObjectResult{3, 0}, *m.header.id).status, 204);
  HttpResult r = poll.get();
  const auto elapsed = Clock::now() - start;
  EXPECT_LT(elapsed, milliseconds(5000));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["state"], "done");
  EXPECT_EQ(r.json()["response"], Json::parse(R"({"instance":3,"status":0})"));
}

TEST_F(ApiTest, TaskPollWithoutCompletionReturnsCurrentStateAfterTheWait) {
  TestCpe cpe(Cwmp());
  ASSERT_EQ(cpe.Inform().status, 200);
  uint64_t id = QueueTask(cpe.device_id(), {{"name", "FactoryReset"}});
  const auto start = Clock::now();
  HttpResult r = ApiGet(Api("tasks/" + std::to_string(id) + "?wait=0.2"));
  EXPECT_GE(Clock::now() - start, milliseconds(200));
  EXPECT_EQ(r.json()["state"], "queued");
}

TEST_F(ApiTest, DeviceWaitReturnsOnTheNextInformOr408) {
  TestCpe cpe(Cwmp());
  const std::string wait = Api("devices/" + cpe.device_id() + "/wait");
  // Not known yet: wait for its first Inform.
  auto poll =
      std::async(std::launch::async, [&] { return ApiGet(wait + "?informs=0&timeout=20"); });
  ASSERT_TRUE(acs_->registry().WaitForWaiters(1, milliseconds(10000)));
  ASSERT_EQ(cpe.Inform({"0 BOOTSTRAP"}).status, 200);
  HttpResult r = poll.get();
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["informs"], 1);
  // sessions_ended: returns once the session is over.
  auto ended =
      std::async(std::launch::async, [&] { return ApiGet(wait + "?sessions_ended=0&timeout=20"); });
  ASSERT_TRUE(acs_->registry().WaitForWaiters(1, milliseconds(10000)));
  ASSERT_EQ(cpe.PostEmpty().status, 204);
  EXPECT_EQ(ended.get().json()["sessions_ended"], 1);
  HttpResult timeout = ApiGet(wait + "?informs=1&timeout=0.1");
  EXPECT_EQ(timeout.status, 408);
  EXPECT_TRUE(timeout.json().contains("error"));
  EXPECT_EQ(ApiGet(wait + "?informs=x").status, 400);
}

TEST_F(ApiTest, FailInformsAnswers500AndRecordsEveryAttempt) {
  HttpResult cfg = ApiPost(Api("config"), R"({"fail_informs":2})");
  ASSERT_EQ(cfg.status, 200);
  EXPECT_EQ(cfg.json()["fail_informs"], 2);
  TestCpe cpe(Cwmp());
  cwmp::Inform inform = cpe.MakeInform({"1 BOOT"});
  EXPECT_EQ(cpe.SendInform(inform).status, 500);
  inform.retry_count = 1;
  EXPECT_EQ(cpe.SendInform(inform).status, 500);
  inform.retry_count = 2;
  HttpResult ok = cpe.SendInform(inform);
  EXPECT_EQ(ok.status, 200);
  Json informs = ApiGet(Api("devices/" + cpe.device_id() + "/informs")).json();
  ASSERT_EQ(informs.size(), 3u);
  EXPECT_EQ(informs[0]["outcome"], "http_500");
  EXPECT_EQ(informs[1]["outcome"], "http_500");
  EXPECT_EQ(informs[2]["outcome"], "answered");
  EXPECT_EQ(informs[2]["retry_count"], 2);
  EXPECT_EQ(informs[2]["events"], Json::parse(R"([["1 BOOT",""]])"));
  EXPECT_EQ(ApiGet(Api("config")).json()["fail_informs"], 0);
}

TEST_F(ApiTest, DropNextInformClosesTheConnectionOnce) {
  ASSERT_EQ(ApiPost(Api("config"), R"({"drop_next_inform":true})").status, 200);
  TestCpe cpe(Cwmp());
  HttpResult dropped = cpe.Inform();
  EXPECT_NE(dropped.code, CURLE_OK);
  EXPECT_EQ(dropped.status, 0);
  EXPECT_EQ(cpe.Inform().status, 200);
  Json informs = ApiGet(Api("devices/" + cpe.device_id() + "/informs")).json();
  ASSERT_EQ(informs.size(), 2u);
  EXPECT_EQ(informs[0]["outcome"], "dropped");
}

TEST_F(ApiTest, InformDelayHoldsTheInformResponse) {
  ASSERT_EQ(ApiPost(Api("config"), R"({"inform_delay_ms":300})").status, 200);
  TestCpe cpe(Cwmp());
  const auto start = Clock::now();
  EXPECT_EQ(cpe.Inform().status, 200);
  EXPECT_GE(Clock::now() - start, milliseconds(300));
}

TEST_F(ApiTest, ConfigValidation) {
  EXPECT_EQ(ApiPost(Api("config"), R"({"fail_informs":-1})").status, 400);
  EXPECT_EQ(ApiPost(Api("config"), R"({"drop_next_inform":1})").status, 400);
  EXPECT_EQ(ApiPost(Api("config"), R"({"bogus":1})").status, 400);
  EXPECT_EQ(ApiPost(Api("config"), R"(nope)").status, 400);
  HttpResult r = ApiPost(Api("config"), R"({"files_username":"u","files_password":"secret"})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["files_password"], "<redacted>");
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
}

TEST_F(ApiTest, TasksOfADeviceAndPasswordsRedacted) {
  TestCpe cpe(Cwmp());
  ASSERT_EQ(cpe.Inform().status, 200);
  QueueTask(cpe.device_id(), {{"name", "Download"},
                              {"url", "http://127.0.0.1/files/fw.bin"},
                              {"file_size", 184},
                              {"username", "fw"},
                              {"password", "hunter2"}});
  HttpResult r = ApiGet(Api("devices/" + cpe.device_id() + "/tasks"));
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.json().size(), 1u);
  EXPECT_EQ(r.json()[0]["request"]["file_type"], "1 Firmware Upgrade Image");
  EXPECT_EQ(r.json()[0]["request"]["password"], "<redacted>");
  EXPECT_EQ(r.body.find("hunter2"), std::string::npos);
  // The CPE does get the password.
  cwmp::AcsMessage m = TestCpe::Parse(cpe.PostEmpty());
  const auto& dl = std::get<cwmp::Download>(std::get<cwmp::AcsRequest>(m.body));
  EXPECT_EQ(dl.password.Reveal(), "hunter2");
  EXPECT_EQ(dl.file_size, 184u);
}

TEST_F(ApiTest, TransferLogLongPoll) {
  TestCpe cpe(Cwmp());
  ASSERT_EQ(cpe.Inform({"7 TRANSFER COMPLETE"}).status, 200);
  auto poll =
      std::async(std::launch::async, [&] { return ApiGet(Api("transfers?after=0&wait=20")); });
  ASSERT_TRUE(acs_->registry().WaitForWaiters(1, milliseconds(10000)));
  cwmp::DUStateChangeComplete du;
  du.command_key = "du-1";
  cwmp::DuOpResult result;
  result.uuid = "uuid-1";
  result.current_state = "Installed";
  result.resolved = true;
  du.results.push_back(result);
  cwmp::AcsMessage m = TestCpe::Parse(cpe.PostRequest(du, "d1"));
  EXPECT_EQ(m.method, "DUStateChangeCompleteResponse");
  HttpResult r = poll.get();
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.json().size(), 1u);
  EXPECT_EQ(r.json()[0]["method"], "DUStateChangeComplete");
  EXPECT_EQ(r.json()[0]["results"][0]["uuid"], "uuid-1");
  EXPECT_EQ(ApiGet(Api("transfers?after=1&wait=0.1")).status, 408);
}

}  // namespace
}  // namespace proxier::labacs::testing
