// Schema validation (Xerces) of every envelope the codec builds, against the BBF cwmp-1-x.xsd
// and local minimal SOAP 1.1 envelope/encoding schemas (tests/core/xsd/, strict on Body/Header).
#include <gtest/gtest.h>
#include <xercesc/framework/LocalFileInputSource.hpp>
#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/parsers/XercesDOMParser.hpp>
#include <xercesc/sax/ErrorHandler.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/util/XMLEntityResolver.hpp>
#include <xercesc/util/XMLResourceIdentifier.hpp>

#include <map>

#include "proxier/common/xml.h"
#include "soap_test_util.h"

namespace proxier::core::cwmp {
namespace {

using datamodel::ValueType;
namespace fs = std::filesystem;

fs::path BbfDir() { return fs::path(PROXIER_SHARED_DIR) / "bbf"; }
fs::path XsdDir() { return fs::path(PROXIER_CORE_XSD_DIR); }

std::string ReadAllText(const fs::path& path) { return testing::ReadAll(path); }

// Maps the schemas' http schemaLocations to local files; anything else on http fails instead of
// reaching the network.
class LocalResolver : public xercesc::XMLEntityResolver {
 public:
  xercesc::InputSource* resolveEntity(xercesc::XMLResourceIdentifier* id) override {
    const std::string system = xml::ToUtf8(id->getSystemId());
    static const std::map<std::string, fs::path> kLocal = {
        {"http://schemas.xmlsoap.org/soap/envelope/", XsdDir() / "soap-envelope.xsd"},
        {"http://schemas.xmlsoap.org/soap/encoding/", XsdDir() / "soap-encoding.xsd"},
        {"http://www.broadband-forum.org/cwmp/cwmp-1-2.xsd", BbfDir() / "cwmp-1-2.xsd"},
        {"http://www.broadband-forum.org/cwmp/cwmp-1-3.xsd", BbfDir() / "cwmp-1-3.xsd"},
    };
    auto it = kLocal.find(system);
    if (it != kLocal.end()) {
      xml::XStr path(it->second.string());
      return new xercesc::LocalFileInputSource(path.get());
    }
    if (system.rfind("http", 0) == 0) {
      unresolved.push_back(system);
      static const XMLByte kNothing[] = "";
      return new xercesc::MemBufInputSource(kNothing, 0, "unresolved");
    }
    return nullptr;  // a local path: default handling
  }
  std::vector<std::string> unresolved;
};

class Collector : public xercesc::ErrorHandler {
 public:
  void warning(const xercesc::SAXParseException&) override {}
  void error(const xercesc::SAXParseException& e) override { Add(e); }
  void fatalError(const xercesc::SAXParseException& e) override { Add(e); }
  void resetErrors() override {}
  std::string errors;

 private:
  void Add(const xercesc::SAXParseException& e) {
    errors += xml::ToUtf8(e.getSystemId()) + ":" + std::to_string(e.getLineNumber()) + ":" +
              std::to_string(e.getColumnNumber()) + ": " + xml::ToUtf8(e.getMessage()) + "\n";
  }
};

// Validates `document` with cwmp schema `xsd` for `ns_uri`; returns the errors ("" when valid).
std::string Validate(const std::string& document, const std::string& xsd,
                     const std::string& ns_uri = "urn:dslforum-org:cwmp-1-2") {
  xml::EnsureInitialized();
  LocalResolver resolver;
  Collector collector;
  xercesc::XercesDOMParser parser;
  parser.setValidationScheme(xercesc::XercesDOMParser::Val_Always);
  parser.setDoNamespaces(true);
  parser.setDoSchema(true);
  parser.setValidationSchemaFullChecking(true);
  parser.setLoadExternalDTD(false);
  const fs::path schema = fs::path(xsd).is_absolute() ? fs::path(xsd) : BbfDir() / xsd;
  const std::string locations = ns_uri + " " + schema.string() +
                                " http://schemas.xmlsoap.org/soap/envelope/ " +
                                (XsdDir() / "soap-envelope.xsd").string();
  parser.setExternalSchemaLocation(locations.c_str());
  parser.setXMLEntityResolver(&resolver);
  parser.setErrorHandler(&collector);
  xercesc::MemBufInputSource source(reinterpret_cast<const XMLByte*>(document.data()),
                                    document.size(), "envelope");
  try {
    parser.parse(source);
  } catch (const xercesc::XMLException& e) {
    collector.errors += "exception: " + xml::ToUtf8(e.getMessage());
  }
  for (const auto& url : resolver.unresolved) collector.errors += "unresolved schema " + url + "\n";
  return collector.errors;
}

// cwmp-1-4.xsd includes cwmp-1-3.xsd (which includes cwmp-1-2.xsd) and then redefines
// cwmp-1-3.xsd three times, for types declared in cwmp-1-2.xsd. Xerces refuses a document
// included or redefined more than once, and only redefines components of the redefined document
// itself. This writes (to the test's temp dir) cwmp-1-4.xsd with the same content in a form Xerces
// takes: one redefine of cwmp-1-2.xsd holding the three type redefinitions, plus the only
// declaration cwmp-1-3.xsd adds (the SessionTimeout header), copied from that file.
std::string MergedCwmp14() {
  std::string text = ReadAllText(BbfDir() / "cwmp-1-4.xsd");
  const std::string cwmp13 = ReadAllText(BbfDir() / "cwmp-1-3.xsd");
  const std::string location = "http://www.broadband-forum.org/cwmp/cwmp-1-3.xsd";
  const std::string include = "<xs:include schemaLocation=\"" + location + "\"/>";
  const std::string open = "<xs:redefine schemaLocation=\"" + location + "\">";
  const std::string close = "</xs:redefine>";
  auto at = text.find(include);
  auto timeout = cwmp13.find("<xs:element name=\"SessionTimeout\">");
  auto timeout_end = cwmp13.find("</xs:element>", timeout);
  if (at == std::string::npos || timeout == std::string::npos) return "";
  text.erase(at, include.size());
  std::string inner;
  for (size_t start = text.find(open); start != std::string::npos; start = text.find(open)) {
    size_t end = text.find(close, start);
    if (end == std::string::npos) return "";
    inner += text.substr(start + open.size(), end - start - open.size());
    text.erase(start, end + close.size() - start);
  }
  const auto schema_end = text.rfind("</xs:schema>");
  if (inner.empty() || schema_end == std::string::npos) return "";
  // Declarations after the redefine, as XML Schema orders them.
  text.insert(schema_end, cwmp13.substr(timeout, timeout_end + 13 - timeout));
  text.insert(at,
              "<xs:redefine schemaLocation=\"http://www.broadband-forum.org/cwmp/cwmp-1-2.xsd\">" +
                  inner + close);
  const fs::path out = fs::path(::testing::TempDir()) / "cwmp-1-4-merged.xsd";
  std::ofstream(out) << text;
  return out.string();
}

class SoapXsd : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(BbfDir() / "cwmp-1-2.xsd")) {
      GTEST_SKIP() << "BBF schemas not found at " << BbfDir()
                   << " (../shared is not part of a fresh clone)";
    }
  }
  static Header Id() {
    Header header;
    header.id = "42";
    return header;
  }
};

Inform SampleInform() {
  Inform inform;
  inform.device_id = {"Acme & Co", "02C0DE", "ProxierGW", "PX0001"};
  inform.events = {{"0 BOOTSTRAP", ""}, {"1 BOOT", ""}, {"M Download", "ck-1"}};
  inform.current_time = "2024-05-01T10:00:00Z";
  inform.params = {
      {"Device.RootDataModelVersion", "2.17", ValueType::kString},
      {"Device.DeviceInfo.UpTime", "42", ValueType::kUnsignedInt},
      {"Device.ManagementServer.PeriodicInformEnable", "true", ValueType::kBoolean},
      {"Device.ManagementServer.PeriodicInformTime", "0001-01-01T00:00:00Z", ValueType::kDateTime},
      {"Device.X_02C0DE_Offset", "-7", ValueType::kInt},
      {"Device.IP.Interface.1.Stats.BytesSent", "18446744073709551615", ValueType::kUnsignedLong},
      {"Device.X_02C0DE_Long", "-9", ValueType::kLong},
      {"Device.X_02C0DE_Hex", "0aff", ValueType::kHexBinary},
      {"Device.X_02C0DE_Dec", "1.25", ValueType::kDecimal}};
  return inform;
}

std::vector<std::pair<std::string, std::string>> CpeEnvelopes() {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&out](const std::string& what, std::string body) { out.emplace_back(what, body); };
  Header id;
  id.id = "cpe-1";
  add("Inform", BuildCpeRequest(Namespace::k12, id, SampleInform()));
  add("Inform without events/params",
      BuildCpeRequest(Namespace::k12, {},
                      Inform{{"A", "000000", "P", "S"}, {}, 1, "0001-01-01T00:00:00Z", 0, {}}));
  add("TransferComplete",
      BuildCpeRequest(
          Namespace::k12, id,
          TransferComplete{"ck", {0, ""}, "2024-01-01T00:00:00Z", "2024-01-01T00:00:05Z"}));
  add("TransferComplete fault",
      BuildCpeRequest(
          Namespace::k12, id,
          TransferComplete{"ck", {9010, "no"}, "0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"}));
  AutonomousTransferComplete atc{"http://a/",
                                 "http://t/f",
                                 true,
                                 "1 Firmware Upgrade Image",
                                 10,
                                 "fw.bin",
                                 {0, ""},
                                 "2024-01-01T00:00:00Z",
                                 "2024-01-01T00:00:05Z"};
  add("AutonomousTransferComplete", BuildCpeRequest(Namespace::k12, id, atc));
  add("GetRPCMethods", BuildCpeRequest(Namespace::k12, id, GetRPCMethods{}));
  DuOpResult result;
  result.uuid = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
  result.deployment_unit_ref = "Device.SoftwareModules.DeploymentUnit.1";
  result.version = "1.0";
  result.current_state = "Installed";
  result.resolved = true;
  result.start_time = result.complete_time = "2024-01-01T00:00:00Z";
  add("DUStateChangeComplete",
      BuildCpeRequest(Namespace::k12, id, DUStateChangeComplete{{result, result}, "du"}));
  // Every response.
  GetParameterNamesResult gpn;
  gpn.names.resize(2);
  gpn.names[0].name = "Device.";
  gpn.names[1].name = "Device.DeviceInfo.ProvisioningCode";
  gpn.names[1].writable = true;
  const std::vector<CpeResponse> responses = {
      GetRPCMethodsResult{{"GetRPCMethods", "GetParameterValues", "Download"}},
      SetParameterValuesResult{1},
      GetParameterValuesResult{SampleInform().params},
      GetParameterValuesResult{},
      gpn,
      SetParameterAttributesResult{},
      GetParameterAttributesResult{{{"Device.A", 2, {"Subscriber"}}, {"Device.B", 0, {}}}},
      AddObjectResult{3, 0},
      DeleteObjectResult{0},
      RebootResult{},
      FactoryResetResult{},
      DownloadResult{},
      UploadResult{0, "2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z"},
      ScheduleInformResult{},
      ChangeDUStateResult{},
  };
  for (const auto& response : responses) {
    add(std::string(MethodName(response)), BuildCpeResponse(Namespace::k12, id, response));
  }
  add("Fault 9005", BuildCpeFault(Namespace::k12, id, Fault{9005, "", {}, ""}));
  Fault spv{9003, "Invalid arguments", {}, ""};
  spv.set_faults = {{"Device.A", Status(Code::kInvalidParameterValue, "out of range")},
                    {"Device.B", Status(Code::kNonWritableParameter, "")}};
  add("Fault with SetParameterValuesFault", BuildCpeFault(Namespace::k12, id, spv));
  add("Fault vendor", BuildCpeFault(Namespace::k12, id, Fault{9801, "vendor", {}, ""}));
  return out;
}

TEST_F(SoapXsd, EveryCpeMessageIsValid) {
  for (const auto& [what, body] : CpeEnvelopes()) {
    EXPECT_EQ(Validate(body, "cwmp-1-2.xsd"), "") << what << "\n" << body;
  }
}

TEST_F(SoapXsd, InformIsValidInCwmp10And11) {
  Inform inform = SampleInform();
  inform.params.resize(4);  // the types every version knows
  EXPECT_EQ(Validate(BuildCpeRequest(Namespace::k10, Id(), inform), "cwmp-1-0.xsd",
                     "urn:dslforum-org:cwmp-1-0"),
            "");
  EXPECT_EQ(Validate(BuildCpeRequest(Namespace::k11, Id(), inform), "cwmp-1-1.xsd",
                     "urn:dslforum-org:cwmp-1-1"),
            "");
}

TEST_F(SoapXsd, Cwmp14HeadersAreValid) {
  Header header = Id();
  header.supported_versions = "1.0,1.1,1.2,1.3,1.4";
  std::string inform = BuildCpeRequest(Namespace::k12, header, SampleInform());
  const std::string cwmp14 = MergedCwmp14();
  ASSERT_FALSE(cwmp14.empty()) << "cwmp-1-4.xsd no longer has the expected include/redefines";
  EXPECT_EQ(Validate(inform, cwmp14), "") << inform;
  EXPECT_NE(Validate(inform, "cwmp-1-2.xsd"), "") << "1-2 does not know SupportedCWMPVersions";
  Header answer = Id();
  answer.use_version = "1.4";
  answer.session_timeout = 60;
  std::string response = BuildAcsResponse(Namespace::k12, answer, InformResponse{});
  EXPECT_EQ(Validate(response, cwmp14), "") << response;
  std::string fault = BuildAcsResponse(Namespace::k12, Id(), Fault{8006, "", {}, ""});
  EXPECT_EQ(Validate(fault, cwmp14), "") << fault;
}

// The ACS side (lab-acs) writes valid envelopes too.
TEST_F(SoapXsd, EveryAcsMessageIsValid) {
  Header header = Id();
  header.hold_requests = false;
  SetParameterValues spv{
      {{"Device.A", "1", ValueType::kUnsignedInt}, {"Device.B", "x & y", std::nullopt}}, ""};
  SetParameterAttributes spa;
  spa.params = {{"Device.A", true, 2, true, {"Subscriber"}}, {"Device.B.", false, 0, false, {}}};
  Download dl;
  dl.command_key = "ck";
  dl.file_type = "1 Firmware Upgrade Image";
  dl.url = "http://h/fw.bin";
  Upload up;
  up.file_type = "2 Vendor Log File";
  up.url = "http://h/log";
  ChangeDUState du;
  du.operations.resize(3);
  du.operations[0].url = "http://h/du";
  du.operations[1].kind = DuOperation::Kind::kUpdate;
  du.operations[1].uuid = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
  du.operations[2].kind = DuOperation::Kind::kUninstall;
  du.operations[2].uuid = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
  const std::vector<AcsRequest> requests = {GetRPCMethods{},
                                            spv,
                                            GetParameterValues{{"Device."}},
                                            GetParameterNames{"", false},
                                            spa,
                                            GetParameterAttributes{{"Device.A"}},
                                            AddObject{"Device.NAT.PortMapping.", ""},
                                            DeleteObject{"Device.NAT.PortMapping.1.", "k"},
                                            Reboot{""},
                                            FactoryReset{},
                                            dl,
                                            up,
                                            ScheduleInform{5, ""},
                                            du};
  for (const auto& request : requests) {
    std::string body = BuildAcsRequest(Namespace::k12, header, request);
    EXPECT_EQ(Validate(body, "cwmp-1-2.xsd"), "") << MethodName(request) << "\n" << body;
  }
  const std::vector<AcsResponse> responses = {InformResponse{1},
                                              TransferCompleteResponse{},
                                              AutonomousTransferCompleteResponse{},
                                              DUStateChangeCompleteResponse{},
                                              GetRPCMethodsResponse{{"Inform", "TransferComplete"}},
                                              Fault{8005, "Retry request", {}, ""}};
  for (const auto& response : responses) {
    std::string body = BuildAcsResponse(Namespace::k12, header, response);
    EXPECT_EQ(Validate(body, "cwmp-1-2.xsd"), "") << MethodName(response) << "\n" << body;
  }
}

// The validator is not a rubber stamp: broken envelopes fail.
TEST_F(SoapXsd, InvalidEnvelopesFail) {
  Inform bad_oui = SampleInform();
  bad_oui.device_id.oui = "02c0dz";
  EXPECT_NE(Validate(BuildCpeRequest(Namespace::k12, Id(), bad_oui), "cwmp-1-2.xsd"), "");

  std::string unknown = BuildCpeRequest(Namespace::k12, Id(), GetRPCMethods{});
  unknown.replace(unknown.find("cwmp:GetRPCMethods>"), 18, "cwmp:GetRPCMethodz");
  unknown.replace(unknown.find("cwmp:GetRPCMethods>"), 18, "cwmp:GetRPCMethodz");
  EXPECT_NE(Validate(unknown, "cwmp-1-2.xsd"), "") << unknown;

  std::string no_array_type = BuildCpeRequest(Namespace::k12, Id(), SampleInform());
  no_array_type.erase(no_array_type.find(" soap-enc:arrayType=\"cwmp:EventStruct[3]\""), 41);
  EXPECT_NE(Validate(no_array_type, "cwmp-1-2.xsd"), "") << no_array_type;

  // 9013 is not allowed in a TransferComplete FaultStruct (spec note in cwmp.md).
  EXPECT_NE(Validate(BuildCpeRequest(
                         Namespace::k12, Id(),
                         TransferComplete{
                             "", {9013, "ftp"}, "0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"}),
                     "cwmp-1-2.xsd"),
            "");
}

}  // namespace
}  // namespace proxier::core::cwmp
