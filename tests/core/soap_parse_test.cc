// ParseAcsEnvelope: what real ACSes send beyond GenieACS's style, header entries, typed arguments
// and argument errors.
#include <gtest/gtest.h>

#include "soap_test_util.h"

namespace proxier::core::cwmp {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using datamodel::ValueType;

constexpr char kGpv[] =
    "<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType=\"xsd:string[1]\">"
    "<string>Device.DeviceInfo.UpTime</string></ParameterNames></cwmp:GetParameterValues>";

TEST(SoapParse, OtherPrefixesWhitespaceAndNoDeclaration) {
  const std::string body = R"(
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns:c="urn:dslforum-org:cwmp-1-0">
  <SOAP-ENV:Header>
    <c:ID SOAP-ENV:mustUnderstand="1">abc 1</c:ID>
  </SOAP-ENV:Header>
  <SOAP-ENV:Body>
    <c:SetParameterValues>
      <ParameterList SOAP-ENC:arrayType="c:ParameterValueStruct[1]">
        <ParameterValueStruct>
          <Name> Device.ManagementServer.PeriodicInformInterval </Name>
          <Value i:type="xs:unsignedInt">60</Value>
        </ParameterValueStruct>
      </ParameterList>
      <ParameterKey>key 1</ParameterKey>
    </c:SetParameterValues>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>
)";
  AcsMessage m = MustParseAcs(body);
  EXPECT_EQ(m.ns, Namespace::k10);
  EXPECT_EQ(m.header.id, "abc 1");
  EXPECT_EQ(m.method, "SetParameterValues");
  const auto* spv = AcsRequestOf<SetParameterValues>(m);
  ASSERT_NE(spv, nullptr);
  ASSERT_EQ(spv->params.size(), 1u);
  EXPECT_EQ(spv->params[0].name, "Device.ManagementServer.PeriodicInformInterval");
  EXPECT_EQ(spv->params[0].value, "60");
  EXPECT_EQ(spv->params[0].declared_type, ValueType::kUnsignedInt);
  EXPECT_EQ(spv->parameter_key, "key 1");
}

TEST(SoapParse, DefaultNamespacesAndCrlfAndBom) {
  const std::string body =
      "\xEF\xBB\xBF<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\r\n"
      "<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\">\r\n<Body>\r\n"
      "<GetParameterNames xmlns=\"urn:dslforum-org:cwmp-1-1\">\r\n"
      "<ParameterPath xmlns=\"\">Device.</ParameterPath><NextLevel xmlns=\"\">true</NextLevel>"
      "</GetParameterNames></Body></Envelope>";
  AcsMessage m = MustParseAcs(body);
  EXPECT_EQ(m.ns, Namespace::k11);
  EXPECT_FALSE(m.header.id.has_value());
  const auto* gpn = AcsRequestOf<GetParameterNames>(m);
  ASSERT_NE(gpn, nullptr);
  EXPECT_EQ(gpn->path, "Device.");
  EXPECT_TRUE(gpn->next_level);
}

TEST(SoapParse, Cwmp13And14UrnsAreVersion12AndKeptForTheEcho) {
  for (std::string uri : {"urn:dslforum-org:cwmp-1-3", "urn:dslforum-org:cwmp-1-4"}) {
    AcsMessage m = MustParseAcs(AcsEnvelope(kGpv, "7", uri));
    EXPECT_EQ(m.ns, Namespace::k12);
    EXPECT_EQ(m.header.ns_uri, uri);
    Header answer;
    answer.id = m.header.id;
    answer.ns_uri = m.header.ns_uri;
    std::string built = BuildCpeResponse(m.ns, answer, GetParameterValuesResult{});
    EXPECT_NE(built.find("xmlns:cwmp=\"" + uri + "\""), std::string::npos) << built;
  }
  EXPECT_FALSE(ParseNamespaceUri("urn:dslforum-org:cwmp-2-0").has_value());
  EXPECT_EQ(*ParseNamespaceUri("urn:dslforum-org:cwmp-1-0"), Namespace::k10);
}

TEST(SoapParse, ArrayItemsMayHaveAnyNameAndTheCountIsNotTrusted) {
  const std::string gpv =
      "<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType=\"xsd:string[5]\">"
      "<xsd:string>A.</xsd:string><item>B.C</item></ParameterNames></cwmp:GetParameterValues>";
  AcsMessage m = MustParseAcs(AcsEnvelope(gpv));
  const auto* request = AcsRequestOf<GetParameterValues>(m);
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->names, (std::vector<std::string>{"A.", "B.C"}));
}

TEST(SoapParse, XsiTypeIsResolvedByNamespaceAnyPrefix) {
  const std::string spv =
      "<cwmp:SetParameterValues xmlns:x=\"http://www.w3.org/2001/XMLSchema-instance\">"
      "<ParameterList soap-enc:arrayType=\"cwmp:ParameterValueStruct[4]\">"
      "<ParameterValueStruct><Name>A</Name><Value x:type=\"xsd:boolean\">1</Value>"
      "</ParameterValueStruct>"
      "<ParameterValueStruct><Name>B</Name><Value xsi:type=\"xsd:mystery\">x</Value>"
      "</ParameterValueStruct>"
      "<ParameterValueStruct><Name>C</Name><Value>7</Value></ParameterValueStruct>"
      "<ParameterValueStruct><Name>D</Name><Value type=\"xsd:int\">-3</Value>"
      "</ParameterValueStruct>"
      "</ParameterList><ParameterKey></ParameterKey></cwmp:SetParameterValues>";
  AcsMessage m = MustParseAcs(AcsEnvelope(spv));
  const auto* request = AcsRequestOf<SetParameterValues>(m);
  ASSERT_NE(request, nullptr);
  ASSERT_EQ(request->params.size(), 4u);
  EXPECT_EQ(request->params[0].declared_type, ValueType::kBoolean);
  EXPECT_EQ(request->params[1].declared_type, std::nullopt);  // unknown xsi type
  EXPECT_EQ(request->params[2].declared_type, std::nullopt);  // none
  EXPECT_EQ(request->params[3].declared_type, std::nullopt);  // "type" without the xsi namespace
}

TEST(SoapParse, SetParameterAttributesBooleansInEveryForm) {
  const std::string spa =
      "<cwmp:SetParameterAttributes><ParameterList "
      "soap-enc:arrayType=\"cwmp:SetParameterAttributesStruct[2]\">"
      "<SetParameterAttributesStruct><Name>A.</Name><NotificationChange>1</NotificationChange>"
      "<Notification>2</Notification><AccessListChange>0</AccessListChange>"
      "<AccessList soap-enc:arrayType=\"xsd:string[0]\"></AccessList>"
      "</SetParameterAttributesStruct>"
      "<SetParameterAttributesStruct><Name>B</Name><NotificationChange>false</NotificationChange>"
      "<Notification>0</Notification><AccessListChange>true</AccessListChange>"
      "<AccessList soap-enc:arrayType=\"xsd:string[1]\"><string>Subscriber</string></AccessList>"
      "</SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>";
  AcsMessage m = MustParseAcs(AcsEnvelope(spa));
  const auto* request = AcsRequestOf<SetParameterAttributes>(m);
  ASSERT_NE(request, nullptr);
  ASSERT_EQ(request->params.size(), 2u);
  EXPECT_TRUE(request->params[0].notification_change);
  EXPECT_EQ(request->params[0].notification, 2);
  EXPECT_FALSE(request->params[0].access_list_change);
  EXPECT_FALSE(request->params[1].notification_change);
  EXPECT_TRUE(request->params[1].access_list_change);
  EXPECT_EQ(request->params[1].access_list, std::vector<std::string>{"Subscriber"});
}

TEST(SoapParse, HeaderEntries) {
  const std::string body =
      "<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\" xmlns:v=\"urn:vendor\"><soap-env:Header>"
      "<cwmp:ID soap-env:mustUnderstand=\"1\">9</cwmp:ID>"
      "<cwmp:HoldRequests soap-env:mustUnderstand=\"1\">true</cwmp:HoldRequests>"
      "<cwmp:UseCWMPVersion soap-env:mustUnderstand=\"1\">1.4</cwmp:UseCWMPVersion>"
      "<cwmp:SessionTimeout soap-env:mustUnderstand=\"0\">60</cwmp:SessionTimeout>"
      "<cwmp:NoMoreRequests>1</cwmp:NoMoreRequests>"
      "<cwmp:X_Unknown soap-env:mustUnderstand=\"0\">x</cwmp:X_Unknown>"
      "<v:Other soap-env:mustUnderstand=\"1\">y</v:Other>"
      "</soap-env:Header><soap-env:Body><cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes>"
      "</cwmp:InformResponse></soap-env:Body></soap-env:Envelope>";
  AcsMessage m = MustParseAcs(body);
  EXPECT_EQ(m.header.id, "9");
  EXPECT_EQ(m.header.hold_requests, true);
  EXPECT_EQ(m.header.use_version, "1.4");
  EXPECT_EQ(m.header.session_timeout, 60u);
  EXPECT_EQ(m.header.no_more_requests, true);
  EXPECT_NE(AcsResponseOf<InformResponse>(m), nullptr);

  std::string hold0 = AcsEnvelope(kGpv);
  hold0.replace(hold0.find("</soap-env:Header>"), 0,
                "<cwmp:HoldRequests soap-env:mustUnderstand=\"1\">0</cwmp:HoldRequests>");
  EXPECT_EQ(MustParseAcs(hold0).header.hold_requests, false);
}

TEST(SoapParse, AcsFaultBecomesAFaultResponse) {
  // Fixture 23's reply as it should have been written.
  const std::string fault =
      "<soap-env:Fault><faultcode>SOAP-ENV:Server</faultcode><faultstring>CWMP fault"
      "</faultstring><detail><cwmp:Fault><FaultCode>8005</FaultCode><FaultString>Retry request"
      "</FaultString></cwmp:Fault></detail></soap-env:Fault>";
  AcsMessage m = MustParseAcs(AcsEnvelope(fault, "tc-1", "urn:dslforum-org:cwmp-1-1"));
  EXPECT_EQ(m.method, "Fault");
  EXPECT_EQ(m.header.id, "tc-1");
  EXPECT_EQ(m.ns, Namespace::k11);
  const auto* parsed = AcsResponseOf<Fault>(m);
  ASSERT_NE(parsed, nullptr);
  EXPECT_EQ(parsed->code, 8005);
  EXPECT_EQ(parsed->string, "Retry request");
  EXPECT_EQ(parsed->faultcode, "Server");

  // A SOAP fault without a cwmp:Fault detail is not usable.
  ParseError error =
      MustFailAcs(AcsEnvelope("<soap-env:Fault><faultcode>Server</faultcode><faultstring>x</"
                              "faultstring></soap-env:Fault>"));
  EXPECT_EQ(error.status.code(), Code::kInvalidArguments);
  EXPECT_EQ(error.id, "42");
}

TEST(SoapParse, DownloadUploadScheduleInformAndChangeDuState) {
  AcsMessage m = MustParseAcs(AcsEnvelope(
      "<cwmp:Download><CommandKey>k</CommandKey><FileType>3 Vendor Configuration File</FileType>"
      "<URL> https://h/f </URL><Username>u</Username><Password>p&amp;w</Password>"
      "<FileSize>10</FileSize><TargetFileName>t</TargetFileName><DelaySeconds>5</DelaySeconds>"
      "<SuccessURL></SuccessURL><FailureURL></FailureURL></cwmp:Download>"));
  const auto* download = AcsRequestOf<Download>(m);
  ASSERT_NE(download, nullptr);
  EXPECT_EQ(download->url, "https://h/f");
  EXPECT_EQ(download->password.Reveal(), "p&w");
  EXPECT_EQ(download->file_size, 10u);
  EXPECT_EQ(download->delay_seconds, 5u);

  m = MustParseAcs(AcsEnvelope(
      "<cwmp:Upload><CommandKey>u1</CommandKey><FileType>1 Vendor Configuration File</FileType>"
      "<URL>http://h/up</URL><Username></Username><Password></Password>"
      "<DelaySeconds>0</DelaySeconds></cwmp:Upload>"));
  ASSERT_NE(AcsRequestOf<Upload>(m), nullptr);
  EXPECT_EQ(AcsRequestOf<Upload>(m)->command_key, "u1");

  m =
      MustParseAcs(AcsEnvelope("<cwmp:ScheduleInform><DelaySeconds>+30</DelaySeconds>"
                               "<CommandKey>s</CommandKey></cwmp:ScheduleInform>"));
  ASSERT_NE(AcsRequestOf<ScheduleInform>(m), nullptr);
  EXPECT_EQ(AcsRequestOf<ScheduleInform>(m)->delay_seconds, 30u);

  m = MustParseAcs(AcsEnvelope(
      "<cwmp:ChangeDUState><Operations xsi:type=\"cwmp:InstallOpStruct\"><URL>http://h/du</URL>"
      "<UUID></UUID><Username></Username><Password></Password>"
      "<ExecutionEnvRef>Device.SoftwareModules.ExecEnv.1</ExecutionEnvRef></Operations>"
      "<Operations xsi:type=\"cwmp:UninstallOpStruct\">"
      "<UUID>6ba7b810-9dad-11d1-80b4-00c04fd430c8</UUID><Version>1</Version></Operations>"
      "<CommandKey>du</CommandKey></cwmp:ChangeDUState>"));
  const auto* du = AcsRequestOf<ChangeDUState>(m);
  ASSERT_NE(du, nullptr);
  ASSERT_EQ(du->operations.size(), 2u);
  EXPECT_EQ(du->operations[0].kind, DuOperation::Kind::kInstall);
  EXPECT_EQ(du->operations[0].execution_env_ref, "Device.SoftwareModules.ExecEnv.1");
  EXPECT_EQ(du->operations[1].kind, DuOperation::Kind::kUninstall);
  EXPECT_EQ(du->operations[1].version, "1");
  EXPECT_EQ(du->command_key, "du");
}

struct BadCase {
  const char* what;
  std::string body_xml;
  Code code;
};

// Unknown methods answer 9000, bad arguments 9003; the ID and namespace are kept for the fault.
TEST(SoapParse, UnknownMethodsAndBadArgumentsKeepTheIdForTheFault) {
  const std::vector<BadCase> cases = {
      {"unknown method", "<cwmp:X_ACME_Frobnicate><A>1</A></cwmp:X_ACME_Frobnicate>",
       Code::kMethodNotSupported},
      {"unsupported method", "<cwmp:GetQueuedTransfers></cwmp:GetQueuedTransfers>",
       Code::kMethodNotSupported},
      {"NextLevel maybe",
       "<cwmp:GetParameterNames><ParameterPath>Device.</ParameterPath><NextLevel>maybe"
       "</NextLevel></cwmp:GetParameterNames>",
       Code::kInvalidArguments},
      {"NextLevel missing",
       "<cwmp:GetParameterNames><ParameterPath>Device.</ParameterPath></cwmp:GetParameterNames>",
       Code::kInvalidArguments},
      {"DelaySeconds soon",
       "<cwmp:ScheduleInform><DelaySeconds>soon</DelaySeconds><CommandKey></CommandKey>"
       "</cwmp:ScheduleInform>",
       Code::kInvalidArguments},
      {"DelaySeconds negative",
       "<cwmp:ScheduleInform><DelaySeconds>-1</DelaySeconds></cwmp:ScheduleInform>",
       Code::kInvalidArguments},
      {"DelaySeconds too big",
       "<cwmp:ScheduleInform><DelaySeconds>4294967296</DelaySeconds></cwmp:ScheduleInform>",
       Code::kInvalidArguments},
      {"ParameterNames missing", "<cwmp:GetParameterValues></cwmp:GetParameterValues>",
       Code::kInvalidArguments},
      {"ParameterNames item with children",
       "<cwmp:GetParameterAttributes><ParameterNames><string><x/></string></ParameterNames>"
       "</cwmp:GetParameterAttributes>",
       Code::kInvalidArguments},
      {"SPV item without Name",
       "<cwmp:SetParameterValues><ParameterList><ParameterValueStruct><Value>1</Value>"
       "</ParameterValueStruct></ParameterList><ParameterKey></ParameterKey>"
       "</cwmp:SetParameterValues>",
       Code::kInvalidArguments},
      {"SPV without ParameterList",
       "<cwmp:SetParameterValues><ParameterKey></ParameterKey></cwmp:SetParameterValues>",
       Code::kInvalidArguments},
      {"SPA Notification 9",
       "<cwmp:SetParameterAttributes><ParameterList><S><Name>A</Name>"
       "<NotificationChange>true</NotificationChange><Notification>9</Notification>"
       "<AccessListChange>false</AccessListChange><AccessList></AccessList></S></ParameterList>"
       "</cwmp:SetParameterAttributes>",
       Code::kInvalidArguments},
      {"SPA NotificationChange yes",
       "<cwmp:SetParameterAttributes><ParameterList><S><Name>A</Name>"
       "<NotificationChange>yes</NotificationChange><Notification>1</Notification>"
       "<AccessListChange>false</AccessListChange><AccessList></AccessList></S></ParameterList>"
       "</cwmp:SetParameterAttributes>",
       Code::kInvalidArguments},
      {"AddObject without ObjectName",
       "<cwmp:AddObject><ParameterKey></ParameterKey></cwmp:AddObject>", Code::kInvalidArguments},
      {"Download without URL",
       "<cwmp:Download><CommandKey></CommandKey><FileType>1 Firmware Upgrade Image</FileType>"
       "</cwmp:Download>",
       Code::kInvalidArguments},
      {"Download FileSize big",
       "<cwmp:Download><FileType>1 Firmware Upgrade Image</FileType><URL>http://h/</URL>"
       "<FileSize>big</FileSize></cwmp:Download>",
       Code::kInvalidArguments},
      {"ChangeDUState unknown op",
       "<cwmp:ChangeDUState><Operations xsi:type=\"cwmp:FrobOpStruct\"></Operations>"
       "</cwmp:ChangeDUState>",
       Code::kInvalidArguments},
      {"ChangeDUState no op", "<cwmp:ChangeDUState><CommandKey/></cwmp:ChangeDUState>",
       Code::kInvalidArguments},
      {"InformResponse MaxEnvelopes x",
       "<cwmp:InformResponse><MaxEnvelopes>x</MaxEnvelopes></cwmp:InformResponse>",
       Code::kInvalidArguments},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    ParseError error = MustFailAcs(AcsEnvelope(c.body_xml, "id-77", "urn:dslforum-org:cwmp-1-1"));
    EXPECT_EQ(error.status.code(), c.code) << error.status;
    EXPECT_EQ(error.id, "id-77");
    EXPECT_EQ(error.ns, Namespace::k11);
    EXPECT_EQ(error.ns_uri, "urn:dslforum-org:cwmp-1-1");
    EXPECT_FALSE(error.method.empty());
  }
}

TEST(SoapParse, UnknownMethodFaultCanBeAnswered) {
  ParseError error = MustFailAcs(AcsEnvelope("<cwmp:X_Hello></cwmp:X_Hello>", "h1"));
  EXPECT_EQ(error.status.code(), Code::kMethodNotSupported);
  EXPECT_EQ(error.method, "X_Hello");
  Header header;
  header.id = error.id;
  header.ns_uri = error.ns_uri;
  std::string fault = BuildCpeFault(error.ns, header, Fault{9000, "", {}, ""});
  EXPECT_NE(fault.find("<cwmp:ID soap-env:mustUnderstand=\"1\">h1</cwmp:ID>"), std::string::npos);
  EXPECT_NE(fault.find("<faultcode>Server</faultcode>"), std::string::npos);
  EXPECT_NE(fault.find("<FaultCode>9000</FaultCode><FaultString>Method not supported"),
            std::string::npos);
}

}  // namespace
}  // namespace proxier::core::cwmp
