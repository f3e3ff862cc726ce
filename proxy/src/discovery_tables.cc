// Device.UPnP.Discovery / Description rows from the control point's registry.
#include "proxier/proxy/discovery_tables.h"

#include <functional>

#include "proxier/common/log.h"
#include "proxier/common/text.h"
#include "proxier/datamodel/value.h"
#include "proxier/upnp/ssdp.h"

namespace proxier::proxy {
namespace {

constexpr char kRoot[] = "Device.UPnP.Discovery.RootDevice.";
constexpr char kDevice[] = "Device.UPnP.Discovery.Device.";
constexpr char kService[] = "Device.UPnP.Discovery.Service.";
constexpr char kDesc[] = "Device.UPnP.Description.DeviceDescription.";
constexpr char kInstance[] = "Device.UPnP.Description.DeviceInstance.";
constexpr char kServiceInstance[] = "Device.UPnP.Description.ServiceInstance.";

// "urn:a:service:Name:2" -> "urn:a:service:Name" (the registry keys services without version).
std::string Unversioned(const std::string& type) {
  size_t c = type.rfind(':');
  if (c == std::string::npos || type.find_first_not_of("0123456789", c + 1) != std::string::npos) {
    return type;
  }
  return type.substr(0, c);
}

}  // namespace

Result<std::unique_ptr<DiscoveryTables>> DiscoveryTables::Create(datamodel::DataModel& model,
                                                                 Db& db) {
  PX_RETURN_IF_ERROR(Migrate(db, "upnp_discovery",
                             {"CREATE TABLE upnp_discovery_instance(tbl TEXT NOT NULL, "
                              "key TEXT NOT NULL, num INTEGER NOT NULL, PRIMARY KEY(tbl, key))"}));
  if (!model.store()) return Status(Code::kInternalError, "data model without store");
  std::unique_ptr<DiscoveryTables> t(new DiscoveryTables(model, db));
  PX_RETURN_IF_ERROR(t->Load());
  PX_RETURN_IF_ERROR(t->CleanLeftovers());
  return t;
}

Status DiscoveryTables::Load() {
  auto st = db_.Prepare("SELECT tbl, key, num FROM upnp_discovery_instance");
  if (!st.ok()) return st.status();
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const std::string table = st->ColumnText(0);
    const auto n = static_cast<uint32_t>(st->ColumnInt(2));
    numbers_[{table, st->ColumnText(1)}] = n;
    highest_[table] = std::max(highest_[table], n);
  }
  return Status::Ok();
}

// Rows of devices that never described themselves (their numbers were never stored) are
// deleted; the others start as LeaseExpired until the device is heard again.
Status DiscoveryTables::CleanLeftovers() {
  for (const char* table : {kRoot, kDevice, kService}) {
    std::set<uint32_t> stored;
    for (const auto& [k, n] : numbers_) {
      if (k.first == table) stored.insert(n);
    }
    auto rows = RowsOf(table);
    if (!rows.ok()) return rows.status();
    for (uint32_t n : std::set<uint32_t>(**rows)) {
      const std::string row = std::string(table) + std::to_string(n);
      if (!stored.count(n)) {
        auto gone = model_.DeleteRowInternal(row + ".");
        if (!gone.ok()) return gone.status();
        (*rows)->erase(n);
        continue;
      }
      auto v = model_.store()->Get(row + ".Status");
      if (v.ok() && *v == "LeaseActive") {
        PX_RETURN_IF_ERROR(model_.SetInternal(row + ".Status", "LeaseExpired"));
      }
    }
  }
  return Status::Ok();
}

std::string DiscoveryTables::RowOf(const std::string& table, const std::string& key) const {
  auto it = numbers_.find({table, key});
  return it == numbers_.end() ? "" : table + std::to_string(it->second);
}

Result<std::set<uint32_t>*> DiscoveryTables::RowsOf(const std::string& table) {
  auto it = rows_.find(table);
  if (it == rows_.end()) {
    auto rows = model_.store()->Rows(table);
    if (!rows.ok()) return rows.status();
    it = rows_.emplace(table, std::set<uint32_t>(rows->begin(), rows->end())).first;
    if (!it->second.empty()) highest_[table] = std::max(highest_[table], *it->second.rbegin());
  }
  return &it->second;
}

Result<std::string> DiscoveryTables::Row(const std::string& table, const std::string& key,
                                         bool keep) {
  auto rows = RowsOf(table);
  if (!rows.ok()) return rows.status();
  const auto id = std::make_pair(table, key);
  uint32_t number;
  auto it = numbers_.find(id);
  if (it != numbers_.end()) {
    number = it->second;
  } else {
    number = ++highest_[table];  // never reused: past every number this table ever had
    numbers_[id] = number;
    unkept_.insert(id);
  }
  if (keep && unkept_.erase(id)) {
    auto ins = db_.Prepare("INSERT INTO upnp_discovery_instance(tbl, key, num) VALUES(?,?,?)");
    if (!ins.ok()) return ins.status();
    ins->Bind(0, table).Bind(1, key).Bind(2, static_cast<int64_t>(number));
    PX_RETURN_IF_ERROR(ins->Run());
  }
  if (!(*rows)->count(number)) {
    auto added = model_.AddRowInternal(table, number);
    if (!added.ok()) return added.status();
    (*rows)->insert(number);
  }
  return table + std::to_string(number);
}

Status DiscoveryTables::Drop(const std::string& table, const std::string& key) {
  const auto id = std::make_pair(table, key);
  if (!unkept_.count(id)) return Status::Ok();  // a described device's row stays
  auto it = numbers_.find(id);
  if (it == numbers_.end()) return Status::Ok();
  const std::string row = table + std::to_string(it->second);
  auto rows = RowsOf(table);
  if (rows.ok() && (*rows)->erase(it->second)) {
    auto gone = model_.DeleteRowInternal(row + ".");
    if (!gone.ok()) return gone.status();
  }
  for (auto c = cache_.lower_bound(row + ".");
       c != cache_.end() && c->first.starts_with(row + ".");) {
    c = cache_.erase(c);
  }
  numbers_.erase(it);
  unkept_.erase(id);
  return Status::Ok();
}

void DiscoveryTables::Remove(const upnp::RootDevice& d) {
  Status st;
  for (const auto& [uuid, a] : d.devices) {
    if (st.ok()) st = Drop(uuid == d.uuid ? kRoot : kDevice, uuid);
  }
  if (st.ok()) st = Drop(kRoot, d.uuid);
  for (const auto& [key, a] : d.services) {
    if (st.ok()) st = Drop(kService, key);
  }
  if (!st.ok()) PX_LOG(kError, "upnp") << "Discovery rows of " << d.uuid << ": " << st;
}

void DiscoveryTables::Set(const std::string& row, const std::string& param, std::string value,
                          size_t max) {
  if (max && value.size() > max) value = text::CleanLabel(value, max);
  const std::string name = row + "." + param;
  auto it = cache_.find(name);
  if (it != cache_.end() && it->second == value) return;
  Status st = model_.SetInternal(name, value);
  if (!st.ok()) {
    ++refused_;
    PX_LOG(kWarning, "upnp") << name << " not set: " << st;
    return;
  }
  cache_[name] = value;
}

Status DiscoveryTables::SyncAdvert(const std::string& row, const upnp::Advertisement& a) {
  Set(row, "Status", upnp::LeaseStatusName(a.status));
  Set(row, "USN", a.usn, 256);
  Set(row, "LeaseTime", std::to_string(a.lease_time));
  Set(row, "Location", a.location);
  Set(row, "Server", a.server, 256);
  if (a.last_update != WallTime{}) Set(row, "LastUpdate", datamodel::FormatDateTime(a.last_update));
  return Status::Ok();
}

void DiscoveryTables::OnDevice(const upnp::RootDevice& device, upnp::DeviceChange change) {
  if (change == upnp::DeviceChange::kRemoved) return Remove(device);
  Status st = Sync(device);
  if (!st.ok()) PX_LOG(kError, "upnp") << "Discovery tables for " << device.uuid << ": " << st;
}

Status DiscoveryTables::Sync(const upnp::RootDevice& d) {
  // SSDP alone writes nothing: a root shows once its description was read or has failed.
  if (d.uuid.empty() || (!d.description && d.description_error.empty())) return Status::Ok();
  const bool keep = d.description.has_value();
  // Discovery: the root, embedded devices, services.
  std::map<std::string, std::string> device_rows;  // UUID -> Discovery row
  for (const auto& [uuid, advert] : d.devices) {
    const bool root = uuid == d.uuid;
    auto row = Row(root ? kRoot : kDevice, uuid, keep);
    if (!row.ok()) return row.status();
    device_rows[uuid] = *row;
    Set(*row, "UUID", uuid);
    PX_RETURN_IF_ERROR(SyncAdvert(*row, advert));
    if (root) Set(*row, vendor_ + "DescriptionError", d.description_error, 256);
  }
  for (const auto& [key, advert] : d.services) {
    auto row = Row(kService, key, keep);
    if (!row.ok()) return row.status();
    PX_RETURN_IF_ERROR(SyncAdvert(*row, advert));
    auto usn = upnp::ParseUsn(advert.usn);
    std::string parent;
    if (usn) {
      auto p = device_rows.find(usn->uuid);
      if (p != device_rows.end()) parent = p->second;
    }
    Set(*row, "ParentDevice", parent);
  }
  if (!d.description) return Status::Ok();
  // Devices of the description that never advertised to us: the control point searches for the
  // DM service types, so a root that is no DM device itself (a MediaRenderer with an embedded
  // ManageableDevice) only shows up in its periodic NOTIFYs, up to 15 minutes later. Its row is
  // made from a sibling's advertisement (same description URL, same lease).
  if (!d.devices.empty()) {
    const upnp::Advertisement& sibling = d.devices.begin()->second;
    std::function<Status(const upnp::DeviceInfo&)> ensure =
        [&](const upnp::DeviceInfo& dev) -> Status {
      const std::string uuid = dev.Uuid();
      if (!uuid.empty() && !device_rows.count(uuid)) {
        const bool root = uuid == d.uuid;
        auto row = Row(root ? kRoot : kDevice, uuid, true);
        if (!row.ok()) return row.status();
        device_rows[uuid] = *row;
        upnp::Advertisement a = sibling;
        a.usn = "uuid:" + uuid + (root ? "::upnp:rootdevice" : "");
        a.status = d.status();
        Set(*row, "UUID", uuid);
        PX_RETURN_IF_ERROR(SyncAdvert(*row, a));
      }
      for (const auto& c : dev.devices) PX_RETURN_IF_ERROR(ensure(c));
      return Status::Ok();
    };
    PX_RETURN_IF_ERROR(ensure(d.description->root));
  }
  // Description: the document, its devices and services.
  const upnp::Description& desc = *d.description;
  auto doc = Row(kDesc, desc.url_base, true);
  if (!doc.ok()) return doc.status();
  Set(*doc, "URLBase", desc.url_base);
  Set(*doc, "SpecVersion", desc.spec_version);
  std::function<Status(const upnp::DeviceInfo&, const std::string&)> walk =
      [&](const upnp::DeviceInfo& dev, const std::string& parent_row) -> Status {
    auto row = Row(kInstance, dev.Uuid(), true);
    if (!row.ok()) return row.status();
    Set(*row, "UDN", dev.Uuid());
    Set(*row, "ParentDevice", parent_row);
    Set(*row, "DiscoveryDevice", RowOf(dev.Uuid() == d.uuid ? kRoot : kDevice, dev.Uuid()));
    Set(*row, "DeviceType", dev.device_type, 256);
    Set(*row, "FriendlyName", dev.friendly_name, 128);
    Set(*row, "Manufacturer", dev.manufacturer, 128);
    Set(*row, "ManufacturerURL", dev.manufacturer_url);
    Set(*row, "ModelDescription", dev.model_description, 256);
    Set(*row, "ModelName", dev.model_name, 64);
    Set(*row, "ModelNumber", dev.model_number, 64);
    Set(*row, "ModelURL", dev.model_url);
    Set(*row, "SerialNumber", dev.serial_number, 128);
    Set(*row, "UPC", dev.upc, 12);
    Set(*row, "PresentationURL", dev.presentation_url);
    for (const auto& s : dev.services) {
      auto srow = Row(kServiceInstance, dev.Uuid() + "|" + s.service_id, true);
      if (!srow.ok()) return srow.status();
      Set(*srow, "ParentDevice", *row);
      Set(*srow, "ServiceId", s.service_id, 256);
      Set(*srow, "ServiceDiscovery",
          RowOf(kService, "uuid:" + dev.Uuid() + "::" + Unversioned(s.service_type)));
      Set(*srow, "ServiceType", s.service_type, 256);
      Set(*srow, "SCPDURL", s.scpd_url);
      Set(*srow, "ControlURL", s.control_url);
      Set(*srow, "EventSubURL", s.event_sub_url);
    }
    for (const auto& c : dev.devices) PX_RETURN_IF_ERROR(walk(c, *row));
    return Status::Ok();
  };
  return walk(desc.root, "");
}

}  // namespace proxier::proxy
