// Builders: envelope and header form, escaping, fault codes, and the exact form of messages the
// corpus does not contain.
#include <gtest/gtest.h>

#include "soap_test_util.h"

namespace proxier::core::cwmp {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

const std::string kCpeStart =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap-env:Envelope "
    "xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns:soap-enc=\"http://schemas.xmlsoap.org/soap/encoding/\" "
    "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
    "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\">";
const std::string kAcsStart =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap-env:Envelope "
    "xmlns:soap-enc=\"http://schemas.xmlsoap.org/soap/encoding/\" "
    "xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
    "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\">";
const std::string kEnd = "</soap-env:Body></soap-env:Envelope>";

std::string Id(const std::string& id) {
  return "<soap-env:Header><cwmp:ID soap-env:mustUnderstand=\"1\">" + id +
         "</cwmp:ID></soap-env:Header>";
}

TEST(SoapBuild, NoHeaderEntriesNoHeaderElement) {
  EXPECT_EQ(BuildCpeRequest(Namespace::k12, Header{}, GetRPCMethods{}),
            kCpeStart + "<soap-env:Body><cwmp:GetRPCMethods></cwmp:GetRPCMethods>" + kEnd);
}

TEST(SoapBuild, Cwmp14HeadersOnTheInformAndTheInformResponse) {
  Header header;
  header.id = "1";
  header.supported_versions = "1.0,1.1,1.2,1.3,1.4";
  std::string inform = BuildCpeRequest(Namespace::k12, header, Inform{});
  EXPECT_EQ(inform.substr(0, inform.find("<soap-env:Body>")),
            kCpeStart +
                "<soap-env:Header><cwmp:ID soap-env:mustUnderstand=\"1\">1</cwmp:ID>"
                "<cwmp:SupportedCWMPVersions soap-env:mustUnderstand=\"0\">1.0,1.1,1.2,1.3,1.4"
                "</cwmp:SupportedCWMPVersions></soap-env:Header>");
  CpeMessage parsed = MustParseCpe(inform);
  EXPECT_EQ(parsed.header.supported_versions, "1.0,1.1,1.2,1.3,1.4");

  Header answer;
  answer.id = "1";
  answer.use_version = "1.4";
  answer.hold_requests = true;
  answer.session_timeout = 30;
  std::string response = BuildAcsResponse(Namespace::k12, answer, InformResponse{});
  EXPECT_EQ(response,
            kAcsStart +
                "<soap-env:Header><cwmp:ID soap-env:mustUnderstand=\"1\">1</cwmp:ID>"
                "<cwmp:HoldRequests soap-env:mustUnderstand=\"1\">1</cwmp:HoldRequests>"
                "<cwmp:UseCWMPVersion soap-env:mustUnderstand=\"1\">1.4</cwmp:UseCWMPVersion>"
                "<cwmp:SessionTimeout soap-env:mustUnderstand=\"0\">30</cwmp:SessionTimeout>"
                "</soap-env:Header><soap-env:Body><cwmp:InformResponse><MaxEnvelopes>1"
                "</MaxEnvelopes></cwmp:InformResponse>" +
                kEnd);
  AcsMessage back = MustParseAcs(response);
  EXPECT_EQ(back.header.use_version, "1.4");
  EXPECT_EQ(back.header.hold_requests, true);
  EXPECT_EQ(back.header.session_timeout, 30u);
}

TEST(SoapBuild, NamespaceUriOverrideOnlyForCwmpUris) {
  Header header;
  header.ns_uri = "urn:dslforum-org:cwmp-1-3";
  EXPECT_NE(BuildCpeResponse(Namespace::k12, header, RebootResult{})
                .find("xmlns:cwmp=\"urn:dslforum-org:cwmp-1-3\""),
            std::string::npos);
  header.ns_uri = "urn:evil\"><x";
  EXPECT_NE(BuildCpeResponse(Namespace::k10, header, RebootResult{})
                .find("xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\""),
            std::string::npos);
}

TEST(SoapBuild, ValuesAreEscapedAndSurviveTheRoundTrip) {
  const std::string tricky = "a&b<c>d\"e'f\r\ng\th";
  GetParameterValuesResult result;
  result.values.push_back({"Device.X", tricky + "\x01\x1f", datamodel::ValueType::kString});
  Header header;
  header.id = "<&>";
  std::string built = BuildCpeResponse(Namespace::k12, header, result);
  EXPECT_NE(built.find(">&lt;&amp;&gt;</cwmp:ID>"), std::string::npos);
  EXPECT_NE(built.find("<Value xsi:type=\"xsd:string\">a&amp;b&lt;c&gt;d&quot;e&apos;f&#13;\ng\th"
                       "</Value>"),
            std::string::npos)
      << built;
  CpeMessage parsed = MustParseCpe(built);
  EXPECT_EQ(parsed.header.id, "<&>");
  const auto* back = CpeResponseOf<GetParameterValuesResult>(parsed);
  ASSERT_NE(back, nullptr);
  ASSERT_EQ(back->values.size(), 1u);
  EXPECT_EQ(back->values[0].value, tricky);  // control characters XML cannot carry are dropped
}

TEST(SoapBuild, FaultcodeFollowsTheCodeUnlessGiven) {
  for (int code : {9003, 9005, 9006, 9007, 9008, 9020, 9021}) {
    EXPECT_NE(BuildCpeFault(Namespace::k12, {}, Fault{code, "", {}, ""})
                  .find("<faultcode>Client</faultcode>"),
              std::string::npos)
        << code;
  }
  for (int code : {9000, 9001, 9002, 9004, 9009, 9010, 9800}) {
    EXPECT_NE(BuildCpeFault(Namespace::k12, {}, Fault{code, "", {}, ""})
                  .find("<faultcode>Server</faultcode>"),
              std::string::npos)
        << code;
  }
  EXPECT_NE(BuildCpeFault(Namespace::k12, {}, Fault{9002, "", {}, "Client"})
                .find("<faultcode>Client</faultcode>"),
            std::string::npos);
  EXPECT_NE(BuildCpeFault(Namespace::k12, {}, Fault{9005, "", {}, "Sender"})
                .find("<faultcode>Client</faultcode>"),
            std::string::npos);
}

TEST(SoapBuild, FaultWithParameterFaults) {
  Fault fault{9003, "Invalid arguments", {}, ""};
  fault.set_faults.push_back({"Device.A", Status(Code::kNonWritableParameter, "read-only")});
  fault.set_faults.push_back({"Device.B", Status(Code::kInvalidParameterType, "")});
  EXPECT_EQ(BuildCpeFault(Namespace::k12, {}, fault),
            kCpeStart +
                "<soap-env:Body><soap-env:Fault><faultcode>Client</faultcode><faultstring>CWMP "
                "fault</faultstring><detail><cwmp:Fault><FaultCode>9003</FaultCode><FaultString>"
                "Invalid arguments</FaultString><SetParameterValuesFault><ParameterName>Device.A"
                "</ParameterName><FaultCode>9008</FaultCode><FaultString>read-only</FaultString>"
                "</SetParameterValuesFault><SetParameterValuesFault><ParameterName>Device.B"
                "</ParameterName><FaultCode>9006</FaultCode><FaultString>Invalid parameter type"
                "</FaultString></SetParameterValuesFault></cwmp:Fault></detail></soap-env:Fault>" +
                kEnd);
  // BuildCpeResponse with a Fault is the same envelope.
  EXPECT_EQ(BuildCpeResponse(Namespace::k12, {}, fault), BuildCpeFault(Namespace::k12, {}, fault));
}

TEST(SoapBuild, AutonomousTransferCompleteAndDuStateChangeComplete) {
  AutonomousTransferComplete atc;
  atc.announce_url = "http://a/";
  atc.transfer_url = "http://t/f";
  atc.is_download = false;
  atc.file_type = "2 Vendor Log File";
  atc.file_size = 12;
  atc.fault = {9011, "Upload failure"};
  atc.start_time = "2024-01-01T00:00:00Z";
  atc.complete_time = "2024-01-01T00:00:01Z";
  EXPECT_EQ(BuildCpeRequest(Namespace::k12, {}, atc),
            kCpeStart +
                "<soap-env:Body><cwmp:AutonomousTransferComplete><AnnounceURL>http://a/"
                "</AnnounceURL><TransferURL>http://t/f</TransferURL><IsDownload>0</IsDownload>"
                "<FileType>2 Vendor Log File</FileType><FileSize>12</FileSize><TargetFileName>"
                "</TargetFileName><FaultStruct><FaultCode>9011</FaultCode><FaultString>Upload "
                "failure</FaultString></FaultStruct><StartTime>2024-01-01T00:00:00Z</StartTime>"
                "<CompleteTime>2024-01-01T00:00:01Z</CompleteTime>"
                "</cwmp:AutonomousTransferComplete>" +
                kEnd);

  DUStateChangeComplete du;
  DuOpResult r;
  r.uuid = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
  r.deployment_unit_ref = "Device.SoftwareModules.DeploymentUnit.1";
  r.version = "1.0";
  r.current_state = "Installed";
  r.resolved = true;
  r.start_time = r.complete_time = "0001-01-01T00:00:00Z";
  du.results = {r};
  du.command_key = "ck";
  EXPECT_EQ(BuildCpeRequest(Namespace::k12, {}, du),
            kCpeStart +
                "<soap-env:Body><cwmp:DUStateChangeComplete><Results><UUID>"
                "6ba7b810-9dad-11d1-80b4-00c04fd430c8</UUID><DeploymentUnitRef>"
                "Device.SoftwareModules.DeploymentUnit.1</DeploymentUnitRef><Version>1.0</Version>"
                "<CurrentState>Installed</CurrentState><Resolved>1</Resolved>"
                "<ExecutionUnitRefList></ExecutionUnitRefList><StartTime>0001-01-01T00:00:00Z"
                "</StartTime><CompleteTime>0001-01-01T00:00:00Z</CompleteTime><Fault><FaultCode>0"
                "</FaultCode><FaultString></FaultString></Fault></Results><CommandKey>ck"
                "</CommandKey></cwmp:DUStateChangeComplete>" +
                kEnd);
}

TEST(SoapBuild, AcsRequestsNotInTheCorpus) {
  Header header;
  header.id = "a1";
  EXPECT_EQ(BuildAcsRequest(Namespace::k12, header, ScheduleInform{60, "si"}),
            kAcsStart + Id("a1") +
                "<soap-env:Body><cwmp:ScheduleInform><DelaySeconds>60</DelaySeconds><CommandKey>si"
                "</CommandKey></cwmp:ScheduleInform>" +
                kEnd);
  Upload upload;
  upload.command_key = "u";
  upload.file_type = "1 Vendor Configuration File";
  upload.url = "http://h/u";
  upload.password = Secret("s3cret");
  EXPECT_EQ(BuildAcsRequest(Namespace::k12, header, upload),
            kAcsStart + Id("a1") +
                "<soap-env:Body><cwmp:Upload><CommandKey>u</CommandKey><FileType>1 Vendor "
                "Configuration File</FileType><URL>http://h/u</URL><Username></Username><Password>"
                "s3cret</Password><DelaySeconds>0</DelaySeconds></cwmp:Upload>" +
                kEnd);
  ChangeDUState du;
  du.operations.resize(1);
  du.operations[0].url = "http://h/du.ipk";
  EXPECT_EQ(BuildAcsRequest(Namespace::k12, header, du),
            kAcsStart + Id("a1") +
                "<soap-env:Body><cwmp:ChangeDUState><Operations xsi:type=\"cwmp:InstallOpStruct\">"
                "<URL>http://h/du.ipk</URL></Operations><CommandKey></CommandKey>"
                "</cwmp:ChangeDUState>" +
                kEnd);
  EXPECT_EQ(BuildAcsResponse(Namespace::k12, header, Fault{8000, "", {}, ""}),
            kAcsStart + Id("a1") +
                "<soap-env:Body><soap-env:Fault><faultcode>Server</faultcode><faultstring>CWMP "
                "fault</faultstring><detail><cwmp:Fault><FaultCode>8000</FaultCode><FaultString>"
                "Method not supported</FaultString></cwmp:Fault></detail></soap-env:Fault>" +
                kEnd);
}

TEST(SoapBuild, MethodNames) {
  EXPECT_EQ(MethodName(AcsRequest(ChangeDUState{})), "ChangeDUState");
  EXPECT_EQ(MethodName(CpeRequest(DUStateChangeComplete{})), "DUStateChangeComplete");
  EXPECT_EQ(MethodName(CpeResponse(ScheduleInformResult{})), "ScheduleInformResponse");
  EXPECT_EQ(MethodName(CpeResponse(Fault{})), "Fault");
  EXPECT_EQ(MethodName(AcsResponse(AutonomousTransferCompleteResponse{})),
            "AutonomousTransferCompleteResponse");
  EXPECT_EQ(NamespaceUri(Namespace::k11), "urn:dslforum-org:cwmp-1-1");
}

}  // namespace
}  // namespace proxier::core::cwmp
