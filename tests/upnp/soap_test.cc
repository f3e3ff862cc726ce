// SOAP envelopes: golden request, responses, UPnPError faults, malformed bodies.
#include "proxier/upnp/soap.h"

#include <gtest/gtest.h>

namespace proxier::upnp {
namespace {

constexpr char kCms[] = "urn:schemas-upnp-org:service:ConfigurationManagement:2";

TEST(SoapTest, RequestGolden) {
  EXPECT_EQ(SoapActionHeader(kCms, "GetValues"),
            "\"urn:schemas-upnp-org:service:ConfigurationManagement:2#GetValues\"");
  std::string r = BuildActionRequest(kCms, "GetValues", {{"Parameters", "<x a=\"1\">&</x>"}});
  EXPECT_NE(
      r.find("<s:Body><u:GetValues xmlns:u=\"urn:schemas-upnp-org:service:"
             "ConfigurationManagement:2\"><Parameters>&lt;x a=&quot;1&quot;&gt;&amp;&lt;/x&gt;"
             "</Parameters></u:GetValues></s:Body>"),
      std::string::npos)
      << r;
  auto back = ParseActionRequest(r);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->service_type, kCms);
  EXPECT_EQ(back->action, "GetValues");
  EXPECT_EQ(back->args, (Args{{"Parameters", "<x a=\"1\">&</x>"}}));
}

TEST(SoapTest, ResponseAndFault) {
  auto ok = ParseActionResponse(
      BuildActionResponse(kCms, "SetValues", {{"Status", "ChangesApplied"}}), "SetValues");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->upnp_error, 0);
  EXPECT_EQ(ok->out, (Args{{"Status", "ChangesApplied"}}));

  auto fault = ParseActionResponse(BuildFault(703, "No Such Name"), "GetValues");
  ASSERT_TRUE(fault.ok()) << fault.status();
  EXPECT_EQ(fault->upnp_error, 703);
  EXPECT_EQ(fault->error_description, "No Such Name");
  EXPECT_EQ(UpnpErrorName(708), "Resource Temporarily Unavailable");
}

TEST(SoapTest, MalformedResponses) {
  EXPECT_FALSE(ParseActionResponse("", "X").ok());
  EXPECT_FALSE(ParseActionResponse("<html/>", "X").ok());
  EXPECT_FALSE(ParseActionResponse(BuildActionResponse(kCms, "Other", {}), "X").ok());
  std::string bad_code = BuildFault(703, "x");
  bad_code.replace(bad_code.find("703"), 3, "7a3");
  EXPECT_FALSE(ParseActionResponse(bad_code, "X").ok());
  EXPECT_FALSE(ParseActionResponse(std::string(100, 'x'), "X", 50).ok());
  EXPECT_FALSE(ParseActionResponse("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/"
                                   "envelope/\"><s:Body><s:Fault/></s:Body></s:Envelope>",
                                   "X")
                   .ok());
}

}  // namespace
}  // namespace proxier::upnp
