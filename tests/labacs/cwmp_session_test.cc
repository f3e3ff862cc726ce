// lab-acs CWMP endpoint: Inform/InformResponse, sessions, task delivery, CPE requests, gzip.
#include <gtest/gtest.h>

#include <regex>

#include "lab_test_util.h"

namespace proxier::labacs::testing {
namespace {

using Kind = datamodel::ValueType;

class CwmpSessionTest : public LabAcsTest {};

struct NsCase {
  cwmp::Namespace ns;
  std::string uri;
};

class InformNamespaceTest : public LabAcsTest, public ::testing::WithParamInterface<NsCase> {};

TEST_P(InformNamespaceTest, InformResponseEchoesIdNamespaceAndSetsCookie) {
  TestCpe cpe(Cwmp(), "S1", GetParam().ns, GetParam().uri);
  HttpResult r = cpe.SendInform(cpe.MakeInform({"0 BOOTSTRAP", "1 BOOT"}), "inform-42");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "text/xml; charset=\"utf-8\"");
  ASSERT_TRUE(r.headers.count("set-cookie"));
  EXPECT_TRUE(std::regex_match(r.headers["set-cookie"], std::regex("session=[0-9a-f]{16}")))
      << r.headers["set-cookie"];
  EXPECT_NE(r.body.find("xmlns:cwmp=\"" + GetParam().uri + "\""), std::string::npos) << r.body;
  cwmp::AcsMessage m = TestCpe::Parse(r);
  EXPECT_EQ(m.method, "InformResponse");
  EXPECT_EQ(m.header.id, "inform-42");
  EXPECT_EQ(m.header.ns_uri, GetParam().uri);
  const auto& response = std::get<cwmp::AcsResponse>(m.body);
  EXPECT_EQ(std::get<cwmp::InformResponse>(response).max_envelopes, 1u);
  HttpResult end = cpe.PostEmpty();
  EXPECT_EQ(end.status, 204);
  EXPECT_EQ(end.headers["connection"], "close");
  Json informs = ApiGet(Api("devices/" + cpe.device_id() + "/informs")).json();
  ASSERT_EQ(informs.size(), 1u);
  EXPECT_EQ(informs[0]["namespace"], GetParam().uri);
}

INSTANTIATE_TEST_SUITE_P(
    Namespaces, InformNamespaceTest,
    ::testing::Values(NsCase{cwmp::Namespace::k10, "urn:dslforum-org:cwmp-1-0"},
                      NsCase{cwmp::Namespace::k11, "urn:dslforum-org:cwmp-1-1"},
                      NsCase{cwmp::Namespace::k12, "urn:dslforum-org:cwmp-1-2"},
                      NsCase{cwmp::Namespace::k12, "urn:dslforum-org:cwmp-1-3"}));

TEST_F(CwmpSessionTest, DeviceIsListedWithItsLastInform) {
  TestCpe cpe(Cwmp(), "SN-7");
  cpe.set_cr_url("http://10.0.0.2:7547/cr");
  cwmp::Inform inform = cpe.MakeInform({"2 PERIODIC", "M Reboot"});
  inform.events[1].command_key = "ck1";
  inform.retry_count = 2;
  ASSERT_EQ(cpe.SendInform(inform).status, 200);
  HttpResult r = ApiGet(Api("devices"));
  ASSERT_EQ(r.status, 200);
  Json devices = r.json();
  ASSERT_EQ(devices.size(), 1u);
  const Json& d = devices[0];
  EXPECT_EQ(d["id"], "02C0DE-LabGW-SN%2D7");
  EXPECT_EQ(d["oui"], "02C0DE");
  EXPECT_EQ(d["product_class"], "LabGW");
  EXPECT_EQ(d["serial_number"], "SN-7");
  EXPECT_EQ(d["connection_request_url"], "http://10.0.0.2:7547/cr");
  EXPECT_EQ(d["informs"], 1);
  EXPECT_EQ(d["sessions"], 1);
  EXPECT_EQ(d["last_inform"]["retry_count"], 2);
  EXPECT_EQ(d["last_inform"]["events"], Json::parse(R"([["2 PERIODIC",""],["M Reboot","ck1"]])"));
  EXPECT_EQ(d["last_inform"]["params"]["Device.DeviceInfo.SoftwareVersion"], "1.0");
  EXPECT_EQ(d["params"]["Device.DeviceInfo.SoftwareVersion"], "1.0");
  // The id is percent-encoded like GenieACS's; in a URL path the '%' is encoded once more.
  EXPECT_EQ(ApiGet(Api("devices/02C0DE-LabGW-SN%252D7")).status, 200);
  EXPECT_EQ(ApiGet(Api("devices/unknown")).status, 404);
}

TEST_F(CwmpSessionTest, NothingQueuedEndsSessionWith204AndForgetsTheCookie) {
  TestCpe cpe(Cwmp());
  ASSERT_EQ(cpe.Inform().status, 200);
  HttpResult end = cpe.PostEmpty();
  EXPECT_EQ(end.status, 204);
  EXPECT_TRUE(end.body.empty());
  EXPECT_EQ(end.headers["connection"], "close");
  // The session is over: another empty POST with the old cookie is refused.
  EXPECT_EQ(cpe.PostEmpty().status, 400);
  Json d = ApiGet(Api("devices/" + cpe.device_id())).json();
  EXPECT_EQ(d["sessions_ended"], 1);
}

TEST_F(CwmpSessionTest, PostWithoutSessionCookieThatIsNotAnInformIs400) {
  TestCpe cpe(Cwmp());
  EXPECT_EQ(cpe.PostEmpty().status, 400);
  EXPECT_EQ(cpe.PostRequest(cwmp::TransferComplete{"k", {}, "", ""}, "t1").status, 400);
  EXPECT_EQ(cpe.PostRaw("<not-xml").status, 400);
}

TEST_F(CwmpSessionTest, QueuedGpvIsDeliveredAfterTheEmptyPostAndItsResultRecorded) {
  TestCpe cpe(Cwmp());
  ASSERT_EQ(cpe.Inform().status, 200);
  uint64_t id = QueueTask(
      cpe.device_id(), {{"name", "GetParameterValues"}, {"names", {"Device.DeviceInfo.UpTime"}}});
  Json queued = ApiGet(Api("tasks/" + std::to_string(id))).json();
  EXPECT_EQ(queued["state"], "queued");
  HttpResult r = cpe.PostEmpty();
  ASSERT_EQ(r.status, 200);
  cwmp::AcsMessage m = TestCpe::Parse(r);
  ASSERT_EQ(m.method, "GetParameterValues");
  ASSERT_TRUE(m.header.id.has_value());
  const auto& gpv = std::get<cwmp::GetParameterValues>(std::get<cwmp::AcsRequest>(m.body));
  EXPECT_EQ(gpv.names, std::vector<std::string>{"Device.DeviceInfo.UpTime"});
  EXPECT_EQ(ApiGet(Api("tasks/" + std::to_string(id))).json()["state"], "sent");
  cwmp::GetParameterValuesResult result;
  result.values = {{"Device.DeviceInfo.UpTime", "3600", Kind::kUnsignedInt}};
  EXPECT_EQ(cpe.PostResponse(result, *m.header.id).status, 204);
  Json task = WaitTask(id);
  EXPECT_EQ(task["state"], "done");
  EXPECT_EQ(task["device"], cpe.device_id());
  EXPECT_EQ(task["name"], "GetParameterValues");
  EXPECT_EQ(task["request"]["names"][0], "Device.DeviceInfo.UpTime");
  EXPECT_EQ(task["response"], Json::parse(R"({"values":[["Device.DeviceInfo.UpTime","3600",
                                                          "xsd:unsignedInt"]]})"));
  Json d = ApiGet(Api("devices/" + cpe.device_id())).json();
  EXPECT_EQ(d["params"]["Device.DeviceInfo.UpTime"], "3600");
}

TEST_F(CwmpSessionTest, SpvCarriesTypedValues) {
  TestCpe cpe(Cwmp());
  ASSERT_EQ(cpe.Inform().status, 200);
  Json values = Json::parse(R"([["Device.ManagementServer.PeriodicInformInterval", "600",
                                 "xsd:unsignedInt"],
                                ["Device.ManagementServer.PeriodicInformEnable", false],
                                ["Device.X.Time", "2026-01-02T03:04:05Z", "xsd:dateTime"],
                                ["Device.DeviceInfo.ProvisioningCode", "lab-01 & <test>"]])");
  uint64_t id =
      QueueTask(cpe.device_id(),
                {{"name", "SetParameterValues"}, {"values", values}, {"parameter_key", "pk-1"}});
  HttpResult r = cpe.PostEmpty();
  cwmp::AcsMessage m = TestCpe::Parse(r);
  ASSERT_EQ(m.method, "SetParameterValues");
  const auto& spv = std::get<cwmp::SetParameterValues>(std::get<cwmp::AcsRequest>(m.body));
  ASSERT_EQ(spv.params.size(), 4u);
  EXPECT_EQ(spv.parameter_key, "pk-1");
  EXPECT_EQ(spv.params[0].value, "600");
  EXPECT_EQ(spv.params[0].declared_type, Kind::kUnsignedInt);
  EXPECT_EQ(spv.params[1].value, "false");
  EXPECT_EQ(spv.params[1].declared_type, Kind::kBoolean);
  EXPECT_EQ(spv.params[2].declared_type, Kind::kDateTime);
  EXPECT_EQ(spv.params[3].value, "lab-01 & <test>");
  EXPECT_EQ(spv.params[3].declared_type, Kind::kString);
  EXPECT_EQ(cpe.PostResponse(cwmp::SetParameterValuesResult{1}, *m.header.id).status, 204);
  Json task = WaitTask(id);
  EXPECT_EQ(task["state"], "done");
  EXPECT_EQ(task["response"], Json::parse(R"({"status":1})"));
}

TEST_F(CwmpSessionTest, FaultsAreRecordedWithSetFaultsAndTheNextTaskFollows) {
  TestCpe cpe(Cwmp());
  ASSERT_EQ(cpe.Inform().status, 200);
  uint64_t spv = QueueTask(cpe.device_id(), {{"name", "SetParameterValues"},
                                             {"values", Json::parse(R"([["Device.Bad", "x"]])")}});
  uint64_t gpv =
      QueueTask(cpe.device_id(), {{"name", "GetParameterValues"}, {"names", {"Device.Nope."}}});
  cwmp::AcsMessage m = TestCpe::Parse(cpe.PostEmpty());
  ASSERT_EQ(m.method, "SetParameterValues");
  cwmp::Fault fault{9003, "Invalid arguments", {}, ""};
  fault.set_faults.push_back({"Device.Bad", Status(Code::kInvalidParameterValue, "bad value")});
  HttpResult r = cpe.PostResponse(fault, *m.header.id);
  ASSERT_EQ(r.status, 200);
  m = TestCpe::Parse(r);
  ASSERT_EQ(m.method, "GetParameterValues");
  EXPECT_EQ(
      cpe.PostResponse(cwmp::Fault{9005, "Invalid parameter name", {}, ""}, *m.header.id).status,
      204);
  Json t1 = WaitTask(spv);
  EXPECT_EQ(t1["state"], "fault");
  EXPECT_EQ(t1["response"], Json::parse(R"({"fault":{"code":9003,"string":"Invalid arguments",
      "set_faults":[{"name":"Device.Bad","code":9007,"string":"bad value"}]}})"));
  Json t2 = WaitTask(gpv);
  EXPECT_EQ(t2["state"], "fault");
  EXPECT_EQ(t2["response"]["fault"]["code"], 9005);
  EXPECT_EQ(t2["response"]["fault"]["string"], "Invalid parameter name");
  EXPECT_TRUE(t2["response"]["fault"]["set_faults"].empty());
}

TEST_F(CwmpSessionTest, WrongResponseOrMismatchedIdFaultsTheTask) {
  TestCpe cpe(Cwmp());
  ASSERT_EQ(cpe.Inform().status, 200);
  uint64_t a = QueueTask(cpe.device_id(), {{"name", "Reboot"}, {"command_key", "r1"}});
  uint64_t b = QueueTask(cpe.device_id(), {{"name", "FactoryReset"}});
  cwmp::AcsMessage m = TestCpe::Parse(cpe.PostEmpty());
  ASSERT_EQ(m.method, "Reboot");
  m = TestCpe::Parse(cpe.PostResponse(cwmp::FactoryResetResult{}, *m.header.id));
  ASSERT_EQ(m.method, "FactoryReset");
  EXPECT_EQ(cpe.PostResponse(cwmp::FactoryResetResult{}, "not-the-id").status, 204);
  Json ta = WaitTask(a);
  EXPECT_EQ(ta["state"], "fault");
  EXPECT_EQ(ta["response"]["fault"]["code"], 0);
  EXPECT_NE(ta["response"]["fault"]["string"].get<std::string>().find("FactoryResetResponse"),
            std::string::npos);
  Json tb = WaitTask(b);
  EXPECT_EQ(tb["state"], "fault");
  EXPECT_NE(tb["response"]["fault"]["string"].get<std::string>().find("mismatch"),
            std::string::npos);
}

TEST_F(CwmpSessionTest, TransferCompleteIsRecordedAndAnswered) {
  TestCpe cpe(Cwmp());
  ASSERT_EQ(cpe.Inform({"7 TRANSFER COMPLETE", "M Download"}).status, 200);
  cwmp::TransferComplete tc{
      "dl-1", {9010, "download failed"}, "2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z"};
  HttpResult r = cpe.PostRequest(tc, "tc-1");
  ASSERT_EQ(r.status, 200);
  cwmp::AcsMessage m = TestCpe::Parse(r);
  EXPECT_EQ(m.method, "TransferCompleteResponse");
  EXPECT_EQ(m.header.id, "tc-1");
  EXPECT_EQ(cpe.PostEmpty().status, 204);
  Json transfers = ApiGet(Api("transfers")).json();
  ASSERT_EQ(transfers.size(), 1u);
  EXPECT_EQ(transfers[0]["method"], "TransferComplete");
  EXPECT_EQ(transfers[0]["device"], cpe.device_id());
  EXPECT_EQ(transfers[0]["command_key"], "dl-1");
  EXPECT_EQ(transfers[0]["fault"], Json::parse(R"({"code":9010,"string":"download failed"})"));
  EXPECT_EQ(transfers[0]["start_time"], "2026-01-01T00:00:01Z");
  EXPECT_EQ(transfers[0]["complete_time"], "2026-01-01T00:00:02Z");
}

TEST_F(CwmpSessionTest, CpeGetRpcMethodsAndUnknownMethods) {
  TestCpe cpe(Cwmp());
  ASSERT_EQ(cpe.Inform().status, 200);
  cwmp::AcsMessage m = TestCpe::Parse(cpe.PostRequest(cwmp::GetRPCMethods{}, "g1"));
  ASSERT_EQ(m.method, "GetRPCMethodsResponse");
  EXPECT_EQ(m.header.id, "g1");
  const auto& list =
      std::get<cwmp::GetRPCMethodsResponse>(std::get<cwmp::AcsResponse>(m.body)).methods;
  EXPECT_EQ(list,
            (std::vector<std::string>{"Inform", "GetRPCMethods", "TransferComplete",
                                      "AutonomousTransferComplete", "DUStateChangeComplete"}));
  std::string kicked =
      "<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soap-env:Header><cwmp:ID "
      "soap-env:mustUnderstand=\"1\">k-9</cwmp:ID></soap-env:Header><soap-env:Body><cwmp:Kicked>"
      "<Command>c</Command><Referer></Referer><Arg></Arg><Next>n</Next></cwmp:Kicked>"
      "</soap-env:Body></soap-env:Envelope>";
  HttpResult r = cpe.PostRaw(kicked);
  ASSERT_EQ(r.status, 200);
  m = TestCpe::Parse(r);
  EXPECT_EQ(m.header.id, "k-9");
  const auto& fault = std::get<cwmp::Fault>(std::get<cwmp::AcsResponse>(m.body));
  EXPECT_EQ(fault.code, 8000);
  EXPECT_EQ(cpe.PostEmpty().status, 204);
}

TEST_F(CwmpSessionTest, SupportedVersionsAnsweredWithHighestCommonVersion) {
  TestCpe cpe(Cwmp());
  cwmp::AcsMessage m =
      TestCpe::Parse(cpe.SendInform(cpe.MakeInform({"1 BOOT"}), "1", "1.0,1.1,1.2,1.3,1.4"));
  EXPECT_EQ(m.header.use_version, "1.4");
  TestCpe older(Cwmp(), "S2");
  m = TestCpe::Parse(older.SendInform(older.MakeInform({"1 BOOT"}), "1", "1.0, 1.2 ,2.0"));
  EXPECT_EQ(m.header.use_version, "1.2");
  TestCpe future(Cwmp(), "S3");
  HttpResult r = future.SendInform(future.MakeInform({"1 BOOT"}), "1", "2.0");
  m = TestCpe::Parse(r);
  EXPECT_EQ(std::get<cwmp::Fault>(std::get<cwmp::AcsResponse>(m.body)).code, 8006);
  EXPECT_FALSE(r.headers.count("set-cookie"));
}

TEST_F(CwmpSessionTest, GzipSessionIsAnsweredInGzip) {
  TestCpe cpe(Cwmp());
  cpe.set_gzip(true);
  HttpResult r = cpe.Inform();
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.gzip);
  EXPECT_EQ(TestCpe::Parse(r).method, "InformResponse");
  uint64_t id = QueueTask(cpe.device_id(), {{"name", "GetRPCMethods"}});
  r = cpe.PostEmpty();
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.gzip);
  cwmp::AcsMessage m = TestCpe::Parse(r);
  ASSERT_EQ(m.method, "GetRPCMethods");
  r = cpe.PostResponse(cwmp::GetRPCMethodsResult{{"Inform", "GetRPCMethods"}}, *m.header.id);
  EXPECT_EQ(r.status, 204);
  EXPECT_FALSE(r.gzip);
  EXPECT_EQ(WaitTask(id)["response"], Json::parse(R"({"methods":["Inform","GetRPCMethods"]})"));
  // Plain requests get plain answers.
  TestCpe plain(Cwmp(), "S2");
  r = plain.Inform();
  EXPECT_FALSE(r.gzip);
  EXPECT_FALSE(r.headers.count("content-encoding"));
}

TEST_F(CwmpSessionTest, TaskOfAnAbandonedSessionIsSentAgainInTheNextSession) {
  TestCpe cpe(Cwmp());
  ASSERT_EQ(cpe.Inform().status, 200);
  uint64_t id = QueueTask(
      cpe.device_id(), {{"name", "GetParameterNames"}, {"path", "Device."}, {"next_level", true}});
  ASSERT_EQ(TestCpe::Parse(cpe.PostEmpty()).method, "GetParameterNames");
  // The CPE goes away without answering, then opens a new session.
  TestCpe again(Cwmp());
  ASSERT_EQ(again.Inform().status, 200);
  cwmp::AcsMessage m = TestCpe::Parse(again.PostEmpty());
  ASSERT_EQ(m.method, "GetParameterNames");
  const auto& gpn = std::get<cwmp::GetParameterNames>(std::get<cwmp::AcsRequest>(m.body));
  EXPECT_EQ(gpn.path, "Device.");
  EXPECT_TRUE(gpn.next_level);
  cwmp::GetParameterNamesResult result;
  result.names = {{"Device.DeviceInfo.", false}, {"Device.NAT.", true}};
  EXPECT_EQ(again.PostResponse(result, *m.header.id).status, 204);
  Json task = WaitTask(id);
  EXPECT_EQ(task["attempts"], 2);
  EXPECT_EQ(task["response"],
            Json::parse(R"({"names":[["Device.DeviceInfo.",false],["Device.NAT.",true]]})"));
}

}  // namespace
}  // namespace proxier::labacs::testing
