// Golden answers: the CPE's envelopes built from scratch (not from a parse) equal the corpus'
// CPE messages, byte for byte after masking the volatile values the corpus lists.
#include <gtest/gtest.h>

#include "soap_test_util.h"

namespace proxier::core::cwmp {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using datamodel::ParamValue;
using datamodel::ValueType;

// Answers `request_file` of `folder` with `response` echoing the request's ID and namespace, and
// compares with `answer_file`.
void ExpectAnswer(const std::string& folder, const std::string& request_file,
                  const std::string& answer_file, const CpeResponse& response) {
  SCOPED_TRACE(folder + "/" + request_file);
  AcsMessage request = MustParseAcs(FixtureBody(folder, request_file));
  Header header;
  header.id = request.header.id;
  header.ns_uri = request.header.ns_uri;
  EXPECT_EQ(BuildCpeResponse(request.ns, header, response), FixtureBody(folder, answer_file));
}

datamodel::ParamInfo Info(std::string name, bool writable) {
  datamodel::ParamInfo info;
  info.name = std::move(name);
  info.writable = writable;
  return info;
}

const std::vector<ParamValue> kInformParams = {
    {"Device.RootDataModelVersion", "2.15", ValueType::kString},
    {"Device.DeviceInfo.HardwareVersion", "hw1", ValueType::kString},
    {"Device.DeviceInfo.SoftwareVersion", "0.1.0", ValueType::kString},
    {"Device.DeviceInfo.ProvisioningCode", "", ValueType::kString},
    {"Device.ManagementServer.ConnectionRequestURL", "http://127.0.0.1:7548/cr",
     ValueType::kString},
    {"Device.ManagementServer.ParameterKey", "", ValueType::kString},
};

Inform BootstrapInform() {
  Inform inform;
  inform.device_id = {"ExampleCo", "001122", "ProxyGW", "GACS0001"};
  inform.events = {{"0 BOOTSTRAP", ""}, {"1 BOOT", ""}};
  inform.current_time = "2000-01-01T00:00:00Z";  // masked
  inform.params = kInformParams;
  return inform;
}

TEST(SoapAnswers, InformMatchesTheCorpus) {
  PX_REQUIRE_FIXTURES();
  Header header;
  header.id = "1";
  EXPECT_EQ(MaskVolatile(BuildCpeRequest(Namespace::k12, header, BootstrapInform())),
            MaskVolatile(FixtureBody("01-bootstrap-inform", "01-")));
  Inform cr = BootstrapInform();
  cr.events = {{"6 CONNECTION REQUEST", ""}};
  cr.params[3].value = "multi";
  for (auto [folder, ns] : {std::pair{"24-namespace-cwmp-1-0", Namespace::k10},
                            std::pair{"25-namespace-cwmp-1-1", Namespace::k11}}) {
    EXPECT_EQ(MaskVolatile(BuildCpeRequest(ns, header, cr)),
              MaskVolatile(FixtureBody(folder, "03-")))
        << folder;
  }
}

TEST(SoapAnswers, TransferCompleteAndGetRpcMethodsMatchTheCorpus) {
  PX_REQUIRE_FIXTURES();
  Header header;
  header.id = "tc-1";
  TransferComplete tc;
  tc.command_key = "000000000000000";  // masked: GenieACS generates it
  tc.start_time = tc.complete_time = "2000-01-01T00:00:00Z";
  EXPECT_EQ(MaskVolatile(BuildCpeRequest(Namespace::k12, header, tc)),
            MaskVolatile(FixtureBody("16-download-firmware", "13-")));
  header.id = "cpe-2";
  EXPECT_EQ(BuildCpeRequest(Namespace::k12, header, GetRPCMethods{}),
            FixtureBody("22-cpe-getrpcmethods", "03-"));
}

TEST(SoapAnswers, ResponsesToEveryAcsRequestMatchTheCorpus) {
  PX_REQUIRE_FIXTURES();
  ExpectAnswer(
      "04-refreshobject-root", "08-", "09-",
      GetParameterValuesResult{{
          {"Device.DeviceInfo.Manufacturer", "ExampleCo", ValueType::kString},
          {"Device.DeviceInfo.ManufacturerOUI", "001122", ValueType::kString},
          {"Device.DeviceInfo.ProductClass", "ProxyGW", ValueType::kString},
          {"Device.DeviceInfo.SerialNumber", "GACS0001", ValueType::kString},
          {"Device.DeviceInfo.UpTime", "42", ValueType::kUnsignedInt},
          {"Device.ManagementServer.ConnectionRequestPassword", "", ValueType::kString},
          {"Device.ManagementServer.ConnectionRequestUsername", "", ValueType::kString},
          {"Device.ManagementServer.PeriodicInformEnable", "true", ValueType::kBoolean},
          {"Device.ManagementServer.PeriodicInformInterval", "300", ValueType::kUnsignedInt},
          {"Device.ManagementServer.PeriodicInformTime", "0001-01-01T00:00:00Z",
           ValueType::kDateTime},
          {"Device.ManagementServer.URL", "http://127.0.0.1:7547/", ValueType::kString},
          {"Device.NAT.PortMappingNumberOfEntries", "0", ValueType::kUnsignedInt},
      }});
  ExpectAnswer("05-refreshobject-partial-path", "06-", "07-",
               GetParameterNamesResult{{
                   Info("Device.ManagementServer.ConnectionRequestPassword", true),
                   Info("Device.ManagementServer.ConnectionRequestURL", false),
                   Info("Device.ManagementServer.ConnectionRequestUsername", true),
                   Info("Device.ManagementServer.ParameterKey", false),
                   Info("Device.ManagementServer.PeriodicInformEnable", true),
                   Info("Device.ManagementServer.PeriodicInformInterval", true),
                   Info("Device.ManagementServer.PeriodicInformTime", true),
                   Info("Device.ManagementServer.URL", true),
               }});
  const GetParameterValuesResult uptime{
      {{"Device.DeviceInfo.UpTime", "42", ValueType::kUnsignedInt}}};
  // The namespace of the ACS (cwmp-1-0, -1-1 and the non-standard -1-3) is echoed exactly.
  ExpectAnswer("24-namespace-cwmp-1-0", "06-", "07-", uptime);
  ExpectAnswer("25-namespace-cwmp-1-1", "06-", "07-", uptime);
  ExpectAnswer("26-namespace-cwmp-1-3", "06-", "07-", uptime);
  ExpectAnswer("27b-content-encoding-gzip", "06-", "07-", uptime);
  ExpectAnswer("08-spv-string", "06-", "07-", SetParameterValuesResult{0});
  ExpectAnswer("13-addobject", "06-", "07-", AddObjectResult{1, 0});
  ExpectAnswer("13-addobject", "12-", "13-",
               GetParameterNamesResult{{Info("Device.NAT.PortMapping.1.", true)}});
  ExpectAnswer("14-deleteobject", "06-", "07-", DeleteObjectResult{0});
  ExpectAnswer("15-reboot", "06-", "07-", RebootResult{});
  ExpectAnswer("16-download-firmware", "06-", "09-", DownloadResult{});
  ExpectAnswer("17-spa-gpa-via-provision", "06-", "07-",
               GetParameterAttributesResult{{
                   {"Device.DeviceInfo.SoftwareVersion", 0, {}},
                   {"Device.DeviceInfo.UpTime", 0, {}},
                   {"Device.ManagementServer.PeriodicInformInterval", 0, {}},
               }});
  ExpectAnswer("17-spa-gpa-via-provision", "08-", "09-", SetParameterAttributesResult{});
  ExpectAnswer("28-factory-reset", "06-", "07-", FactoryResetResult{});
  // Faults: FaultString defaults to the code's standard text.
  ExpectAnswer("20-cpe-fault-9005-on-gpv", "06-", "07-", Fault{9005, "", {}, ""});
  ExpectAnswer("21-cpe-fault-9003-spv-with-parameter-faults", "06-", "07-",
               Fault{9003,
                     "",
                     {{"Device.ManagementServer.PeriodicInformInterval",
                       Status(Code::kInvalidParameterValue, "")}},
                     ""});
}

// The corpus' test CPE answered 9002 with faultcode Client; TR-069 (and IsClientFault) make 9002
// a Server fault, which is what the builder writes unless told otherwise.
TEST(SoapAnswers, Fault9002IsServerUnlessTheFaultcodeIsGiven) {
  PX_REQUIRE_FIXTURES();
  const std::string folder = "20b-cpe-fault-9002-on-gpv";
  AcsMessage request = MustParseAcs(FixtureBody(folder, "06-"));
  Header header;
  header.id = request.header.id;
  const std::string corpus = FixtureBody(folder, "07-");
  std::string built = BuildCpeFault(request.ns, header, Fault{9002, "", {}, ""});
  EXPECT_NE(built.find("<faultcode>Server</faultcode>"), std::string::npos);
  EXPECT_NE(built, corpus);
  EXPECT_EQ(BuildCpeFault(request.ns, header, Fault{9002, "", {}, "Client"}), corpus);
}

}  // namespace
}  // namespace proxier::core::cwmp
