// ProxyManager::Device: one known UPnP DM device (private to the proxy module).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxier/proxy/proxy_manager.h"

namespace proxier::proxy {

struct ProxyManager::Device {
  std::string udn;
  std::string friendly_name, device_type, manufacturer, model_name, model_description;
  std::optional<std::string> acs_mode;  // set by the ACS (wins over rules)
  std::string mode = "";                // effective: embedded | virtual | ignore | pending
  std::string reason;
  std::string virtual_refused;  // why the VirtualHost refused it later ("" = not refused)
  std::string conflict;         // another address claims its UDN ("" = none lately)
  SteadyTime conflict_at{};
  bool online = false;
  bool purged = false;
  int64_t last_seen = 0;  // epoch seconds
  uint32_t proxied_n = 0, embedded_n = 0, proxy_n = 0;
  std::vector<uint32_t> sdm_rows;  // Device.DeviceInfo.SupportedDataModel numbers
  std::vector<upnp::cms::SubTree> subtrees;
  bool synced_once = false;
  std::unique_ptr<CmsPort> port;
  std::unique_ptr<InstanceMap> map;
  std::unique_ptr<ProxyProvider> provider;  // embedded mode
  std::vector<std::string> mounted;         // CWMP prefixes mounted in the gateway's model
  bool syncing = false;
  int sync_failures = 0;  // embedded syncs failed in a row (retried with doubling waits)
};

}  // namespace proxier::proxy
