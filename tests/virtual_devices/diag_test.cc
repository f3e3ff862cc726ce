// IPPing diagnostics of a virtual device through the appliance's BMS Ping.
#include "vd_fixture.h"

namespace proxier::testing {
namespace {

class DiagTest : public VdFixture {
 protected:
  void SetUp() override {
    VdFixture::SetUp();
    upnp::ServiceInfo bms;
    bms.service_type = "urn:schemas-upnp-org:service:BasicManagement:2";
    bms.service_id = "urn:upnp-org:serviceId:BasicManagement";
    root_.description->root.services.push_back(bms);
    CreateVd();
    AttachAndBootstrap();
  }
  // SPV of the IPPing parameters in a session opened by a connection request.
  void RequestPing(const std::string& host, const std::string& repetitions) {
    const std::string p = "Device.IP.Diagnostics.IPPing.";
    cwmp::SetParameterValues spv;
    spv.params = {{p + "Host", host, {}},
                  {p + "NumberOfRepetitions", repetitions, datamodel::ValueType::kUnsignedInt},
                  {p + "DiagnosticsState", "Requested", {}}};
    spv.parameter_key = "ping";
    acs_.Queue(spv);
    ASSERT_EQ(ConnectionRequest(CrUrl(), "vd1", CrPassword()), 200);
  }
  std::map<std::string, std::string> PingValues() {
    std::optional<Result<std::vector<datamodel::ParamValue>>> out;
    vd_->Model(kUdn)->GetValues({"Device.IP.Diagnostics.IPPing."},
                                [&](auto r) { out.emplace(std::move(r)); });
    EXPECT_TRUE(Wait([&] { return out.has_value(); }));
    EXPECT_TRUE(out->ok()) << out->status();
    return out->ok() ? ValuesOf(**out) : std::map<std::string, std::string>{};
  }
  bool LastInformHas(const std::string& code) {
    auto codes = Codes(InformAt(acs_.Count("Inform") - 1).events);
    return std::find(codes.begin(), codes.end(), code) != codes.end();
  }
};

TEST_F(DiagTest, PingRunsOnTheApplianceThenDiagnosticsComplete) {
  RequestPing("gw.example", "3");
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == 3 && Idle(); }));
  EXPECT_TRUE(LastInformHas("8 DIAGNOSTICS COMPLETE"));
  EXPECT_EQ(actions_.calls, (std::vector<std::string>{"Ping gw.example x3"}));
  auto v = PingValues();
  const std::string p = "Device.IP.Diagnostics.IPPing.";
  EXPECT_EQ(v[p + "DiagnosticsState"], "Complete");
  EXPECT_EQ(v[p + "SuccessCount"], "3");
  EXPECT_EQ(v[p + "FailureCount"], "0");
  EXPECT_EQ(v[p + "AverageResponseTime"], "2");
  EXPECT_EQ(v[p + "Host"], "gw.example");
}

TEST_F(DiagTest, PingErrorsAreCopied) {
  RequestPing("nowhere.invalid", "2");
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == 3 && Idle(); }));
  EXPECT_TRUE(LastInformHas("8 DIAGNOSTICS COMPLETE"));
  auto v = PingValues();
  EXPECT_EQ(v["Device.IP.Diagnostics.IPPing.DiagnosticsState"], "Error_CannotResolveHostName");
  EXPECT_EQ(v["Device.IP.Diagnostics.IPPing.FailureCount"], "2");
}

TEST_F(DiagTest, OnlyRequestedOrCanceledMayBeWritten) {
  std::optional<datamodel::SetResult> out;
  vd_->Model(kUdn)->SetValues({{"Device.IP.Diagnostics.IPPing.DiagnosticsState", "Complete", {}}},
                              "acs", {}, [&](datamodel::SetResult r) { out = r; });
  ASSERT_TRUE(Wait([&] { return out.has_value(); }));
  EXPECT_FALSE(out->status.ok());
  EXPECT_TRUE(actions_.calls.empty());
}

}  // namespace
}  // namespace proxier::testing
