// Fixture of the ProxyProvider tests: a FakeDevice, mounted in a DataModel the way the daemon
// mounts it (one provider at each Mount's CWMP prefix, the gateway's StoredProvider at
// "Device."). In-process: the device answers on the loop; timers follow a ManualClock.
#pragma once

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

inline std::string Vendor() { return std::string(datamodel::kBuildVendorPrefix); }
inline std::string EmbeddedBase(int n) {
  return "Device." + Vendor() + "ProxiedDevice." + std::to_string(n) + ".";
}

inline std::vector<Mount> EmbeddedMounts(int n) {
  return {{MountName(EmbeddedBase(n), "/BBF/", true, false, Vendor()), "/BBF/", true},
          {MountName(EmbeddedBase(n), "/UPnP/DM/", false, false, Vendor()), "/UPnP/DM/", false}};
}
inline std::vector<Mount> VirtualMounts() {
  return {{MountName("Device.", "/BBF/", true, true, Vendor()), "/BBF/", true},
          {MountName("Device.", "/UPnP/DM/", false, true, Vendor()), "/UPnP/DM/", false}};
}

// A UPnP DM device with a native subtree (nested tables, a read-only table, every §6 type, a
// digit-leading name) and a BBF subtree whose types the device reports as plain strings.
inline void Populate(FakeDevice& d, const std::string& tag) {
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
inline datamodel::Schema MiniTr181() {
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

inline std::vector<std::pair<std::string, bool>> Infos(const std::vector<ParamInfo>& v) {
  std::vector<std::pair<std::string, bool>> out;
  for (const auto& i : v) out.emplace_back(i.name, i.writable);
  std::sort(out.begin(), out.end());
  return out;
}

inline std::map<std::string, ParamValue> ByName(const std::vector<ParamValue>& v) {
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

  inline static datamodel::Schema* gateway_ = nullptr;
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

// A per-parameter fault of a SetParameterValues, comparable in assertions.
struct Fault {
  std::string name;
  Code code;
  friend bool operator==(const Fault&, const Fault&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Fault& f) {
    return os << f.name << "=" << static_cast<int>(f.code);
  }
};
inline std::vector<Fault> Faults(const SetResult& r) {
  std::vector<Fault> out;
  for (const auto& f : r.faults) out.push_back({f.name, f.status.code()});
  return out;
}

}  // namespace proxier::proxy
