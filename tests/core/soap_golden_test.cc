// Golden tests over the GenieACS capture corpus: every ACS message parses (and rebuilds into
// GenieACS's exact bytes), every CPE message rebuilds byte for byte, IDs and namespaces pair up.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <vector>

#include "soap_test_util.h"

namespace proxier::core::cwmp {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
namespace fs = std::filesystem;

std::vector<fs::path> Folders() {
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(FixtureDir())) {
    if (entry.is_directory()) folders.push_back(entry.path());
  }
  std::sort(folders.begin(), folders.end());
  return folders;
}

std::vector<fs::path> HttpFiles(const fs::path& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() == ".http") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// "06-acs-response-GetParameterNames.http" -> "GetParameterNames".
std::string RpcOf(const fs::path& file, const std::string& marker) {
  std::string name = file.stem().string();
  return name.substr(name.find(marker) + marker.size());
}

bool Contains(const fs::path& file, const std::string& marker) {
  return file.filename().string().find(marker) != std::string::npos;
}

// The cwmp URI each folder's session uses (the CPE's Inform namespace, echoed by GenieACS).
std::string FolderUri(const fs::path& folder) {
  std::string name = folder.filename().string();
  if (name.rfind("24-", 0) == 0) return "urn:dslforum-org:cwmp-1-0";
  if (name.rfind("25-", 0) == 0) return "urn:dslforum-org:cwmp-1-1";
  if (name.rfind("26-", 0) == 0) return "urn:dslforum-org:cwmp-1-3";
  return "urn:dslforum-org:cwmp-1-2";
}

bool IsAcsResponseMethod(const std::string& method) {
  return method == "InformResponse" || method == "TransferCompleteResponse" ||
         method == "GetRPCMethodsResponse" || method == "Fault";
}

// (a) + (c): every ACS message of every folder parses into the method its file names, in the
// session's namespace, with the right ID; rebuilding it gives GenieACS's exact bytes.
TEST(SoapGolden, EveryAcsMessageParsesAndRebuildsExactly) {
  PX_REQUIRE_FIXTURES();
  const std::regex acs_id("^[0-9a-f]{15}$");
  int parsed = 0, empty = 0, unparsable = 0;
  for (const auto& folder : Folders()) {
    std::optional<std::string> last_cpe_id;
    for (const auto& file : HttpFiles(folder)) {
      SCOPED_TRACE(file.string());
      HttpFile http = LoadHttp(file);
      if (Contains(file, "-cpe-request-") && !http.body.empty()) {
        auto cpe = ParseCpeEnvelope(http.body);
        last_cpe_id = cpe.ok() ? cpe->header.id : std::nullopt;
        if (!cpe.ok()) {  // the unknown X_EXAMPLE_Hello: read its ID by hand
          std::smatch m;
          if (std::regex_search(http.body, m, std::regex(">([^<]+)</cwmp:ID>"))) {
            last_cpe_id = m[1];
          }
        }
      }
      if (!Contains(file, "-acs-response-")) continue;
      const std::string rpc = RpcOf(file, "-acs-response-");
      if (rpc == "204") {
        EXPECT_EQ(http.start_line, "HTTP/1.1 204 No Content");
        EXPECT_TRUE(http.body.empty());
        ++empty;
        continue;
      }
      if (rpc == "unparsable") {  // fixture 23: <soap-env:Body:Fault>
        ParseError error = MustFailAcs(http.body);
        EXPECT_EQ(error.status.code(), Code::kInvalidArguments) << error.status;
        ++unparsable;
        continue;
      }
      AcsMessage message = MustParseAcs(http.body);
      ++parsed;
      EXPECT_EQ(message.method, rpc);
      EXPECT_EQ(message.header.ns_uri, FolderUri(folder));
      EXPECT_EQ(message.ns, *ParseNamespaceUri(FolderUri(folder)));
      ASSERT_TRUE(message.header.id.has_value());
      if (IsAcsResponseMethod(rpc)) {
        EXPECT_EQ(message.header.id, last_cpe_id) << "a response echoes the CPE's cwmp:ID";
        ASSERT_TRUE(std::holds_alternative<AcsResponse>(message.body));
      } else {
        EXPECT_TRUE(std::regex_match(*message.header.id, acs_id)) << *message.header.id;
        ASSERT_TRUE(std::holds_alternative<AcsRequest>(message.body));
        EXPECT_EQ(MethodName(std::get<AcsRequest>(message.body)), rpc);
      }
      EXPECT_FALSE(message.header.hold_requests.has_value());
      std::string rebuilt =
          std::holds_alternative<AcsRequest>(message.body)
              ? BuildAcsRequest(message.ns, message.header, std::get<AcsRequest>(message.body))
              : BuildAcsResponse(message.ns, message.header, std::get<AcsResponse>(message.body));
      EXPECT_EQ(rebuilt, http.body);
    }
  }
  // The corpus as INDEX.md describes it: 79 ACS envelopes, 36 empty 204s, one unparsable reply.
  EXPECT_EQ(parsed, 79);
  EXPECT_EQ(empty, 36);
  EXPECT_EQ(unparsable, 1);
}

// (b): every CPE message parses with ParseCpeEnvelope and rebuilds into the exact same bytes;
// a CPE response carries the ID of the ACS request it answers and is its <Method>Response or a
// Fault.
TEST(SoapGolden, EveryCpeMessageRebuildsByteForByte) {
  PX_REQUIRE_FIXTURES();
  int rebuilt_count = 0;
  for (const auto& folder : Folders()) {
    std::optional<AcsMessage> pending;  // the last ACS request, if it was one
    for (const auto& file : HttpFiles(folder)) {
      SCOPED_TRACE(file.string());
      if (Contains(file, "-acs-response-")) {
        HttpFile http = LoadHttp(file);
        pending.reset();
        auto parsed = ParseAcsEnvelope(http.body);
        if (auto* m = std::get_if<AcsMessage>(&parsed)) {
          if (std::holds_alternative<AcsRequest>(m->body)) pending = *m;
        }
        continue;
      }
      if (!Contains(file, "-cpe-request-") || RpcOf(file, "-cpe-request-") == "empty") continue;
      HttpFile http = LoadHttp(file);
      const std::string rpc = RpcOf(file, "-cpe-request-");
      auto parsed = ParseCpeEnvelope(http.body);
      if (rpc == "X_EXAMPLE_Hello") {  // fixture 23: not a CWMP method
        EXPECT_EQ(parsed.status().code(), Code::kMethodNotSupported);
        continue;
      }
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      const CpeMessage& message = *parsed;
      EXPECT_EQ(message.method, rpc);
      EXPECT_EQ(message.header.ns_uri, FolderUri(folder));
      std::string rebuilt;
      if (const auto* request = std::get_if<CpeRequest>(&message.body)) {
        rebuilt = BuildCpeRequest(message.ns, message.header, *request);
      } else if (const auto* fault = CpeResponseOf<Fault>(message)) {
        rebuilt = BuildCpeFault(message.ns, message.header, *fault);
      } else {
        rebuilt = BuildCpeResponse(message.ns, message.header, std::get<CpeResponse>(message.body));
      }
      EXPECT_EQ(rebuilt, http.body);
      ++rebuilt_count;
      if (pending && std::holds_alternative<CpeResponse>(message.body)) {
        EXPECT_EQ(message.header.id, pending->header.id);
        std::string expected = std::string(MethodName(std::get<AcsRequest>(pending->body)));
        if (rpc != "Fault") {
          EXPECT_EQ(rpc, expected + "Response");
        }
      }
    }
  }
  EXPECT_EQ(rebuilt_count, 79);  // 80 CPE envelopes, less X_EXAMPLE_Hello
}

// The typed content of representative ACS messages.
TEST(SoapGolden, AcsRequestsCarryTheirArguments) {
  PX_REQUIRE_FIXTURES();
  {
    auto m = MustParseAcs(FixtureBody("04-refreshobject-root", "06-"));
    const auto* gpn = AcsRequestOf<GetParameterNames>(m);
    ASSERT_NE(gpn, nullptr);
    EXPECT_EQ(gpn->path, "");
    EXPECT_FALSE(gpn->next_level);
  }
  {
    auto m = MustParseAcs(FixtureBody("05-refreshobject-partial-path", "06-"));
    const auto* gpn = AcsRequestOf<GetParameterNames>(m);
    ASSERT_NE(gpn, nullptr);
    EXPECT_EQ(gpn->path, "Device.ManagementServer.");
    EXPECT_TRUE(gpn->next_level);
  }
  {
    auto m = MustParseAcs(FixtureBody("04-refreshobject-root", "08-"));
    const auto* gpv = AcsRequestOf<GetParameterValues>(m);
    ASSERT_NE(gpv, nullptr);
    ASSERT_EQ(gpv->names.size(), 12u);
    EXPECT_EQ(gpv->names.front(), "Device.DeviceInfo.Manufacturer");
    EXPECT_EQ(gpv->names.back(), "Device.NAT.PortMappingNumberOfEntries");
  }
  {
    auto m = MustParseAcs(FixtureBody("08-spv-string", "06-"));
    const auto* spv = AcsRequestOf<SetParameterValues>(m);
    ASSERT_NE(spv, nullptr);
    ASSERT_EQ(spv->params.size(), 1u);
    EXPECT_EQ(spv->params[0].name, "Device.DeviceInfo.ProvisioningCode");
    EXPECT_EQ(spv->params[0].value, "lab-01 & <test>");
    EXPECT_EQ(spv->params[0].declared_type, datamodel::ValueType::kString);
    EXPECT_EQ(spv->parameter_key, "");
  }
  {
    auto m = MustParseAcs(FixtureBody("12-spv-multiple-types", "06-"));
    const auto* spv = AcsRequestOf<SetParameterValues>(m);
    ASSERT_NE(spv, nullptr);
    ASSERT_EQ(spv->params.size(), 4u);
    using datamodel::ValueType;
    EXPECT_EQ(spv->params[0].declared_type, ValueType::kString);
    EXPECT_EQ(spv->params[1].declared_type, ValueType::kBoolean);
    EXPECT_EQ(spv->params[1].value, "true");
    EXPECT_EQ(spv->params[2].declared_type, ValueType::kUnsignedInt);
    EXPECT_EQ(spv->params[2].value, "900");
    EXPECT_EQ(spv->params[3].declared_type, ValueType::kDateTime);
    EXPECT_EQ(spv->params[3].value, "2026-01-01T00:00:00.000Z");
  }
  {
    auto m = MustParseAcs(FixtureBody("13-addobject", "06-"));
    const auto* add = AcsRequestOf<AddObject>(m);
    ASSERT_NE(add, nullptr);
    EXPECT_EQ(add->object_name, "Device.NAT.PortMapping.");
    EXPECT_EQ(add->parameter_key, "");
  }
  {
    auto m = MustParseAcs(FixtureBody("14-deleteobject", "06-"));
    const auto* del = AcsRequestOf<DeleteObject>(m);
    ASSERT_NE(del, nullptr);
    EXPECT_EQ(del->object_name, "Device.NAT.PortMapping.1.");
  }
  {
    auto m = MustParseAcs(FixtureBody("15-reboot", "06-"));
    const auto* reboot = AcsRequestOf<Reboot>(m);
    ASSERT_NE(reboot, nullptr);
    EXPECT_EQ(reboot->command_key, "");
  }
  {
    auto m = MustParseAcs(FixtureBody("16-download-firmware", "06-"));
    const auto* dl = AcsRequestOf<Download>(m);
    ASSERT_NE(dl, nullptr);
    EXPECT_EQ(dl->command_key, *m.header.id);  // GenieACS reuses the request ID
    EXPECT_EQ(dl->file_type, "1 Firmware Upgrade Image");
    EXPECT_EQ(dl->url, "http://127.0.0.1:7567/fw-0.2.0.bin");
    EXPECT_EQ(dl->file_size, 184u);
    EXPECT_TRUE(dl->password.empty());
    EXPECT_EQ(dl->delay_seconds, 0u);
  }
  {
    auto m = MustParseAcs(FixtureBody("17-spa-gpa-via-provision", "08-"));
    const auto* spa = AcsRequestOf<SetParameterAttributes>(m);
    ASSERT_NE(spa, nullptr);
    ASSERT_EQ(spa->params.size(), 2u);
    EXPECT_EQ(spa->params[0].name, "Device.DeviceInfo.SoftwareVersion");
    EXPECT_TRUE(spa->params[0].notification_change);
    EXPECT_EQ(spa->params[0].notification, 1);
    EXPECT_TRUE(spa->params[0].access_list_change);
    EXPECT_EQ(spa->params[0].access_list, std::vector<std::string>{"Subscriber"});
    EXPECT_EQ(spa->params[1].notification, 2);
    EXPECT_FALSE(spa->params[1].access_list_change);
    EXPECT_TRUE(spa->params[1].access_list.empty());
  }
  {
    auto m = MustParseAcs(FixtureBody("28-factory-reset", "06-"));
    EXPECT_NE(AcsRequestOf<FactoryReset>(m), nullptr);
  }
  {  // gzip-encoded on the wire
    auto m = MustParseAcs(FixtureBody("27b-content-encoding-gzip", "06-"));
    const auto* gpv = AcsRequestOf<GetParameterValues>(m);
    ASSERT_NE(gpv, nullptr);
    EXPECT_EQ(gpv->names, std::vector<std::string>{"Device.DeviceInfo.UpTime"});
  }
}

TEST(SoapGolden, AcsResponsesCarryTheirArguments) {
  PX_REQUIRE_FIXTURES();
  {
    auto m = MustParseAcs(FixtureBody("01-bootstrap-inform", "02-"));
    const auto* ir = AcsResponseOf<InformResponse>(m);
    ASSERT_NE(ir, nullptr);
    EXPECT_EQ(ir->max_envelopes, 1u);
    EXPECT_EQ(m.header.id, "1");
  }
  {
    auto m = MustParseAcs(FixtureBody("16-download-firmware", "14-"));
    EXPECT_NE(AcsResponseOf<TransferCompleteResponse>(m), nullptr);
    EXPECT_EQ(m.header.id, "tc-1");
  }
  {
    auto m = MustParseAcs(FixtureBody("22-cpe-getrpcmethods", "04-"));
    const auto* methods = AcsResponseOf<GetRPCMethodsResponse>(m);
    ASSERT_NE(methods, nullptr);
    EXPECT_EQ(methods->methods,
              (std::vector<std::string>{"Inform", "GetRPCMethods", "TransferComplete"}));
    EXPECT_EQ(m.header.id, "cpe-2");
  }
  for (auto [folder, ns] : {std::pair{"24-namespace-cwmp-1-0", Namespace::k10},
                            std::pair{"25-namespace-cwmp-1-1", Namespace::k11},
                            std::pair{"26-namespace-cwmp-1-3", Namespace::k12}}) {
    auto m = MustParseAcs(FixtureBody(folder, "04-"));
    EXPECT_EQ(m.ns, ns) << folder;
    EXPECT_NE(AcsResponseOf<InformResponse>(m), nullptr);
  }
}

// The typed content of representative CPE messages.
TEST(SoapGolden, CpeMessagesCarryTheirArguments) {
  PX_REQUIRE_FIXTURES();
  {
    auto m = MustParseCpe(FixtureBody("01-bootstrap-inform", "01-"));
    const auto* inform = CpeRequestOf<Inform>(m);
    ASSERT_NE(inform, nullptr);
    EXPECT_EQ(inform->device_id.oui, "001122");
    EXPECT_EQ(inform->device_id.serial_number, "GACS0001");
    EXPECT_EQ(inform->events, (std::vector<EventStruct>{{"0 BOOTSTRAP", ""}, {"1 BOOT", ""}}));
    ASSERT_EQ(inform->params.size(), 6u);
    EXPECT_EQ(inform->params[4].name, "Device.ManagementServer.ConnectionRequestURL");
    EXPECT_EQ(inform->params[4].value, "http://127.0.0.1:7548/cr");
  }
  {
    auto m = MustParseCpe(FixtureBody("16-download-firmware", "13-"));
    const auto* tc = CpeRequestOf<TransferComplete>(m);
    ASSERT_NE(tc, nullptr);
    EXPECT_EQ(tc->fault.code, 0);
    EXPECT_EQ(m.header.id, "tc-1");
  }
  {
    auto m = MustParseCpe(FixtureBody("21-cpe-fault-9003-spv-with-parameter-faults", "07-"));
    const auto* fault = CpeResponseOf<Fault>(m);
    ASSERT_NE(fault, nullptr);
    EXPECT_EQ(fault->code, 9003);
    EXPECT_EQ(fault->faultcode, "Client");
    ASSERT_EQ(fault->set_faults.size(), 1u);
    EXPECT_EQ(fault->set_faults[0].name, "Device.ManagementServer.PeriodicInformInterval");
    EXPECT_EQ(fault->set_faults[0].status.code(), Code::kInvalidParameterValue);
  }
  {
    auto m = MustParseCpe(FixtureBody("04-refreshobject-root", "09-"));
    const auto* gpv = CpeResponseOf<GetParameterValuesResult>(m);
    ASSERT_NE(gpv, nullptr);
    ASSERT_EQ(gpv->values.size(), 12u);
    EXPECT_EQ(gpv->values[4].type, datamodel::ValueType::kUnsignedInt);
    EXPECT_EQ(gpv->values[7].type, datamodel::ValueType::kBoolean);
    EXPECT_EQ(gpv->values[9].type, datamodel::ValueType::kDateTime);
  }
}

}  // namespace
}  // namespace proxier::core::cwmp
