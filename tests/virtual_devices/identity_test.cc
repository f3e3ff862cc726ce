// Identity rules (mapping.md §3), derived credentials and phases, SHA-256/HMAC vectors.
#include <gtest/gtest.h>

#include "proxier/common/hash.h"
#include "proxier/virtual_devices/identity.h"

namespace proxier::virtual_devices {
namespace {

const std::string kId = "/UPnP/DM/DeviceInfo/PhysicalDevice/DeviceID/";

upnp::DeviceInfo Description() {
  upnp::DeviceInfo d;
  d.manufacturer = "Acme";
  d.model_name = "Plug X";
  d.model_description = "A plug";
  d.serial_number = "DESC-SN";
  return d;
}

TEST(IdentityTest, NativeDeviceIdWinsOverBbfAndDescription) {
  auto desc = Description();
  std::map<std::string, std::string> v = {
      {kId + "ManufacturerOUI", "A1B2C3"},           {kId + "ProductClass", "NativePC"},
      {kId + "SerialNumber", "NATIVE-SN"},           {"/BBF/DeviceInfo/ManufacturerOUI", "00AA11"},
      {"/BBF/DeviceInfo/ProductClass", "BbfPC"},     {"/BBF/DeviceInfo/SoftwareVersion", "9.9"},
      {"/UPnP/DM/DeviceInfo/SoftwareVersion", "1.0"}};
  auto id = DeriveIdentity(v, &desc, "udn-1", "/BBF/");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->oui, "A1B2C3");
  EXPECT_EQ(id->product_class, "NativePC");
  EXPECT_EQ(id->serial_number, "NATIVE-SN");
  EXPECT_EQ(id->manufacturer, "Acme");
  EXPECT_EQ(id->model_name, "Plug X");
  EXPECT_EQ(id->description, "A plug");
  EXPECT_EQ(id->software_version, "9.9") << "a BBF DeviceInfo value wins";
}

TEST(IdentityTest, FallsBackToBbfThenDescriptionThenUdn) {
  auto desc = Description();
  std::map<std::string, std::string> v = {{"/BBF/DeviceInfo/ManufacturerOUI", "00AA11"},
                                          {kId + "ProductClass", ""},
                                          {"/UPnP/DM/DeviceInfo/SoftwareVersion", "1.0"}};
  auto id = DeriveIdentity(v, &desc, "udn-1", "/BBF/");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->oui, "00AA11");
  EXPECT_EQ(id->product_class, "Plug X");
  EXPECT_EQ(id->serial_number, "DESC-SN");
  EXPECT_EQ(id->software_version, "1.0");
  desc.serial_number.clear();
  id = DeriveIdentity(v, &desc, "udn-1", "/BBF/");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->serial_number, "udn-1");
  // Without a BBF subtree its paths are not consulted.
  EXPECT_FALSE(DeriveIdentity(v, &desc, "udn-1", "").ok());
}

// The DeviceId an ACS shows is made of device text: clean labels, never a split character.
TEST(IdentityTest, DeviceIdFieldsAreCleanLabels) {
  auto desc = Description();
  std::string long_serial;
  for (int i = 0; i < 40; ++i) long_serial += "\xC3\xA9";  // 80 bytes of 'é'
  std::map<std::string, std::string> v = {{kId + "ManufacturerOUI", "A1B2C3"},
                                          {kId + "ProductClass",
                                           "Plug\xE2\x80\xAE"
                                           "CP\xC2\x85"},
                                          {kId + "SerialNumber", long_serial}};
  auto id = DeriveIdentity(v, &desc, "udn-1", "/BBF/");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->product_class, "PlugCP");
  EXPECT_EQ(id->serial_number.size(), 64u);  // 32 whole characters
  EXPECT_EQ(id->serial_number, long_serial.substr(0, 64));
}

TEST(IdentityTest, MissingOrInvalidOuiIsRefused) {
  auto desc = Description();
  auto none = DeriveIdentity({}, &desc, "udn-1", "/BBF/");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no ManufacturerOUI"), std::string::npos);
  for (const char* bad : {"a1b2c3", "A1B2C", "A1B2C3D", "G1B2C3", "A1-2C3"}) {
    auto id = DeriveIdentity(
        {{kId + "ManufacturerOUI", bad}, {"/BBF/DeviceInfo/ManufacturerOUI", "00AA11"}}, &desc,
        "udn-1", "/BBF/");
    EXPECT_FALSE(id.ok()) << bad << ": the first value found decides";
  }
  EXPECT_TRUE(IsValidOui("09AFBE"));
}

TEST(IdentityTest, LongValuesAreCut) {
  std::map<std::string, std::string> v = {{kId + "ManufacturerOUI", "A1B2C3"},
                                          {kId + "ProductClass", std::string(100, 'p')},
                                          {kId + "SerialNumber", std::string(100, 's')}};
  auto id = DeriveIdentity(v, nullptr, "udn-1", "/BBF/");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->product_class.size(), 64u);
  EXPECT_EQ(id->serial_number.size(), 64u);
}

TEST(IdentityTest, PathsCoverBothSources) {
  auto paths = IdentityPaths("/BBF/");
  EXPECT_EQ(paths.size(), 10u);
  EXPECT_EQ(IdentityPaths("").size(), 5u);
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/BBF/DeviceInfo/SerialNumber"), paths.end());
}

TEST(IdentityTest, DerivedPasswordIsKeyedAndStable) {
  const std::string a = DerivedCrPassword("secret", "udn-1");
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a, DerivedCrPassword("secret", "udn-1"));
  EXPECT_NE(a, DerivedCrPassword("secret", "udn-2"));
  EXPECT_NE(a, DerivedCrPassword("other", "udn-1"));
  EXPECT_EQ(a, Hex(HmacSha256("secret", "proxier-vd-cr:udn-1")).substr(0, 32));
}

TEST(IdentityTest, PhaseOffsetsSpread) {
  EXPECT_EQ(PhaseOffset("udn", 0), 0u);
  std::set<uint32_t> seen;
  for (int i = 0; i < 100; ++i) {
    uint32_t o = PhaseOffset("uuid-" + std::to_string(i), 3600);
    EXPECT_LT(o, 3600u);
    seen.insert(o);
  }
  EXPECT_GT(seen.size(), 90u) << "100 devices should not share a few seconds";
  EXPECT_EQ(PhaseOffset("uuid-1", 3600), PhaseOffset("uuid-1", 3600));
}

}  // namespace
}  // namespace proxier::virtual_devices
