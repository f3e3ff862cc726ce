// lab-acs JSON codec: task bodies -> ACS requests, CPE answers -> JSON, device ids.
#include <gtest/gtest.h>

#include "lab_acs/json_codec.h"
#include "lab_acs/registry.h"

namespace proxier::labacs {
namespace {

using Kind = datamodel::ValueType;

cwmp::AcsRequest ParseOk(const std::string& text) {
  auto r = AcsRequestFromJson(Json::parse(text));
  EXPECT_TRUE(r.ok()) << text << ": " << r.status();
  return r.ok() ? r.value() : cwmp::AcsRequest{};
}

// The error code of a refused task body (kOk, and a test failure, when it was accepted).
Code ParseError(const std::string& text) {
  auto r = AcsRequestFromJson(Json::parse(text));
  EXPECT_FALSE(r.ok()) << text;
  return r.status().code();
}

TEST(JsonCodecTest, EveryTaskNameRoundTrips) {
  const std::vector<std::string> tasks = {
      R"({"name":"GetRPCMethods"})",
      R"({"name":"GetParameterValues","names":["Device.DeviceInfo."]})",
      R"({"name":"GetParameterNames","path":"Device.","next_level":true})",
      R"({"name":"SetParameterValues","values":[["Device.A","1","xsd:int"]],"parameter_key":"k"})",
      R"({"name":"GetParameterAttributes","names":["Device.A"]})",
      R"({"name":"SetParameterAttributes","attributes":[{"name":"Device.A","notification":2}]})",
      R"({"name":"AddObject","object":"Device.NAT.PortMapping.","parameter_key":""})",
      R"({"name":"DeleteObject","object":"Device.NAT.PortMapping.1.","parameter_key":"d"})",
      R"({"name":"Reboot","command_key":"r"})",
      R"({"name":"FactoryReset"})",
      R"({"name":"ScheduleInform","delay_seconds":5,"command_key":"s"})",
  };
  for (const auto& text : tasks) {
    cwmp::AcsRequest request = ParseOk(text);
    Json back = AcsRequestToJson(request);
    EXPECT_EQ(back, Json::parse(text)) << text;
  }
}

TEST(JsonCodecTest, SetParameterValuesTypes) {
  auto request = ParseOk(R"({"name":"SetParameterValues","values":[
      ["Device.S","text"], ["Device.U","600","xsd:unsignedInt"], ["Device.B",true],
      ["Device.N",7], ["Device.I",-3], {"name":"Device.T","value":"2026-01-02T03:04:05Z",
      "type":"dateTime"}]})");
  const auto& spv = std::get<cwmp::SetParameterValues>(request);
  ASSERT_EQ(spv.params.size(), 6u);
  EXPECT_EQ(spv.params[0].declared_type, Kind::kString);
  EXPECT_EQ(spv.params[1].declared_type, Kind::kUnsignedInt);
  EXPECT_EQ(spv.params[2].value, "true");
  EXPECT_EQ(spv.params[2].declared_type, Kind::kBoolean);
  EXPECT_EQ(spv.params[3].value, "7");
  EXPECT_EQ(spv.params[3].declared_type, Kind::kUnsignedInt);
  EXPECT_EQ(spv.params[4].value, "-3");
  EXPECT_EQ(spv.params[4].declared_type, Kind::kInt);
  EXPECT_EQ(spv.params[5].declared_type, Kind::kDateTime);
  EXPECT_EQ(spv.parameter_key, "");
  EXPECT_EQ(ParseError(R"({"name":"SetParameterValues","values":[["a"]]})"),
            Code::kInvalidArguments);
  ParseError(R"({"name":"SetParameterValues","values":[["a",1.5]]})");
  ParseError(R"({"name":"SetParameterValues","values":[["","x"]]})");
  ParseError(R"({"name":"SetParameterValues","values":{"a":"x"}})");
}

TEST(JsonCodecTest, SetParameterAttributesChangeFlagsFollowPresentKeys) {
  auto request = ParseOk(R"({"name":"SetParameterAttributes","attributes":[
      {"name":"Device.A","notification":2},
      {"name":"Device.B","access_list":["Subscriber"]},
      {"name":"Device.C","notification":0,"access_list":[]}]})");
  const auto& spa = std::get<cwmp::SetParameterAttributes>(request);
  ASSERT_EQ(spa.params.size(), 3u);
  EXPECT_TRUE(spa.params[0].notification_change);
  EXPECT_EQ(spa.params[0].notification, 2);
  EXPECT_FALSE(spa.params[0].access_list_change);
  EXPECT_FALSE(spa.params[1].notification_change);
  EXPECT_TRUE(spa.params[1].access_list_change);
  EXPECT_EQ(spa.params[1].access_list, std::vector<std::string>{"Subscriber"});
  EXPECT_TRUE(spa.params[2].notification_change);
  EXPECT_TRUE(spa.params[2].access_list_change);
}

TEST(JsonCodecTest, TransfersAndDuOperations) {
  auto dl = std::get<cwmp::Download>(ParseOk(R"({"name":"Download","url":"http://h/f",
      "file_type":"3 Vendor Configuration File","file_size":10,"command_key":"c",
      "username":"u","password":"p","delay_seconds":2,"target_file_name":"t"})"));
  EXPECT_EQ(dl.file_type, "3 Vendor Configuration File");
  EXPECT_EQ(dl.file_size, 10u);
  EXPECT_EQ(dl.password.Reveal(), "p");
  EXPECT_EQ(dl.delay_seconds, 2u);
  EXPECT_EQ(dl.target_file_name, "t");
  EXPECT_EQ(AcsRequestToJson(dl)["password"], "<redacted>");
  auto up = std::get<cwmp::Upload>(ParseOk(R"({"name":"Upload","url":"http://h/u"})"));
  EXPECT_EQ(up.file_type, "1 Vendor Configuration File");
  EXPECT_EQ(AcsRequestToJson(up)["password"], "");
  ParseError(R"({"name":"Download","url":"http://h/f","file_size":-1})");
  auto du = std::get<cwmp::ChangeDUState>(ParseOk(R"({"name":"ChangeDUState","command_key":"k",
      "operations":[{"op":"install","url":"http://h/du","uuid":"u1","execution_env_ref":"EE1"},
                    {"op":"update","uuid":"u1","version":"2"},
                    {"op":"uninstall","uuid":"u1","version":"2"}]})"));
  ASSERT_EQ(du.operations.size(), 3u);
  EXPECT_EQ(du.operations[0].kind, cwmp::DuOperation::Kind::kInstall);
  EXPECT_EQ(du.operations[0].execution_env_ref, "EE1");
  EXPECT_EQ(du.operations[1].kind, cwmp::DuOperation::Kind::kUpdate);
  EXPECT_EQ(du.operations[2].kind, cwmp::DuOperation::Kind::kUninstall);
  EXPECT_EQ(AcsRequestToJson(du)["operations"][1],
            Json::parse(R"({"op":"update","uuid":"u1","version":"2"})"));
  ParseError(R"({"name":"ChangeDUState","operations":[{"op":"install"}]})");
  ParseError(R"({"name":"ChangeDUState","operations":[{"op":"uninstall","url":"x","uuid":"u"}]})");
  ParseError(R"({"name":"ChangeDUState","operations":[]})");
}

TEST(JsonCodecTest, ResponsesAndFaults) {
  cwmp::GetParameterAttributesResult gpa;
  gpa.attributes = {{"Device.A", 2, {"Subscriber"}}};
  EXPECT_EQ(CpeResponseToJson(gpa), Json::parse(R"({"attributes":[{"name":"Device.A",
      "notification":2,"access_list":["Subscriber"]}]})"));
  cwmp::DownloadResult dl{1, "0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"};
  EXPECT_EQ(CpeResponseToJson(dl), Json::parse(R"({"status":1,"start_time":
      "0001-01-01T00:00:00Z","complete_time":"0001-01-01T00:00:00Z"})"));
  EXPECT_EQ(CpeResponseToJson(cwmp::DeleteObjectResult{1}), Json::parse(R"({"status":1})"));
  EXPECT_EQ(CpeResponseToJson(cwmp::RebootResult{}), Json::object());
  cwmp::Fault fault{9003, "Invalid arguments", {}, "Client"};
  fault.set_faults.push_back({"Device.X", Status(Code::kNonWritableParameter, "")});
  EXPECT_EQ(CpeResponseToJson(fault), Json::parse(R"({"fault":{"code":9003,
      "string":"Invalid arguments","set_faults":[{"name":"Device.X","code":9008,
      "string":"Attempt to set a non-writable parameter"}]}})"));
}

TEST(JsonCodecTest, DeviceIdLikeGenieAcs) {
  EXPECT_EQ(MakeDeviceId({"Acme", "001122", "ProxyGW", "GACS0001"}), "001122-ProxyGW-GACS0001");
  EXPECT_EQ(MakeDeviceId({"Acme", "001122", "", "S1"}), "001122-S1");
  EXPECT_EQ(MakeDeviceId({"Acme", "001122", "Home Gateway-2", "a/b_c"}),
            "001122-Home%20Gateway%2D2-a%2Fb_c");
}

}  // namespace
}  // namespace proxier::labacs
