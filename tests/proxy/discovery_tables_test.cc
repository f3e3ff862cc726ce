// Device.UPnP.Discovery/Description rows from registry snapshots, on the gateway's real schema
// (core::GatewayModel over datamodel/defs/) and an in-memory database.
#include "proxier/proxy/discovery_tables.h"

#include <gtest/gtest.h>

#include "proxier/common/clock.h"
#include "proxier/core/gateway_model.h"
#include "proxier/datamodel/schema.h"

namespace proxier::proxy {
namespace {

constexpr char kUuid[] = "3b411d1b-c339-4c67-8858-1f424bab1954";
constexpr char kEmb[] = "3b411d1b-c339-4c67-8858-1f424bab195e";
constexpr char kLoc[] = "http://192.168.1.20:61001/dev0/desc.xml";

upnp::Advertisement Ad(const std::string& usn, upnp::LeaseStatus s = upnp::LeaseStatus::kActive) {
  upnp::Advertisement a;
  a.usn = usn;
  a.status = s;
  a.lease_time = 1800;
  a.location = kLoc;
  a.server = "Linux/6 UPnP/1.1 sim/1";
  a.last_update = WallTime(std::chrono::seconds(1767225600));  // 2026-01-01
  return a;
}

upnp::RootDevice Device(bool described) {
  upnp::RootDevice d;
  d.uuid = kUuid;
  d.location = kLoc;
  d.devices[kUuid] =
      Ad(std::string("uuid:") + kUuid + "::urn:schemas-upnp-org:device:MediaRenderer:1");
  d.devices[kEmb] = Ad(std::string("uuid:") + kEmb);
  const std::string cms_key =
      std::string("uuid:") + kEmb + "::urn:schemas-upnp-org:service:ConfigurationManagement";
  d.services[cms_key] = Ad(cms_key + ":2");
  if (described) {
    upnp::Description desc;
    desc.url_base = kLoc;
    desc.spec_version = "1.1";
    desc.root.udn = std::string("uuid:") + kUuid;
    desc.root.device_type = "urn:schemas-upnp-org:device:MediaRenderer:1";
    desc.root.friendly_name = std::string(300, 'F');  // longer than the schema allows
    desc.root.model_name = "VV-STB";
    upnp::DeviceInfo emb;
    emb.udn = std::string("uuid:") + kEmb;
    emb.device_type = "urn:schemas-upnp-org:device:ManageableDevice:2";
    emb.serial_number = "STB000002";
    emb.services.push_back(
        {"urn:schemas-upnp-org:service:ConfigurationManagement:2",
         "urn:upnp-org:serviceId:ConfigurationManagement", "http://192.168.1.20:61001/dev0/cms.xml",
         "http://192.168.1.20:61001/dev0/cms/control", "http://192.168.1.20:61001/dev0/cms/event"});
    desc.root.devices.push_back(emb);
    d.description = desc;
  }
  return d;
}

class DiscoveryTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status st =
        datamodel::LoadSchemaDir(std::string(PROXIER_SOURCE_DIR) + "/datamodel/defs", &schema_);
    ASSERT_TRUE(st.ok()) << st;
    auto db = Db::Open(":memory:");
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
    Restart();
  }
  // A daemon restart: new model and tables over the same database.
  void Restart() {
    tables_.reset();
    gm_.reset();
    auto gm = core::GatewayModel::Create(*db_, schema_, "gw", {}, clock_);
    ASSERT_TRUE(gm.ok()) << gm.status();
    gm_ = std::move(gm).value();
    auto t = DiscoveryTables::Create(gm_->model(), *db_);
    ASSERT_TRUE(t.ok()) << t.status();
    tables_ = std::move(t).value();
  }
  std::string Get(const std::string& name) {
    auto v = gm_->store().Get(name);
    EXPECT_TRUE(v.ok()) << name << ": " << v.status();
    return v.ok() ? *v : "<error>";
  }

  ManualClock clock_;
  datamodel::Schema schema_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<core::GatewayModel> gm_;
  std::unique_ptr<DiscoveryTables> tables_;
};

TEST_F(DiscoveryTablesTest, DiscoveryRowsFromAdvertisements) {
  // SSDP alone writes nothing (issue 10: a flood of announcements must not fill the tables)...
  ASSERT_TRUE(tables_->Sync(Device(false)).ok());
  EXPECT_EQ(Get("Device.UPnP.Discovery.RootDeviceNumberOfEntries"), "0");
  // ... the rows come once the description was read, or failed (shown with its error).
  upnp::RootDevice failed = Device(false);
  failed.description_error = "HTTP 404 for " + std::string(kLoc);
  ASSERT_TRUE(tables_->Sync(failed).ok());
  const std::string root = tables_->RowOf("Device.UPnP.Discovery.RootDevice.", kUuid);
  ASSERT_EQ(root, "Device.UPnP.Discovery.RootDevice.1");
  EXPECT_EQ(Get(root + ".Status"), "LeaseActive");
  EXPECT_EQ(Get(root + ".UUID"), kUuid);
  EXPECT_EQ(Get(root + ".USN"),
            std::string("uuid:") + kUuid + "::urn:schemas-upnp-org:device:MediaRenderer:1");
  EXPECT_EQ(Get(root + ".LeaseTime"), "1800");
  EXPECT_EQ(Get(root + ".Location"), kLoc);
  EXPECT_EQ(Get(root + ".Server"), "Linux/6 UPnP/1.1 sim/1");
  EXPECT_EQ(Get(root + ".LastUpdate"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(Get("Device.UPnP.Discovery.RootDeviceNumberOfEntries"), "1");
  EXPECT_EQ(Get("Device.UPnP.Discovery.DeviceNumberOfEntries"), "1");
  EXPECT_EQ(Get("Device.UPnP.Discovery.ServiceNumberOfEntries"), "1");
  EXPECT_EQ(Get("Device.UPnP.Discovery.Device.1.UUID"), kEmb);
  EXPECT_EQ(Get("Device.UPnP.Discovery.Service.1.ParentDevice"), "Device.UPnP.Discovery.Device.1");
  EXPECT_EQ(Get("Device.UPnP.Description.DeviceInstanceNumberOfEntries"), "0");
  EXPECT_EQ(Get(root + ".X_02C0DE_DescriptionError"), failed.description_error);
}

// Rows of a root that never described itself do not outlive it: forgotten by the control point
// (kRemoved) or left by a previous run, they are deleted, and their numbers were never stored.
TEST_F(DiscoveryTablesTest, RowsOfUndescribedRootsAreNotKept) {
  upnp::RootDevice failed = Device(false);
  failed.description_error = "timeout";
  ASSERT_TRUE(tables_->Sync(failed).ok());
  EXPECT_EQ(Get("Device.UPnP.Discovery.RootDeviceNumberOfEntries"), "1");
  tables_->OnDevice(failed, upnp::DeviceChange::kRemoved);
  EXPECT_EQ(Get("Device.UPnP.Discovery.RootDeviceNumberOfEntries"), "0");
  EXPECT_EQ(Get("Device.UPnP.Discovery.DeviceNumberOfEntries"), "0");
  EXPECT_EQ(Get("Device.UPnP.Discovery.ServiceNumberOfEntries"), "0");
  ASSERT_TRUE(tables_->Sync(Device(true)).ok());  // then described: its rows are kept
  upnp::RootDevice other = Device(false);
  other.uuid = "11111111-2222-4333-8444-555555555555";
  other.devices.clear();
  other.services.clear();
  other.devices[other.uuid] = Ad("uuid:" + other.uuid + "::upnp:rootdevice");
  other.description_error = "refused";
  ASSERT_TRUE(tables_->Sync(other).ok());
  Restart();
  // The described one stays (LeaseExpired); the undescribed one is gone.
  EXPECT_EQ(Get("Device.UPnP.Discovery.RootDeviceNumberOfEntries"), "1");
  EXPECT_EQ(tables_->RowOf("Device.UPnP.Discovery.RootDevice.", other.uuid), "");
  EXPECT_NE(tables_->RowOf("Device.UPnP.Discovery.RootDevice.", kUuid), "");
}

TEST_F(DiscoveryTablesTest, DescriptionRowsAndReferences) {
  ASSERT_TRUE(tables_->Sync(Device(true)).ok());
  EXPECT_EQ(Get("Device.UPnP.Description.DeviceDescription.1.URLBase"), kLoc);
  EXPECT_EQ(Get("Device.UPnP.Description.DeviceDescription.1.SpecVersion"), "1.1");
  EXPECT_EQ(Get("Device.UPnP.Description.DeviceInstanceNumberOfEntries"), "2");
  const std::string r = "Device.UPnP.Description.DeviceInstance.1.";
  const std::string e = "Device.UPnP.Description.DeviceInstance.2.";
  EXPECT_EQ(Get(r + "UDN"), kUuid);
  EXPECT_EQ(Get(r + "ParentDevice"), "");
  EXPECT_EQ(Get(r + "DiscoveryDevice"), "Device.UPnP.Discovery.RootDevice.1");
  EXPECT_EQ(Get(r + "FriendlyName"), std::string(128, 'F'));  // cut to the schema's size
  EXPECT_EQ(Get(e + "ParentDevice"), "Device.UPnP.Description.DeviceInstance.1");
  EXPECT_EQ(Get(e + "DiscoveryDevice"), "Device.UPnP.Discovery.Device.1");
  EXPECT_EQ(Get(e + "SerialNumber"), "STB000002");
  const std::string s = "Device.UPnP.Description.ServiceInstance.1.";
  EXPECT_EQ(Get(s + "ParentDevice"), "Device.UPnP.Description.DeviceInstance.2");
  EXPECT_EQ(Get(s + "ServiceDiscovery"), "Device.UPnP.Discovery.Service.1");
  EXPECT_EQ(Get(s + "ControlURL"), "http://192.168.1.20:61001/dev0/cms/control");
  EXPECT_EQ(tables_->refused(), 0u);
}

// The control point searches for DM services: a root that is no DM device (a MediaRenderer with
// an embedded ManageableDevice) may be described before it ever advertises to us. It still gets
// its RootDevice row, so DiscoveryDevice/DiscoveryProtocolReference are never empty.
TEST_F(DiscoveryTablesTest, DescribedRootWithoutAdvertisementGetsItsRow) {
  upnp::RootDevice d = Device(true);
  d.devices.erase(kUuid);
  ASSERT_TRUE(tables_->Sync(d).ok());
  const std::string root = tables_->RowOf("Device.UPnP.Discovery.RootDevice.", kUuid);
  ASSERT_EQ(root, "Device.UPnP.Discovery.RootDevice.1");
  EXPECT_EQ(Get(root + ".UUID"), kUuid);
  EXPECT_EQ(Get(root + ".USN"), std::string("uuid:") + kUuid + "::upnp:rootdevice");
  EXPECT_EQ(Get(root + ".Status"), "LeaseActive");
  EXPECT_EQ(Get(root + ".Location"), kLoc);
  EXPECT_EQ(Get(root + ".LeaseTime"), "1800");
  EXPECT_EQ(Get("Device.UPnP.Description.DeviceInstance.1.DiscoveryDevice"), root);
  EXPECT_EQ(Get("Device.UPnP.Discovery.RootDeviceNumberOfEntries"), "1");
  EXPECT_EQ(Get("Device.UPnP.Discovery.DeviceNumberOfEntries"), "1");
  // When its own advertisement arrives, the same row takes it.
  d.devices[kUuid] =
      Ad(std::string("uuid:") + kUuid + "::urn:schemas-upnp-org:device:MediaRenderer:1");
  ASSERT_TRUE(tables_->Sync(d).ok());
  EXPECT_EQ(Get(root + ".USN"),
            std::string("uuid:") + kUuid + "::urn:schemas-upnp-org:device:MediaRenderer:1");
  EXPECT_EQ(Get("Device.UPnP.Discovery.RootDeviceNumberOfEntries"), "1");
}

TEST_F(DiscoveryTablesTest, StatusTransitions) {
  upnp::RootDevice d = Device(true);
  ASSERT_TRUE(tables_->Sync(d).ok());
  for (auto& [k, a] : d.devices) a.status = upnp::LeaseStatus::kByebye;
  for (auto& [k, a] : d.services) a.status = upnp::LeaseStatus::kByebye;
  tables_->OnDevice(d, upnp::DeviceChange::kByebye);
  EXPECT_EQ(Get("Device.UPnP.Discovery.RootDevice.1.Status"), "ByebyeReceived");
  EXPECT_EQ(Get("Device.UPnP.Discovery.Service.1.Status"), "ByebyeReceived");
  for (auto& [k, a] : d.devices) a.status = upnp::LeaseStatus::kExpired;
  tables_->OnDevice(d, upnp::DeviceChange::kExpired);
  EXPECT_EQ(Get("Device.UPnP.Discovery.RootDevice.1.Status"), "LeaseExpired");
  for (auto& [k, a] : d.devices) a.status = upnp::LeaseStatus::kActive;
  tables_->OnDevice(d, upnp::DeviceChange::kReturned);
  EXPECT_EQ(Get("Device.UPnP.Discovery.RootDevice.1.Status"), "LeaseActive");
  EXPECT_EQ(Get("Device.UPnP.Discovery.RootDeviceNumberOfEntries"), "1");  // same row
}

TEST_F(DiscoveryTablesTest, NumbersStableAcrossRestartAndNeverReused) {
  upnp::RootDevice a = Device(true);
  upnp::RootDevice b = Device(true);
  b.uuid = "11111111-2222-4333-8444-555555555555";
  b.devices.clear();
  b.devices[b.uuid] = Ad("uuid:" + b.uuid + "::upnp:rootdevice");
  b.services.clear();
  b.description->root.udn = "uuid:" + b.uuid;
  b.description->root.devices.clear();
  b.description->url_base = "http://192.168.1.21:61001/dev0/desc.xml";
  ASSERT_TRUE(tables_->Sync(b).ok());  // gets RootDevice.1
  ASSERT_TRUE(tables_->Sync(a).ok());  // gets RootDevice.2
  EXPECT_EQ(tables_->RowOf("Device.UPnP.Discovery.RootDevice.", kUuid),
            "Device.UPnP.Discovery.RootDevice.2");
  // The ACS (or a purge) removed row 1; its number is not given to anyone else.
  ASSERT_TRUE(gm_->model().DeleteRowInternal("Device.UPnP.Discovery.RootDevice.1.").ok());
  Restart();
  // Rows from the previous run are kept but no longer active.
  EXPECT_EQ(Get("Device.UPnP.Discovery.RootDevice.2.Status"), "LeaseExpired");
  upnp::RootDevice c = b;
  c.uuid = "99999999-2222-4333-8444-555555555555";
  c.devices.clear();
  c.devices[c.uuid] = Ad("uuid:" + c.uuid);
  c.description->root.udn = "uuid:" + c.uuid;
  ASSERT_TRUE(tables_->Sync(c).ok());
  EXPECT_EQ(tables_->RowOf("Device.UPnP.Discovery.RootDevice.", c.uuid),
            "Device.UPnP.Discovery.RootDevice.3");
  ASSERT_TRUE(tables_->Sync(a).ok());
  EXPECT_EQ(tables_->RowOf("Device.UPnP.Discovery.RootDevice.", kUuid),
            "Device.UPnP.Discovery.RootDevice.2");
  EXPECT_EQ(Get("Device.UPnP.Discovery.RootDevice.2.Status"), "LeaseActive");
  ASSERT_TRUE(tables_->Sync(b).ok());  // the deleted row comes back under its old number
  EXPECT_EQ(tables_->RowOf("Device.UPnP.Discovery.RootDevice.", b.uuid),
            "Device.UPnP.Discovery.RootDevice.1");
}

TEST_F(DiscoveryTablesTest, BadValuesDoNotStopOtherRows) {
  upnp::RootDevice d = Device(true);
  d.devices["not-a-uuid"] = Ad("uuid:not-a-uuid");
  ASSERT_TRUE(tables_->Sync(d).ok());
  EXPECT_GT(tables_->refused(), 0u);  // the UUID pattern refused it
  EXPECT_EQ(Get("Device.UPnP.Discovery.RootDevice.1.Status"), "LeaseActive");
  EXPECT_EQ(Get("Device.UPnP.Description.DeviceInstanceNumberOfEntries"), "2");
}

}  // namespace
}  // namespace proxier::proxy
