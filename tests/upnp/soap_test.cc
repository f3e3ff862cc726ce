// SOAP envelopes: golden request, responses, UPnPError faults, malformed bodies.
#include "proxier/upnp/soap.h"

#include <gtest/gtest.h>

#include "proxier/upnp/cms_codec.h"

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

// The forms field devices answer CMS documents in (issue 10, finding 8): escaped text (the
// standard), the root element inline in place of the argument (a published CMS:2 simulator and
// devices in the field), the argument holding the items without their root.
TEST(SoapTest, CmsDocumentsInEveryFormDecode) {
  const std::string head =
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
      "<u:GetValuesResponse xmlns:u=\"urn:schemas-upnp-org:service:ConfigurationManagement:2\">";
  const std::string tail = "</u:GetValuesResponse></s:Body></s:Envelope>";
  const std::string items =
      "<Parameter><ParameterPath>/UPnP/DM/A</ParameterPath><Value>1 &amp; 2</Value></Parameter>"
      "<Parameter><ParameterPath>/UPnP/DM/B</ParameterPath><Value>x</Value></Parameter>";
  const std::string inline_root =
      "<cms:ParameterValueList xmlns:cms=\"urn:schemas-upnp-org:dm:cms\">" + items +
      "</cms:ParameterValueList>";
  for (const std::string& body :
       {head + inline_root + tail,                                               // root inline
        head + "<ParameterValueList>" + items + "</ParameterValueList>" + tail,  // items only
        head +
            "<ParameterValueList>&lt;cms:ParameterValueList xmlns:cms=&quot;urn:schemas-upnp-"
            "org:dm:cms&quot;&gt;&lt;Parameter&gt;&lt;ParameterPath&gt;/UPnP/DM/A&lt;/"
            "ParameterPath&gt;&lt;Value&gt;1 &amp;amp; 2&lt;/Value&gt;&lt;/Parameter&gt;&lt;"
            "Parameter&gt;&lt;ParameterPath&gt;/UPnP/DM/B&lt;/ParameterPath&gt;&lt;Value&gt;x&"
            "lt;/Value&gt;&lt;/Parameter&gt;&lt;/cms:ParameterValueList&gt;</"
            "ParameterValueList>" +
            tail}) {
    auto r = ParseActionResponse(body, "GetValues");
    ASSERT_TRUE(r.ok()) << r.status();
    std::string doc;
    for (const auto& [k, v] : r->out) {
      if (k == "ParameterValueList") doc = v;
    }
    auto values = cms::DecodeParameterValueList(doc);
    ASSERT_TRUE(values.ok()) << values.status() << "\n" << doc;
    ASSERT_EQ(values->size(), 2u) << doc;
    EXPECT_EQ((*values)[0].path, "/UPnP/DM/A");
    EXPECT_EQ((*values)[0].value, "1 & 2");
  }
  // A path list whose root stands in place of the Result argument.
  auto sp = ParseActionResponse(
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
      "<u:GetSupportedParametersResponse xmlns:u=\"urn:x\"><cms:StructurePathList "
      "xmlns:cms=\"urn:schemas-upnp-org:dm:cms\"><StructurePath>/UPnP/DM/A</StructurePath>"
      "</cms:StructurePathList></u:GetSupportedParametersResponse></s:Body></s:Envelope>",
      "GetSupportedParameters");
  ASSERT_TRUE(sp.ok()) << sp.status();
  ASSERT_EQ(sp->out.size(), 1u);
  EXPECT_EQ(sp->out[0].first, "StructurePathList");
  auto paths = cms::DecodePathList(sp->out[0].second, "StructurePathList", "StructurePath");
  ASSERT_TRUE(paths.ok()) << paths.status();
  EXPECT_EQ(*paths, (std::vector<std::string>{"/UPnP/DM/A"}));
  // Items of another kind are no such document.
  EXPECT_FALSE(cms::DecodeParameterValueList("<Other>1</Other>").ok());
}

}  // namespace
}  // namespace proxier::upnp
