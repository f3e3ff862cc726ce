// InstanceMap: the persistent CWMP instance number <-> UPnP instance index map of one device
// (mapping.md §2.2), and the path translation that uses it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "proxier/common/sqlite.h"
#include "proxier/common/status.h"
#include "proxier/proxy/mapping.h"

namespace proxier::proxy {

// Per (UDN, UPnP table path) a bidirectional map. A table path is the UPnP node of the table with
// its parents' UPnP indexes ("/BBF/WiFi/SSID/", "/UPnP/DM/Storage/Volume/1/Share/"). Preferred
// CWMP number for UPnP index k: k+1 in a BBF subtree; k (k >= 1) else k+1 in a native one; if
// taken, the next free. CWMP numbers are >= 1 and never given to another UPnP instance: a
// forgotten instance keeps its number retired. Every allocation is committed before it is used.
// Thread: engine thread.
class InstanceMap {
 public:
  // Loads the map of `udn` from `db` (borrowed; module "proxy_instance"). Errors: 9002.
  static Result<std::unique_ptr<InstanceMap>> Open(Db& db, std::string udn);

  // The CWMP number of UPnP index `k` of `table`, allocated (and stored) when new.
  // Errors: 9002 on storage errors, 9004 when numbers run out.
  Result<uint32_t> ToCwmp(const std::string& table, uint32_t k, bool bbf);
  // The UPnP index of CWMP number `n` of `table`. An unmapped number that is not retired maps by
  // the preferred rule in reverse when that index is free (a row the ACS names before we listed
  // it); otherwise nullopt.
  std::optional<uint32_t> ToUpnp(const std::string& table, uint32_t n, bool bbf) const;
  // UPnP index `k` of `table` no longer exists: its number is retired. Errors: 9002.
  Status Forget(const std::string& table, uint32_t k);
  // Forgets every table at/below `table_prefix` (a deleted row's subtables). Errors: 9002.
  Status ForgetBelow(const std::string& upnp_row);

  // CWMP name (under m.cwmp) -> UPnP path (under m.upnp); partial paths stay nodes. Errors: 9005
  // for a name outside the mount or an unknown instance number.
  Result<std::string> ToUpnpPath(const Mount& m, const std::string& cwmp_name) const;
  // UPnP path (under m.upnp) -> CWMP name, allocating numbers for new instances. Trust boundary:
  // every name segment must be a CWMP name (IsNameSegment, a leading digit gets '_') and the
  // name at most kMaxNameLength long. Errors: 9005 for a path outside the mount or a name the
  // ACS cannot be given, 9004 when the device has max_live instances already, 9002 on storage
  // errors.
  Result<std::string> ToCwmpName(const Mount& m, const std::string& upnp_path);
  // Live instances one device may have in all (its tables together); a device that reports more
  // gets 9004 for the rest. Never-reused numbers are stored per instance: this bounds the store.
  void set_max_live(size_t n) { max_live_ = n; }
  static constexpr size_t kDefaultMaxLive = 16384;

 private:
  InstanceMap(Db& db, std::string udn) : db_(db), udn_(std::move(udn)) {}
  struct Table {
    std::map<uint32_t, uint32_t> by_upnp;  // k -> n
    std::map<uint32_t, uint32_t> by_cwmp;  // n -> k (live)
    std::set<uint32_t> used;               // every n ever given (live or retired)
  };
  Status Store(const std::string& table, uint32_t n, std::optional<uint32_t> k);

  Db& db_;
  std::string udn_;
  std::map<std::string, Table> tables_;
  size_t live_ = 0;
  size_t max_live_ = kDefaultMaxLive;
};

}  // namespace proxier::proxy
