// Mapping rules of ../shared/spec/mapping.md: mounts and paths with instance numbers (§2), value
// types (§6) and UPnP errors to CWMP faults (§7), on an in-memory (or temp-file) database.
#include "proxier/proxy/mapping.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "proxier/common/sqlite.h"
#include "proxier/proxy/instance_map.h"

namespace proxier::proxy {
namespace {

using datamodel::ValueType;

constexpr char kVendor[] = "X_02C0DE_";
constexpr char kEmbeddedBase[] = "Device.X_02C0DE_ProxiedDevice.2.";

Mount EmbeddedBbf() {
  return {MountName(kEmbeddedBase, "/BBF/", true, false, kVendor), "/BBF/", true};
}
Mount EmbeddedNative() {
  return {MountName(kEmbeddedBase, "/UPnP/DM/", false, false, kVendor), "/UPnP/DM/", false};
}
Mount VirtualBbf() { return {MountName("Device.", "/BBF/", true, true, kVendor), "/BBF/", true}; }
Mount VirtualNative() {
  return {MountName("Device.", "/UPnP/DM/", false, true, kVendor), "/UPnP/DM/", false};
}

std::unique_ptr<Db> MemoryDb() {
  auto db = Db::Open(":memory:");
  EXPECT_TRUE(db.ok()) << db.status();
  return std::move(db).value();
}

std::unique_ptr<InstanceMap> OpenMap(Db& db, const std::string& udn = "uuid:dev-a") {
  auto m = InstanceMap::Open(db, udn);
  EXPECT_TRUE(m.ok()) << m.status();
  return std::move(m).value();
}

TEST(MountNameTest, EmbeddedAndVirtualMounts) {
  EXPECT_EQ(EmbeddedBbf().cwmp, "Device.X_02C0DE_ProxiedDevice.2.BBF.");
  EXPECT_EQ(EmbeddedNative().cwmp, "Device.X_02C0DE_ProxiedDevice.2.UPnP.DM.");
  EXPECT_EQ(VirtualBbf().cwmp, "Device.");
  EXPECT_EQ(VirtualNative().cwmp, "Device.X_02C0DE_UPnP.DM.");
  // Other /UPnP/ locations mount alike; anything else cannot be mounted.
  EXPECT_EQ(MountName(kEmbeddedBase, "/UPnP/Vendor/", false, false, kVendor),
            "Device.X_02C0DE_ProxiedDevice.2.UPnP.Vendor.");
  EXPECT_EQ(MountName("Device.", "/UPnP/Vendor/", false, true, kVendor),
            "Device.X_02C0DE_UPnP.Vendor.");
  EXPECT_EQ(MountName(kEmbeddedBase, "/Other/", false, false, kVendor), "");
  EXPECT_EQ(MountName(kEmbeddedBase, "/UPnP/DM", false, false, kVendor), "");
  EXPECT_EQ(MountName(kEmbeddedBase, "", true, false, kVendor), "");
  // A BBF subtree may sit anywhere.
  EXPECT_EQ(MountName(kEmbeddedBase, "/TR181/", true, false, kVendor),
            "Device.X_02C0DE_ProxiedDevice.2.BBF.");
}

TEST(MountNameTest, BbfUri) {
  EXPECT_TRUE(IsBbfUri("urn:broadband-forum-org:tr-181-2-12-0"));
  EXPECT_TRUE(IsBbfUri("urn:broadband-forum-org:tr-181-2"));
  EXPECT_FALSE(IsBbfUri("urn:broadband-forum-org:tr-098-1-8-0"));
  EXPECT_FALSE(IsBbfUri("urn:upnp-org:smgt-surn:base"));
  EXPECT_FALSE(IsBbfUri(""));
}

TEST(MappingTest, StructureAndSchemaPaths) {
  EXPECT_EQ(StructureOf("/A/3/B/7/C"), "/A/#/B/#/C");
  EXPECT_EQ(StructureOf("/A/3/B/"), "/A/#/B/");
  EXPECT_EQ(StructureOf("/A/B5/0/"), "/A/B5/#/");
  EXPECT_EQ(StructureOf("/"), "/");
  EXPECT_EQ(SchemaPathOf("Device.A.3.B"), "Device.A.{i}.B");
  EXPECT_EQ(SchemaPathOf("Device.A.3.B.12."), "Device.A.{i}.B.{i}.");
  EXPECT_TRUE(IsDigits("0123"));
  EXPECT_FALSE(IsDigits(""));
  EXPECT_FALSE(IsDigits("1a"));
}

// mapping.md §2.3 worked examples (proxier OUI 02C0DE, embedded n=2).
struct Example {
  Mount (*mount)();
  const char* cwmp;
  const char* upnp;
};
const Example kExamples[] = {
    {EmbeddedNative, "Device.X_02C0DE_ProxiedDevice.2.UPnP.DM.DeviceInfo.SoftwareVersion",
     "/UPnP/DM/DeviceInfo/SoftwareVersion"},
    {EmbeddedNative,
     "Device.X_02C0DE_ProxiedDevice.2.UPnP.DM.Configuration.Network.IPInterface.1.IPv4.IPAddress",
     "/UPnP/DM/Configuration/Network/IPInterface/1/IPv4/IPAddress"},
    {EmbeddedBbf, "Device.X_02C0DE_ProxiedDevice.2.BBF.WiFi.SSID.1.SSID", "/BBF/WiFi/SSID/0/SSID"},
    {VirtualBbf, "Device.WiFi.SSID.1.SSID", "/BBF/WiFi/SSID/0/SSID"},
    {VirtualNative, "Device.X_02C0DE_UPnP.DM.Monitoring.OperatingSystem.CPUUsage",
     "/UPnP/DM/Monitoring/OperatingSystem/CPUUsage"},
};

TEST(InstanceMapTest, WorkedExamplesUpnpToCwmp) {
  for (const auto& e : kExamples) {
    auto db = MemoryDb();
    auto map = OpenMap(*db);
    auto name = map->ToCwmpName(e.mount(), e.upnp);
    ASSERT_TRUE(name.ok()) << e.upnp << ": " << name.status();
    EXPECT_EQ(*name, e.cwmp);
    // And back through the map that was just filled.
    auto path = map->ToUpnpPath(e.mount(), e.cwmp);
    ASSERT_TRUE(path.ok()) << e.cwmp << ": " << path.status();
    EXPECT_EQ(*path, e.upnp);
  }
}

TEST(InstanceMapTest, WorkedExamplesCwmpToUpnpOnAFreshMap) {
  // The ACS may name a row before the proxier listed it: the preferred rule in reverse.
  for (const auto& e : kExamples) {
    auto db = MemoryDb();
    auto map = OpenMap(*db);
    auto path = map->ToUpnpPath(e.mount(), e.cwmp);
    ASSERT_TRUE(path.ok()) << e.cwmp << ": " << path.status();
    EXPECT_EQ(*path, e.upnp);
    auto name = map->ToCwmpName(e.mount(), *path);
    ASSERT_TRUE(name.ok()) << name.status();
    EXPECT_EQ(*name, e.cwmp);
  }
}

TEST(InstanceMapTest, PartialPathsStayNodes) {
  auto db = MemoryDb();
  auto map = OpenMap(*db);
  const Mount m = EmbeddedNative();
  EXPECT_EQ(*map->ToUpnpPath(m, m.cwmp), "/UPnP/DM/");
  EXPECT_EQ(*map->ToCwmpName(m, "/UPnP/DM/"), m.cwmp);
  EXPECT_EQ(*map->ToUpnpPath(m, m.cwmp + "DeviceInfo."), "/UPnP/DM/DeviceInfo/");
  EXPECT_EQ(*map->ToCwmpName(m, "/UPnP/DM/DeviceInfo/"), m.cwmp + "DeviceInfo.");
  EXPECT_EQ(*map->ToCwmpName(m, "/UPnP/DM/Storage/Volume/3/"), m.cwmp + "Storage.Volume.3.");
  EXPECT_EQ(*map->ToUpnpPath(m, m.cwmp + "Storage.Volume.3."), "/UPnP/DM/Storage/Volume/3/");
  EXPECT_EQ(*map->ToCwmpName(m, "/UPnP/DM/Storage/Volume/"), m.cwmp + "Storage.Volume.");
}

TEST(InstanceMapTest, OutsideTheMountOrMalformedIs9005) {
  auto db = MemoryDb();
  auto map = OpenMap(*db);
  const Mount m = EmbeddedNative();
  EXPECT_EQ(map->ToUpnpPath(m, "Device.DeviceInfo.SoftwareVersion").status().code(),
            Code::kInvalidParameterName);
  EXPECT_EQ(map->ToUpnpPath(m, m.cwmp + "A..B").status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(map->ToCwmpName(m, "/BBF/WiFi/SSID/0/SSID").status().code(),
            Code::kInvalidParameterName);
  EXPECT_EQ(map->ToCwmpName(m, "/UPnP/DM/A//B").status().code(), Code::kInvalidParameterName);
  // CWMP instance numbers start at 1.
  EXPECT_EQ(map->ToUpnpPath(EmbeddedBbf(), EmbeddedBbf().cwmp + "WiFi.SSID.0.SSID").status().code(),
            Code::kInvalidParameterName);
  EXPECT_EQ(map->ToUpnpPath(m, m.cwmp + "Storage.Volume.0.").status().code(),
            Code::kInvalidParameterName);
}

TEST(InstanceMapTest, PreferredNumbersBbf) {
  auto db = MemoryDb();
  auto map = OpenMap(*db);
  // BBF: k+1.
  EXPECT_EQ(*map->ToCwmp("/BBF/WiFi/SSID/", 0, true), 1u);
  EXPECT_EQ(*map->ToCwmp("/BBF/WiFi/SSID/", 4, true), 5u);
  EXPECT_EQ(*map->ToCwmp("/BBF/WiFi/SSID/", 1, true), 2u);
  // Known indexes keep their numbers.
  EXPECT_EQ(*map->ToCwmp("/BBF/WiFi/SSID/", 0, true), 1u);
  EXPECT_EQ(map->ToUpnp("/BBF/WiFi/SSID/", 5, true), 4u);
  EXPECT_EQ(*map->ToCwmp("/BBF/WiFi/SSID/", 3, true), 4u);
  // A taken preferred number (here retired) moves on to the next free one: 2 -> 3.
  ASSERT_TRUE(map->Forget("/BBF/WiFi/SSID/", 1).ok());
  EXPECT_EQ(*map->ToCwmp("/BBF/WiFi/SSID/", 1, true), 3u);
  // Index 2 would like 3, now taken; 4 and 5 are taken too.
  EXPECT_EQ(*map->ToCwmp("/BBF/WiFi/SSID/", 2, true), 6u);
}

TEST(InstanceMapTest, PreferredNumbersNative) {
  auto db = MemoryDb();
  auto map = OpenMap(*db);
  const std::string t = "/UPnP/DM/Storage/Volume/";
  // Native: k if k >= 1, else k+1; if taken, the next free.
  EXPECT_EQ(*map->ToCwmp(t, 5, false), 5u);
  EXPECT_EQ(*map->ToCwmp(t, 0, false), 1u);
  EXPECT_EQ(*map->ToCwmp(t, 1, false), 2u);  // 1 taken by index 0
  EXPECT_EQ(*map->ToCwmp(t, 2, false), 3u);  // 2 taken by index 1
  EXPECT_EQ(*map->ToCwmp(t, 3, false), 4u);
  EXPECT_EQ(*map->ToCwmp(t, 4, false), 6u);  // 4 and 5 taken
  EXPECT_EQ(map->ToUpnp(t, 1, false), 0u);
  EXPECT_EQ(map->ToUpnp(t, 2, false), 1u);
  EXPECT_EQ(map->ToUpnp(t, 6, false), 4u);
  // An unmapped number maps by the rule in reverse only when that index is free.
  EXPECT_EQ(map->ToUpnp(t, 9, false), 9u);
  EXPECT_EQ(map->ToUpnp(t, 0, false), std::nullopt);
  // Tables are per parent row: Share of volume 1 and of volume 2 are independent.
  EXPECT_EQ(*map->ToCwmp(t + "1/Share/", 0, false), 1u);
  EXPECT_EQ(*map->ToCwmp(t + "2/Share/", 0, false), 1u);
}

TEST(InstanceMapTest, NestedInstancesBothWays) {
  auto db = MemoryDb();
  auto map = OpenMap(*db);
  const Mount m = EmbeddedBbf();
  auto name = map->ToCwmpName(m, "/BBF/WiFi/AccessPoint/0/AssociatedDevice/3/MACAddress");
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_EQ(*name, m.cwmp + "WiFi.AccessPoint.1.AssociatedDevice.4.MACAddress");
  EXPECT_EQ(*map->ToCwmpName(m, "/BBF/WiFi/AccessPoint/1/AssociatedDevice/3/MACAddress"),
            m.cwmp + "WiFi.AccessPoint.2.AssociatedDevice.4.MACAddress");
  EXPECT_EQ(*map->ToUpnpPath(m, m.cwmp + "WiFi.AccessPoint.2.AssociatedDevice.4.MACAddress"),
            "/BBF/WiFi/AccessPoint/1/AssociatedDevice/3/MACAddress");
}

TEST(InstanceMapTest, NumbersNeverReusedAfterForget) {
  auto db = MemoryDb();
  auto map = OpenMap(*db);
  const Mount m = EmbeddedBbf();
  const std::string t = "/BBF/WiFi/SSID/";
  EXPECT_EQ(*map->ToCwmp(t, 0, true), 1u);
  EXPECT_EQ(*map->ToCwmp(t, 1, true), 2u);
  ASSERT_TRUE(map->Forget(t, 0).ok());
  // The retired number names nothing, not even by the reverse rule.
  EXPECT_EQ(map->ToUpnp(t, 1, true), std::nullopt);
  EXPECT_EQ(map->ToUpnpPath(m, m.cwmp + "WiFi.SSID.1.SSID").status().code(),
            Code::kInvalidParameterName);
  // The device reuses index 0 for a new row: it gets a new number.
  EXPECT_EQ(*map->ToCwmp(t, 0, true), 3u);
  EXPECT_EQ(*map->ToCwmpName(m, "/BBF/WiFi/SSID/0/SSID"), m.cwmp + "WiFi.SSID.3.SSID");
  EXPECT_EQ(*map->ToUpnpPath(m, m.cwmp + "WiFi.SSID.3.SSID"), "/BBF/WiFi/SSID/0/SSID");
  // Forgetting an unknown index or table is harmless.
  EXPECT_TRUE(map->Forget(t, 42).ok());
  EXPECT_TRUE(map->Forget("/BBF/Nothing/", 0).ok());
}

TEST(InstanceMapTest, ForgetBelowRetiresSubtables) {
  auto db = MemoryDb();
  auto map = OpenMap(*db);
  const Mount m = EmbeddedNative();
  ASSERT_TRUE(map->ToCwmpName(m, "/UPnP/DM/Storage/Volume/1/Share/0/Name").ok());
  ASSERT_TRUE(map->ToCwmpName(m, "/UPnP/DM/Storage/Volume/1/Share/1/Name").ok());
  ASSERT_TRUE(map->ToCwmpName(m, "/UPnP/DM/Storage/Volume/11/Share/0/Name").ok());
  // Row 1 is deleted with its subtables (the caller forgets the row itself).
  ASSERT_TRUE(map->ForgetBelow("/UPnP/DM/Storage/Volume/1/").ok());
  ASSERT_TRUE(map->Forget("/UPnP/DM/Storage/Volume/", 1).ok());
  EXPECT_EQ(map->ToUpnp("/UPnP/DM/Storage/Volume/1/Share/", 1, false), std::nullopt);
  EXPECT_EQ(map->ToUpnp("/UPnP/DM/Storage/Volume/1/Share/", 2, false), std::nullopt);
  // A sibling whose index starts with the same digit is untouched.
  EXPECT_EQ(map->ToUpnp("/UPnP/DM/Storage/Volume/11/Share/", 1, false), 0u);
  // The device creates volume 1 again with a share 0: new numbers everywhere.
  EXPECT_EQ(*map->ToCwmpName(m, "/UPnP/DM/Storage/Volume/1/Share/0/Name"),
            m.cwmp + "Storage.Volume.2.Share.3.Name");
}

TEST(InstanceMapTest, ExhaustedNumbersAre9004) {
  auto db = MemoryDb();
  auto map = OpenMap(*db);
  const std::string t = "/UPnP/DM/T/";
  EXPECT_EQ(*map->ToCwmp(t, UINT32_MAX - 1, false), UINT32_MAX - 1);
  ASSERT_TRUE(map->Forget(t, UINT32_MAX - 1).ok());
  EXPECT_EQ(*map->ToCwmp(t, UINT32_MAX, false), UINT32_MAX);
  // UINT32_MAX-1 is retired and UINT32_MAX taken: nothing left above.
  EXPECT_EQ(map->ToCwmp(t, UINT32_MAX - 1, false).status().code(), Code::kResourcesExceeded);
}

// Regression: BBF index 4294967295 wrapped around to CWMP number 0.
TEST(InstanceMapTest, LargestBbfIndexNeverGetsNumberZero) {
  auto db = MemoryDb();
  auto map = OpenMap(*db);
  auto n = map->ToCwmp("/BBF/T/", UINT32_MAX, true);
  if (n.ok()) {
    EXPECT_GE(*n, 1u);
  } else {
    EXPECT_EQ(n.status().code(), Code::kResourcesExceeded);
  }
  auto name = map->ToCwmpName(EmbeddedBbf(), "/BBF/U/4294967295/X");
  if (name.ok()) {
    EXPECT_NE(*name, EmbeddedBbf().cwmp + "U.0.X");
  }
}

TEST(InstanceMapTest, HugeInstanceSegmentsAre9005) {
  auto db = MemoryDb();
  auto map = OpenMap(*db);
  const Mount m = EmbeddedNative();
  for (const char* seg : {"4294967296", "99999999999", "123456789012345678901234567890"}) {
    EXPECT_EQ(map->ToUpnpPath(m, m.cwmp + "Storage.Volume." + seg + ".Name").status().code(),
              Code::kInvalidParameterName)
        << seg;
    EXPECT_EQ(
        map->ToCwmpName(m, "/UPnP/DM/Storage/Volume/" + std::string(seg) + "/Name").status().code(),
        Code::kInvalidParameterName)
        << seg;
  }
  // The largest 32-bit index still maps.
  EXPECT_TRUE(map->ToCwmpName(m, "/UPnP/DM/Storage/Volume/4294967295/Name").ok());
}

TEST(InstanceMapTest, DigitLeadingNamesGetUnderscore) {
  auto db = MemoryDb();
  auto map = OpenMap(*db);
  const Mount m = EmbeddedNative();
  EXPECT_EQ(*map->ToCwmpName(m, "/UPnP/DM/Radio/5GHz/Channel"), m.cwmp + "Radio._5GHz.Channel");
  EXPECT_EQ(*map->ToUpnpPath(m, m.cwmp + "Radio._5GHz.Channel"), "/UPnP/DM/Radio/5GHz/Channel");
  EXPECT_EQ(*map->ToCwmpName(m, "/UPnP/DM/Radio/5GHz/"), m.cwmp + "Radio._5GHz.");
  EXPECT_EQ(*map->ToUpnpPath(m, m.cwmp + "Radio._5GHz."), "/UPnP/DM/Radio/5GHz/");
  // A leaf name too, and a digit-leading name below an instance.
  EXPECT_EQ(*map->ToCwmpName(m, "/UPnP/DM/Radio/2/24GHzMode"), m.cwmp + "Radio.2._24GHzMode");
  EXPECT_EQ(*map->ToUpnpPath(m, m.cwmp + "Radio.2._24GHzMode"), "/UPnP/DM/Radio/2/24GHzMode");
  // Names that merely start with '_' are copied as they are.
  EXPECT_EQ(*map->ToCwmpName(m, "/UPnP/DM/_Private/X"), m.cwmp + "_Private.X");
  EXPECT_EQ(*map->ToUpnpPath(m, m.cwmp + "_Private.X"), "/UPnP/DM/_Private/X");
}

TEST(InstanceMapTest, SeparateDevicesHaveSeparateMaps) {
  auto db = MemoryDb();
  auto a = OpenMap(*db, "uuid:a");
  auto b = OpenMap(*db, "uuid:b");
  EXPECT_EQ(*a->ToCwmp("/UPnP/DM/T/", 0, false), 1u);
  EXPECT_EQ(*a->ToCwmp("/UPnP/DM/T/", 1, false), 2u);
  EXPECT_EQ(*b->ToCwmp("/UPnP/DM/T/", 1, false), 1u);
  auto a2 = OpenMap(*db, "uuid:a");
  auto b2 = OpenMap(*db, "uuid:b");
  EXPECT_EQ(a2->ToUpnp("/UPnP/DM/T/", 2, false), 1u);
  EXPECT_EQ(b2->ToUpnp("/UPnP/DM/T/", 1, false), 1u);
}

TEST(InstanceMapTest, StableAcrossReopenOfTheSameFile) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("pxmap" + std::to_string(getpid()) + "_" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "proxier.db").string();
  const Mount bbf = EmbeddedBbf();
  const Mount native = EmbeddedNative();
  {
    auto db = Db::Open(file);
    ASSERT_TRUE(db.ok()) << db.status();
    auto map = OpenMap(**db);
    EXPECT_EQ(*map->ToCwmpName(native, "/UPnP/DM/Storage/Volume/0/Name"),
              native.cwmp + "Storage.Volume.1.Name");
    EXPECT_EQ(*map->ToCwmpName(native, "/UPnP/DM/Storage/Volume/1/Name"),
              native.cwmp + "Storage.Volume.2.Name");
    EXPECT_EQ(*map->ToCwmpName(bbf, "/BBF/WiFi/SSID/0/SSID"), bbf.cwmp + "WiFi.SSID.1.SSID");
    EXPECT_EQ(*map->ToCwmpName(bbf, "/BBF/WiFi/SSID/1/SSID"), bbf.cwmp + "WiFi.SSID.2.SSID");
    ASSERT_TRUE(map->Forget("/BBF/WiFi/SSID/", 0).ok());
  }
  {
    auto db = Db::Open(file);
    ASSERT_TRUE(db.ok()) << db.status();
    auto map = OpenMap(**db);
    EXPECT_EQ(*map->ToUpnpPath(native, native.cwmp + "Storage.Volume.1.Name"),
              "/UPnP/DM/Storage/Volume/0/Name");
    EXPECT_EQ(*map->ToUpnpPath(native, native.cwmp + "Storage.Volume.2.Name"),
              "/UPnP/DM/Storage/Volume/1/Name");
    EXPECT_EQ(*map->ToCwmpName(bbf, "/BBF/WiFi/SSID/1/SSID"), bbf.cwmp + "WiFi.SSID.2.SSID");
    // Still retired after the restart.
    EXPECT_EQ(map->ToUpnp("/BBF/WiFi/SSID/", 1, true), std::nullopt);
    EXPECT_EQ(*map->ToCwmp("/BBF/WiFi/SSID/", 0, true), 3u);
  }
  {
    auto db = Db::Open(file);
    ASSERT_TRUE(db.ok()) << db.status();
    auto map = OpenMap(**db);
    EXPECT_EQ(*map->ToCwmpName(bbf, "/BBF/WiFi/SSID/0/SSID"), bbf.cwmp + "WiFi.SSID.3.SSID");
  }
  std::filesystem::remove_all(dir);
}

// mapping.md §6.
TEST(TypeMappingTest, TypeOfUpnpEveryRow) {
  for (const char* t : {"string", "char", "uri", "uuid", "time", "time.tz"}) {
    EXPECT_EQ(TypeOfUpnp(t), ValueType::kString) << t;
  }
  EXPECT_EQ(TypeOfUpnp("boolean"), ValueType::kBoolean);
  for (const char* t : {"i1", "i2", "i4", "int"}) EXPECT_EQ(TypeOfUpnp(t), ValueType::kInt) << t;
  for (const char* t : {"ui1", "ui2", "ui4"}) {
    EXPECT_EQ(TypeOfUpnp(t), ValueType::kUnsignedInt) << t;
  }
  EXPECT_EQ(TypeOfUpnp("i8"), ValueType::kLong);
  EXPECT_EQ(TypeOfUpnp("ui8"), ValueType::kUnsignedLong);
  for (const char* t : {"r4", "r8", "number", "float", "fixed.14.4"}) {
    EXPECT_EQ(TypeOfUpnp(t), ValueType::kString) << t;
  }
  for (const char* t : {"date", "dateTime", "dateTime.tz"}) {
    EXPECT_EQ(TypeOfUpnp(t), ValueType::kDateTime) << t;
  }
  EXPECT_EQ(TypeOfUpnp("bin.base64"), ValueType::kBase64);
  EXPECT_EQ(TypeOfUpnp("bin.hex"), ValueType::kHexBinary);
  // Case does not matter; unknown types are strings.
  EXPECT_EQ(TypeOfUpnp("Boolean"), ValueType::kBoolean);
  EXPECT_EQ(TypeOfUpnp("DATETIME"), ValueType::kDateTime);
  EXPECT_EQ(TypeOfUpnp("UI4"), ValueType::kUnsignedInt);
  EXPECT_EQ(TypeOfUpnp("x-vendor"), ValueType::kString);
  EXPECT_EQ(TypeOfUpnp(""), ValueType::kString);
}

TEST(TypeMappingTest, BooleansToCwmp) {
  for (const char* v : {"1", "true", "yes", "TRUE", "Yes"}) {
    EXPECT_EQ(ToCwmpValue(ValueType::kBoolean, v), "1") << v;
  }
  for (const char* v : {"0", "false", "no", "False", "NO"}) {
    EXPECT_EQ(ToCwmpValue(ValueType::kBoolean, v), "0") << v;
  }
}

TEST(TypeMappingTest, BooleansToUpnpAreOneOrZero) {
  EXPECT_EQ(ToUpnpValue(ValueType::kBoolean, "true"), "1");
  EXPECT_EQ(ToUpnpValue(ValueType::kBoolean, "1"), "1");
  EXPECT_EQ(ToUpnpValue(ValueType::kBoolean, "false"), "0");
  EXPECT_EQ(ToUpnpValue(ValueType::kBoolean, "0"), "0");
}

TEST(TypeMappingTest, DateTimesToUtc) {
  EXPECT_EQ(ToCwmpValue(ValueType::kDateTime, "2026-03-01T10:20:30+02:00"), "2026-03-01T08:20:30Z");
  EXPECT_EQ(ToCwmpValue(ValueType::kDateTime, "2026-03-01T01:00:00-05:30"), "2026-03-01T06:30:00Z");
  EXPECT_EQ(ToCwmpValue(ValueType::kDateTime, "2026-03-01T10:20:30Z"), "2026-03-01T10:20:30Z");
  EXPECT_EQ(ToCwmpValue(ValueType::kDateTime, "2026-03-01T10:20:30"), "2026-03-01T10:20:30Z");
  EXPECT_EQ(ToCwmpValue(ValueType::kDateTime, "2026-03-01"), "2026-03-01T00:00:00Z");
  EXPECT_EQ(ToCwmpValue(ValueType::kDateTime, ""), "0001-01-01T00:00:00Z");
}

TEST(TypeMappingTest, OtherValuesAsIs) {
  EXPECT_EQ(ToCwmpValue(ValueType::kString, " a b "), " a b ");
  EXPECT_EQ(ToCwmpValue(ValueType::kString, "3.25e-1"), "3.25e-1");  // r8 keeps its text
  EXPECT_EQ(ToCwmpValue(ValueType::kInt, "-5"), "-5");
  EXPECT_EQ(ToCwmpValue(ValueType::kUnsignedLong, "18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(ToCwmpValue(ValueType::kBase64, "AAEC"), "AAEC");
  EXPECT_EQ(ToCwmpValue(ValueType::kHexBinary, "00ff"), "00ff");
  EXPECT_EQ(ToUpnpValue(ValueType::kString, "true"), "true");
  EXPECT_EQ(ToUpnpValue(ValueType::kInt, "-5"), "-5");
  EXPECT_EQ(ToUpnpValue(ValueType::kDateTime, "2026-03-01T08:20:30Z"), "2026-03-01T08:20:30Z");
}

// mapping.md §7.
Code FaultOf(int upnp_error, FaultContext c = FaultContext::kRead) {
  return FaultFromUpnp(upnp_error, Status(Code::kInternalError, "device says no"), c).code();
}

TEST(FaultMappingTest, EveryRow) {
  // 401 / 602: a feature the device lacks within a supported RPC.
  EXPECT_EQ(FaultOf(401), Code::kRequestDenied);
  EXPECT_EQ(FaultOf(602), Code::kRequestDenied);
  EXPECT_EQ(FaultOf(402), Code::kInvalidArguments);
  EXPECT_EQ(FaultOf(701), Code::kInvalidArguments);
  EXPECT_EQ(FaultOf(501), Code::kInternalError);
  EXPECT_EQ(FaultOf(702), Code::kInternalError);
  EXPECT_EQ(FaultOf(0), Code::kInternalError);  // transport error, timeout
  for (int e : {600, 601, 605, 705}) EXPECT_EQ(FaultOf(e), Code::kInvalidParameterValue) << e;
  EXPECT_EQ(FaultOf(603), Code::kResourcesExceeded);
  EXPECT_EQ(FaultOf(604), Code::kRequestDenied);
  EXPECT_EQ(FaultOf(606), Code::kRequestDenied);
  EXPECT_EQ(FaultOf(703), Code::kInvalidParameterName);
  EXPECT_EQ(FaultOf(704), Code::kInvalidParameterType);
  EXPECT_EQ(FaultOf(706, FaultContext::kSet), Code::kNonWritableParameter);
  EXPECT_EQ(FaultOf(706, FaultContext::kAddDelete), Code::kRequestDenied);
  EXPECT_EQ(FaultOf(707), Code::kInvalidArguments);
  EXPECT_EQ(FaultOf(708), Code::kInternalError);  // virtual mode
  EXPECT_EQ(FaultOf(709), Code::kInternalError);  // unknown 7xx
  EXPECT_EQ(FaultOf(799), Code::kInternalError);
  EXPECT_EQ(FaultOf(1234), Code::kInternalError);
}

TEST(FaultMappingTest, KeepsTheDevicesMessage) {
  Status st =
      FaultFromUpnp(705, Status(Code::kInternalError, "Level must be 0-10"), FaultContext::kSet);
  EXPECT_EQ(st.code(), Code::kInvalidParameterValue);
  EXPECT_NE(st.message().find("Level must be 0-10"), std::string::npos);
  EXPECT_FALSE(
      FaultFromUpnp(501, Status(Code::kInternalError, ""), FaultContext::kRead).message().empty());
}

TEST(FaultMappingTest, Retryable) {
  const Status transport(Code::kInternalError, "connection refused");
  EXPECT_TRUE(IsRetryable(708, transport));
  EXPECT_TRUE(IsRetryable(0, transport));
  EXPECT_TRUE(IsRetryable(0, Status(Code::kInternalError, "timeout")));
  EXPECT_FALSE(IsRetryable(0, Status::Ok()));
  // Refused before sending (bad arguments) is not temporary.
  EXPECT_FALSE(IsRetryable(0, Status(Code::kInvalidArguments, "bad path")));
  for (int e : {401, 402, 501, 600, 701, 702, 703, 704, 705, 706, 707}) {
    EXPECT_FALSE(IsRetryable(e, transport)) << e;
  }
}

}  // namespace
}  // namespace proxier::proxy
