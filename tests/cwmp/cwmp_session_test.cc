// CwmpClient sessions: bootstrap/boot, Inform contents, RPCs through the data model, faults,
// retries with the TR-069 back-off, namespace echo, HoldRequests, queued CPE requests.
#include <gtest/gtest.h>

#include "client_fixture.h"
#include "proxier/core/schedule.h"

namespace proxier::testing {
namespace {

using core::cwmp::AcsRequest;
namespace cwmp = core::cwmp;

class SessionTest : public ClientFixture {};

const cwmp::Inform& InformOf(const ScriptedAcs::Received& r) {
  return std::get<cwmp::Inform>(std::get<cwmp::CpeRequest>(r.message.body));
}

template <typename T>
const T* ResponseOf(const ScriptedAcs::Received& r) {
  auto* resp = std::get_if<cwmp::CpeResponse>(&r.message.body);
  return resp ? std::get_if<T>(resp) : nullptr;
}

TEST_F(SessionTest, FirstContactBootstrapsThenBootOnly) {
  StartAndSettle();
  ASSERT_EQ(client_->sessions_ok(), 1u);
  auto received = acs_.received();
  ASSERT_GE(received.size(), 2u);
  EXPECT_EQ(received[0].method, "Inform");
  EXPECT_EQ(received[1].method, "");  // the empty POST
  EXPECT_EQ(received[1].http.headers.count("content-type"), 0u);
  EXPECT_EQ(received[1].http.headers.count("soapaction"), 0u);
  EXPECT_EQ(received[1].http.headers["cookie"], "session=0123456789abcdef");
  const auto& inform = InformOf(received[0]);
  EXPECT_EQ(Codes(inform.events), (std::vector<std::string>{"0 BOOTSTRAP", "1 BOOT"}));
  EXPECT_EQ(inform.device_id.oui, "02C0DE");
  EXPECT_EQ(inform.device_id.product_class, "TestGW");
  EXPECT_EQ(inform.device_id.serial_number, "T0001");
  EXPECT_EQ(inform.retry_count, 0u);
  std::map<std::string, std::string> params;
  for (const auto& p : inform.params) params[p.name] = p.value;
  EXPECT_EQ(params["Device.RootDataModelVersion"], "2.17");
  EXPECT_EQ(params["Device.ManagementServer.ConnectionRequestURL"],
            "http://127.0.0.1:" + std::to_string(cr_->port()) + "/cr");
  EXPECT_EQ(received[0].http.headers["soapaction"], "\"\"");
  // A restart is a boot, not a new bootstrap.
  OpenClient();
  StartAndSettle();
  EXPECT_EQ(Codes(acs_.EventsOfInform(1)), (std::vector<std::string>{"1 BOOT"}));
}

TEST_F(SessionTest, AnswersGpvGpnSpvFromTheDataModelAndSetsParameterKeyOnlyOnSuccess) {
  acs_.Queue(cwmp::GetParameterValues{
      {"Device.DeviceInfo.SerialNumber", "Device.Time.", "Device.ManagementServer.URL",
       "Device.ManagementServer.Username", "Device.ManagementServer.EnableCWMP"}});
  acs_.Queue(cwmp::GetParameterNames{"Device.ManagementServer.", true});
  const auto uint = datamodel::ValueType::kUnsignedInt;
  acs_.Queue(cwmp::SetParameterValues{
      {{"Device.ManagementServer.PeriodicInformInterval", "600", uint}}, "key-1"});
  acs_.Queue(
      cwmp::SetParameterValues{{{"Device.ManagementServer.PeriodicInformInterval", "0", uint},
                                {"Device.DeviceInfo.SerialNumber", "x", {}},
                                {"Device.ManagementServer.PeriodicInformEnable", "true", {}}},
                               "key-2"});
  StartAndSettle();
  auto gpv = acs_.Of("GetParameterValuesResponse");
  ASSERT_EQ(gpv.size(), 1u);
  auto* values = ResponseOf<cwmp::GetParameterValuesResult>(gpv[0]);
  ASSERT_NE(values, nullptr);
  EXPECT_EQ(values->values.at(0).value, "T0001");
  // SerialNumber, Device.Time.'s Status and CurrentLocalTime (its NTP and time-zone settings are
  // not modelled since issue 11, item 8), then URL, Username and EnableCWMP.
  EXPECT_EQ(values->values.size(), 6u);
  auto gpn = acs_.Of("GetParameterNamesResponse");
  ASSERT_EQ(gpn.size(), 1u);
  EXPECT_GT(ResponseOf<cwmp::GetParameterNamesResult>(gpn[0])->names.size(), 20u);
  auto spv = acs_.Of("SetParameterValuesResponse");
  ASSERT_EQ(spv.size(), 1u);
  EXPECT_EQ(ResponseOf<cwmp::SetParameterValuesResult>(spv[0])->status, 0);
  auto faults = acs_.Of("Fault");
  ASSERT_EQ(faults.size(), 1u);
  auto* fault = ResponseOf<cwmp::Fault>(faults[0]);
  EXPECT_EQ(fault->code, 9003);
  ASSERT_EQ(fault->set_faults.size(), 3u);
  EXPECT_EQ(fault->set_faults[0].status.code(), Code::kInvalidParameterValue);  // interval >= 1
  EXPECT_EQ(fault->set_faults[1].status.code(), Code::kNonWritableParameter);
  EXPECT_EQ(fault->set_faults[2].status.code(), Code::kInvalidParameterType);  // sent as xsd:string
  EXPECT_EQ(Value("Device.ManagementServer.PeriodicInformEnable"), "false") << "nothing applied";
  EXPECT_EQ(Value("Device.ManagementServer.PeriodicInformInterval"), "600");
  EXPECT_EQ(Value("Device.ManagementServer.ParameterKey"), "key-1");
}

// The SOAP writer is the last line (issue 10, finding 1): ill-formed bytes that reached the store
// by any path (an older version, a bug, a tampered file) still give a well-formed envelope the
// ACS can parse, and the session goes on.
TEST_F(SessionTest, IllFormedBytesPlantedInTheStoreStillGiveWellFormedEnvelopes) {
  StartAndSettle();
  // Bypass every check: write the bytes with SQL. 0xFF 0xFE, a lone surrogate, C0 controls,
  // U+FFFF and markup.
  {
    auto st = db_->Prepare("INSERT OR REPLACE INTO dm_value(ns, path, value) VALUES('gw', ?, ?)");
    ASSERT_TRUE(st.ok());
    const std::string planted = "bad\xFF\xFE|\xED\xA0\x80|\x01\x1B|\xEF\xBF\xBF|</Value>";
    st->Bind(0, "Device.DeviceInfo.ProvisioningCode").Bind(1, planted);
    ASSERT_TRUE(st->Run().ok());
  }
  OpenClient();  // a restart: nothing cached
  acs_.Queue(cwmp::GetParameterValues{{"Device.DeviceInfo."}});
  acs_.Queue(cwmp::GetParameterValues{{"Device.DeviceInfo.ProvisioningCode"}});
  StartAndSettle();
  EXPECT_EQ(acs_.Count("<unparseable>"), 0u);
  auto gpv = acs_.Of("GetParameterValuesResponse");
  ASSERT_EQ(gpv.size(), 2u);
  const auto* one = ResponseOf<cwmp::GetParameterValuesResult>(gpv[1]);
  ASSERT_NE(one, nullptr);
  ASSERT_EQ(one->values.size(), 1u);
  EXPECT_EQ(one->values[0].value,
            "bad\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|||</Value>");
  EXPECT_EQ(client_->sessions_failed(), 0u);
}

TEST_F(SessionTest, UnknownMethodAndBadArgumentsAreFaults) {
  acs_.QueueRaw(
      "<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soap-env:Header><cwmp:ID "
      "soap-env:mustUnderstand=\"1\">x1</cwmp:ID></"
      "soap-env:Header><soap-env:Body><cwmp:X_Frobnicate/>"
      "</soap-env:Body></soap-env:Envelope>");
  acs_.QueueRaw(
      "<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soap-env:Header><cwmp:ID "
      "soap-env:mustUnderstand=\"1\">x2</cwmp:ID></"
      "soap-env:Header><soap-env:Body><cwmp:GetParameterNames>"
      "<ParameterPath>Device.</ParameterPath><NextLevel>maybe</NextLevel></cwmp:GetParameterNames>"
      "</soap-env:Body></soap-env:Envelope>");
  acs_.Queue(cwmp::GetParameterValues{{"Device.Nope"}});
  StartAndSettle();
  auto faults = acs_.Of("Fault");
  ASSERT_EQ(faults.size(), 3u);
  EXPECT_EQ(ResponseOf<cwmp::Fault>(faults[0])->code, 9000);
  EXPECT_EQ(faults[0].message.header.id.value_or(""), "x1");
  EXPECT_EQ(ResponseOf<cwmp::Fault>(faults[1])->code, 9003);
  EXPECT_EQ(ResponseOf<cwmp::Fault>(faults[2])->code, 9005);
  EXPECT_EQ(client_->sessions_ok(), 1u);
}

TEST_F(SessionTest, GetRPCMethodsListsTheHandlers) {
  acs_.Queue(cwmp::GetRPCMethods{});
  StartAndSettle();
  auto r = acs_.Of("GetRPCMethodsResponse");
  ASSERT_EQ(r.size(), 1u);
  auto methods = ResponseOf<cwmp::GetRPCMethodsResult>(r[0])->methods;
  for (const char* m :
       {"GetRPCMethods", "GetParameterNames", "GetParameterValues", "SetParameterValues",
        "GetParameterAttributes", "SetParameterAttributes", "AddObject", "DeleteObject", "Reboot",
        "FactoryReset", "Download", "Upload", "ScheduleInform"}) {
    EXPECT_NE(std::find(methods.begin(), methods.end(), m), methods.end()) << m;
  }
}

TEST_F(SessionTest, FailedSessionsRetryInsideTheWindowsWithRetryCount) {
  acs_.FailInforms(2);
  ASSERT_TRUE(client_->Start().ok());
  ASSERT_TRUE(Wait([&] { return client_->sessions_failed() == 1 && !client_->in_session(); }));
  auto first = client_->next_attempt_in();
  ASSERT_TRUE(first.has_value());
  core::RetryWindow w1 = core::RetryWindowFor(1, 1, 2000);
  EXPECT_GE(first->count(), w1.min_ms - 50);
  EXPECT_LE(first->count(), w1.max_ms);
  ASSERT_TRUE(Wait([&] { return client_->sessions_failed() == 2 && !client_->in_session(); }));
  auto second = client_->next_attempt_in();
  core::RetryWindow w2 = core::RetryWindowFor(2, 1, 2000);
  EXPECT_GE(second->count(), w2.min_ms - 50);
  EXPECT_LE(second->count(), w2.max_ms);
  ASSERT_TRUE(Wait([&] { return client_->sessions_ok() == 1 && !client_->in_session(); }));
  auto informs = acs_.Of("Inform");
  ASSERT_EQ(informs.size(), 3u);
  EXPECT_EQ(InformOf(informs[0]).retry_count, 0u);
  EXPECT_EQ(InformOf(informs[1]).retry_count, 1u);
  EXPECT_EQ(InformOf(informs[2]).retry_count, 2u);
  // The events of the failed attempts were kept for the successful one.
  EXPECT_EQ(Codes(InformOf(informs[2]).events),
            (std::vector<std::string>{"0 BOOTSTRAP", "1 BOOT"}));
  EXPECT_EQ(client_->retry_count(), 0u);
}

TEST_F(SessionTest, AnswersInTheNamespaceTheAcsUses) {
  acs_.SetNamespace(cwmp::Namespace::k10);
  acs_.Queue(cwmp::GetParameterValues{{"Device.DeviceInfo.SerialNumber"}});
  StartAndSettle();
  auto r = acs_.Of("GetParameterValuesResponse");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].message.ns, cwmp::Namespace::k10);
  EXPECT_NE(r[0].http.body.find("urn:dslforum-org:cwmp-1-0"), std::string::npos);
}

TEST_F(SessionTest, QueuedTransferCompleteSentAfterInformAndEventsKeptUntilAcknowledged) {
  ASSERT_TRUE(client_->Start().ok());
  ASSERT_TRUE(Wait([&] { return client_->sessions_ok() == 1 && !client_->in_session(); }));
  ASSERT_TRUE(client_
                  ->QueueRequest(
                      cwmp::TransferComplete{
                          "ck-9", {0, ""}, "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z"},
                      {{"7 TRANSFER COMPLETE", ""}, {"M Download", "ck-9"}})
                  .ok());
  ASSERT_TRUE(Wait([&] { return client_->sessions_ok() == 2 && !client_->in_session(); }));
  EXPECT_EQ(Codes(acs_.EventsOfInform(1)),
            (std::vector<std::string>{"7 TRANSFER COMPLETE", "M Download/ck-9"}));
  auto received = acs_.received();
  // Inform, TransferComplete, empty POST.
  ASSERT_GE(received.size(), 5u);
  EXPECT_EQ(received[received.size() - 3].method, "Inform");
  EXPECT_EQ(received[received.size() - 2].method, "TransferComplete");
  EXPECT_EQ(received.back().method, "");
  EXPECT_TRUE(client_->events().Events().empty());
  EXPECT_TRUE(client_->events().Requests().empty());
}

// HoldRequests defers the CPE's requests while the ACS sends its own; the ACS's empty response
// lifts it, and the CPE then sends what it holds before the session ends (TR-069 §3.7.1.4; issue
// 11: the session ended with the TransferComplete unsent).
TEST_F(SessionTest, HoldRequestsDefersCpeRequestsUntilTheAcsIsDone) {
  cwmp::Header hold;
  hold.hold_requests = true;
  acs_.SetInformResponseHeader(hold);
  acs_.Queue(cwmp::GetParameterValues{{"Device.DeviceInfo.SerialNumber"}}, hold);
  ASSERT_TRUE(client_->Start().ok());
  ASSERT_TRUE(client_
                  ->QueueRequest(cwmp::TransferComplete{"h", {0, ""}, "", ""},
                                 {{"7 TRANSFER COMPLETE", ""}})
                  .ok());
  ASSERT_TRUE(Wait([&] { return client_->sessions_ok() >= 1 && !client_->in_session(); }));
  std::vector<std::string> methods;
  for (const auto& r : acs_.received()) methods.push_back(r.method);
  EXPECT_EQ(methods, (std::vector<std::string>{"Inform", "", "GetParameterValuesResponse",
                                               "TransferComplete", ""}));
  EXPECT_EQ(client_->events().Requests().size(), 0u);
  EXPECT_EQ(client_->sessions_ok(), 1u);
}

TEST_F(SessionTest, UnreadableReplySurvives) {
  // GenieACS's reply with the invalid element name soap-env:Body:Fault (fixture 23).
  acs_.QueueRaw(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap-env:Envelope "
      "xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\">"
      "<soap-env:Body><soap-env:Body:Fault><faultcode>Server</faultcode></soap-env:Body:Fault></"
      "soap-env:Body>"
      "</soap-env:Envelope>");
  StartAndSettle();
  EXPECT_EQ(client_->sessions_ok(), 1u);
  EXPECT_EQ(acs_.Count("Fault"), 1u);  // answered with a fault, then the ACS ended the session
}

TEST_F(SessionTest, AcsUrlChangeBootstrapsAgain) {
  acs_.Queue(cwmp::SetParameterValues{{{"Device.ManagementServer.URL", acs_.Url() + "2", {}}}, ""});
  StartAndSettle();
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") >= 2 && !client_->in_session(); }));
  auto events = Codes(acs_.EventsOfInform(1));
  EXPECT_NE(std::find(events.begin(), events.end(), "0 BOOTSTRAP"), events.end());
  EXPECT_NE(acs_.Of("Inform")[1].http.path.find("/acs2"), std::string::npos);
}

TEST_F(SessionTest, GzipBodiesWhenHttpCompressionIsGzip) {
  ASSERT_TRUE(gw_->store().SetInternal("Device.ManagementServer.HTTPCompression", "GZIP").ok());
  acs_.Queue(cwmp::GetParameterValues{{"Device.DeviceInfo.SerialNumber"}});
  StartAndSettle();
  auto received = acs_.received();
  ASSERT_GE(received.size(), 3u);
  for (auto& r : received) EXPECT_EQ(r.http.headers["content-encoding"], "gzip") << r.method;
  EXPECT_EQ(acs_.Count("GetParameterValuesResponse"), 1u);
}

TEST_F(SessionTest, InformParameterTableAddsParameters) {
  auto row = gw_->model().AddRowInternal("Device.ManagementServer.InformParameter.");
  ASSERT_TRUE(row.ok());
  std::string p = "Device.ManagementServer.InformParameter." + std::to_string(row->instance) + ".";
  ASSERT_TRUE(gw_->store().SetInternal(p + "Enable", "true").ok());
  ASSERT_TRUE(gw_->store().SetInternal(p + "ParameterName", "Device.DeviceInfo.UpTime").ok());
  ASSERT_TRUE(gw_->store().SetInternal(p + "EventList", "2 PERIODIC").ok());
  StartAndSettle();  // BOOTSTRAP/BOOT: not in the EventList
  auto names = [](const cwmp::Inform& i) {
    std::vector<std::string> out;
    for (const auto& v : i.params) out.push_back(v.name);
    return out;
  };
  auto first = names(InformOf(acs_.Of("Inform")[0]));
  EXPECT_EQ(std::find(first.begin(), first.end(), "Device.DeviceInfo.UpTime"), first.end());
  client_->Trigger("2 PERIODIC");
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == 2 && !client_->in_session(); }));
  auto second = names(InformOf(acs_.Of("Inform")[1]));
  EXPECT_NE(std::find(second.begin(), second.end(), "Device.DeviceInfo.UpTime"), second.end());
}

}  // namespace
}  // namespace proxier::testing
