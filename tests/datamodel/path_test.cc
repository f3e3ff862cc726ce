// Path syntax: full names, partial paths, instance numbers; invalid names are 9005.
#include "proxier/datamodel/path.h"

#include <gtest/gtest.h>

namespace proxier::datamodel {
namespace {

TEST(PathTest, ValidPaths) {
  EXPECT_TRUE(CheckPathSyntax("Device.DeviceInfo.UpTime", false).ok());
  EXPECT_TRUE(CheckPathSyntax("Device.NAT.PortMapping.12.Enable", false).ok());
  EXPECT_TRUE(CheckPathSyntax("Device.X_02C0DE_Proxy.Device-Name", false).ok());
  EXPECT_TRUE(CheckPathSyntax("Device.", true).ok());
  EXPECT_TRUE(CheckPathSyntax("", true).ok());
  EXPECT_TRUE(CheckPathSyntax("Device.NAT.PortMapping.3.", true).ok());
}

TEST(PathTest, InvalidPathsAre9005) {
  for (const char* bad : {"Device..UpTime", "Device.1abc", "Dev.X", "Device.NAT.PortMapping.3",
                          "Device.NAT.PortMapping.03.Enable", "Device.NAT.PortMapping.0.Enable",
                          "Device.A B", "Device.A.99999999999.B", ".Device.A", "Device.A$"}) {
    Status st = CheckPathSyntax(bad, true);
    EXPECT_EQ(st.code(), Code::kInvalidParameterName) << bad;
    EXPECT_NE(st.message().find(bad), std::string::npos)
        << "message names the path: " << st.message();
  }
  EXPECT_EQ(CheckPathSyntax("Device.DeviceInfo.", false).code(), Code::kInvalidParameterName);
  EXPECT_EQ(CheckPathSyntax("", false).code(), Code::kInvalidParameterName);
}

TEST(PathTest, InstanceSegments) {
  EXPECT_TRUE(IsInstanceSegment("1"));
  EXPECT_TRUE(IsInstanceSegment("4294967295"));
  EXPECT_FALSE(IsInstanceSegment("4294967296"));
  EXPECT_FALSE(IsInstanceSegment("0"));
  EXPECT_FALSE(IsInstanceSegment("01"));
  EXPECT_FALSE(IsInstanceSegment("x1"));
}

TEST(PathTest, Transformations) {
  EXPECT_EQ(ToSchemaPath("Device.A.3.B.17.C"), "Device.A.{i}.B.{i}.C");
  EXPECT_EQ(ToSchemaPath("Device.A.3."), "Device.A.{i}.");
  EXPECT_EQ(ParentPath("Device.A.B"), "Device.A.");
  EXPECT_EQ(ParentPath("Device.A.B."), "Device.A.");
  EXPECT_EQ(ParentPath("Device."), "");
  EXPECT_EQ(LastSegment("Device.A.3."), "3");
  EXPECT_EQ(LastSegment("Device.A.B"), "B");
  auto parts = SplitPath("Device.A.1.");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[2], "1");
  EXPECT_TRUE(IsUnder("Device.A.B", "Device.A."));
  EXPECT_FALSE(IsUnder("Device.AB", "Device.A."));
}

TEST(PathTest, ReplaceSegmentPrefix) {
  const std::string from = "X_02C0DE_", to = "X_ABCDEF_";
  EXPECT_EQ(ReplaceSegmentPrefix("Device.X_02C0DE_Proxy.Device.{i}.X_02C0DE_Mode", from, to),
            "Device.X_ABCDEF_Proxy.Device.{i}.X_ABCDEF_Mode");
  EXPECT_EQ(ReplaceSegmentPrefix("X_02C0DE_ProxiedDeviceNumberOfEntries", from, to),
            "X_ABCDEF_ProxiedDeviceNumberOfEntries");
  EXPECT_EQ(ReplaceSegmentPrefix("X_02C0DE_Proxy.", from, to), "X_ABCDEF_Proxy.");
  // Only at the start of a segment, and only the exact prefix.
  EXPECT_EQ(ReplaceSegmentPrefix("Device.AX_02C0DE_B.X_02C0DEB", from, to),
            "Device.AX_02C0DE_B.X_02C0DEB");
  EXPECT_EQ(ReplaceSegmentPrefix("Device.X_02C0DE_X_02C0DE_A", from, to),
            "Device.X_ABCDEF_X_02C0DE_A");
  EXPECT_EQ(ReplaceSegmentPrefix("", from, to), "");
  EXPECT_EQ(ReplaceSegmentPrefix("Device.X_02C0DE_A", "", to), "Device.X_02C0DE_A");
  EXPECT_EQ(ReplaceSegmentPrefix("Device.X_02C0DE_A", from, from), "Device.X_02C0DE_A");
}

}  // namespace
}  // namespace proxier::datamodel
