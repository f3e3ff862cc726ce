// CMS payload codecs: golden XML, escaped and embedded forms, path grammar, limits.
#include "proxier/upnp/cms_codec.h"

#include <gtest/gtest.h>

#include "proxier/upnp/soap.h"

namespace proxier::upnp::cms {
namespace {

constexpr char kHead[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><cms:ParameterValueList "
    "xmlns:cms=\"urn:schemas-upnp-org:dm:cms\" "
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
    "xsi:schemaLocation=\"urn:schemas-upnp-org:dm:cms http://www.upnp.org/schemas/dm/cms.xsd\">";

TEST(CmsCodecTest, EncodesParameterValueListGolden) {
  auto x = EncodeParameterValueList({{"/UPnP/DM/DeviceInfo/FriendlyName", "a<b & \"c\""}});
  ASSERT_TRUE(x.ok()) << x.status();
  EXPECT_EQ(*x,
            std::string(kHead) +
                "<Parameter><ParameterPath>/UPnP/DM/DeviceInfo/FriendlyName</ParameterPath>"
                "<Value>a&lt;b &amp; &quot;c&quot;</Value></Parameter></cms:ParameterValueList>");
  auto back = DecodeParameterValueList(*x);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].value, "a<b & \"c\"");
}

TEST(CmsCodecTest, EncoderIsStrictAboutPaths) {
  EXPECT_FALSE(EncodeParameterValueList({{"UPnP/DM/X", "1"}}).ok());
  EXPECT_FALSE(EncodeParameterValueList({{"/UPnP/DM/X/", "1"}}).ok());
  EXPECT_FALSE(EncodeParameterValueList({{"/UPnP/DM/#/X", "1"}}).ok());
  EXPECT_FALSE(EncodeParameterValueList({{"/UPnP//X", "1"}}).ok());
  EXPECT_FALSE(EncodeParameterValueList({{"/UPnP/D.M/X", "1"}}).ok());
  EXPECT_FALSE(EncodePathList("InstancePathList", {"/A/1"}).ok());
  EXPECT_TRUE(EncodePathList("StructurePathList", {"/A/#/B"}).ok());
  EXPECT_FALSE(EncodePathList("Bogus", {"/A/"}).ok());
  EXPECT_TRUE(CheckPath("/A/B/#/", PathKind::kMultiInstance).ok());
  EXPECT_FALSE(CheckPath("/A/#/B/", PathKind::kMultiInstance).ok());
}

TEST(CmsCodecTest, PathListGoldenAndRoundTrip) {
  auto x = EncodeContentPathList({"/UPnP/DM/DeviceInfo/", "/BBF/DSL/Line/0/"});
  ASSERT_TRUE(x.ok());
  EXPECT_NE(x->find("<ContentPath>/UPnP/DM/DeviceInfo/</ContentPath><ContentPath>/BBF/DSL/Line/0/"
                    "</ContentPath></cms:ContentPathList>"),
            std::string::npos);
  auto back = DecodePathList(*x, "ContentPathList", "ContentPath");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, (std::vector<std::string>{"/UPnP/DM/DeviceInfo/", "/BBF/DSL/Line/0/"}));
}

TEST(CmsCodecTest, DecoderToleratesVariants) {
  // No declaration, default namespace, blanks around.
  auto a = DecodeParameterValueList(
      "  \n<ParameterValueList xmlns=\"urn:schemas-upnp-org:dm:cms\"><Parameter><ParameterPath> "
      "/A/B </ParameterPath><Value>1</Value></Parameter></ParameterValueList>\n");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ((*a)[0].path, "/A/B");
  // Escaped one time too many.
  auto b = DecodeParameterValueList(
      "&lt;cms:ParameterValueList xmlns:cms=\"urn:schemas-upnp-org:dm:cms\"&gt;&lt;Parameter&gt;"
      "&lt;ParameterPath&gt;/A/C&lt;/ParameterPath&gt;&lt;Value&gt;x&lt;/Value&gt;&lt;/Parameter"
      "&gt;&lt;/cms:ParameterValueList&gt;");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ((*b)[0].path, "/A/C");
  // Missing Value is an empty value.
  auto c = DecodeParameterValueList(
      "<ParameterValueList><Parameter><ParameterPath>/A</ParameterPath></Parameter>"
      "</ParameterValueList>");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)[0].value, "");
}

TEST(CmsCodecTest, EmbeddedXmlInSoapResponseDecodes) {
  // A device that inlines the payload as XML instead of an escaped string.
  std::string body =
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
      "<u:GetValuesResponse xmlns:u=\"urn:schemas-upnp-org:service:ConfigurationManagement:2\">"
      "<ParameterValueList><cms:ParameterValueList xmlns:cms=\"urn:schemas-upnp-org:dm:cms\">"
      "<Parameter><ParameterPath>/UPnP/DM/DeviceInfo/SoftwareVersion</ParameterPath>"
      "<Value>1.2 &amp; more</Value></Parameter></cms:ParameterValueList></ParameterValueList>"
      "</u:GetValuesResponse></s:Body></s:Envelope>";
  auto r = ParseActionResponse(body, "GetValues");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->out.size(), 1u);
  auto v = DecodeParameterValueList(r->out[0].second);
  ASSERT_TRUE(v.ok()) << v.status() << " in " << r->out[0].second;
  EXPECT_EQ((*v)[0].value, "1.2 & more");
}

TEST(CmsCodecTest, RefusesWrongRootAndMalformed) {
  EXPECT_FALSE(DecodeParameterValueList("<ContentPathList/>").ok());
  EXPECT_FALSE(DecodeParameterValueList("<ParameterValueList><Parameter>").ok());
  EXPECT_FALSE(DecodeParameterValueList("").ok());
  EXPECT_FALSE(
      DecodeParameterValueList("<ParameterValueList><Parameter><Value>1</Value></Parameter>"
                               "</ParameterValueList>")
          .ok());
  EXPECT_FALSE(
      DecodeParameterValueList("<!DOCTYPE x [<!ENTITY a \"b\">]><ParameterValueList/>").ok());
}

TEST(CmsCodecTest, EnforcesLimits) {
  Limits small;
  small.max_items = 3;
  std::vector<ParameterValue> many(4, {"/A", "1"});
  EXPECT_EQ(EncodeParameterValueList(many, small).status().code(), Code::kResourcesExceeded);
  auto x = EncodeParameterValueList(many);
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(DecodeParameterValueList(*x, small).status().code(), Code::kResourcesExceeded);
  Limits tiny;
  tiny.max_bytes = 100;
  EXPECT_EQ(DecodeParameterValueList(*x, tiny).status().code(), Code::kResourcesExceeded);
  std::string deep = "<ParameterValueList>";
  for (int i = 0; i < 40; ++i) deep += "<a>";
  EXPECT_FALSE(DecodeParameterValueList(deep).ok());
  Limits short_path;
  short_path.max_path = 8;
  EXPECT_FALSE(EncodePathList("ContentPathList", {"/ABCDEFGHIJ/"}, short_path).ok());
}

TEST(CmsCodecTest, SupportedDataModelsAndAttributes) {
  std::vector<SubTree> trees = {
      {"urn:broadband-forum-org:tr-181-2-0", "/BBF/", "https://x/tr-181.xml", "TR-181"},
      {"urn:schemas-upnp-org:dm:device:1", "/UPnP/DM/", "", "UPnP DM"}};
  auto x = EncodeSupportedDataModels(trees);
  ASSERT_TRUE(x.ok());
  auto back = DecodeSupportedDataModels(*x);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, trees);

  std::vector<NodeAttributes> nodes = {
      {"/UPnP/DM/DeviceInfo/UpTime",
       {{"Access", "readOnly"}, {"Type", "ui4"}, {"EventOnChange", "0"}, {"Version", "7"}}}};
  auto y = EncodeNodeAttributeValueList(nodes);
  ASSERT_TRUE(y.ok());
  EXPECT_NE(y->find("<Node><NodeAttributePath>/UPnP/DM/DeviceInfo/UpTime</NodeAttributePath>"
                    "<Access>readOnly</Access><Type>ui4</Type><EventOnChange>0</EventOnChange>"
                    "<Version>7</Version></Node>"),
            std::string::npos);
  auto nb = DecodeNodeAttributeValueList(*y);
  ASSERT_TRUE(nb.ok());
  EXPECT_EQ(*nb, nodes);
}

TEST(CmsCodecTest, ConfigurationUpdate) {
  auto a = ParseConfigurationUpdate("24,2015-07-27T20:47:22");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->version, 24u);
  EXPECT_EQ(a->timestamp, "2015-07-27T20:47:22");
  EXPECT_TRUE(a->changed.empty());
  auto list = *EncodeParameterValueList({{"/A/B", "v"}});
  auto b = ParseConfigurationUpdate("25,2015-07-27T20:47:23," + list);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->changed.size(), 1u);
  EXPECT_EQ(b->changed[0].path, "/A/B");
  EXPECT_FALSE(ParseConfigurationUpdate("x,1").ok());
  EXPECT_FALSE(ParseConfigurationUpdate("99999999999,1").ok());
  EXPECT_FALSE(ParseConfigurationUpdate("1,t,<bogus").ok());
}

}  // namespace
}  // namespace proxier::upnp::cms
