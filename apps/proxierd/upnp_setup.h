// The LAN side of proxierd: the UPnP control point on [upnp] interface, the
// Device.UPnP.Discovery./Description. tables it feeds, and the proxy of UPnP DM devices.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "proxier/common/event_loop.h"
#include "proxier/common/sqlite.h"
#include "proxier/core/connection_request_server.h"
#include "proxier/core/gateway_model.h"
#include "proxier/core/http_client.h"
#include "proxier/datamodel/computed_provider.h"
#include "proxier/datamodel/schema.h"
#include "proxier/proxy/discovery_tables.h"
#include "proxier/proxy/proxy_manager.h"
#include "proxier/upnp/control_point.h"
#include "proxier/upnp/dm_client.h"
#include "proxier/virtual_devices/virtual_devices.h"

namespace proxier::app {

// What the LAN side borrows from the daemon; everything must outlive the UpnpSide.
struct UpnpSideDeps {
  EventLoop& loop;
  Db& db;
  core::GatewayModel& gateway;  // model() and store() of the gateway's own root
  const DaemonConfig& config;
  const datamodel::Schema& schema;  // the gateway's (types of BBF paths)
  // For the virtual devices: their HTTP client, connection-request server (own path each),
  // randomness, first-boot ManagementServer values and transfer directory (work_dir/vd<n>).
  Random& random;
  core::HttpClient& http;
  core::ConnectionRequestServer& cr_server;
  std::vector<datamodel::SetItem> acs_seed;
  std::string work_dir;
};

// [upnp] values as control point options (SSDP and HTTP only on the configured interface).
upnp::ControlPointOptions ControlPointOptionsFrom(const DaemonConfig& config);

// Hands the control point's callbacks to `targets`, in order, inside one SQLite transaction: what
// one SSDP or GENA event changes (Discovery/Description rows, the proxy's rows, a device handed to
// a virtual host) is stored with one commit instead of one per value, about 70 for a device that
// appears. Targets are borrowed and must outlive it.
class BatchingListener final : public upnp::Listener {
 public:
  BatchingListener(Db& db, std::vector<upnp::Listener*> targets)
      : db_(db), targets_(std::move(targets)) {}
  void OnDevice(const upnp::RootDevice& device, upnp::DeviceChange change) override;
  void OnEvent(const std::string& uuid, upnp::DmService service,
               const upnp::Args& variables) override;
  void OnResync(const std::string& uuid, upnp::DmService service,
                const std::string& reason) override;
  void OnConflict(const std::string& uuid, const std::string& what) override;

 private:
  template <typename F>
  void Batch(F&& each);
  Db& db_;
  std::vector<upnp::Listener*> targets_;
};

// Owns the control point, its DmClient, the discovery tables, the ProxyManager (embedded mode)
// and the VirtualDevices (virtual mode) it hands devices to.
// Thread: engine thread.
class UpnpSide {
 public:
  // Builds the parts without starting the control point. Returns nullptr after logging an error
  // when the control point cannot be created (unknown interface, no IPv4 on it, GENA port in
  // use) or the tables cannot be loaded: the daemon then runs the gateway without UPnP.
  static std::unique_ptr<UpnpSide> Create(const UpnpSideDeps& deps);
  ~UpnpSide();
  UpnpSide(const UpnpSide&) = delete;
  UpnpSide& operator=(const UpnpSide&) = delete;

  // Opens the SSDP sockets and starts searching. Logs and returns false on failure.
  bool Start();
  // Stops the proxy and the control point (UNSUBSCRIBEs go out asynchronously); idempotent.
  void Stop();

  // SIGHUP: the [proxy] rules of a freshly read configuration replace the running ones and every
  // device's mode is decided again (the ACS's per-device Mode still wins).
  void ReloadRules(const DaemonConfig& config);

  upnp::ControlPoint& control_point() { return *cp_; }
  upnp::DmClient& dm_client() { return *dm_; }
  proxy::DiscoveryTables& discovery_tables() { return *tables_; }
  proxy::ProxyManager& proxy_manager() { return *manager_; }
  virtual_devices::VirtualDevices& virtual_devices() { return *vd_; }

 private:
  explicit UpnpSide(const UpnpSideDeps& deps) : deps_(deps) {}
  // The LAN refusal counters (Device.UPnP.Discovery.X_<OUI>_*), read from the control point.
  void MountCounters();

  UpnpSideDeps deps_;
  // Destroyed bottom-up: the control point goes before the listeners it calls.
  std::unique_ptr<proxy::DiscoveryTables> tables_;
  std::unique_ptr<upnp::ControlPoint> cp_;
  std::unique_ptr<upnp::DmClient> dm_;
  std::unique_ptr<virtual_devices::DmClientActions> actions_;
  // Declared after dm_: destroyed before the DmClient and the control point they use; the
  // manager (which calls the virtual host) before the virtual devices.
  std::unique_ptr<virtual_devices::VirtualDevices> vd_;
  std::unique_ptr<proxy::ProxyManager> manager_;
  std::unique_ptr<BatchingListener> listener_;  // the tables, then the manager
  datamodel::ComputedProvider counters_;
  proxy::ProxyCounters proxy_counters_;  // every device's ProxyProvider adds to it
  std::vector<std::string> counter_names_;
  bool started_ = false;
};

}  // namespace proxier::app
