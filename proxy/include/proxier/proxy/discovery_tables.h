// DiscoveryTables: keeps Device.UPnP.Discovery.{RootDevice,Device,Service}.{i} and
// Device.UPnP.Description.{DeviceDescription,DeviceInstance,ServiceInstance}.{i} in step with
// the control point's registry.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "proxier/common/sqlite.h"
#include "proxier/datamodel/data_model.h"
#include "proxier/datamodel/schema.h"
#include "proxier/upnp/control_point.h"

namespace proxier::proxy {

// Rows are written through DataModel::AddRowInternal/SetInternal (daemon-owned, read-only for
// the ACS). Instance numbers are stable across restarts: a key (UUID for devices, USN without
// version for services, URLBase for descriptions, UDN for device instances, "UDN|serviceId" for
// service instances) -> number map is persisted in SQLite (module "upnp_discovery") and numbers
// are never reused. Rows outlive their devices: Status goes LeaseActive -> ByebyeReceived /
// LeaseExpired; rows left from a previous run start as LeaseExpired. References between rows
// are full paths without trailing dot ("Device.UPnP.Discovery.RootDevice.3").
// Trust boundary (issue 10): a root gets rows only once its description was read, or failed
// (then RootDevice.{i}.X_<OUI>_DescriptionError says why). Rows of a root that never described
// itself are not kept: their numbers are not stored, the control point forgetting the root
// (kRemoved) deletes them, and any left by a previous run are deleted at start. So SSDP alone
// (a flood of UUIDs or LOCATIONs) never writes a row, and nothing of it survives a restart.
// A value that the schema refuses (e.g. a malformed UUID) is logged and skipped; it never stops
// the other values or devices. Row lookups are in memory (a burst of syncs costs no SQL reads).
// Thread: engine thread.
class DiscoveryTables : public upnp::Listener {
 public:
  // `model` (with its store) and `db` are borrowed and must outlive this.
  // Errors: 9002 on storage errors.
  static Result<std::unique_ptr<DiscoveryTables>> Create(datamodel::DataModel& model, Db& db);

  // Listener: syncs every row of `device` (cheap when nothing changed: values are cached);
  // kRemoved deletes the rows of a root that never described itself.
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
  Status CleanLeftovers();
  // Row path (no trailing dot) for `key` in `table`, creating the row (and number) if needed.
  // `keep`: the number is stored (a described device); else it lives only in memory.
  Result<std::string> Row(const std::string& table, const std::string& key, bool keep);
  Result<std::set<uint32_t>*> RowsOf(const std::string& table);
  Status Drop(const std::string& table, const std::string& key);
  void Remove(const upnp::RootDevice& d);
  void Set(const std::string& row, const std::string& param, std::string value, size_t max = 0);
  Status SyncAdvert(const std::string& row, const upnp::Advertisement& a);

  datamodel::DataModel& model_;
  Db& db_;
  std::map<std::pair<std::string, std::string>, uint32_t> numbers_;  // (table, key) -> number
  std::set<std::pair<std::string, std::string>> unkept_;             // (table, key) not stored
  std::map<std::string, std::set<uint32_t>> rows_;                   // table -> row numbers present
  std::map<std::string, uint32_t> highest_;   // table -> highest number ever given
  std::map<std::string, std::string> cache_;  // parameter -> value
  const std::string vendor_{datamodel::kBuildVendorPrefix};
  size_t refused_ = 0;
};

}  // namespace proxier::proxy
