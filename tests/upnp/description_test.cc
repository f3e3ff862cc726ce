// Device description parsing: URL resolution, DM capability, hostile documents.
#include "proxier/upnp/description.h"

#include <gtest/gtest.h>

namespace proxier::upnp {
namespace {

std::string Service(const std::string& type, const std::string& id, const std::string& ctl) {
  return "<service><serviceType>" + type + "</serviceType><serviceId>" + id +
         "</serviceId><SCPDURL>scpd.xml</SCPDURL><controlURL>" + ctl +
         "</controlURL><eventSubURL>" + ctl + "/ev</eventSubURL></service>";
}

std::string Doc(const std::string& url_base, const std::string& services,
                const std::string& embedded = "") {
  return "<?xml version=\"1.0\"?><root xmlns=\"urn:schemas-upnp-org:device-1-0\">"
         "<specVersion><major>1</major><minor>1</minor></specVersion>" +
         url_base +
         "<device><deviceType>urn:schemas-upnp-org:device:ManageableDevice:2</deviceType>"
         "<friendlyName>Plug</friendlyName><manufacturer>ACME</manufacturer>"
         "<modelName>SmartPlug</modelName><serialNumber>SN1</serialNumber>"
         "<UDN>uuid:11111111-2222-3333-4444-555555555555</UDN>"
         "<presentationURL>/ui</presentationURL><serviceList>" +
         services + "</serviceList>" + embedded + "</device></root>";
}

const char kLoc[] = "http://10.0.0.2:61000/dev/0/desc.xml";

TEST(DescriptionTest, ParsesAndResolvesAgainstLocation) {
  auto d = ParseDescription(
      Doc("", Service("urn:schemas-upnp-org:service:ConfigurationManagement:2",
                      "urn:upnp-org:serviceId:ConfigurationManagement", "cms/control")),
      kLoc);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->spec_version, "1.1");
  EXPECT_EQ(d->url_base, "http://10.0.0.2:61000/dev/0/desc.xml");
  EXPECT_EQ(d->root.udn, "uuid:11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(d->root.Uuid(), "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(d->root.model_name, "SmartPlug");
  EXPECT_EQ(d->root.presentation_url, "http://10.0.0.2:61000/ui");
  ASSERT_EQ(d->root.services.size(), 1u);
  EXPECT_EQ(d->root.services[0].control_url, "http://10.0.0.2:61000/dev/0/cms/control");
  EXPECT_EQ(d->root.services[0].event_sub_url, "http://10.0.0.2:61000/dev/0/cms/control/ev");
  EXPECT_EQ(d->root.services[0].scpd_url, "http://10.0.0.2:61000/dev/0/scpd.xml");
  EXPECT_TRUE(d->IsDmCapable());
  EXPECT_NE(d->FindService(DmService::kCms), nullptr);
  EXPECT_EQ(d->FindService(DmService::kSms), nullptr);
}

TEST(DescriptionTest, UrlBaseAndEmbeddedDevices) {
  std::string emb =
      "<deviceList><device><deviceType>urn:x:device:Sub:1</deviceType>"
      "<UDN>uuid:aaaaaaaa-0000-1111-2222-333333333333</UDN><serviceList>" +
      Service("urn:schemas-upnp-org:service:BasicManagement:1", "urn:upnp-org:serviceId:BMS",
              "/bms") +
      "</serviceList></device></deviceList>";
  auto d = ParseDescription(Doc("<URLBase>http://10.0.0.2:61000/base/</URLBase>",
                                Service("urn:x:service:Other:1", "urn:x:serviceId:O", "o"), emb),
                            kLoc);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->url_base, "http://10.0.0.2:61000/base/");
  EXPECT_EQ(d->root.services[0].control_url, "http://10.0.0.2:61000/base/o");
  ASSERT_EQ(d->root.devices.size(), 1u);
  EXPECT_EQ(d->root.devices[0].services[0].control_url, "http://10.0.0.2:61000/bms");
  EXPECT_EQ(d->AllDevices().size(), 2u);
  EXPECT_TRUE(d->IsDmCapable());  // the DM service sits in the embedded device
  const DeviceInfo* owner = nullptr;
  ASSERT_NE(d->FindService(DmService::kBms, &owner), nullptr);
  EXPECT_EQ(owner->udn, "uuid:aaaaaaaa-0000-1111-2222-333333333333");
}

TEST(DescriptionTest, NotDmCapable) {
  auto d = ParseDescription(
      Doc("", Service("urn:schemas-upnp-org:service:ConfigurationManagement:3", "i", "c")), kLoc);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->IsDmCapable());
}

TEST(DescriptionTest, RefusesForeignControlUrls) {
  auto a =
      ParseDescription(Doc("", Service("urn:x:service:S:1", "i", "http://10.0.0.99/ctl")), kLoc);
  EXPECT_EQ(a.status().code(), Code::kInvalidArguments);
  EXPECT_NE(a.status().message().find("foreign"), std::string::npos);
  auto b = ParseDescription(
      Doc("<URLBase>http://10.6.6.6:80/</URLBase>", Service("urn:x:service:S:1", "i", "c")), kLoc);
  EXPECT_FALSE(b.ok());
  auto c = ParseDescription(Doc("", Service("urn:x:service:S:1", "i", "//10.0.0.99/c")), kLoc);
  EXPECT_FALSE(c.ok());
}

TEST(DescriptionTest, RefusesHugeDeepAndMalformed) {
  DescriptionLimits limits;
  limits.max_bytes = 4096;
  std::string huge =
      Doc("", Service("urn:x:service:S:1", "i", "c") + "<!--" + std::string(8000, 'x') + "-->");
  EXPECT_EQ(ParseDescription(huge, kLoc, limits).status().code(), Code::kResourcesExceeded);

  std::string deep = "<root xmlns=\"urn:schemas-upnp-org:device-1-0\">";
  for (int i = 0; i < 100; ++i) deep += "<x>";
  EXPECT_FALSE(ParseDescription(deep, kLoc).ok());

  std::string nested;
  for (int i = 0; i < 12; ++i) {
    nested +=
        "<deviceList><device><deviceType>t</deviceType><UDN>uuid:n" + std::to_string(i) + "</UDN>";
  }
  for (int i = 0; i < 12; ++i) nested += "</device></deviceList>";
  EXPECT_FALSE(ParseDescription(Doc("", "", nested), kLoc).ok());

  std::string many;
  for (int i = 0; i < 200; ++i) many += Service("urn:x:service:S:1", "i" + std::to_string(i), "c");
  EXPECT_EQ(ParseDescription(Doc("", many), kLoc).status().code(), Code::kResourcesExceeded);

  EXPECT_FALSE(ParseDescription("<root><device>", kLoc).ok());
  EXPECT_FALSE(ParseDescription("<html><body>hi</body></html>", kLoc).ok());
  EXPECT_FALSE(ParseDescription("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM "
                                "\"file:///etc/passwd\">]><root>&x;</root>",
                                kLoc)
                   .ok());
  // Truncated (a wrong Content-Length cuts the body short).
  std::string full = Doc("", Service("urn:x:service:S:1", "i", "c"));
  EXPECT_FALSE(ParseDescription(full.substr(0, full.size() / 2), kLoc).ok());
  // No UDN.
  EXPECT_FALSE(ParseDescription("<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device>"
                                "<deviceType>t</deviceType></device></root>",
                                kLoc)
                   .ok());
}

// Trust boundary (issue 10, findings 1 and 8): identities must be UUIDs, labels are cleaned,
// links are web URLs or nothing.
TEST(DescriptionTest, RefusesPlaceholderAndDuplicateUdns) {
  auto with_udn = [](const std::string& udn) {
    std::string d = Doc("", Service("urn:x:service:S:1", "i", "c"));
    const std::string real = "uuid:11111111-2222-3333-4444-555555555555";
    return d.replace(d.find(real), real.size(), udn);
  };
  for (const char* bad : {"uuid:UUID", "uuid:", "uuid:0", "11111111-2222-3333-4444-555555555555",
                          "uuid:11111111-2222-3333-4444-55555555555Z"}) {
    auto d = ParseDescription(with_udn(bad), kLoc);
    EXPECT_EQ(d.status().code(), Code::kInvalidArguments) << bad;
    EXPECT_NE(d.status().message().find("not uuid:<UUID>"), std::string::npos) << d.status();
  }
  std::string twice =
      "<deviceList><device><deviceType>urn:x:device:Sub:1</deviceType>"
      "<UDN>uuid:11111111-2222-3333-4444-555555555555</UDN></device></deviceList>";
  auto d = ParseDescription(Doc("", Service("urn:x:service:S:1", "i", "c"), twice), kLoc);
  EXPECT_NE(d.status().message().find("appears twice"), std::string::npos) << d.status();
}

TEST(DescriptionTest, CleansLabelsAndDropsNonWebLinks) {
  std::string doc = Doc("", Service("urn:x:service:S:1", "i", "c"));
  auto put = [&](const std::string& from, const std::string& to) {
    doc.replace(doc.find(from), from.size(), to);
  };
  put("<friendlyName>Plug</friendlyName>",
      "<friendlyName>Plug\xE2\x80\xAE"
      "gpj.exe\xC2\x9B</friendlyName>"
      "<modelURL>javascript:alert(1)</modelURL>"
      "<manufacturerURL>http://acme.example/</manufacturerURL>");
  put("<presentationURL>/ui</presentationURL>",
      "<presentationURL>file:///etc/passwd</presentationURL>");
  auto d = ParseDescription(doc, kLoc);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->root.friendly_name, "Pluggpj.exe");
  EXPECT_EQ(d->root.model_url, "");
  EXPECT_EQ(d->root.manufacturer_url, "http://acme.example/");
  EXPECT_EQ(d->root.presentation_url, "");
}

}  // namespace
}  // namespace proxier::upnp
