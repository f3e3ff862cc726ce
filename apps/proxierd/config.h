// proxierd's configuration file (TOML, see etc/proxierd.toml): parsing and validation.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "proxier/common/log.h"
#include "proxier/common/status.h"
#include "proxier/core/http_client.h"

namespace proxier::app {

struct ProxyRule {
  // udn, device_type, manufacturer, model_name, friendly_name -> glob (all must match)
  std::map<std::string, std::string> match;
  std::string mode;  // embedded | virtual | ignore
};

struct DaemonConfig {
  // [device]
  std::string manufacturer = "Proxier";
  std::string oui = "02C0DE";
  std::string product_class = "ProxierGW";
  std::string serial_number = "PX0001";
  std::string model_name = "Proxier Gateway";
  std::string hardware_version = "1.0";
  // [acs]
  std::string acs_url;
  std::string acs_username;
  Secret acs_password;
  std::string ca_file;
  std::string client_cert;
  std::string client_key;
  bool periodic_inform_enable = true;
  uint32_t periodic_inform_interval = 3600;
  uint32_t retry_min_wait = 5;       // CWMPRetryMinimumWaitInterval (first boot)
  uint32_t retry_multiplier = 2000;  // CWMPRetryIntervalMultiplier (first boot)
  // [connection_request]
  std::string cr_listen = "0.0.0.0:7547";
  std::string cr_username;
  Secret cr_password;
  uint32_t cr_rate_limit = 30;  // token bucket: burst, refilled at this many per window
  uint32_t cr_rate_window_seconds = 60;
  std::string cr_advertised_host;  // host put in ConnectionRequestURL ("" = derive)
  // [storage]
  std::string storage_path = "/var/lib/proxier/proxier.db";
  // [datamodel]
  std::string defs_dir;  // "" = built-in default
  // [upnp] the UPnP control point on the LAN
  bool upnp_enabled = true;
  std::string upnp_interface = "br-lan";  // SSDP, descriptions, actions and GENA only on it
  std::string upnp_ip;                    // its IPv4 ("" = the interface's first address)
  uint16_t upnp_port = 0;                 // GENA event (NOTIFY) server port (0 = any)
  uint32_t upnp_search_interval = 300;    // seconds between M-SEARCH rounds
  uint32_t upnp_action_timeout_ms = 10000;
  // LAN flood protection (every refusal is logged, rate-limited, and counted in
  // Device.UPnP.Discovery.X_<OUI>_Refused*).
  uint32_t upnp_max_devices = 1024;          // root devices kept in all
  uint32_t upnp_max_devices_per_host = 64;   // root devices kept per LAN address
  uint32_t upnp_max_parts_per_device = 64;   // UUIDs + services kept per root device
  uint32_t upnp_ssdp_rate = 500;             // SSDP datagrams per second per address (burst 4x)
  uint32_t upnp_gena_timeout_ms = 5000;      // one SUBSCRIBE / renewal / UNSUBSCRIBE
  uint32_t upnp_max_event_bytes = 65536;     // largest GENA NOTIFY body
  uint32_t upnp_max_failures_per_host = 16;  // failed descriptions in 60 s before an address
                                             // may announce no new device for a while
  uint32_t upnp_gena_connections = 256;      // NOTIFY connections open at once
  uint32_t upnp_gena_connections_per_host = 64;
  // [proxy]
  std::string default_mode = "embedded";
  uint32_t purge_after = 86400;
  uint32_t proxy_retry_base_ms = 5000;  // embedded delivery retries: 5, 10, 20, ... s
  uint32_t proxy_max_tries = 5;
  uint32_t proxy_event_coalesce_ms = 2000;  // device events passed on at most once per window
  uint32_t proxy_max_instances = 16384;     // live instance numbers per device
  // Virtual devices: key of their derived connection-request passwords ("" = the
  // [connection_request] password), spread of their periodic informs (0 = one interval) and how
  // long a rebooting appliance may stay away before it counts as back.
  Secret virtual_cr_secret;
  uint32_t virtual_inform_spread = 0;
  uint32_t virtual_reboot_timeout = 300;
  std::vector<ProxyRule> rules;
  // [hooks]
  std::string hook_reboot;
  std::string hook_factory_reset;
  std::string hook_apply_firmware;
  std::string hook_apply_config;
  // [log]
  log::Level log_level = log::Level::kInfo;
  bool log_syslog = false;

  std::vector<std::string> warnings;  // unknown keys and other non-fatal remarks
};

// Parses and validates `path`. Errors: 9003 with "file:line: reason" for syntax errors, wrong
// types or invalid values (bad OUI, bad listen address, unknown mode, ...).
Result<DaemonConfig> LoadConfig(const std::string& path);
// The same from text (`path` names it in errors). A config file is at most kMaxConfigBytes; no
// content can crash the parser (the fuzz target's entry point).
Result<DaemonConfig> ParseConfig(std::string_view text, const std::string& path);
inline constexpr size_t kMaxConfigBytes = 1024 * 1024;

// TLS towards the ACS (and its file servers): always verified, [acs] ca_file/client_cert/key.
core::TlsOptions AcsTls(const DaemonConfig& config);

// Key of the virtual devices' derived connection-request passwords: [proxy] virtual_cr_secret,
// or the [connection_request] password when it is empty.
const Secret& VirtualCrSecret(const DaemonConfig& config);

// A human-readable summary without secrets.
std::string DescribeConfig(const DaemonConfig& config);

}  // namespace proxier::app
