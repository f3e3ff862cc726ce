// ProxyProvider: a datamodel Provider backed by one UPnP DM device (mapping.md §4, §6-§8).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "proxier/common/event_loop.h"
#include "proxier/common/log.h"
#include "proxier/common/sqlite.h"
#include "proxier/datamodel/provider.h"
#include "proxier/datamodel/schema.h"
#include "proxier/proxy/cms_port.h"
#include "proxier/proxy/instance_map.h"
#include "proxier/upnp/soap.h"

namespace proxier::proxy {

// What the proxy refused from devices (all devices together), readable by the ACS under
// Device.X_<OUI>_Proxy. Thread: engine thread.
struct ProxyCounters {
  uint64_t unasked = 0;        // answer items that were not asked (dropped)
  uint64_t names_refused = 0;  // device paths whose names no CWMP name can carry (dropped)
};

struct ProxyOptions {
  // Virtual mode: SetParameterValues waits for the device (ChangesApplied -> 0,
  // ChangesCommitted -> 1) and an offline device fails reads with 9002. Embedded mode: SPV is
  // validated, persisted and answered with 1, then delivered with retries (CommandProcessed);
  // reads of an offline device come from the cache.
  bool virtual_mode = false;
  // Types of BBF paths come from here when it defines them (borrowed, may be null).
  const datamodel::Schema* tr181 = nullptr;
  Millis retry_base{5000};            // embedded delivery retries: base, 2x base, 4x base, ...
  int max_tries = 5;                  // deliveries of one command before CommandProcessed=Error
  ProxyCounters* counters = nullptr;  // borrowed; nullptr = not counted
  // Changes a device reports by events are passed on at most once per window (the first at once,
  // the others gathered until the window ends): 0 = each event at once.
  Millis event_coalesce{2000};
};

// What the device told us about one parameter (by structure path, "/A/#/B").
struct ParamMeta {
  datamodel::ValueType type = datamodel::ValueType::kString;
  std::string upnp_type;
  bool writable = false;
  bool eventable = true;
};

// What is known of a multi-instance table's access (by structure path, "/A/#/"): whether rows may
// be created and deleted. kUnknown: the device did not publish it (GetAttributes on the table's
// structure path refused or silent) and no CreateInstance/DeleteInstance has succeeded on it yet.
enum class TableAccess { kUnknown, kFixed, kWritable };

// Mounted by its owner at each Mount's CWMP prefix (one provider for all subtrees of the device,
// so one RPC costs one device request).
// Trust boundary (issue 10): an answer counts only for what was asked (other items are dropped
// and counted), a device path whose names are no CWMP names is dropped and counted (never the
// whole RPC), and in embedded mode a read that reaches the device only because the ACS asked a
// path above it (the data model then asks for mount points only) is answered from the value
// cache when the device fails, whatever the failure: one broken appliance never faults the ACS's
// read of the others (see docs/UPNP.md "Trust boundary"). Pending embedded commands, the parameter
// metadata and the value cache are persisted (module "proxy_device"); cache changes are written in
// one transaction at most once a second (kCacheFlushDelay) and when the provider is destroyed, so a
// crash loses at most the last second of cached reads, never a pending command.
// Thread: engine thread. Device answers that arrive after destruction are dropped.
class ProxyProvider final : public datamodel::Provider {
 public:
  // Progress of embedded commands: state is Pending, Retrying, Success or Error; `message` is
  // the reason of Retrying/Error ("" otherwise).
  using CommandListener = std::function<void(const std::string& state, const std::string& message)>;

  // `loop`, `db`, `port` and `map` are borrowed and must outlive the provider.
  // Errors: 9002 on storage errors.
  static Result<std::unique_ptr<ProxyProvider>> Create(EventLoop& loop, Db& db, CmsPort& port,
                                                       InstanceMap& map, std::string udn,
                                                       ProxyOptions options,
                                                       CommandListener on_command = {});
  ~ProxyProvider() override;
  // Deletes the stored value cache of a device (purge). Errors: 9002.
  static Status ForgetValues(Db& db, const std::string& udn);
  static constexpr Millis kCacheFlushDelay{1000};

  void SetMounts(std::vector<Mount> mounts) { mounts_ = std::move(mounts); }
  const std::vector<Mount>& mounts() const { return mounts_; }

  // Reads the supported parameters and attributes of every mount from the device and stores
  // them (types, access, EventOnChange). done(Status) with the first failure.
  void Sync(std::function<void(Status)> done);
  // The device came back (or left): back online replays pending commands at once.
  void OnlineChanged(bool online);
  // A CMS GENA event: ConfigurationUpdate changes go to the change sink (notifications);
  // SupportedParametersUpdate refreshes the metadata.
  void OnEvent(const upnp::Args& variables);
  // Events may have been lost: re-reads the notified parameters and reports differences.
  void Resync();

  size_t pending_commands() const { return commands_.size(); }
  // "" when the last Sync read the device's metadata; else which optional-in-practice actions it
  // lacks (GetSupportedParameters, GetAttributes): names and types then come from GetValues, the
  // device decides what can be written.
  const std::string& metadata_gap() const { return metadata_gap_; }
  std::optional<WallTime> last_sync() const { return last_sync_; }
  const std::string& udn() const { return udn_; }
  // Metadata known for a structure path (nullptr if none).
  const ParamMeta* Meta(const std::string& structure) const;
  // Access of a table by structure path ("/A/#/"), as the device published it or as learned from
  // a CreateInstance/DeleteInstance it accepted (kUnknown when neither). GetParameterNames shows a
  // table and its rows Writable only when kWritable; AddObject/DeleteObject on a kFixed table
  // fault 9005 without asking the device (see docs/UPNP.md "Table access").
  TableAccess AccessOf(const std::string& table_structure) const;

  // Provider.
  bool IsLocal() const override { return false; }
  void GetValues(const std::vector<std::string>& names,
                 Done<std::vector<datamodel::ParamValue>> done) override;
  void GetNames(const std::string& path, bool next_level,
                Done<std::vector<datamodel::ParamInfo>> done) override;
  void ValidateSet(const std::vector<datamodel::SetItem>& items,
                   std::function<void(std::vector<datamodel::ParamFault>)> done) override;
  void ApplySet(const std::vector<datamodel::SetItem>& items, Done<int> done) override;
  void AddObject(const std::string& table, Done<datamodel::AddResult> done) override;
  void DeleteObject(const std::string& row, Done<datamodel::DeleteResult> done) override;
  void NotificationChanged(const std::string& param, int level) override;

 private:
  ProxyProvider(EventLoop& loop, Db& db, CmsPort& port, InstanceMap& map, std::string udn,
                ProxyOptions options, CommandListener on_command);
  struct TableMeta {
    bool writable = false;
    bool learned = false;  // from an accepted Create/DeleteInstance, not published
  };
  using TableMap = std::map<std::string, TableMeta>;  // table structure path -> access
  struct Command {
    int64_t id = 0;
    std::vector<upnp::cms::ParameterValue> values;
    int tries = 0;
  };

  const Mount* MountOf(const std::string& cwmp_name) const;
  const Mount* MountOfUpnp(const std::string& upnp_path) const;
  Result<std::string> ToUpnp(const std::string& cwmp_name) const;
  // The CWMP value of a device answer (type from TR-181 or the metadata).
  Result<datamodel::ParamValue> FromDevice(const upnp::cms::ParameterValue& pv);
  datamodel::Syntax SyntaxOf(const std::string& cwmp_name, const std::string& upnp_path) const;
  std::vector<datamodel::ParamValue> FromCache(const std::vector<std::string>& names,
                                               Status* missing) const;
  Status LoadState();
  Status StoreMeta();
  // Parameters into meta_; tables' access (nodes) into `tables` (nullptr: tables_).
  void MergeAttributes(const std::vector<upnp::cms::NodeAttributes>& nodes,
                       TableMap* tables = nullptr);
  // The table structure paths ("/A/#/", "/A/#/B/#/") of the supported structure.
  std::vector<std::string> Tables() const;
  // Records the access a device published for the tables of `nodes` (paths ending '/').
  void MergeTableAccess(const std::vector<upnp::cms::NodeAttributes>& nodes, TableMap* tables);
  // A table of unknown access on which the device accepted CreateInstance/DeleteInstance:
  // remembered (and stored) as writable.
  void LearnWritable(const std::string& table_structure);
  // Structure and (permissive) metadata from values read, for a device without the actions.
  void LearnFromValues(const std::vector<datamodel::ParamValue>& values);
  void ValidateItems(const std::vector<datamodel::SetItem>& items,
                     std::function<void(std::vector<datamodel::ParamFault>)> done);
  Result<upnp::cms::ParameterValue> Translate(const datamodel::SetItem& item) const;
  // Embedded delivery.
  Status Enqueue(std::vector<upnp::cms::ParameterValue> values);
  void Deliver();
  void Delivered(const upnp::Reply<std::string>& r);
  Status DropHead();
  void Report(const std::string& state, const std::string& message);
  void NamesFrom(const std::string& path, bool next_level, const std::vector<std::string>& rows,
                 Done<std::vector<datamodel::ParamInfo>> done);
  // Adds the UPnP rows ("/A/3/", "/A/3/B/1/") that the CWMP parameter `name` lies in.
  void AddRowsOf(const std::string& name, std::set<std::string>* rows) const;
  // NamesFrom with the rows of the values under `path` (a device without GetInstances).
  void NamesFromValues(const std::string& path, bool next_level,
                       Done<std::vector<datamodel::ParamInfo>> done);
  // NamesFrom with the rows seen in the value cache (device offline or failing, embedded mode).
  void NamesFromCache(const std::string& path, bool next_level,
                      Done<std::vector<datamodel::ParamInfo>> done);
  void ReportChanges(const std::vector<upnp::cms::ParameterValue>& changed);
  // Event changes through the coalescing window (options.event_coalesce).
  void Coalesce(const std::vector<upnp::cms::ParameterValue>& changed);
  void FlushEvents();
  static constexpr size_t kMaxHeldEvents = 4096;  // distinct paths held in one window
  // Counts (and logs, rate-limited) what a device answer held that cannot be forwarded.
  void Dropped(uint64_t unasked, uint64_t bad_names, const std::string& example);
  std::function<bool()> Alive() const;
  // The value cache: every change goes through these (persisted by FlushCache).
  void CachePut(const datamodel::ParamValue& v);
  void CacheEraseUnder(const std::string& prefix);
  void MarkDirty(const std::string& name);
  Status FlushCache();

  EventLoop& loop_;
  Db& db_;
  CmsPort& port_;
  InstanceMap& map_;
  std::string udn_;
  ProxyOptions options_;
  CommandListener on_command_;
  std::vector<Mount> mounts_;
  std::map<std::string, ParamMeta> meta_;  // structure path -> metadata
  std::set<std::string> structure_;        // supported structure paths (leaves and nodes)
  TableMap tables_;                        // table structure path "/A/#/" -> access
  std::map<std::string, datamodel::ParamValue> cache_;  // CWMP name -> last value read
  std::map<std::string, int> notified_;                 // CWMP name -> Notification level (>= 1)
  std::deque<Command> commands_;
  bool delivering_ = false;
  std::optional<EventLoop::TimerId> retry_timer_;
  std::set<std::string> dirty_;  // cache entries changed (or erased) since the last flush
  std::optional<EventLoop::TimerId> flush_timer_;
  std::optional<WallTime> last_sync_;
  std::optional<std::string> supported_update_;  // last SupportedParametersUpdate value seen
  std::string metadata_gap_;
  int syncs_running_ = 0;
  std::map<std::string, std::string> held_events_;  // UPnP path -> latest value in the window
  std::optional<EventLoop::TimerId> event_timer_;
  log::Throttle drop_log_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace proxier::proxy
