// ProxyManager: the rows a device owns in the gateway's data model (mapping.md §5, proxy.md §2).
#include <algorithm>

#include "proxier/common/log.h"
#include "proxier/common/text.h"
#include "proxier/datamodel/value.h"
#include "proxier/proxy/proxy_manager.h"
#include "proxy_manager_internal.h"

namespace proxier::proxy {
namespace {

constexpr char kEmbedded[] = "Device.ManagementServer.EmbeddedDevice.";
constexpr char kSdm[] = "Device.DeviceInfo.SupportedDataModel.";
constexpr char kRootDevice[] = "Device.UPnP.Discovery.RootDevice.";

// Makes sure row `*n` of `table` exists (the same number again when possible).
Status EnsureRow(datamodel::DataModel& model, const std::string& table, uint32_t* n) {
  auto rows = model.store()->Rows(table);
  if (!rows.ok()) return rows.status();
  if (*n && std::find(rows->begin(), rows->end(), *n) != rows->end()) return Status::Ok();
  auto added = model.AddRowInternal(table, *n ? std::optional<uint32_t>(*n) : std::nullopt);
  if (!added.ok() && *n) added = model.AddRowInternal(table);
  if (!added.ok()) return added.status();
  *n = added->instance;
  return Status::Ok();
}

}  // namespace

void ProxyManager::SetRow(const std::string& row, const std::string& param,
                          const std::string& value) {
  const std::string name = row + param;
  auto current = gateway_.store()->Get(name);
  if (current.ok() && *current == value) return;
  Status st = gateway_.SetInternal(name, value);
  if (!st.ok()) PX_LOG(kWarning, "proxy") << name << ": " << st.message();
}

Status ProxyManager::WriteProxyRow(Device& d) {
  const std::string table = "Device." + options_.vendor_prefix + "Proxy.Device.";
  PX_RETURN_IF_ERROR(EnsureRow(gateway_, table, &d.proxy_n));
  const std::string row = table + std::to_string(d.proxy_n) + ".";
  std::string reason;
  std::string wanted = Wanted(d, &reason);
  SetRow(row, "UDN", d.udn);
  SetRow(row, "FriendlyName", text::CleanLabel(d.friendly_name, 128));
  SetRow(row, "Mode", wanted);
  SetRow(row, "EffectiveMode", d.mode.empty() ? "ignore" : d.mode);
  // The mode's reason first; an identity conflict (issue 10) is said after it.
  std::string shown = d.reason;
  if (!d.conflict.empty()) shown += (shown.empty() ? "" : "; ") + d.conflict;
  SetRow(row, "Reason", text::CleanLabel(shown, 256));
  SetRow(row, "Online", d.online ? "true" : "false");
  return Status::Ok();
}

Status ProxyManager::WriteEmbeddedRows(Device& d) {
  const std::string vp = options_.vendor_prefix;
  const std::string ptable = "Device." + vp + "ProxiedDevice.";
  PX_RETURN_IF_ERROR(EnsureRow(gateway_, ptable, &d.proxied_n));
  const std::string prow = ptable + std::to_string(d.proxied_n) + ".";
  auto name = gateway_.store()->Get(prow + "Name");
  if (name.ok() && name->empty()) SetRow(prow, "Name", text::CleanLabel(d.friendly_name, 64));
  SetRow(prow, "Type", text::CleanLabel(d.device_type, 64));
  SetRow(prow, "Description", text::CleanLabel(d.model_description, 256));
  SetRow(prow, "Online", d.online ? "true" : "false");
  if (d.online)
    SetRow(prow, "LastTimeContacted", datamodel::FormatDateTime(loop_.clock().WallNow()));
  SetRow(prow, "ProxyProtocol", "UPnP-DM");
  SetRow(prow, "UDN", d.udn);

  PX_RETURN_IF_ERROR(EnsureRow(gateway_, kEmbedded, &d.embedded_n));
  const std::string erow = kEmbedded + std::to_string(d.embedded_n) + ".";
  SetRow(erow, "ControllerID", "");
  SetRow(erow, "ProxiedDeviceID", d.udn);
  SetRow(erow, "Reference", prow.substr(0, prow.size() - 1));
  SetRow(erow, "ProxyProtocol", "UPnP-DM");
  SetRow(erow, "DiscoveryProtocol", "UPnP");
  if (discovery_) SetRow(erow, "DiscoveryProtocolReference", discovery_->RowOf(kRootDevice, d.udn));
  auto cp = gateway_.store()->Get(erow + "CommandProcessed");
  if (cp.ok() && cp->empty()) SetRow(erow, "CommandProcessed", "Success");
  return Status::Ok();
}

Status ProxyManager::WriteSupportedDataModels(Device& d) {
  std::vector<uint32_t> keep;
  std::string refs;
  for (size_t i = 0; i < d.subtrees.size(); ++i) {
    const auto& t = d.subtrees[i];
    uint32_t n = i < d.sdm_rows.size() ? d.sdm_rows[i] : 0;
    PX_RETURN_IF_ERROR(EnsureRow(gateway_, kSdm, &n));
    const std::string row = kSdm + std::to_string(n) + ".";
    SetRow(row, "URL", text::CleanLabel(t.url.empty() ? t.uri : t.url, 256));
    SetRow(row, "URN", text::CleanLabel(t.uri, 256));
    SetRow(row, "UUID", d.udn);
    keep.push_back(n);
    refs += (refs.empty() ? "" : ",") + row.substr(0, row.size() - 1);
  }
  for (size_t i = d.subtrees.size(); i < d.sdm_rows.size(); ++i) {
    auto r = gateway_.DeleteRowInternal(kSdm + std::to_string(d.sdm_rows[i]) + ".");
    if (!r.ok()) PX_LOG(kWarning, "proxy") << d.udn << ": " << r.status();
  }
  d.sdm_rows = keep;
  if (d.embedded_n) {
    SetRow(kEmbedded + std::to_string(d.embedded_n) + ".", "SupportedDataModel", refs);
  }
  return Status::Ok();
}

void ProxyManager::DropEmbeddedRows(Device& d) {
  std::vector<std::string> rows;
  if (d.embedded_n) rows.push_back(kEmbedded + std::to_string(d.embedded_n) + ".");
  for (uint32_t n : d.sdm_rows) rows.push_back(kSdm + std::to_string(n) + ".");
  if (d.proxied_n) {
    rows.push_back("Device." + options_.vendor_prefix + "ProxiedDevice." +
                   std::to_string(d.proxied_n) + ".");
  }
  for (const auto& row : rows) {
    auto r = gateway_.DeleteRowInternal(row);
    if (!r.ok()) PX_LOG(kDebug, "proxy") << row << ": " << r.status();  // already gone
  }
  d.sdm_rows.clear();
}

void ProxyManager::OnCommand(const std::string& udn, const std::string& state,
                             const std::string& message) {
  auto it = devices_.find(udn);
  if (it == devices_.end() || !it->second->embedded_n) return;
  const std::string row = kEmbedded + std::to_string(it->second->embedded_n) + ".";
  SetRow(row, "CommandProcessed", state);
  SetRow(row, "CommandProcessingErrMsg", text::CleanLabel(message, 1024));
  if (state == "Success") {
    SetRow(row, "LastSyncTime", datamodel::FormatDateTime(loop_.clock().WallNow()));
  }
}

}  // namespace proxier::proxy
