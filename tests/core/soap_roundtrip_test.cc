// Round trips of every message type through builder and parser, in every namespace: each field
// is set to a non-default value, so a field lost on either side changes the rebuilt envelope.
#include <gtest/gtest.h>

#include "soap_test_util.h"

namespace proxier::core::cwmp {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using datamodel::ValueType;

std::vector<CpeRequest> CpeRequests() {
  Inform inform;
  inform.device_id = {"Acme & Co", "02C0DE", "GW", "S1"};
  inform.events = {{"1 BOOT", ""}, {"M Reboot", "rk"}};
  inform.max_envelopes = 1;
  inform.current_time = "2024-05-01T10:00:00Z";
  inform.retry_count = 3;
  inform.params = {{"Device.A", "x", ValueType::kString},
                   {"Device.B", "-5", ValueType::kInt},
                   {"Device.C", "18446744073709551615", ValueType::kUnsignedLong},
                   {"Device.D", "AQID", ValueType::kBase64},
                   {"Device.E", "0a", ValueType::kHexBinary},
                   {"Device.F", "-1", ValueType::kLong},
                   {"Device.G", "1.5", ValueType::kDecimal}};
  TransferComplete tc{
      "ck", {9010, "Download failed"}, "2024-01-01T00:00:00Z", "2024-01-01T00:00:05Z"};
  AutonomousTransferComplete atc;
  atc.announce_url = "http://a/";
  atc.transfer_url = "http://t/";
  atc.is_download = false;
  atc.file_type = "2 Vendor Log File";
  atc.file_size = 7;
  atc.target_file_name = "log.txt";
  atc.fault = {9011, "x"};
  atc.start_time = "2024-01-01T00:00:00Z";
  atc.complete_time = "2024-01-01T00:00:02Z";
  DUStateChangeComplete du;
  DuOpResult r;
  r.uuid = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
  r.deployment_unit_ref = "Device.SoftwareModules.DeploymentUnit.1";
  r.version = "2";
  r.current_state = "Failed";
  r.resolved = true;
  r.execution_unit_ref_list = "Device.SoftwareModules.ExecutionUnit.1";
  r.start_time = "2024-01-01T00:00:00Z";
  r.complete_time = "2024-01-01T00:00:03Z";
  r.fault = {9018, "corrupt"};
  du.results = {r, r};
  du.command_key = "duk";
  return {inform, tc, atc, du, GetRPCMethods{}};
}

std::vector<CpeResponse> CpeResponses() {
  GetParameterNamesResult gpn;
  gpn.names.resize(2);
  gpn.names[0].name = "Device.";
  gpn.names[1].name = "Device.X";
  gpn.names[1].writable = true;
  Fault fault{9003, "bad", {{"Device.X", Status(Code::kInvalidParameterValue, "too big")}}, ""};
  return {GetRPCMethodsResult{{"GetRPCMethods", "Download"}},
          SetParameterValuesResult{1},
          GetParameterValuesResult{{{"Device.X", "1", ValueType::kBoolean}}},
          gpn,
          SetParameterAttributesResult{},
          GetParameterAttributesResult{{{"Device.X", 2, {"Subscriber"}}, {"Device.Y", 0, {}}}},
          AddObjectResult{7, 1},
          DeleteObjectResult{1},
          RebootResult{},
          FactoryResetResult{},
          DownloadResult{0, "2024-01-01T00:00:00Z", "2024-01-01T00:00:09Z"},
          UploadResult{0, "2024-01-01T00:00:01Z", "2024-01-01T00:00:08Z"},
          ScheduleInformResult{},
          ChangeDUStateResult{},
          fault};
}

std::vector<AcsRequest> AcsRequests() {
  SetParameterValues spv;
  spv.params = {{"Device.A", "a & b", ValueType::kString}, {"Device.B", "5", ValueType::kInt}};
  spv.parameter_key = "pk";
  SetParameterAttributes spa;
  spa.params.resize(2);
  spa.params[0] = {"Device.A", true, 2, true, {"Subscriber"}};
  spa.params[1] = {"Device.B.", false, 0, false, {}};
  Download dl;
  dl.command_key = "dk";
  dl.file_type = "3 Vendor Configuration File";
  dl.url = "http://h/c";
  dl.username = "u";
  dl.password = Secret("p");
  dl.file_size = 99;
  dl.target_file_name = "c.cfg";
  dl.delay_seconds = 4;
  dl.success_url = "http://ok/";
  dl.failure_url = "http://ko/";
  Upload up;
  up.command_key = "uk";
  up.file_type = "2 Vendor Log File";
  up.url = "http://h/l";
  up.username = "u";
  up.password = Secret("p");
  up.delay_seconds = 2;
  ChangeDUState du;
  du.operations.resize(3);
  du.operations[0] = {DuOperation::Kind::kInstall,
                      "http://h/i",
                      "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
                      "u",
                      Secret("p"),
                      "Device.SoftwareModules.ExecEnv.1",
                      ""};
  du.operations[1] = {DuOperation::Kind::kUpdate,
                      "http://h/u",
                      "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
                      "u",
                      Secret("p"),
                      "",
                      "3"};
  du.operations[2] = {
      DuOperation::Kind::kUninstall,      "", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "", Secret(),
      "Device.SoftwareModules.ExecEnv.1", "3"};
  du.command_key = "ck";
  return {GetRPCMethods{},
          spv,
          GetParameterValues{{"Device.A", "Device.B."}},
          GetParameterNames{"Device.", true},
          spa,
          GetParameterAttributes{{"Device."}},
          AddObject{"Device.NAT.PortMapping.", "pk"},
          DeleteObject{"Device.NAT.PortMapping.3.", "pk"},
          Reboot{"rk"},
          FactoryReset{},
          dl,
          up,
          ScheduleInform{30, "sk"},
          du};
}

std::vector<AcsResponse> AcsResponses() {
  return {InformResponse{1},
          TransferCompleteResponse{},
          AutonomousTransferCompleteResponse{},
          DUStateChangeCompleteResponse{},
          GetRPCMethodsResponse{{"Inform", "GetRPCMethods", "TransferComplete"}},
          Fault{8005, "Retry request", {}, "Server"}};
}

class SoapRoundTrip : public ::testing::TestWithParam<Namespace> {};

TEST_P(SoapRoundTrip, CpeMessages) {
  Header header;
  header.id = "id-1";
  for (const auto& request : CpeRequests()) {
    SCOPED_TRACE(std::string(MethodName(request)));
    std::string built = BuildCpeRequest(GetParam(), header, request);
    CpeMessage parsed = MustParseCpe(built);
    EXPECT_EQ(parsed.ns, GetParam());
    EXPECT_EQ(parsed.method, MethodName(request));
    ASSERT_TRUE(std::holds_alternative<CpeRequest>(parsed.body));
    EXPECT_EQ(BuildCpeRequest(parsed.ns, parsed.header, std::get<CpeRequest>(parsed.body)), built);
  }
  for (const auto& response : CpeResponses()) {
    SCOPED_TRACE(std::string(MethodName(response)));
    std::string built = BuildCpeResponse(GetParam(), header, response);
    CpeMessage parsed = MustParseCpe(built);
    EXPECT_EQ(parsed.method, MethodName(response));
    ASSERT_TRUE(std::holds_alternative<CpeResponse>(parsed.body));
    EXPECT_EQ(BuildCpeResponse(parsed.ns, parsed.header, std::get<CpeResponse>(parsed.body)),
              built);
  }
}

TEST_P(SoapRoundTrip, AcsMessages) {
  Header header;
  header.id = "1a2b";
  for (const auto& request : AcsRequests()) {
    SCOPED_TRACE(std::string(MethodName(request)));
    std::string built = BuildAcsRequest(GetParam(), header, request);
    AcsMessage parsed = MustParseAcs(built);
    EXPECT_EQ(parsed.ns, GetParam());
    EXPECT_EQ(parsed.header.id, "1a2b");
    ASSERT_TRUE(std::holds_alternative<AcsRequest>(parsed.body));
    EXPECT_EQ(std::get<AcsRequest>(parsed.body).index(), request.index());
    EXPECT_EQ(BuildAcsRequest(parsed.ns, parsed.header, std::get<AcsRequest>(parsed.body)), built);
  }
  for (const auto& response : AcsResponses()) {
    SCOPED_TRACE(std::string(MethodName(response)));
    std::string built = BuildAcsResponse(GetParam(), header, response);
    AcsMessage parsed = MustParseAcs(built);
    ASSERT_TRUE(std::holds_alternative<AcsResponse>(parsed.body));
    EXPECT_EQ(std::get<AcsResponse>(parsed.body).index(), response.index());
    EXPECT_EQ(BuildAcsResponse(parsed.ns, parsed.header, std::get<AcsResponse>(parsed.body)),
              built);
  }
}

// Spot checks that the parsed values are the built ones (not just stable).
TEST(SoapRoundTripValues, FieldsComeBack) {
  auto requests = AcsRequests();
  AcsMessage m = MustParseAcs(BuildAcsRequest(Namespace::k12, {}, requests[10]));
  const auto* dl = AcsRequestOf<Download>(m);
  ASSERT_NE(dl, nullptr);
  EXPECT_EQ(dl->failure_url, "http://ko/");
  EXPECT_EQ(dl->password.Reveal(), "p");
  EXPECT_EQ(dl->delay_seconds, 4u);
  m = MustParseAcs(BuildAcsRequest(Namespace::k12, {}, requests[13]));
  const auto* du = AcsRequestOf<ChangeDUState>(m);
  ASSERT_NE(du, nullptr);
  ASSERT_EQ(du->operations.size(), 3u);
  EXPECT_EQ(du->operations[1].kind, DuOperation::Kind::kUpdate);
  EXPECT_EQ(du->operations[1].version, "3");
  EXPECT_EQ(du->operations[2].kind, DuOperation::Kind::kUninstall);

  CpeMessage c = MustParseCpe(BuildCpeRequest(Namespace::k12, {}, CpeRequests()[0]));
  const auto* inform = CpeRequestOf<Inform>(c);
  ASSERT_NE(inform, nullptr);
  EXPECT_EQ(inform->device_id.manufacturer, "Acme & Co");
  EXPECT_EQ(inform->retry_count, 3u);
  EXPECT_EQ(inform->events[1], (EventStruct{"M Reboot", "rk"}));
  EXPECT_EQ(inform->params, std::get<Inform>(CpeRequests()[0]).params);
  c = MustParseCpe(BuildCpeRequest(Namespace::k12, {}, CpeRequests()[3]));
  const auto* dsc = CpeRequestOf<DUStateChangeComplete>(c);
  ASSERT_NE(dsc, nullptr);
  ASSERT_EQ(dsc->results.size(), 2u);
  EXPECT_EQ(dsc->results[1].fault.code, 9018);
  EXPECT_TRUE(dsc->results[1].resolved);
}

INSTANTIATE_TEST_SUITE_P(AllNamespaces, SoapRoundTrip,
                         ::testing::Values(Namespace::k10, Namespace::k11, Namespace::k12));

}  // namespace
}  // namespace proxier::core::cwmp
