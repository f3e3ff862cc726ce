// ProxyProvider over a FakeDevice, mounted in a DataModel the way the daemon mounts it (one
// provider at each Mount's CWMP prefix, the gateway's StoredProvider at "Device."). In-process:
// the device answers on the loop; timers follow a ManualClock.
#include "proxier/proxy/proxy_provider.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "fake_device.h"
#include "proxier/common/clock.h"
#include "proxier/common/event_loop.h"
#include "proxier/common/sqlite.h"
#include "proxier/datamodel/data_model.h"
#include "proxier/datamodel/schema.h"
#include "proxier/datamodel/stored_provider.h"
#include "proxier/datamodel/value.h"
#include "proxier/upnp/cms_codec.h"

namespace proxier::proxy {
namespace {

using datamodel::DataModel;
using datamodel::ParamInfo;
using datamodel::ParamValue;
using datamodel::SetItem;
using datamodel::SetResult;
using datamodel::ValueType;
using testing::FakeDevice;

constexpr char kUdnA[] = "uuid:0a0a0a0a-0000-4000-8000-00000000000a";
constexpr char kUdnB[] = "uuid:0b0b0b0b-0000-4000-8000-00000000000b";
constexpr Millis kWait{5000};

std::string Vendor() { return std::string(datamodel::kBuildVendorPrefix); }
std::string EmbeddedBase(int n) {
  return "Device." + Vendor() + "ProxiedDevice." + std::to_string(n) + ".";
}

std::vector<Mount> EmbeddedMounts(int n) {
  return {{MountName(EmbeddedBase(n), "/BBF/", true, false, Vendor()), "/BBF/", true},
          {MountName(EmbeddedBase(n), "/UPnP/DM/", false, false, Vendor()), "/UPnP/DM/", false}};
}
std::vector<Mount> VirtualMounts() {
  return {{MountName("Device.", "/BBF/", true, true, Vendor()), "/BBF/", true},
          {MountName("Device.", "/UPnP/DM/", false, true, Vendor()), "/UPnP/DM/", false}};
}

// A UPnP DM device with a native subtree (nested tables, a read-only table, every §6 type, a
// digit-leading name) and a BBF subtree whose types the device reports as plain strings.
void Populate(FakeDevice& d, const std::string& tag) {
  d.Define("/UPnP/DM/DeviceInfo/SoftwareVersion", "string", false);
  d.Define("/UPnP/DM/DeviceInfo/FriendlyName", "string", true);
  d.Define("/UPnP/DM/DeviceInfo/UpTime", "ui4", false, /*eventable=*/false);
  d.Define("/UPnP/DM/DeviceInfo/LastBoot", "dateTime", false);
  d.Define("/UPnP/DM/Config/Enabled", "boolean", true);
  d.Define("/UPnP/DM/Config/Level", "ui1", true);
  d.Define("/UPnP/DM/Config/Offset", "i4", true);
  d.Define("/UPnP/DM/Config/Ratio", "r8", true);
  d.Define("/UPnP/DM/Config/Big", "ui8", false);
  d.Define("/UPnP/DM/Config/Key", "bin.hex", true);
  d.Define("/UPnP/DM/Radio/5GHz/Channel", "ui4", true);
  d.Define("/UPnP/DM/Storage/Volume/#/Name", "string", true);
  d.Define("/UPnP/DM/Storage/Volume/#/Share/#/Name", "string", true);
  d.Define("/UPnP/DM/Storage/Volume/#/Share/#/Size", "ui8", false);
  d.Define("/UPnP/DM/Monitoring/Process/#/Command", "string", false);
  d.Define("/BBF/DeviceInfo/UpTime", "string", false);
  d.Define("/BBF/WiFi/SSID/#/SSID", "string", true);
  d.Define("/BBF/WiFi/SSID/#/Enable", "string", true);
  d.Define("/BBF/WiFi/Radio/#/OperatingFrequencyBand", "string", true);
  d.creatable = {"/UPnP/DM/Storage/Volume/", "/UPnP/DM/Storage/Volume/#/Share/", "/BBF/WiFi/SSID/"};

  d.Put("/UPnP/DM/DeviceInfo/SoftwareVersion", "1.2.3-" + tag);
  d.Put("/UPnP/DM/DeviceInfo/FriendlyName", "Lamp " + tag);
  d.Put("/UPnP/DM/DeviceInfo/UpTime", "3600");
  d.Put("/UPnP/DM/DeviceInfo/LastBoot", "2026-01-01T10:00:00+02:00");
  d.Put("/UPnP/DM/Config/Enabled", "true");
  d.Put("/UPnP/DM/Config/Level", "5");
  d.Put("/UPnP/DM/Config/Offset", "-3");
  d.Put("/UPnP/DM/Config/Ratio", "0.5");
  d.Put("/UPnP/DM/Config/Big", "18446744073709551615");
  d.Put("/UPnP/DM/Config/Key", "00ff");
  d.Put("/UPnP/DM/Radio/5GHz/Channel", "36");
  d.AddRow("/UPnP/DM/Storage/Volume/1/");
  d.AddRow("/UPnP/DM/Storage/Volume/2/");
  d.AddRow("/UPnP/DM/Storage/Volume/1/Share/0/");
  d.AddRow("/UPnP/DM/Storage/Volume/1/Share/1/");
  d.Put("/UPnP/DM/Storage/Volume/1/Name", "data-" + tag);
  d.Put("/UPnP/DM/Storage/Volume/2/Name", "media-" + tag);
  d.Put("/UPnP/DM/Storage/Volume/1/Share/0/Name", "music");
  d.Put("/UPnP/DM/Storage/Volume/1/Share/0/Size", "100");
  d.Put("/UPnP/DM/Storage/Volume/1/Share/1/Name", "films");
  d.Put("/UPnP/DM/Storage/Volume/1/Share/1/Size", "200");
  d.AddRow("/UPnP/DM/Monitoring/Process/0/");
  d.AddRow("/UPnP/DM/Monitoring/Process/1/");
  d.Put("/UPnP/DM/Monitoring/Process/0/Command", "init");
  d.Put("/UPnP/DM/Monitoring/Process/1/Command", "sshd");
  d.Put("/BBF/DeviceInfo/UpTime", "77");
  d.AddRow("/BBF/WiFi/SSID/0/");
  d.AddRow("/BBF/WiFi/SSID/1/");
  d.Put("/BBF/WiFi/SSID/0/SSID", "home-" + tag);
  d.Put("/BBF/WiFi/SSID/0/Enable", "true");
  d.Put("/BBF/WiFi/SSID/1/SSID", "guest-" + tag);
  d.Put("/BBF/WiFi/SSID/1/Enable", "false");
  d.AddRow("/BBF/WiFi/Radio/0/");
  d.Put("/BBF/WiFi/Radio/0/OperatingFrequencyBand", "5GHz");
}

// The few TR-181 definitions the BBF subtree above needs.
datamodel::Schema MiniTr181() {
  using datamodel::ObjectDef;
  using datamodel::ParamDef;
  datamodel::Schema s;
  auto param = [](std::string name, bool writable, ValueType type) {
    ParamDef p;
    p.name = std::move(name);
    p.writable = writable;
    p.syntax.type = type;
    return p;
  };
  ObjectDef root;
  root.path = "Device.";
  s.AddObject(root);
  ObjectDef info;
  info.path = "Device.DeviceInfo.";
  info.params.push_back(param("UpTime", false, ValueType::kUnsignedInt));
  s.AddObject(info);
  ObjectDef ssid;
  ssid.path = "Device.WiFi.SSID.{i}.";
  ssid.multi = true;
  ssid.writable = true;
  ssid.min_entries = 0;
  ParamDef name = param("SSID", true, ValueType::kString);
  name.syntax.max_length = 32;
  ssid.params.push_back(name);
  ssid.params.push_back(param("Enable", true, ValueType::kBoolean));
  s.AddObject(ssid);
  ObjectDef radio;
  radio.path = "Device.WiFi.Radio.{i}.";
  radio.multi = true;
  radio.min_entries = 0;
  ParamDef band = param("OperatingFrequencyBand", true, ValueType::kString);
  band.syntax.enumerations = {"2.4GHz", "5GHz"};
  radio.params.push_back(band);
  s.AddObject(radio);
  Status st = s.Finalize();
  EXPECT_TRUE(st.ok()) << st;
  return s;
}

std::vector<std::pair<std::string, bool>> Infos(const std::vector<ParamInfo>& v) {
  std::vector<std::pair<std::string, bool>> out;
  for (const auto& i : v) out.emplace_back(i.name, i.writable);
  std::sort(out.begin(), out.end());
  return out;
}

std::map<std::string, ParamValue> ByName(const std::vector<ParamValue>& v) {
  std::map<std::string, ParamValue> out;
  for (const auto& p : v) out[p.name] = p;
  return out;
}

class ProxyProviderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    gateway_ = new datamodel::Schema();
    Status st =
        datamodel::LoadSchemaDir(std::string(PROXIER_SOURCE_DIR) + "/datamodel/defs", gateway_);
    ASSERT_TRUE(st.ok()) << st;
  }
  static void TearDownTestSuite() {
    delete gateway_;
    gateway_ = nullptr;
  }

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pxprov" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Populate(dev_, "a");
    Populate(dev_b_, "b");
    tr181_ = MiniTr181();
    OpenDb();
  }
  void TearDown() override {
    Stop();
    std::filesystem::remove_all(dir_);
  }

  void OpenDb() {
    auto db = Db::Open((dir_ / "proxier.db").string());
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(db).value();
  }
  ProxyOptions Options(bool virtual_mode) {
    ProxyOptions o;
    o.virtual_mode = virtual_mode;
    o.tr181 = &tr181_;
    return o;
  }
  // Builds the data model and the provider of device A (embedded n=2, or virtual), then syncs.
  void Start(ProxyOptions options, bool sync = true) {
    virtual_ = options.virtual_mode;
    auto model = DataModel::Create(*db_, "gw");
    ASSERT_TRUE(model.ok()) << model.status();
    model_ = std::move(model).value();
    if (!virtual_) {
      auto store = datamodel::StoredProvider::Create(*db_, *gateway_, "gw");
      ASSERT_TRUE(store.ok()) << store.status();
      store_ = std::move(store).value();
      model_->Mount("Device.", store_.get());
      model_->SetStore(store_.get());
    }
    auto map = InstanceMap::Open(*db_, kUdnA);
    ASSERT_TRUE(map.ok()) << map.status();
    map_ = std::move(map).value();
    auto p = ProxyProvider::Create(loop_, *db_, dev_, *map_, kUdnA, options,
                                   [this](const std::string& state, const std::string& message) {
                                     reports_.emplace_back(state, message);
                                   });
    ASSERT_TRUE(p.ok()) << p.status();
    proxy_ = std::move(p).value();
    proxy_->SetMounts(virtual_ ? VirtualMounts() : EmbeddedMounts(2));
    for (const auto& m : proxy_->mounts()) model_->Mount(m.cwmp, proxy_.get());
    if (sync) {
      Status st = Await<Status>([&](auto cb) { proxy_->Sync(cb); });
      ASSERT_TRUE(st.ok()) << st;
    }
    loop_.RunUntilIdle();
    dev_.ResetCounters();
  }
  void StartEmbedded(bool sync = true) { Start(Options(false), sync); }
  void StartVirtual() { Start(Options(true)); }
  // Device B at ProxiedDevice.3 in the same data model (embedded).
  void StartB() {
    auto map = InstanceMap::Open(*db_, kUdnB);
    ASSERT_TRUE(map.ok()) << map.status();
    map_b_ = std::move(map).value();
    auto p = ProxyProvider::Create(loop_, *db_, dev_b_, *map_b_, kUdnB, Options(false));
    ASSERT_TRUE(p.ok()) << p.status();
    proxy_b_ = std::move(p).value();
    proxy_b_->SetMounts(EmbeddedMounts(3));
    for (const auto& m : proxy_b_->mounts()) model_->Mount(m.cwmp, proxy_b_.get());
    Status st = Await<Status>([&](auto cb) { proxy_b_->Sync(cb); });
    ASSERT_TRUE(st.ok()) << st;
    loop_.RunUntilIdle();
    dev_b_.ResetCounters();
  }
  // Everything goes away (as after kill -9: nothing is flushed on the way out).
  void Stop() {
    loop_.RunUntilIdle();
    model_.reset();
    proxy_b_.reset();
    map_b_.reset();
    proxy_.reset();
    map_.reset();
    store_.reset();
    db_.reset();
  }
  void Restart(ProxyOptions options, bool sync) {
    Stop();
    OpenDb();
    Start(options, sync);
  }

  template <typename T, typename Call>
  T Await(Call call) {
    std::optional<T> out;
    call([&out](T r) { out.emplace(std::move(r)); });
    EXPECT_TRUE(loop_.RunUntil([&] { return out.has_value(); }, kWait)) << "no answer";
    if (!out) {
      if constexpr (std::is_same_v<T, SetResult>) {
        SetResult r;
        r.status = Status(Code::kInternalError, "no answer");
        return r;
      } else {
        return T(Status(Code::kInternalError, "no answer"));
      }
    }
    return std::move(*out);
  }
  Result<std::vector<ParamValue>> Get(std::vector<std::string> names) {
    return Await<Result<std::vector<ParamValue>>>([&](auto cb) { model_->GetValues(names, cb); });
  }
  std::string Value(const std::string& name) {
    auto r = Get({name});
    EXPECT_TRUE(r.ok()) << name << ": " << r.status();
    if (!r.ok() || r->size() != 1) return "<error>";
    return (*r)[0].value;
  }
  Result<std::vector<ParamInfo>> Names(const std::string& path, bool next_level) {
    return Await<Result<std::vector<ParamInfo>>>(
        [&](auto cb) { model_->GetNames(path, next_level, cb); });
  }
  SetResult Set(std::vector<SetItem> items) {
    return Await<SetResult>([&](auto cb) { model_->SetValues(items, "acs", {}, cb); });
  }
  Result<datamodel::AddResult> Add(const std::string& table) {
    return Await<Result<datamodel::AddResult>>(
        [&](auto cb) { model_->AddObject(table, "acs", {}, cb); });
  }
  Result<datamodel::DeleteResult> Delete(const std::string& row) {
    return Await<Result<datamodel::DeleteResult>>(
        [&](auto cb) { model_->DeleteObject(row, "acs", {}, cb); });
  }
  Status Notify(const std::string& name, int level) {
    datamodel::AttributeChange c;
    c.name = name;
    c.notification_change = true;
    c.notification = level;
    return Await<Status>([&](auto cb) { model_->SetAttributes({c}, cb); });
  }
  // Runs the loop until the listener heard `n` reports.
  bool WaitReports(size_t n) {
    return loop_.RunUntil([&] { return reports_.size() >= n; }, kWait);
  }
  std::vector<std::string> States() const {
    std::vector<std::string> out;
    for (const auto& r : reports_) out.push_back(r.first);
    return out;
  }
  // Moves the manual clock and runs whatever became due.
  void Advance(Millis d) {
    clock_.Advance(d);
    loop_.RunUntilIdle();
  }

  // Native and BBF mounts of device A (embedded n=2), of device B (n=3) and of a virtual device.
  const std::string nat_ = EmbeddedBase(2) + "UPnP.DM.";
  const std::string bbf_ = EmbeddedBase(2) + "BBF.";
  const std::string nat_b_ = EmbeddedBase(3) + "UPnP.DM.";
  const std::string vnat_ = "Device." + Vendor() + "UPnP.DM.";

  static datamodel::Schema* gateway_;
  ManualClock clock_;
  EventLoop loop_{clock_};
  FakeDevice dev_{loop_};
  FakeDevice dev_b_{loop_};
  datamodel::Schema tr181_;
  std::filesystem::path dir_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<datamodel::StoredProvider> store_;
  std::unique_ptr<InstanceMap> map_;
  std::unique_ptr<ProxyProvider> proxy_;
  std::unique_ptr<InstanceMap> map_b_;
  std::unique_ptr<ProxyProvider> proxy_b_;
  std::unique_ptr<DataModel> model_;
  bool virtual_ = false;
  std::vector<std::pair<std::string, std::string>> reports_;  // CommandProcessed progress
};

datamodel::Schema* ProxyProviderTest::gateway_ = nullptr;

// ---------------------------------------------------------------------------------------------
// GetParameterValues.

TEST_F(ProxyProviderTest, SyncStoresMetadataAndLastSync) {
  StartEmbedded();
  const ParamMeta* m = proxy_->Meta("/UPnP/DM/DeviceInfo/FriendlyName");
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->writable);
  EXPECT_EQ(m->upnp_type, "string");
  m = proxy_->Meta("/UPnP/DM/Storage/Volume/#/Share/#/Size");
  ASSERT_NE(m, nullptr);
  EXPECT_FALSE(m->writable);
  EXPECT_EQ(m->type, ValueType::kUnsignedLong);
  m = proxy_->Meta("/UPnP/DM/DeviceInfo/UpTime");
  ASSERT_NE(m, nullptr);
  EXPECT_FALSE(m->eventable);
  EXPECT_EQ(proxy_->Meta("/UPnP/DM/Nope"), nullptr);
  ASSERT_TRUE(proxy_->last_sync().has_value());
  EXPECT_EQ(*proxy_->last_sync(), clock_.WallNow());
}

TEST_F(ProxyProviderTest, GpvOneParameterIsOneRequest) {
  StartEmbedded();
  auto r = Get({nat_ + "DeviceInfo.SoftwareVersion"});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0],
            (ParamValue{nat_ + "DeviceInfo.SoftwareVersion", "1.2.3-a", ValueType::kString}));
  EXPECT_EQ(dev_.total_calls(), 1);
  ASSERT_EQ(dev_.get_values.size(), 1u);
  EXPECT_EQ(dev_.get_values[0], std::vector<std::string>{"/UPnP/DM/DeviceInfo/SoftwareVersion"});
}

TEST_F(ProxyProviderTest, GpvTypesPerMappingSection6) {
  StartEmbedded();
  auto r =
      Get({nat_ + "Config.Enabled", nat_ + "Config.Level", nat_ + "Config.Offset",
           nat_ + "Config.Ratio", nat_ + "Config.Big", nat_ + "Config.Key",
           nat_ + "DeviceInfo.LastBoot", nat_ + "DeviceInfo.UpTime", nat_ + "Radio._5GHz.Channel"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(dev_.calls("GetValues"), 1);
  auto v = ByName(*r);
  ASSERT_EQ(v.size(), 9u);
  auto check = [&](const std::string& rel, const std::string& value, std::string_view xsi) {
    const ParamValue& p = v[nat_ + rel];
    EXPECT_EQ(p.value, value) << rel;
    EXPECT_EQ(datamodel::XsiTypeName(p.type), xsi) << rel;
  };
  check("Config.Enabled", "1", "xsd:boolean");
  check("Config.Level", "5", "xsd:unsignedInt");
  check("Config.Offset", "-3", "xsd:int");
  check("Config.Ratio", "0.5", "xsd:string");
  check("Config.Big", "18446744073709551615", "xsd:unsignedLong");
  check("Config.Key", "00ff", "xsd:hexBinary");
  check("DeviceInfo.LastBoot", "2026-01-01T08:00:00Z", "xsd:dateTime");
  check("DeviceInfo.UpTime", "3600", "xsd:unsignedInt");
  check("Radio._5GHz.Channel", "36", "xsd:unsignedInt");
}

TEST_F(ProxyProviderTest, GpvDateOnlyAndEmptyDateTimes) {
  StartEmbedded();
  dev_.Put("/UPnP/DM/DeviceInfo/LastBoot", "2026-02-03");
  EXPECT_EQ(Value(nat_ + "DeviceInfo.LastBoot"), "2026-02-03T00:00:00Z");
  dev_.Put("/UPnP/DM/DeviceInfo/LastBoot", "");
  EXPECT_EQ(Value(nat_ + "DeviceInfo.LastBoot"), "0001-01-01T00:00:00Z");
}

TEST_F(ProxyProviderTest, GpvPartialPathIsOneNodeRequest) {
  StartEmbedded();
  auto r = Get({nat_ + "Storage."});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(dev_.get_values.size(), 1u);
  EXPECT_EQ(dev_.get_values[0], std::vector<std::string>{"/UPnP/DM/Storage/"});
  EXPECT_EQ(dev_.total_calls(), 1);
  auto v = ByName(*r);
  std::set<std::string> names;
  for (const auto& [n, p] : v) names.insert(n);
  const std::string s = nat_ + "Storage.Volume.";
  EXPECT_EQ(names,
            (std::set<std::string>{s + "1.Name", s + "1.Share.1.Name", s + "1.Share.1.Size",
                                   s + "1.Share.2.Name", s + "1.Share.2.Size", s + "2.Name"}));
  EXPECT_EQ(v[s + "1.Share.1.Name"].value, "music");  // native index 0 -> 1
  EXPECT_EQ(v[s + "1.Share.2.Name"].value, "films");  // index 1 -> 2 (1 was taken)
  EXPECT_EQ(v[s + "1.Share.2.Size"].type, ValueType::kUnsignedLong);
  EXPECT_EQ(v[s + "2.Name"].value, "media-a");
}

TEST_F(ProxyProviderTest, GpvTwoMountsIsOneRequestTypedFromTr181) {
  StartEmbedded();
  auto r = Get({nat_ + "DeviceInfo.SoftwareVersion", bbf_ + "WiFi.SSID.1.SSID",
                bbf_ + "WiFi.SSID.2.Enable", bbf_ + "DeviceInfo.UpTime"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(dev_.total_calls(), 1);
  ASSERT_EQ(dev_.get_values.size(), 1u);
  EXPECT_EQ(dev_.get_values[0], (std::vector<std::string>{
                                    "/UPnP/DM/DeviceInfo/SoftwareVersion", "/BBF/WiFi/SSID/0/SSID",
                                    "/BBF/WiFi/SSID/1/Enable", "/BBF/DeviceInfo/UpTime"}));
  auto v = ByName(*r);
  EXPECT_EQ(v[nat_ + "DeviceInfo.SoftwareVersion"].value, "1.2.3-a");
  EXPECT_EQ(v[bbf_ + "WiFi.SSID.1.SSID"].value, "home-a");
  // The device calls them strings; TR-181 is authoritative for BBF paths.
  EXPECT_EQ(v[bbf_ + "WiFi.SSID.2.Enable"].value, "0");
  EXPECT_EQ(v[bbf_ + "WiFi.SSID.2.Enable"].type, ValueType::kBoolean);
  EXPECT_EQ(v[bbf_ + "DeviceInfo.UpTime"].value, "77");
  EXPECT_EQ(v[bbf_ + "DeviceInfo.UpTime"].type, ValueType::kUnsignedInt);
}

TEST_F(ProxyProviderTest, GpvBbfTypesFromTheDeviceWithoutTr181) {
  ProxyOptions o = Options(false);
  o.tr181 = nullptr;
  Start(o);
  auto r = Get({bbf_ + "WiFi.SSID.2.Enable", bbf_ + "DeviceInfo.UpTime"});
  ASSERT_TRUE(r.ok()) << r.status();
  auto v = ByName(*r);
  EXPECT_EQ(v[bbf_ + "WiFi.SSID.2.Enable"].value, "false");
  EXPECT_EQ(v[bbf_ + "WiFi.SSID.2.Enable"].type, ValueType::kString);
  EXPECT_EQ(v[bbf_ + "DeviceInfo.UpTime"].type, ValueType::kString);
}

TEST_F(ProxyProviderTest, GpvUnknownNamesAre9005) {
  StartEmbedded();
  EXPECT_EQ(Get({nat_ + "DeviceInfo.Nope"}).status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Get({nat_ + "Storage.Volume.9.Name"}).status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Get({nat_ + "Nope."}).status().code(), Code::kInvalidParameterName);
  // A number that cannot be an instance never reaches the device.
  dev_.ResetCounters();
  EXPECT_EQ(Get({nat_ + "Storage.Volume.99999999999.Name"}).status().code(),
            Code::kInvalidParameterName);
  EXPECT_EQ(dev_.total_calls(), 0);
}

TEST_F(ProxyProviderTest, GpvDeviceErrorsMapToFaults) {
  StartEmbedded();
  dev_.FailNext("GetValues", 1, 501);
  EXPECT_EQ(Get({nat_ + "DeviceInfo.SoftwareVersion"}).status().code(), Code::kInternalError);
  dev_.FailNext("GetValues", 1, 603);
  EXPECT_EQ(Get({nat_ + "DeviceInfo.SoftwareVersion"}).status().code(), Code::kResourcesExceeded);
  EXPECT_EQ(Value(nat_ + "DeviceInfo.SoftwareVersion"), "1.2.3-a");
}

TEST_F(ProxyProviderTest, GpvOfflineEmbeddedServesCachedValues) {
  StartEmbedded();
  dev_.Put("/UPnP/DM/DeviceInfo/FriendlyName", "Renamed");
  EXPECT_EQ(Value(nat_ + "DeviceInfo.FriendlyName"), "Renamed");
  const WallTime read_at = clock_.WallNow();
  clock_.Advance(Millis(60000));
  dev_.online = false;
  dev_.ResetCounters();
  auto r = Get(
      {nat_ + "DeviceInfo.FriendlyName", nat_ + "Storage.Volume.1.", bbf_ + "WiFi.SSID.1.SSID"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(dev_.total_calls(), 0);
  auto v = ByName(*r);
  EXPECT_EQ(v[nat_ + "DeviceInfo.FriendlyName"].value, "Renamed");
  EXPECT_EQ(v[nat_ + "Storage.Volume.1.Name"].value, "data-a");
  EXPECT_EQ(v[nat_ + "Storage.Volume.1.Share.2.Size"].value, "200");
  EXPECT_EQ(v[bbf_ + "WiFi.SSID.1.SSID"].value, "home-a");
  EXPECT_EQ(v.size(), 7u);
  // LastSyncTime tells the age of the cache.
  EXPECT_EQ(proxy_->last_sync(), read_at);
  // A transport failure of an online device serves the cache too.
  dev_.online = true;
  dev_.FailNext("GetValues", 1, 0);
  EXPECT_EQ(Value(nat_ + "DeviceInfo.FriendlyName"), "Renamed");
}

TEST_F(ProxyProviderTest, GpvOfflineEmbeddedWithoutCacheIs9002) {
  StartEmbedded();
  dev_.online = false;
  Restart(Options(false), /*sync=*/false);  // the cache is memory only
  EXPECT_EQ(Get({nat_ + "DeviceInfo.SoftwareVersion"}).status().code(), Code::kInternalError);
  EXPECT_EQ(dev_.total_calls(), 0);
}

TEST_F(ProxyProviderTest, GpvOfflineVirtualIs9002) {
  StartVirtual();
  EXPECT_EQ(Value(vnat_ + "DeviceInfo.SoftwareVersion"), "1.2.3-a");
  EXPECT_EQ(Value("Device.WiFi.SSID.1.SSID"), "home-a");
  dev_.online = false;
  EXPECT_EQ(Get({vnat_ + "DeviceInfo.SoftwareVersion"}).status().code(), Code::kInternalError);
  EXPECT_EQ(Get({"Device.WiFi.SSID.1.SSID"}).status().code(), Code::kInternalError);
  dev_.online = true;
  dev_.FailNext("GetValues", 1, 0);
  EXPECT_EQ(Get({vnat_ + "DeviceInfo.SoftwareVersion"}).status().code(), Code::kInternalError);
}

TEST_F(ProxyProviderTest, GpvVirtualTwoMountsIsOneRequest) {
  StartVirtual();
  auto r = Get({"Device.WiFi.SSID.2.SSID", vnat_ + "Radio._5GHz.Channel"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(dev_.total_calls(), 1);
  auto v = ByName(*r);
  EXPECT_EQ(v["Device.WiFi.SSID.2.SSID"].value, "guest-a");
  EXPECT_EQ(v[vnat_ + "Radio._5GHz.Channel"].value, "36");
}

// ---------------------------------------------------------------------------------------------
// GetParameterNames.

TEST_F(ProxyProviderTest, GpnNextLevelOnNestedTables) {
  StartEmbedded();
  const std::string v = nat_ + "Storage.Volume.";
  auto r = Names(v + "1.", true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (std::vector<std::pair<std::string, bool>>{{v + "1.Name", true},
                                                                  {v + "1.Share.", true}}));
  r = Names(v, true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r),
            (std::vector<std::pair<std::string, bool>>{{v + "1.", true}, {v + "2.", true}}));
  r = Names(v + "1.Share.", false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (std::vector<std::pair<std::string, bool>>{
                           {v + "1.Share.", true},
                           {v + "1.Share.1.", true},
                           {v + "1.Share.1.Name", true},
                           {v + "1.Share.1.Size", false},
                           {v + "1.Share.2.", true},
                           {v + "1.Share.2.Name", true},
                           {v + "1.Share.2.Size", false},
                       }));
  // A row without rows in its subtable lists the empty table.
  r = Names(v + "2.", false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (std::vector<std::pair<std::string, bool>>{
                           {v + "2.", true}, {v + "2.Name", true}, {v + "2.Share.", true}}));
}

TEST_F(ProxyProviderTest, GpnMountRootAndPlainObjects) {
  StartEmbedded();
  auto r = Names(nat_, true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (std::vector<std::pair<std::string, bool>>{{nat_ + "Config.", false},
                                                                  {nat_ + "DeviceInfo.", false},
                                                                  {nat_ + "Monitoring.", false},
                                                                  {nat_ + "Radio.", false},
                                                                  {nat_ + "Storage.", false}}));
  r = Names(nat_ + "Radio.", false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r),
            (std::vector<std::pair<std::string, bool>>{{nat_ + "Radio.", false},
                                                       {nat_ + "Radio._5GHz.", false},
                                                       {nat_ + "Radio._5GHz.Channel", true}}));
  // A read-only table and its rows are not writable.
  r = Names(nat_ + "Monitoring.", false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (std::vector<std::pair<std::string, bool>>{
                           {nat_ + "Monitoring.", false},
                           {nat_ + "Monitoring.Process.", false},
                           {nat_ + "Monitoring.Process.1.", false},
                           {nat_ + "Monitoring.Process.1.Command", false},
                           {nat_ + "Monitoring.Process.2.", false},
                           {nat_ + "Monitoring.Process.2.Command", false}}));
}

TEST_F(ProxyProviderTest, GpnWholeSubtreeMatchesGpv) {
  StartEmbedded();
  auto names = Names(nat_, false);
  ASSERT_TRUE(names.ok()) << names.status();
  auto values = Get({nat_});
  ASSERT_TRUE(values.ok()) << values.status();
  std::set<std::string> params, objects;
  for (const auto& i : *names) {
    EXPECT_EQ(i.name.find('#'), std::string::npos) << i.name;
    EXPECT_TRUE(i.name.starts_with(nat_)) << i.name;
    (i.name.ends_with('.') ? objects : params).insert(i.name);
  }
  std::set<std::string> read;
  for (const auto& v : *values) read.insert(v.name);
  EXPECT_EQ(params, read);
  EXPECT_TRUE(objects.count(nat_));
  EXPECT_TRUE(objects.count(nat_ + "Storage.Volume.1.Share.2."));
  // BBF side, 0-based indexes shown 1-based.
  auto bbf = Names(bbf_ + "WiFi.SSID.", true);
  ASSERT_TRUE(bbf.ok()) << bbf.status();
  EXPECT_EQ(Infos(*bbf), (std::vector<std::pair<std::string, bool>>{
                             {bbf_ + "WiFi.SSID.1.", true}, {bbf_ + "WiFi.SSID.2.", true}}));
}

TEST_F(ProxyProviderTest, GpnSameAnswerWhenTheDeviceListsEveryNode) {
  dev_.report_nodes = true;
  StartEmbedded();
  const std::string v = nat_ + "Storage.Volume.";
  auto r = Names(v + "1.", true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (std::vector<std::pair<std::string, bool>>{{v + "1.Name", true},
                                                                  {v + "1.Share.", true}}));
  r = Names(nat_, true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->size(), 5u);
  r = Names(nat_ + "Monitoring.", true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r),
            (std::vector<std::pair<std::string, bool>>{{nat_ + "Monitoring.Process.", false}}));
}

TEST_F(ProxyProviderTest, GpnParametersUnknownNamesAndNextLevelOnParameter) {
  StartEmbedded();
  auto r = Names(nat_ + "DeviceInfo.FriendlyName", false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r),
            (std::vector<std::pair<std::string, bool>>{{nat_ + "DeviceInfo.FriendlyName", true}}));
  r = Names(nat_ + "DeviceInfo.SoftwareVersion", false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(
      Infos(*r),
      (std::vector<std::pair<std::string, bool>>{{nat_ + "DeviceInfo.SoftwareVersion", false}}));
  EXPECT_EQ(Names(nat_ + "DeviceInfo.FriendlyName", true).status().code(), Code::kInvalidArguments);
  EXPECT_EQ(Names(nat_ + "DeviceInfo.Nope", false).status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Names(nat_ + "Nope.", false).status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Names(nat_ + "Nope.", true).status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Names(nat_ + "Storage.Volume.7.", true).status().code(), Code::kInvalidParameterName);
}

TEST_F(ProxyProviderTest, GpnOfflineEmbeddedListsTheRowsLastSeen) {
  StartEmbedded();
  dev_.online = false;
  dev_.ResetCounters();
  const std::string v = nat_ + "Storage.Volume.";
  auto r = Names(v, true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r),
            (std::vector<std::pair<std::string, bool>>{{v + "1.", true}, {v + "2.", true}}));
  r = Names(v + "1.Share.", true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Infos(*r), (std::vector<std::pair<std::string, bool>>{{v + "1.Share.1.", true},
                                                                  {v + "1.Share.2.", true}}));
  EXPECT_EQ(dev_.total_calls(), 0);
}

TEST_F(ProxyProviderTest, GpnOfflineVirtualIs9002) {
  StartVirtual();
  dev_.online = false;
  EXPECT_EQ(Names(vnat_ + "Storage.", true).status().code(), Code::kInternalError);
  EXPECT_EQ(Names("Device.WiFi.SSID.", false).status().code(), Code::kInternalError);
}

TEST_F(ProxyProviderTest, SyncFailures) {
  StartEmbedded();
  dev_.FailNext("GetSupportedParameters", 1, 501);
  Status st = Await<Status>([&](auto cb) { proxy_->Sync(cb); });
  EXPECT_EQ(st.code(), Code::kInternalError);
  dev_.FailNext("GetAttributes", 1, 603);
  st = Await<Status>([&](auto cb) { proxy_->Sync(cb); });
  EXPECT_EQ(st.code(), Code::kResourcesExceeded);
  // The metadata of the last good sync stays.
  EXPECT_NE(proxy_->Meta("/UPnP/DM/DeviceInfo/FriendlyName"), nullptr);
  dev_.online = false;
  st = Await<Status>([&](auto cb) { proxy_->Sync(cb); });
  EXPECT_EQ(st.code(), Code::kInternalError);
}

TEST_F(ProxyProviderTest, GpvAboveTheMountsIsOneRequest) {
  StartEmbedded();
  auto r = Get({EmbeddedBase(2)});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(dev_.calls("GetValues"), 1);
  ASSERT_EQ(dev_.get_values.size(), 1u);
  EXPECT_EQ(dev_.get_values[0], (std::vector<std::string>{"/BBF/", "/UPnP/DM/"}));
  auto v = ByName(*r);
  EXPECT_EQ(v[bbf_ + "WiFi.SSID.2.SSID"].value, "guest-a");
  EXPECT_EQ(v[nat_ + "Storage.Volume.2.Name"].value, "media-a");
}

// ---------------------------------------------------------------------------------------------
// SetParameterValues: validation.

struct Fault {
  std::string name;
  Code code;
  friend bool operator==(const Fault&, const Fault&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Fault& f) {
    return os << f.name << "=" << static_cast<int>(f.code);
  }
};
std::vector<Fault> Faults(const SetResult& r) {
  std::vector<Fault> out;
  for (const auto& f : r.faults) out.push_back({f.name, f.status.code()});
  return out;
}

TEST_F(ProxyProviderTest, SpvValidationFaultsSendNothing) {
  StartEmbedded();
  const std::string long_ssid(33, 'x');
  struct Case {
    SetItem item;
    Code code;
  };
  const std::vector<Case> cases = {
      {{nat_ + "DeviceInfo.Nope", "x", {}}, Code::kInvalidParameterName},
      {{nat_ + "Storage.Volume.9.Name", "x", {}}, Code::kInvalidParameterName},
      {{nat_ + "DeviceInfo.SoftwareVersion", "x", {}}, Code::kNonWritableParameter},
      {{nat_ + "Storage.Volume.1.Share.1.Size", "1", {}}, Code::kNonWritableParameter},
      {{nat_ + "Config.Level", "abc", {}}, Code::kInvalidParameterType},
      {{nat_ + "Config.Enabled", "maybe", {}}, Code::kInvalidParameterType},
      {{nat_ + "DeviceInfo.FriendlyName", "5", ValueType::kInt}, Code::kInvalidParameterType},
      {{bbf_ + "WiFi.SSID.1.Enable", "yes", {}}, Code::kInvalidParameterType},
      {{bbf_ + "WiFi.SSID.1.SSID", long_ssid, {}}, Code::kInvalidParameterValue},
      {{bbf_ + "WiFi.Radio.1.OperatingFrequencyBand", "6GHz", {}}, Code::kInvalidParameterValue},
  };
  std::vector<SetItem> all;
  std::vector<Fault> expected;
  for (const auto& c : cases) {
    SetResult r = Set({c.item});
    EXPECT_EQ(r.status.code(), Code::kInvalidArguments) << c.item.name;
    EXPECT_EQ(Faults(r), (std::vector<Fault>{{c.item.name, c.code}}));
    all.push_back(c.item);
    expected.push_back({c.item.name, c.code});
  }
  // All at once, with a valid one among them: every fault, nothing applied.
  all.push_back({nat_ + "Config.Ratio", "0.7", {}});
  SetResult r = Set(all);
  EXPECT_EQ(r.status.code(), Code::kInvalidArguments);
  EXPECT_EQ(Faults(r), expected);
  loop_.RunUntilIdle();
  Advance(Millis(600000));
  EXPECT_EQ(dev_.calls("SetValues"), 0);
  EXPECT_EQ(proxy_->pending_commands(), 0u);
  EXPECT_TRUE(reports_.empty());
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Lamp a");
}

// UPnP integer types carry their own range (ui1 0-255, i1 -128-127, ...): mapping.md §4 "range ->
// 9007 using cached GetAttributes".
TEST_F(ProxyProviderTest, SpvNativeIntegerRangesFromTheUpnpType) {
  StartEmbedded();
  SetResult r = Set({{nat_ + "Config.Level", "256", {}}});
  EXPECT_EQ(Faults(r), (std::vector<Fault>{{nat_ + "Config.Level", Code::kInvalidParameterValue}}));
  r = Set({{nat_ + "Config.Level", "255", {}}});
  EXPECT_TRUE(r.status.ok()) << r.status;
  r = Set({{nat_ + "Config.Offset", "-2147483649", {}}});
  EXPECT_FALSE(r.status.ok());
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(dev_.calls("SetValues"), 1);
}

// ---------------------------------------------------------------------------------------------
// SetParameterValues: embedded delivery.

TEST_F(ProxyProviderTest, SpvEmbeddedStatus1ThenPendingSuccess) {
  StartEmbedded();
  SetResult r = Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}},
                     {nat_ + "Config.Enabled", "false", ValueType::kBoolean},
                     {nat_ + "Config.Level", "7", ValueType::kUnsignedInt},
                     {bbf_ + "WiFi.SSID.1.Enable", "true", {}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.apply_status, 1);
  ASSERT_FALSE(reports_.empty());
  EXPECT_EQ(reports_[0], (std::pair<std::string, std::string>{"Pending", ""}));
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(States(), (std::vector<std::string>{"Pending", "Success"}));
  EXPECT_EQ(reports_[1].second, "");
  ASSERT_EQ(dev_.calls("SetValues"), 1);
  EXPECT_EQ(dev_.set_values[0], (CmsPort::Values{{"/UPnP/DM/DeviceInfo/FriendlyName", "Desk"},
                                                 {"/UPnP/DM/Config/Enabled", "0"},
                                                 {"/UPnP/DM/Config/Level", "7"},
                                                 {"/BBF/WiFi/SSID/0/Enable", "1"}}));
  EXPECT_EQ(proxy_->pending_commands(), 0u);
  EXPECT_EQ(proxy_->last_sync(), clock_.WallNow());
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Desk");
  // Booleans go as 1/0 whatever the ACS wrote.
  r = Set({{nat_ + "Config.Enabled", "1", {}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_TRUE(WaitReports(4));
  EXPECT_EQ(dev_.set_values.back(), (CmsPort::Values{{"/UPnP/DM/Config/Enabled", "1"}}));
  EXPECT_EQ(Value(nat_ + "Config.Enabled"), "1");
}

TEST_F(ProxyProviderTest, SpvEmbedded708OnceRetriesAfterBackOff) {
  StartEmbedded();
  dev_.FailNext("SetValues", 1, 708);
  SetResult r = Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.apply_status, 1);
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(States(), (std::vector<std::string>{"Pending", "Retrying"}));
  EXPECT_NE(reports_[1].second.find("708"), std::string::npos) << reports_[1].second;
  EXPECT_EQ(dev_.calls("SetValues"), 1);
  EXPECT_EQ(proxy_->pending_commands(), 1u);
  Advance(Millis(4999));
  EXPECT_EQ(dev_.calls("SetValues"), 1);
  Advance(Millis(1));
  ASSERT_TRUE(WaitReports(3));
  EXPECT_EQ(States(), (std::vector<std::string>{"Pending", "Retrying", "Success"}));
  EXPECT_EQ(dev_.calls("SetValues"), 2);
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Desk");
  EXPECT_EQ(proxy_->pending_commands(), 0u);
}

TEST_F(ProxyProviderTest, SpvEmbeddedTransportFailureRetries) {
  StartEmbedded();
  dev_.FailNext("SetValues", 1, 0);
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.ok());
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(reports_[1].first, "Retrying");
  Advance(Millis(5000));
  ASSERT_TRUE(WaitReports(3));
  EXPECT_EQ(reports_[2].first, "Success");
}

TEST_F(ProxyProviderTest, SpvEmbedded708FiveTimesIsErrorAndDropped) {
  StartEmbedded();
  dev_.FailNext("SetValues", 5, 708);
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.ok());
  ASSERT_TRUE(WaitReports(2));
  // Back-off 5, 10, 20, 40 s between the five tries.
  for (int wait_s : {5, 10, 20, 40}) {
    const int before = dev_.calls("SetValues");
    Advance(Millis(wait_s * 1000 - 1));
    EXPECT_EQ(dev_.calls("SetValues"), before) << wait_s;
    Advance(Millis(1));
    EXPECT_EQ(dev_.calls("SetValues"), before + 1) << wait_s;
  }
  ASSERT_TRUE(WaitReports(6));
  EXPECT_EQ(States(), (std::vector<std::string>{"Pending", "Retrying", "Retrying", "Retrying",
                                                "Retrying", "Error"}));
  EXPECT_NE(reports_.back().second.find("708"), std::string::npos) << reports_.back().second;
  EXPECT_EQ(proxy_->pending_commands(), 0u);
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Lamp a");
  Advance(Millis(3600000));
  EXPECT_EQ(dev_.calls("SetValues"), 5);
  // The next command goes through.
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "Den", {}}}).status.ok());
  ASSERT_TRUE(WaitReports(8));
  EXPECT_EQ(reports_.back().first, "Success");
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Den");
}

TEST_F(ProxyProviderTest, SpvEmbeddedPermanentDeviceErrorIsErrorAtOnce) {
  StartEmbedded();
  dev_.FailNext("SetValues", 1, 705);
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.ok());
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(States(), (std::vector<std::string>{"Pending", "Error"}));
  EXPECT_FALSE(reports_[1].second.empty());
  EXPECT_EQ(dev_.calls("SetValues"), 1);
  EXPECT_EQ(proxy_->pending_commands(), 0u);
}

TEST_F(ProxyProviderTest, SpvEmbeddedOfflineDeliveredWhenBack) {
  StartEmbedded();
  dev_.online = false;
  SetResult r = Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.apply_status, 1);
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(States(), (std::vector<std::string>{"Pending", "Retrying"}));
  EXPECT_NE(reports_[1].second.find("offline"), std::string::npos) << reports_[1].second;
  Advance(Millis(3600000));
  EXPECT_EQ(dev_.calls("SetValues"), 0);
  EXPECT_EQ(proxy_->pending_commands(), 1u);
  dev_.online = true;
  proxy_->OnlineChanged(true);
  ASSERT_TRUE(WaitReports(3));
  EXPECT_EQ(reports_.back().first, "Success");
  EXPECT_EQ(dev_.calls("SetValues"), 1);
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Desk");
}

TEST_F(ProxyProviderTest, SpvEmbeddedPendingCommandsSurviveARestart) {
  StartEmbedded();
  dev_.online = false;
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.ok());
  ASSERT_TRUE(Set({{nat_ + "Config.Enabled", "true", {}}}).status.ok());
  EXPECT_EQ(proxy_->pending_commands(), 2u);
  // The process dies; the database file stays.
  Restart(Options(false), /*sync=*/false);
  EXPECT_EQ(proxy_->pending_commands(), 2u);
  // Metadata came back from the database: validation works while the device is away.
  EXPECT_EQ(
      Faults(Set({{nat_ + "DeviceInfo.SoftwareVersion", "x", {}}})),
      (std::vector<Fault>{{nat_ + "DeviceInfo.SoftwareVersion", Code::kNonWritableParameter}}));
  EXPECT_EQ(Faults(Set({{nat_ + "Config.Level", "abc", {}}})),
            (std::vector<Fault>{{nat_ + "Config.Level", Code::kInvalidParameterType}}));
  EXPECT_EQ(dev_.total_calls(), 0);
  dev_.online = true;
  proxy_->OnlineChanged(true);
  ASSERT_TRUE(loop_.RunUntil([&] { return proxy_->pending_commands() == 0; }, kWait));
  loop_.RunUntilIdle();
  EXPECT_EQ(reports_.back().first, "Success");
  ASSERT_EQ(dev_.set_values.size(), 2u);
  EXPECT_EQ(dev_.set_values[0], (CmsPort::Values{{"/UPnP/DM/DeviceInfo/FriendlyName", "Desk"}}));
  EXPECT_EQ(dev_.set_values[1], (CmsPort::Values{{"/UPnP/DM/Config/Enabled", "1"}}));
  Restart(Options(false), /*sync=*/false);
  EXPECT_EQ(proxy_->pending_commands(), 0u);
}

TEST_F(ProxyProviderTest, SpvEmbeddedRetryCountSurvivesARestart) {
  StartEmbedded();
  dev_.FailNext("SetValues", 5, 708);
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.ok());
  ASSERT_TRUE(WaitReports(2));
  for (int wait_s : {5, 10, 20}) Advance(Millis(wait_s * 1000));
  EXPECT_EQ(dev_.calls("SetValues"), 4);
  Restart(Options(false), /*sync=*/false);
  // Fifth and last try.
  proxy_->OnlineChanged(true);
  loop_.RunUntilIdle();
  EXPECT_EQ(dev_.calls("SetValues"), 1);
  ASSERT_FALSE(reports_.empty());
  EXPECT_EQ(reports_.back().first, "Error");
  EXPECT_EQ(proxy_->pending_commands(), 0u);
}

TEST_F(ProxyProviderTest, SpvEmbeddedCommandsDeliveredOneByOneInOrder) {
  StartEmbedded();
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "One", {}}}).status.ok());
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "Two", {}}}).status.ok());
  ASSERT_TRUE(Set({{nat_ + "Config.Level", "8", {}}}).status.ok());
  ASSERT_TRUE(loop_.RunUntil([&] { return proxy_->pending_commands() == 0; }, kWait));
  loop_.RunUntilIdle();
  ASSERT_EQ(dev_.set_values.size(), 3u);
  EXPECT_EQ(dev_.set_values[0], (CmsPort::Values{{"/UPnP/DM/DeviceInfo/FriendlyName", "One"}}));
  EXPECT_EQ(dev_.set_values[1], (CmsPort::Values{{"/UPnP/DM/DeviceInfo/FriendlyName", "Two"}}));
  EXPECT_EQ(dev_.set_values[2], (CmsPort::Values{{"/UPnP/DM/Config/Level", "8"}}));
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Two");
  EXPECT_EQ(States().front(), "Pending");
  EXPECT_EQ(States().back(), "Success");
}

TEST_F(ProxyProviderTest, SpvRowsNeverReadAreCheckedWithTheDevice) {
  StartEmbedded();
  // A row the device created behind our back: asked once, then accepted.
  dev_.AddRow("/UPnP/DM/Storage/Volume/4/");
  dev_.ResetCounters();
  SetResult r = Set({{nat_ + "Storage.Volume.4.Name", "new", {}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(dev_.calls("GetAttributes"), 1);
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(reports_.back().first, "Success");
  EXPECT_EQ(dev_.Value("/UPnP/DM/Storage/Volume/4/Name"), "new");
  // A row it does not have: 9005 at once, never Status 1.
  r = Set({{nat_ + "Storage.Volume.5.Name", "x", {}}, {nat_ + "Config.Level", "3", {}}});
  EXPECT_EQ(Faults(r),
            (std::vector<Fault>{{nat_ + "Storage.Volume.5.Name", Code::kInvalidParameterName}}));
  // Two unknown rows in one request: each is pinned.
  r = Set({{nat_ + "Storage.Volume.5.Name", "x", {}},
           {nat_ + "Storage.Volume.1.Share.7.Name", "y", {}},
           {nat_ + "DeviceInfo.FriendlyName", "Desk", {}}});
  EXPECT_EQ(Faults(r), (std::vector<Fault>{
                           {nat_ + "Storage.Volume.5.Name", Code::kInvalidParameterName},
                           {nat_ + "Storage.Volume.1.Share.7.Name", Code::kInvalidParameterName}}));
  loop_.RunUntilIdle();
  EXPECT_EQ(dev_.calls("SetValues"), 1);
  EXPECT_EQ(reports_.size(), 2u);
}

// ---------------------------------------------------------------------------------------------
// SetParameterValues: virtual mode.

TEST_F(ProxyProviderTest, SpvVirtualWaitsForTheDevice) {
  StartVirtual();
  SetResult r = Set({{vnat_ + "DeviceInfo.FriendlyName", "Desk", {}},
                     {"Device.WiFi.SSID.1.Enable", "false", {}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.apply_status, 0);
  ASSERT_EQ(dev_.calls("SetValues"), 1);
  EXPECT_EQ(dev_.set_values[0], (CmsPort::Values{{"/UPnP/DM/DeviceInfo/FriendlyName", "Desk"},
                                                 {"/BBF/WiFi/SSID/0/Enable", "0"}}));
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Desk");
  dev_.set_status = "ChangesCommitted";
  r = Set({{vnat_ + "DeviceInfo.FriendlyName", "Den", {}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.apply_status, 1);
  EXPECT_TRUE(reports_.empty());  // no CommandProcessed in virtual mode
  EXPECT_EQ(proxy_->pending_commands(), 0u);
}

TEST_F(ProxyProviderTest, SpvVirtualDeviceErrorsMapToFaults) {
  StartVirtual();
  dev_.FailNext("SetValues", 1, 706);
  EXPECT_EQ(Set({{vnat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.code(),
            Code::kNonWritableParameter);
  dev_.FailNext("SetValues", 1, 705);
  EXPECT_EQ(Set({{vnat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.code(),
            Code::kInvalidParameterValue);
  dev_.FailNext("SetValues", 1, 708);
  EXPECT_EQ(Set({{vnat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.code(),
            Code::kInternalError);
  dev_.online = false;
  EXPECT_EQ(Set({{vnat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.code(),
            Code::kInternalError);
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Lamp a");
  // Validation is local in virtual mode too.
  dev_.online = true;
  dev_.ResetCounters();
  EXPECT_EQ(
      Faults(Set({{vnat_ + "DeviceInfo.SoftwareVersion", "x", {}}})),
      (std::vector<Fault>{{vnat_ + "DeviceInfo.SoftwareVersion", Code::kNonWritableParameter}}));
  EXPECT_EQ(dev_.calls("SetValues"), 0);
}

// ---------------------------------------------------------------------------------------------
// SetParameterValues: a stored and a proxied parameter in one request.

TEST_F(ProxyProviderTest, SpvMixedStoredAndProxied) {
  StartEmbedded();
  const std::string code = "Device.DeviceInfo.ProvisioningCode";
  const std::string before = Value(code);
  SetResult r = Set({{code, "abc", {}}, {nat_ + "DeviceInfo.FriendlyName", "Desk", {}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.apply_status, 1);
  EXPECT_EQ(Value(code), "abc");
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(reports_.back().first, "Success");
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Desk");
  EXPECT_NE(before, "abc");

  // The proxied one is invalid: nothing is applied, the stored value stays.
  dev_.ResetCounters();
  r = Set({{code, "zzz", {}}, {nat_ + "DeviceInfo.SoftwareVersion", "x", {}}});
  EXPECT_EQ(r.status.code(), Code::kInvalidArguments);
  EXPECT_EQ(
      Faults(r),
      (std::vector<Fault>{{nat_ + "DeviceInfo.SoftwareVersion", Code::kNonWritableParameter}}));
  EXPECT_EQ(Value(code), "abc");
  // The stored one is invalid: the proxied one is not sent.
  r = Set({{code, std::string(65, 'z'), {}}, {nat_ + "DeviceInfo.FriendlyName", "Den", {}}});
  EXPECT_EQ(Faults(r), (std::vector<Fault>{{code, Code::kInvalidParameterValue}}));
  loop_.RunUntilIdle();
  Advance(Millis(60000));
  EXPECT_EQ(dev_.calls("SetValues"), 0);
  EXPECT_EQ(proxy_->pending_commands(), 0u);
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Desk");
  EXPECT_EQ(Value(code), "abc");
}

// ---------------------------------------------------------------------------------------------
// AddObject / DeleteObject.

TEST_F(ProxyProviderTest, AddObjectCreatesInstanceWithHashForm) {
  StartEmbedded();
  auto r = Add(nat_ + "Storage.Volume.");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->instance, 3u);  // device index 3, native: 3
  EXPECT_EQ(r->status, 0);
  EXPECT_EQ(dev_.created, std::vector<std::string>{"/UPnP/DM/Storage/Volume/#/"});
  EXPECT_TRUE(dev_.HasRow("/UPnP/DM/Storage/Volume/3/"));
  // The new row is readable, writable and listed.
  EXPECT_EQ(Value(nat_ + "Storage.Volume.3.Name"), "");
  SetResult s = Set({{nat_ + "Storage.Volume.3.Name", "backup", {}}});
  ASSERT_TRUE(s.status.ok()) << s.status;
  ASSERT_TRUE(WaitReports(2));
  EXPECT_EQ(dev_.Value("/UPnP/DM/Storage/Volume/3/Name"), "backup");
  auto names = Names(nat_ + "Storage.Volume.", true);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(names->size(), 3u);
}

TEST_F(ProxyProviderTest, AddObjectFallsBackOn701) {
  dev_.hash_form = false;
  StartEmbedded();
  auto r = Add(nat_ + "Storage.Volume.");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->instance, 3u);
  EXPECT_EQ(dev_.created,
            (std::vector<std::string>{"/UPnP/DM/Storage/Volume/#/", "/UPnP/DM/Storage/Volume/"}));
}

TEST_F(ProxyProviderTest, AddObjectNumbersFollowTheMap) {
  StartEmbedded();
  // BBF: device index 2 -> 3.
  auto r = Add(bbf_ + "WiFi.SSID.");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(dev_.created.back(), "/BBF/WiFi/SSID/#/");
  EXPECT_EQ(r->instance, 3u);
  EXPECT_EQ(Value(bbf_ + "WiFi.SSID.3.SSID"), "");
  // Native nested: share index 2 would like 2, taken by index 1 -> 3.
  r = Add(nat_ + "Storage.Volume.1.Share.");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(dev_.created.back(), "/UPnP/DM/Storage/Volume/1/Share/#/");
  EXPECT_EQ(r->instance, 3u);
  EXPECT_TRUE(dev_.HasRow("/UPnP/DM/Storage/Volume/1/Share/2/"));
  dev_.create_status = "ChangesCommitted";
  r = Add(nat_ + "Storage.Volume.2.Share.");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->instance, 1u);
  EXPECT_EQ(r->status, 1);
}

TEST_F(ProxyProviderTest, DeleteObjectAndNumbersAreNotReused) {
  StartEmbedded();
  auto d = Delete(nat_ + "Storage.Volume.2.");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->status, 0);
  EXPECT_EQ(dev_.deleted, std::vector<std::string>{"/UPnP/DM/Storage/Volume/2/"});
  EXPECT_FALSE(dev_.HasRow("/UPnP/DM/Storage/Volume/2/"));
  // The device gives index 2 again; the ACS gets a new number.
  auto a = Add(nat_ + "Storage.Volume.");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(dev_.HasRow("/UPnP/DM/Storage/Volume/2/"));
  EXPECT_EQ(a->instance, 3u);
  EXPECT_EQ(Value(nat_ + "Storage.Volume.3.Name"), "");
  dev_.ResetCounters();
  EXPECT_EQ(Get({nat_ + "Storage.Volume.2.Name"}).status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(dev_.total_calls(), 0);
  auto names = Names(nat_ + "Storage.Volume.", true);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(Infos(*names),
            (std::vector<std::pair<std::string, bool>>{{nat_ + "Storage.Volume.1.", true},
                                                       {nat_ + "Storage.Volume.3.", true}}));
  // Deleting a row with a subtable retires the subtable's numbers too.
  d = Delete(nat_ + "Storage.Volume.1.");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(dev_.deleted.back(), "/UPnP/DM/Storage/Volume/1/");
  EXPECT_EQ(Get({nat_ + "Storage.Volume.1.Share.1.Name"}).status().code(),
            Code::kInvalidParameterName);
  // Still retired after a restart.
  Restart(Options(false), /*sync=*/true);
  EXPECT_EQ(Get({nat_ + "Storage.Volume.2.Name"}).status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Value(nat_ + "Storage.Volume.3.Name"), "");
}

TEST_F(ProxyProviderTest, AddDeleteFaults) {
  StartEmbedded();
  // A table the device does not let us extend: 706 -> 9001.
  EXPECT_EQ(Add(nat_ + "Monitoring.Process.").status().code(), Code::kRequestDenied);
  EXPECT_EQ(Delete(nat_ + "Monitoring.Process.1.").status().code(), Code::kRequestDenied);
  EXPECT_TRUE(dev_.HasRow("/UPnP/DM/Monitoring/Process/0/"));
  dev_.FailNext("CreateInstance", 1, 603);
  EXPECT_EQ(Add(nat_ + "Storage.Volume.").status().code(), Code::kResourcesExceeded);
  // Unknown rows and tables.
  EXPECT_EQ(Delete(nat_ + "Storage.Volume.7.").status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Add(nat_ + "Nope.").status().code(), Code::kInvalidParameterName);
  // Offline.
  dev_.online = false;
  dev_.ResetCounters();
  EXPECT_EQ(Add(nat_ + "Storage.Volume.").status().code(), Code::kInternalError);
  EXPECT_EQ(Delete(nat_ + "Storage.Volume.1.").status().code(), Code::kInternalError);
  EXPECT_EQ(dev_.total_calls(), 0);
  EXPECT_TRUE(dev_.HasRow("/UPnP/DM/Storage/Volume/1/"));
}

// ---------------------------------------------------------------------------------------------
// Notifications.

TEST_F(ProxyProviderTest, NotificationSubscribesEventOnChange) {
  StartEmbedded();
  const std::string path = "/UPnP/DM/DeviceInfo/FriendlyName";
  ASSERT_TRUE(Notify(nat_ + "DeviceInfo.FriendlyName", 2).ok());
  loop_.RunUntilIdle();
  ASSERT_EQ(dev_.set_attributes.size(), 1u);
  EXPECT_EQ(dev_.set_attributes[0],
            (std::vector<upnp::cms::NodeAttributes>{{path, {{"EventOnChange", "1"}}}}));
  EXPECT_TRUE(dev_.event_on_change[path]);
  ASSERT_TRUE(Notify(nat_ + "DeviceInfo.FriendlyName", 1).ok());
  loop_.RunUntilIdle();
  EXPECT_EQ(dev_.set_attributes.back(),
            (std::vector<upnp::cms::NodeAttributes>{{path, {{"EventOnChange", "1"}}}}));
  ASSERT_TRUE(Notify(nat_ + "DeviceInfo.FriendlyName", 0).ok());
  loop_.RunUntilIdle();
  EXPECT_EQ(dev_.set_attributes.back(),
            (std::vector<upnp::cms::NodeAttributes>{{path, {{"EventOnChange", "0"}}}}));
  EXPECT_FALSE(dev_.event_on_change[path]);
}

TEST_F(ProxyProviderTest, NotificationOnParameterWithoutEventOnChange) {
  StartEmbedded();
  // Active notification cannot be served: 9009. Passive is polled: accepted, nothing asked.
  EXPECT_EQ(Notify(nat_ + "DeviceInfo.UpTime", 2).code(), Code::kNotificationRejected);
  EXPECT_TRUE(Notify(nat_ + "DeviceInfo.UpTime", 1).ok());
  loop_.RunUntilIdle();
  EXPECT_EQ(dev_.calls("SetAttributes"), 0);
}

TEST_F(ProxyProviderTest, SyncReplaysSubscriptions) {
  StartEmbedded();
  ASSERT_TRUE(Notify(nat_ + "DeviceInfo.FriendlyName", 2).ok());
  loop_.RunUntilIdle();
  dev_.event_on_change.clear();  // the device rebooted
  dev_.ResetCounters();
  Status st = Await<Status>([&](auto cb) { proxy_->Sync(cb); });
  ASSERT_TRUE(st.ok()) << st;
  loop_.RunUntilIdle();
  EXPECT_EQ(dev_.calls("SetAttributes"), 1);
  EXPECT_TRUE(dev_.event_on_change["/UPnP/DM/DeviceInfo/FriendlyName"]);
}

std::string ConfigurationUpdate(uint32_t version, const upnp::cms::ParameterValue* changed,
                                size_t n) {
  std::string text = std::to_string(version) + ",2026-01-01T00:00:00Z";
  if (n == 0) return text;
  auto list = upnp::cms::EncodeParameterValueList(
      std::vector<upnp::cms::ParameterValue>(changed, changed + n));
  EXPECT_TRUE(list.ok()) << list.status();
  return text + "," + list.value_or("");
}

TEST_F(ProxyProviderTest, ConfigurationUpdateWithChangedListIsRecorded) {
  StartEmbedded();
  int active = 0;
  model_->TrackClient("acs", [&] { ++active; });
  ASSERT_TRUE(Notify(nat_ + "DeviceInfo.FriendlyName", 2).ok());
  ASSERT_TRUE(Notify(bbf_ + "WiFi.SSID.1.Enable", 1).ok());
  loop_.RunUntilIdle();
  model_->TakeChanges("acs");
  const upnp::cms::ParameterValue changed[] = {
      {"/UPnP/DM/DeviceInfo/FriendlyName", "Kitchen"},
      {"/UPnP/DM/Config/Level", "9"},        // not notified
      {"/BBF/WiFi/SSID/0/Enable", "false"},  // notified (passive), typed by TR-181
  };
  proxy_->OnEvent({{"ConfigurationUpdate", ConfigurationUpdate(7, changed, 3)}});
  loop_.RunUntilIdle();
  auto changes = model_->TakeChanges("acs");
  std::map<std::string, datamodel::NotifiedChange> by_name;
  for (const auto& c : changes) by_name[c.value.name] = c;
  ASSERT_EQ(by_name.size(), 2u);
  EXPECT_EQ(by_name[nat_ + "DeviceInfo.FriendlyName"].value.value, "Kitchen");
  EXPECT_EQ(by_name[nat_ + "DeviceInfo.FriendlyName"].notification, 2);
  EXPECT_EQ(by_name[bbf_ + "WiFi.SSID.1.Enable"].value.value, "0");
  EXPECT_EQ(by_name[bbf_ + "WiFi.SSID.1.Enable"].value.type, ValueType::kBoolean);
  EXPECT_EQ(by_name[bbf_ + "WiFi.SSID.1.Enable"].notification, 1);
  EXPECT_GE(active, 1);
  // The same values again are no change; "no" is the same boolean as "false".
  const upnp::cms::ParameterValue again[] = {{"/UPnP/DM/DeviceInfo/FriendlyName", "Kitchen"},
                                             {"/BBF/WiFi/SSID/0/Enable", "no"}};
  proxy_->OnEvent({{"ConfigurationUpdate", ConfigurationUpdate(8, again, 2)}});
  loop_.RunUntilIdle();
  EXPECT_TRUE(model_->TakeChanges("acs").empty());
  // The cache serves the new value while the device is away.
  dev_.online = false;
  EXPECT_EQ(Value(nat_ + "DeviceInfo.FriendlyName"), "Kitchen");
}

TEST_F(ProxyProviderTest, ConfigurationUpdateWithoutListReReadsNotified) {
  StartEmbedded();
  model_->TrackClient("acs");
  ASSERT_TRUE(Notify(nat_ + "DeviceInfo.FriendlyName", 2).ok());
  loop_.RunUntilIdle();
  model_->TakeChanges("acs");
  dev_.Put("/UPnP/DM/DeviceInfo/FriendlyName", "Attic");
  dev_.Put("/UPnP/DM/Config/Level", "9");
  dev_.ResetCounters();
  proxy_->OnEvent({{"ConfigurationUpdate", ConfigurationUpdate(9, nullptr, 0)}});
  ASSERT_TRUE(loop_.RunUntil([&] { return model_->HasPendingChanges("acs", 2); }, kWait));
  ASSERT_EQ(dev_.get_values.size(), 1u);
  EXPECT_EQ(dev_.get_values[0], std::vector<std::string>{"/UPnP/DM/DeviceInfo/FriendlyName"});
  auto changes = model_->TakeChanges("acs");
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].value.name, nat_ + "DeviceInfo.FriendlyName");
  EXPECT_EQ(changes[0].value.value, "Attic");
  // Nothing changed since: nothing recorded.
  proxy_->OnEvent({{"ConfigurationUpdate", ConfigurationUpdate(10, nullptr, 0)}});
  loop_.RunUntilIdle();
  EXPECT_TRUE(model_->TakeChanges("acs").empty());
}

TEST_F(ProxyProviderTest, SupportedParametersUpdateRefreshesMetadata) {
  StartEmbedded();
  EXPECT_EQ(proxy_->Meta("/UPnP/DM/DeviceInfo/Location"), nullptr);
  dev_.Define("/UPnP/DM/DeviceInfo/Location", "string", true);
  dev_.Put("/UPnP/DM/DeviceInfo/Location", "hall");
  proxy_->OnEvent({{"SupportedParametersUpdate", "2026-01-01T00:00:00Z"}});
  ASSERT_TRUE(loop_.RunUntil(
      [&] { return proxy_->Meta("/UPnP/DM/DeviceInfo/Location") != nullptr; }, kWait));
  EXPECT_TRUE(proxy_->Meta("/UPnP/DM/DeviceInfo/Location")->writable);
  auto r = Names(nat_ + "DeviceInfo.Location", false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Value(nat_ + "DeviceInfo.Location"), "hall");
}

// ---------------------------------------------------------------------------------------------
// Two devices with the same parameter names.

TEST_F(ProxyProviderTest, TwoDevicesNeverMixValues) {
  dev_b_.AddRow("/UPnP/DM/Storage/Volume/0/");
  dev_b_.Put("/UPnP/DM/Storage/Volume/0/Name", "boot-b");
  StartEmbedded();
  StartB();
  auto r = Get({nat_ + "DeviceInfo.SoftwareVersion", nat_b_ + "DeviceInfo.SoftwareVersion",
                nat_ + "Storage.Volume.1.Name", nat_b_ + "Storage.Volume.1.Name",
                nat_b_ + "Storage.Volume.2.Name"});
  ASSERT_TRUE(r.ok()) << r.status();
  auto v = ByName(*r);
  EXPECT_EQ(v[nat_ + "DeviceInfo.SoftwareVersion"].value, "1.2.3-a");
  EXPECT_EQ(v[nat_b_ + "DeviceInfo.SoftwareVersion"].value, "1.2.3-b");
  EXPECT_EQ(v[nat_ + "Storage.Volume.1.Name"].value, "data-a");
  // Device B's own map: its index 0 took number 1.
  EXPECT_EQ(v[nat_b_ + "Storage.Volume.1.Name"].value, "boot-b");
  EXPECT_EQ(v[nat_b_ + "Storage.Volume.2.Name"].value, "data-b");
  EXPECT_EQ(dev_.calls("GetValues"), 1);
  EXPECT_EQ(dev_b_.calls("GetValues"), 1);

  // Writes go to their own device.
  ASSERT_TRUE(Set({{nat_b_ + "DeviceInfo.FriendlyName", "B!", {}}}).status.ok());
  ASSERT_TRUE(loop_.RunUntil([&] { return dev_b_.calls("SetValues") == 1; }, kWait));
  loop_.RunUntilIdle();
  EXPECT_EQ(dev_.calls("SetValues"), 0);
  EXPECT_EQ(dev_b_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "B!");
  EXPECT_EQ(dev_.Value("/UPnP/DM/DeviceInfo/FriendlyName"), "Lamp a");

  // Events name their own device's parameters.
  model_->TrackClient("acs");
  ASSERT_TRUE(Notify(nat_ + "DeviceInfo.FriendlyName", 2).ok());
  ASSERT_TRUE(Notify(nat_b_ + "DeviceInfo.FriendlyName", 2).ok());
  loop_.RunUntilIdle();
  model_->TakeChanges("acs");
  const upnp::cms::ParameterValue changed[] = {{"/UPnP/DM/DeviceInfo/FriendlyName", "Hall"}};
  proxy_b_->OnEvent({{"ConfigurationUpdate", ConfigurationUpdate(3, changed, 1)}});
  loop_.RunUntilIdle();
  auto changes = model_->TakeChanges("acs");
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].value.name, nat_b_ + "DeviceInfo.FriendlyName");
  EXPECT_EQ(changes[0].value.value, "Hall");

  // Device A away: its cache, device B live.
  dev_.online = false;
  dev_b_.Put("/UPnP/DM/DeviceInfo/SoftwareVersion", "2.0-b");
  r = Get({nat_ + "DeviceInfo.SoftwareVersion", nat_b_ + "DeviceInfo.SoftwareVersion"});
  ASSERT_TRUE(r.ok()) << r.status();
  v = ByName(*r);
  EXPECT_EQ(v[nat_ + "DeviceInfo.SoftwareVersion"].value, "1.2.3-a");
  EXPECT_EQ(v[nat_b_ + "DeviceInfo.SoftwareVersion"].value, "2.0-b");
}

// ---------------------------------------------------------------------------------------------
// Answers after the provider is gone.

TEST_F(ProxyProviderTest, AnswersAfterDestructionAreDropped) {
  StartEmbedded();
  ASSERT_TRUE(Notify(nat_ + "DeviceInfo.FriendlyName", 2).ok());
  loop_.RunUntilIdle();
  int answered = 0;
  auto count = [&answered](auto) { ++answered; };
  proxy_->GetValues({nat_ + "DeviceInfo.FriendlyName"}, count);
  proxy_->GetNames(nat_ + "Storage.", false, count);
  proxy_->ValidateSet({{nat_ + "DeviceInfo.NotYetKnown", "x", {}}}, count);
  proxy_->AddObject(nat_ + "Storage.Volume.", count);
  proxy_->DeleteObject(nat_ + "Storage.Volume.2.", count);
  proxy_->Sync(count);
  proxy_->OnEvent({{"ConfigurationUpdate", ConfigurationUpdate(4, nullptr, 0)}});
  proxy_->NotificationChanged(nat_ + "Config.Level", 1);
  proxy_->ApplySet({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}}, count);  // Status 1 at once
  EXPECT_EQ(answered, 1);
  const int in_flight = dev_.total_calls();
  EXPECT_GE(in_flight, 7);
  for (const auto& m : proxy_->mounts()) model_->Unmount(m.cwmp);
  proxy_.reset();
  loop_.RunUntilIdle();
  Advance(Millis(600000));
  EXPECT_EQ(dev_.calls("SetValues"), 0);  // the posted delivery did not run
  EXPECT_LE(answered, 7);
}

TEST_F(ProxyProviderTest, PendingRetryTimerDiesWithTheProvider) {
  StartEmbedded();
  dev_.FailNext("SetValues", 1, 708);
  ASSERT_TRUE(Set({{nat_ + "DeviceInfo.FriendlyName", "Desk", {}}}).status.ok());
  ASSERT_TRUE(WaitReports(2));
  for (const auto& m : proxy_->mounts()) model_->Unmount(m.cwmp);
  proxy_.reset();
  Advance(Millis(600000));
  EXPECT_EQ(dev_.calls("SetValues"), 1);
  EXPECT_EQ(reports_.size(), 2u);
}

TEST_F(ProxyProviderTest, VirtualSetAnsweredAfterDestruction) {
  StartVirtual();
  std::optional<Result<int>> out;
  proxy_->ApplySet({{vnat_ + "DeviceInfo.FriendlyName", "Desk", {}}},
                   [&](Result<int> r) { out.emplace(std::move(r)); });
  proxy_->GetValues({vnat_ + "DeviceInfo.FriendlyName"}, [](auto) {});
  for (const auto& m : proxy_->mounts()) model_->Unmount(m.cwmp);
  proxy_.reset();
  loop_.RunUntilIdle();
  if (out) {
    EXPECT_FALSE(out->ok());
  }
}

}  // namespace
}  // namespace proxier::proxy
