// Schema loading: the test model (every syntax feature), our gateway defs, the official full file.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "proxier/datamodel/schema.h"
#include "test_util.h"

namespace proxier::datamodel {
namespace {

TEST(SchemaTest, LoadsObjectsParamsAndFacets) {
  Schema s = testing::LoadTestSchema();
  const ObjectDef* test = s.FindObject("Device.Test.");
  ASSERT_NE(test, nullptr);
  EXPECT_EQ(test->FindParam("Gone"), nullptr) << "status=deleted must be skipped";
  EXPECT_EQ(s.FindObject("Device.Deleted."), nullptr);
  const ParamDef* str = s.FindParam("Device.Test.Str");
  ASSERT_NE(str, nullptr);
  EXPECT_TRUE(str->writable);
  EXPECT_EQ(str->syntax.type, ValueType::kString);
  EXPECT_EQ(*str->syntax.min_length, 2u);
  EXPECT_EQ(*str->syntax.max_length, 8u);
  EXPECT_EQ(*str->default_value, "dflt");
  const ParamDef* uint = s.FindParam("Device.Test.UInt");
  ASSERT_EQ(uint->syntax.ranges.size(), 2u);
  EXPECT_EQ(uint->syntax.ranges[1].step, 10);
  const ParamDef* addr = s.FindParam("Device.Test.Addr");
  EXPECT_EQ(addr->syntax.data_type, "IPv4Address");
  EXPECT_EQ(*addr->syntax.max_length, 15u) << "derived type overrides the base size";
  EXPECT_EQ(addr->syntax.patterns.size(), 2u);
  const ParamDef* modes = s.FindParam("Device.Test.Modes");
  EXPECT_TRUE(modes->syntax.is_list);
  EXPECT_EQ(*modes->syntax.list_max_items, 2u);
  EXPECT_EQ(*modes->syntax.list_max_length, 16u);
  EXPECT_TRUE(s.FindParam("Device.Test.Secret")->syntax.secured);
  EXPECT_EQ(s.FindParam("Device.DeviceInfo.SoftwareVersion")->active_notify,
            ActiveNotify::kForceEnabled);
  EXPECT_TRUE(s.FindParam("Device.DeviceInfo.SoftwareVersion")->forced_inform);
  EXPECT_EQ(s.FindParam("Device.DeviceInfo.UpTime")->active_notify, ActiveNotify::kCanDeny);
}

TEST(SchemaTest, TablesAndChildren) {
  Schema s = testing::LoadTestSchema();
  const ObjectDef* table = s.FindObject("Device.Test.Table.{i}.");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(table->multi);
  EXPECT_TRUE(table->writable);
  EXPECT_FALSE(table->max_entries.has_value());
  EXPECT_EQ(table->num_entries_param, "TableNumberOfEntries");
  ASSERT_EQ(table->unique_keys.size(), 1u);
  EXPECT_EQ(table->unique_keys[0][0], "Alias");
  EXPECT_EQ(table->child_objects, (std::vector<std::string>{"Device.Test.Table.{i}.Stats.",
                                                            "Device.Test.Table.{i}.Sub.{i}."}));
  EXPECT_EQ(*s.FindObject("Device.Test.Small.{i}.")->max_entries, 2u);
  EXPECT_EQ(s.FindObject("Device.")->child_objects,
            (std::vector<std::string>{"Device.DeviceInfo.", "Device.Test."}));
}

TEST(SchemaTest, MalformedFileIsAClearError) {
  auto dir = std::filesystem::temp_directory_path() / ("pxschema" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bad.xml") << "<dm:document xmlns:dm='x'><model><object name='Device.'>";
  Schema s;
  Status st = LoadSchemaFile((dir / "bad.xml").string(), &s);
  EXPECT_EQ(st.code(), Code::kInternalError);
  EXPECT_NE(st.message().find("bad.xml"), std::string::npos) << st;
  std::ofstream(dir / "ref.xml")
      << "<dm:document xmlns:dm='x'><model name='Device:2.17'>"
         "<object name='Device.' access='readOnly'><parameter name='P' access='readOnly'>"
         "<syntax><dataType ref='Nope'/></syntax></parameter></object></model></dm:document>";
  st = LoadSchemaFile((dir / "ref.xml").string(), &s);
  EXPECT_NE(st.message().find("Nope"), std::string::npos) << st;
  EXPECT_FALSE(LoadSchemaFile((dir / "missing.xml").string(), &s).ok());
  std::filesystem::remove_all(dir);
  Schema empty;
  EXPECT_FALSE(LoadSchemaDir(dir.string(), &empty).ok());
}

// Definition files come from integrators and provisioning systems: whatever they hold, a clear
// error, never a crash (issue 11: an <object> inside <uniqueKey> crashed the loader).
TEST(SchemaTest, MisplacedElementsAndBadNumbersAreClearErrors) {
  auto doc = [](const std::string& model) {
    return "<dm:document xmlns:dm=\"urn:broadband-forum-org:cwmp:datamodel-1-15\"><model "
           "name=\"Device:2.17\">" +
           model + "</model></dm:document>";
  };
  const std::pair<std::string, std::string> cases[] = {
      {doc("<object name=\"Device.A.{i}.\" access=\"readOnly\" minEntries=\"0\" "
           "maxEntries=\"unbounded\"><uniqueKey><object name=\"Device.B.\" access=\"readOnly\" "
           "minEntries=\"1\" maxEntries=\"1\"/><parameter ref=\"X\"/></uniqueKey></object>"),
       "<object> inside <uniqueKey>"},
      {doc("<object name=\"Device.A.\" access=\"readOnly\" minEntries=\"1\" maxEntries=\"1\">"
           "<parameter name=\"P\" access=\"readOnly\"><object name=\"Device.B.\" "
           "access=\"readOnly\"/></parameter></object>"),
       "<object> inside <parameter>"},
      {doc("<parameter name=\"P\" access=\"readOnly\"/>"), "<parameter> inside <model>"},
      {doc("<object name=\"Device.A.\" access=\"readOnly\" minEntries=\"x1\" "
           "maxEntries=\"1\"/>"),
       "bad minEntries"},
      {doc("<object name=\"Device.A.\" access=\"readOnly\" minEntries=\"1\" "
           "maxEntries=\"99999999999999999999999\"/>"),
       "bad maxEntries"},
      {doc("<object name=\"Device.A.\" access=\"readOnly\" minEntries=\"1\" maxEntries=\"1\">"
           "<parameter name=\"P\" access=\"readOnly\"><syntax><string><size maxLength=\"-3\"/>"
           "</string></syntax></parameter></object>"),
       "bad maxLength"},
  };
  for (const auto& [text, why] : cases) {
    Schema s;
    Status st = LoadSchemaText(text, "t.xml", &s);
    EXPECT_FALSE(st.ok()) << text;
    EXPECT_NE(st.message().find(why), std::string::npos) << st;
  }
}

TEST(SchemaTest, RejectsDoctypeEntities) {
  auto dir = std::filesystem::temp_directory_path() / ("pxent" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "ent.xml")
      << "<?xml version='1.0'?><!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
         "<dm:document xmlns:dm='x'><model name='Device:2.17'><object name='Device.' "
         "access='readOnly'>"
         "<parameter name='P' access='readOnly'><syntax><string/><default type='object' "
         "value='&x;'/>"
         "</syntax></parameter></object></model></dm:document>";
  Schema s;
  Status st = LoadSchemaFile((dir / "ent.xml").string(), &s);
  if (st.ok()) {
    ASSERT_TRUE(s.Finalize().ok());
    const ParamDef* p = s.FindParam("Device.P");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->default_value.value_or("").find("root"), std::string::npos)
        << "external entity resolved";
  }
  std::filesystem::remove_all(dir);
}

// Our own definitions of the gateway's model.
TEST(SchemaTest, GatewayDefsLoad) {
  Schema s;
  Status st = LoadSchemaDir(std::string(PROXIER_SOURCE_DIR) + "/datamodel/defs", &s);
  ASSERT_TRUE(st.ok()) << st;
  for (const char* obj :
       {"Device.", "Device.DeviceInfo.", "Device.DeviceInfo.SupportedDataModel.{i}.",
        "Device.DeviceInfo.ProxierInfo.", "Device.ManagementServer.",
        "Device.ManagementServer.InformParameter.{i}.",
        "Device.ManagementServer.EmbeddedDevice.{i}.", "Device.ManagementServer.VirtualDevice.{i}.",
        "Device.Time.", "Device.Hosts.Host.{i}.", "Device.UPnP.Discovery.RootDevice.{i}.",
        "Device.UPnP.Discovery.Device.{i}.", "Device.UPnP.Discovery.Service.{i}.",
        "Device.UPnP.Description.DeviceDescription.{i}.",
        "Device.UPnP.Description.DeviceInstance.{i}.",
        "Device.UPnP.Description.ServiceInstance.{i}."}) {
    EXPECT_NE(s.FindObject(obj), nullptr) << obj;
  }
  const ParamDef* url = s.FindParam("Device.ManagementServer.URL");
  ASSERT_NE(url, nullptr);
  EXPECT_TRUE(url->writable);
  const ParamDef* pw = s.FindParam("Device.ManagementServer.Password");
  ASSERT_NE(pw, nullptr);
  EXPECT_TRUE(pw->syntax.hidden || pw->syntax.secured);
  const ParamDef* crurl = s.FindParam("Device.ManagementServer.ConnectionRequestURL");
  EXPECT_TRUE(crurl->forced_inform);
  EXPECT_EQ(crurl->active_notify, ActiveNotify::kForceDefaultEnabled);
  const ParamDef* mult = s.FindParam("Device.ManagementServer.CWMPRetryIntervalMultiplier");
  ASSERT_EQ(mult->syntax.ranges.size(), 1u);
  EXPECT_EQ(mult->syntax.ranges[0].min, WideInt(1000));
  EXPECT_EQ(mult->syntax.ranges[0].max, WideInt(65535));
  // Every table's NumberOfEntries parameter exists on its parent.
  for (const auto& [path, obj] : s.objects()) {
    if (!obj.multi || obj.num_entries_param.empty()) continue;
    std::string parent(ParentPath(ParentPath(path)));
    EXPECT_NE(s.FindParam(parent + obj.num_entries_param), nullptr) << path;
  }
}

// 70-proxy.xml: the vendor objects of the proxier, Device. extended through base="Device.".
TEST(SchemaTest, ProxyVendorObjects) {
  Schema s;
  Status st =
      LoadSchemaDir(std::string(PROXIER_SOURCE_DIR) + "/datamodel/defs", &s, kDefsVendorPrefix);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_NE(s.FindParam("Device.RootDataModelVersion"), nullptr) << "base= must extend Device.";
  EXPECT_NE(s.FindParam("Device.X_02C0DE_ProxiedDeviceNumberOfEntries"), nullptr);
  const ObjectDef* pd = s.FindObject("Device.X_02C0DE_ProxiedDevice.{i}.");
  ASSERT_NE(pd, nullptr);
  EXPECT_TRUE(pd->multi);
  EXPECT_FALSE(pd->writable) << "rows come and go with devices, not with AddObject";
  EXPECT_EQ(pd->num_entries_param, "X_02C0DE_ProxiedDeviceNumberOfEntries");
  ASSERT_FALSE(pd->unique_keys.empty());
  EXPECT_EQ(pd->unique_keys[0], std::vector<std::string>{"UDN"});
  std::vector<std::string> names;
  for (const auto& p : pd->params) names.push_back(p.name + (p.writable ? "(W)" : ""));
  EXPECT_EQ(names, (std::vector<std::string>{"Alias(W)", "Name(W)", "Type", "Description", "Online",
                                             "LastTimeContacted", "ProxyProtocol", "UDN",
                                             "Reboot(W)", "BaselineReset(W)"}));
  EXPECT_EQ(*pd->FindParam("Alias")->syntax.max_length, 64u);
  EXPECT_EQ(*pd->FindParam("Description")->syntax.max_length, 256u);
  EXPECT_EQ(pd->FindParam("LastTimeContacted")->syntax.type, ValueType::kDateTime);
  EXPECT_EQ(pd->FindParam("Online")->syntax.type, ValueType::kBoolean);
  EXPECT_EQ(pd->FindParam("ProxyProtocol")->syntax.enumerations,
            std::vector<std::string>{"UPnP-DM"});
  EXPECT_EQ(*pd->FindParam("Reboot")->default_value, "false");
  EXPECT_EQ(*pd->FindParam("BaselineReset")->default_value, "false");

  const ObjectDef* proxy = s.FindObject("Device.X_02C0DE_Proxy.");
  ASSERT_NE(proxy, nullptr);
  const std::vector<std::string> modes = {"embedded", "virtual", "ignore"};
  EXPECT_TRUE(proxy->FindParam("DefaultMode")->writable);
  EXPECT_EQ(proxy->FindParam("DefaultMode")->syntax.enumerations, modes);
  EXPECT_FALSE(proxy->FindParam("DeviceNumberOfEntries")->writable);
  const ObjectDef* dev = s.FindObject("Device.X_02C0DE_Proxy.Device.{i}.");
  ASSERT_NE(dev, nullptr);
  EXPECT_TRUE(dev->multi);
  EXPECT_FALSE(dev->writable);
  EXPECT_EQ(dev->num_entries_param, "DeviceNumberOfEntries");
  EXPECT_EQ(dev->unique_keys.at(0), std::vector<std::string>{"UDN"});
  EXPECT_TRUE(dev->FindParam("Mode")->writable);
  EXPECT_EQ(dev->FindParam("Mode")->syntax.enumerations, modes);
  EXPECT_EQ(dev->FindParam("EffectiveMode")->syntax.enumerations,
            (std::vector<std::string>{"embedded", "virtual", "ignore", "pending"}));
  EXPECT_FALSE(dev->FindParam("EffectiveMode")->writable);
  EXPECT_EQ(*dev->FindParam("FriendlyName")->syntax.max_length, 128u);
  EXPECT_EQ(*dev->FindParam("Reason")->syntax.max_length, 256u);
  for (const char* p : {"UDN", "FriendlyName", "Reason", "Online"})
    EXPECT_FALSE(dev->FindParam(p)->writable) << p;
}

// A build with another OUI gets its own prefix on every vendor name of the definition files.
TEST(SchemaTest, VendorPrefixIsReplacedOnLoad) {
  auto dir = std::filesystem::temp_directory_path() / ("pxvendor" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "v.xml")
      << "<dm:document xmlns:dm='x'><model name='Device:2.17'>"
         "<object name='Device.' access='readOnly' minEntries='1' maxEntries='1'>"
         "<parameter name='X_02C0DE_RowNumberOfEntries' access='readOnly'>"
         "<syntax><unsignedInt/></syntax></parameter></object>"
         "<object name='Device.X_02C0DE_Row.{i}.' access='readOnly' minEntries='0' "
         "maxEntries='unbounded' numEntriesParameter='X_02C0DE_RowNumberOfEntries'>"
         "<uniqueKey><parameter ref='X_02C0DE_Key'/></uniqueKey>"
         "<parameter name='X_02C0DE_Key' access='readOnly'><syntax><string/></syntax></parameter>"
         "<parameter name='Plain' access='readOnly'><syntax><string/></syntax></parameter>"
         "</object></model></dm:document>";
  Schema s;
  Status st = LoadSchemaDir(dir.string(), &s, "X_ABCDEF_");
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(s.FindObject("Device.X_02C0DE_Row.{i}."), nullptr);
  const ObjectDef* row = s.FindObject("Device.X_ABCDEF_Row.{i}.");
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->num_entries_param, "X_ABCDEF_RowNumberOfEntries");
  EXPECT_NE(s.FindParam("Device.X_ABCDEF_RowNumberOfEntries"), nullptr);
  EXPECT_NE(s.FindParam("Device.X_ABCDEF_Row.{i}.X_ABCDEF_Key"), nullptr);
  EXPECT_NE(s.FindParam("Device.X_ABCDEF_Row.{i}.Plain"), nullptr);
  EXPECT_EQ(row->unique_keys.at(0), std::vector<std::string>{"X_ABCDEF_Key"});
  EXPECT_EQ(s.FindObject("Device.")->child_objects,
            std::vector<std::string>{"Device.X_ABCDEF_Row.{i}."});
}

// The default build (OUI 02C0DE) loads the files unchanged; a vendor build uses its own prefix.
TEST(SchemaTest, BuildVendorPrefix) {
  EXPECT_EQ(kBuildVendorPrefix, std::string("X_") + PROXIER_VENDOR_OUI + "_");
  Schema s;
  ASSERT_TRUE(LoadSchemaDir(std::string(PROXIER_SOURCE_DIR) + "/datamodel/defs", &s).ok());
  EXPECT_NE(s.FindObject(std::string("Device.") + std::string(kBuildVendorPrefix) + "Proxy."),
            nullptr);
}

size_t PeakRssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoul(line.substr(6));
  }
  return 0;
}

// The official full TR-181 Device:2.17 file (from ../shared/bbf; skipped in a clone without it).
TEST(SchemaTest, OfficialFullTr181Loads) {
  std::string file = testing::SharedDir() + "/bbf/tr-181-2-17-0-cwmp-full.xml";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "reference file not present: " << file;
  size_t rss_before = PeakRssKb();
  auto start = std::chrono::steady_clock::now();
  Schema s;
  Status st = LoadSchemaFile(file, &s);
  ASSERT_TRUE(st.ok()) << st;
  ASSERT_TRUE(s.Finalize().ok());
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  // Objects and parameters of the model minus status="deleted" ones, as counted independently
  // with Python's ElementTree (profiles' <object ref=...> are not definitions).
  EXPECT_EQ(s.object_count(), 789u);
  EXPECT_EQ(s.param_count(), 6466u);
  const ParamDef* ed = s.FindParam("Device.ManagementServer.EmbeddedDevice.{i}.CommandProcessed");
  ASSERT_NE(ed, nullptr);
  EXPECT_EQ(ed->syntax.enumerations,
            (std::vector<std::string>{"Pending", "Retrying", "Success", "Error"}));
  std::cout << "[ metric ] official TR-181 load: " << ms << " ms, peak RSS " << PeakRssKb() / 1024
            << " MiB (before " << rss_before / 1024 << " MiB)\n";
}

}  // namespace
}  // namespace proxier::datamodel
