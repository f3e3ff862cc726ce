// DiscoveryTables: keeps Device.UPnP.Discovery.{RootDevice,Device,Service}.{i} and
// Device.UPnP.Description.{DeviceDescription,DeviceInstance,ServiceInstance}.{i} in step with
// the control point's registry.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "proxier/common/sqlite.h"
#include "proxier/datamodel/data_model.h"
#include "proxier/upnp/control_point.h"

namespace proxier::proxy {

// Rows are written through DataModel::AddRowInternal/SetInternal (daemon-owned, read-only for
// the ACS). Instance numbers are stable across restarts: a key (UUID for devices, USN without
// version for services, URLBase for descriptions, UDN for device instances, "UDN|serviceId" for
// service instances) -> number map is persisted in SQLite (module "upnp_discovery") and numbers
// are never reused. Rows outlive their devices: Status goes LeaseActive -> ByebyeReceived /
// LeaseExpired; rows left from a previous run start as LeaseExpired. References between rows
// are full paths without trailing dot ("Device.UPnP.Discovery.RootDevice.3").
// A value that the schema refuses (e.g. a malformed UUID) is logged and skipped; it never stops
// the other values or devices. Thread: engine thread.
class DiscoveryTables : public upnp::Listener {
 public:
  // `model` (with its store) and `db` are borrowed and must outlive this.
  // Errors: 9002 on storage errors.
  static Result<std::unique_ptr<DiscoveryTables>> Create(datamodel::DataModel& model, Db& db);

  // Listener: syncs every row of `device` (cheap when nothing changed: values are cached).
  void OnDevice(const upnp::RootDevice& device, upnp::DeviceChange change) override;
  // Same, with the first storage error.
  Status Sync(const upnp::RootDevice& device);

  // Row path for a key, or "" when none was ever assigned. `table` is e.g.
  // "Device.UPnP.Discovery.RootDevice.".
  std::string RowOf(const std::string& table, const std::string& key) const;
  // Count of values the schema refused (for tests and diagnostics).
  size_t refused() const { return refused_; }

 private:
  DiscoveryTables(datamodel::DataModel& model, Db& db) : model_(model), db_(db) {}
  Status Load();
  Status MarkLeftoversExpired();
  // Row path (no trailing dot) for `key` in `table`, creating the row (and number) if needed.
  Result<std::string> Row(const std::string& table, const std::string& key);
  void Set(const std::string& row, const std::string& param, std::string value, size_t max = 0);
  Status SyncAdvert(const std::string& row, const upnp::Advertisement& a);

  datamodel::DataModel& model_;
  Db& db_;
  std::map<std::pair<std::string, std::string>, uint32_t> numbers_;  // (table, key) -> number
  std::map<std::string, std::string> cache_;                         // parameter -> value
  size_t refused_ = 0;
};

}  // namespace proxier::proxy
