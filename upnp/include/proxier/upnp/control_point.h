// ControlPoint: finds UPnP (DM) devices on the LAN interface, keeps their leases and
// descriptions, sends actions and keeps GENA subscriptions to their DM services.
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

#include "proxier/common/clock.h"
#include "proxier/common/event_loop.h"
#include "proxier/common/log.h"
#include "proxier/common/status.h"
#include "proxier/upnp/description.h"
#include "proxier/upnp/soap.h"

namespace proxier::upnp {

class SsdpSocket;
class HttpWorker;
class GenaClient;
struct SsdpMessage;

enum class LeaseStatus { kActive, kExpired, kByebye };
// "LeaseActive", "LeaseExpired", "ByebyeReceived" (TR-181 Discovery Status values).
const char* LeaseStatusName(LeaseStatus status);

// What SSDP said about one device UUID or one service USN.
struct Advertisement {
  std::string usn;
  LeaseStatus status = LeaseStatus::kActive;
  uint32_t lease_time = 0;  // CACHE-CONTROL max-age, seconds
  std::string location;
  std::string server;
  WallTime last_update{};
  SteadyTime expires{};
};

// One root device and everything announced from its description URL.
struct RootDevice {
  std::string uuid;  // root UUID without "uuid:" ("" until known)
  // True while `uuid` comes from a device or service USN only (no upnp:rootdevice seen, no
  // description yet): the best name known for a device that only answers service searches.
  bool provisional_uuid = false;
  std::string location;
  std::string source_ip;   // where its SSDP came from (= LOCATION host)
  SteadyTime last_seen{};  // last datagram accepted for it
  std::optional<uint32_t> boot_id;
  std::optional<uint32_t> config_id;
  std::map<std::string, Advertisement> devices;  // UUID (root and embedded) -> advertisement
  // Service USN without the version ("uuid:X::urn:...:service:Name") -> advertisement (whose
  // `usn` has the highest version seen).
  std::map<std::string, Advertisement> services;
  std::optional<Description> description;
  std::string description_error;      // why the last fetch failed ("" if none)
  uint32_t description_failures = 0;  // fetches failed in a row

  // The root's own advertisement (nullptr until the root UUID is known and advertised).
  const Advertisement* root() const;
  LeaseStatus status() const;
  bool dm_capable() const { return description && description->IsDmCapable(); }
};

enum class DeviceChange {
  kAdded,      // first advertisement of a new root device
  kUpdated,    // lease refreshed, new embedded device/service advertisement, status of a part
  kDescribed,  // description fetched (or refetched) and parsed
  kByebye,     // root device said byebye
  kExpired,    // root device lease ran out
  kReturned,   // alive again after byebye/expiry
  kRebooted,   // BOOTID.UPNP.ORG changed
  // Forgotten by the control point (evicted under a cap, or its identity moved elsewhere): the
  // reference is valid only during the call, Find() no longer returns it.
  kRemoved,
};

// Receives registry and event news. Thread: engine thread; may call the ControlPoint back but
// must not destroy it from inside a callback.
class Listener {
 public:
  virtual ~Listener() = default;
  virtual void OnDevice(const RootDevice& /*device*/, DeviceChange /*change*/) {}
  // GENA variables of a DM service of `uuid` (the root UUID), SEQ checked.
  virtual void OnEvent(const std::string& /*uuid*/, DmService /*service*/,
                       const Args& /*variables*/) {}
  // Events may have been lost (SEQ gap, failed renewal, re-subscription): re-read the state.
  virtual void OnResync(const std::string& /*uuid*/, DmService /*service*/,
                        const std::string& /*reason*/) {}
  // Another address announced (or described) the UDN of `uuid` while its lease is alive: the
  // device stays where it is (identity pinning); `what` says who and where. Repeated at most
  // once per conflict_check per device.
  virtual void OnConflict(const std::string& /*uuid*/, const std::string& /*what*/) {}
};

// Outcome of one action. `status` is ok, or 9002 with a message (timeout, transport, malformed
// answer, "UPnP error <code> <name>: <description>"); `upnp_error` carries the device's UPnP
// error code (401, 402, 501, 600-606, 701-708, ...) or 0 when the failure was not a UPnPError.
struct ActionOutcome {
  Status status;
  int upnp_error = 0;
  std::string upnp_description;
  Args out;
  bool ok() const { return status.ok(); }
  // Output argument by name; "" if absent.
  std::string Out(const std::string& name) const;
};

struct ControlPointOptions {
  std::string interface = "lo";             // LAN interface; all UPnP traffic stays on it
  std::string ip;                           // its IPv4 (found from the interface when empty)
  uint16_t port = 0;                        // GENA event (NOTIFY) server port (0 = any)
  uint16_t ssdp_port = 0;                   // unicast SSDP port (0 = any)
  std::vector<std::string> search_targets;  // empty: the DM service types, versions 1 and 2
  Seconds search_interval{300};
  int search_mx = 2;
  Millis action_timeout{10000};
  Millis description_timeout{5000};
  DescriptionLimits description_limits;
  // Flood protection (every refusal is counted in Stats and logged, rate-limited). Past a cap a
  // root that never described itself, or whose lease ended, is evicted to make room; a live
  // described device never is.
  size_t max_devices = 1024;         // root devices kept in all
  size_t max_devices_per_host = 64;  // root devices kept per sending address
  size_t max_parts_per_device = 64;  // UUIDs + service USNs kept per root device
  uint32_t ssdp_rate = 500;          // datagrams per second accepted per address (burst 4x)
  size_t ssdp_hosts_tracked = 4096;  // addresses the rate limiter remembers
  Millis update_coalesce{500};       // lease refreshes of one root are reported this often
  Seconds conflict_check{30};        // a pinned device's LOCATION is re-read at most this often
  // An address whose descriptions failed this often within failure_window announces no new
  // root device until the window has passed (LOCATIONs that never answer cost fetches, rows).
  uint32_t max_failures_per_host = 16;
  Seconds failure_window{60};
  bool auto_subscribe = true;  // subscribe to CMS/BMS/SMS of DM-capable devices
  int subscription_timeout_s = 1800;
  Millis gena_timeout{5000};                // one SUBSCRIBE / renewal / UNSUBSCRIBE exchange
  size_t max_event_bytes = 65536;           // largest NOTIFY body accepted
  unsigned gena_max_connections = 256;      // NOTIFY connections open at once
  unsigned gena_per_host_connections = 64;  // of them from one address
};

// Thread: engine thread only (the loop's). Nothing here blocks: SSDP is non-blocking on the loop,
// HTTP (descriptions, actions, GENA SUBSCRIBE/UNSUBSCRIBE) runs on the HttpWorker thread, GENA
// NOTIFYs arrive through a libmicrohttpd server on the loop. libupnp is not used by the control
// point (only by the device side, upnp-dm-sim).
class ControlPoint {
 public:
  using ActionDone = std::function<void(ActionOutcome)>;

  // Resolves the interface. Errors: 9003 bad interface (or no IPv4 on it).
  static Result<std::unique_ptr<ControlPoint>> Create(EventLoop& loop, ControlPointOptions options);
  ~ControlPoint();
  ControlPoint(const ControlPoint&) = delete;
  ControlPoint& operator=(const ControlPoint&) = delete;

  // Opens the SSDP sockets, starts the GENA event server and searches (then every
  // search_interval). Errors: 9002 (a socket or the event server cannot be set up).
  Status Start();
  // Cancels subscriptions (UNSUBSCRIBE sent asynchronously), closes sockets, stops timers.
  void Stop();
  // No GENA request is waiting for its answer (after Stop(): every UNSUBSCRIBE is answered or
  // timed out, each within options.gena_timeout).
  bool GenaIdle() const;
  // CALLBACK URL of the current subscription to a DM service of `uuid` ("" if none).
  std::string GenaCallback(const std::string& uuid, DmService service) const;
  // One search round now (each target twice, 100 ms apart).
  void Search();

  // Listeners are borrowed; remove before destroying them.
  void AddListener(Listener* listener);
  void RemoveListener(Listener* listener);

  // Root device by root UUID, or nullptr.
  const RootDevice* Find(const std::string& uuid) const;
  std::vector<const RootDevice*> Devices() const;

  // Sends `action` to the first `service` of the device tree of root `uuid`. `done` always runs
  // later on the loop (never inside Invoke), after at most `timeout` (default
  // options.action_timeout). Unknown device/service or an offline device: 9002 at once.
  void Invoke(const std::string& uuid, DmService service, const std::string& action,
              const Args& args, ActionDone done, std::optional<Millis> timeout = std::nullopt);

  // Re-subscribes to the DM services of `uuid` (the owner asks after its own resync).
  void Resubscribe(const std::string& uuid);

  struct Stats {
    uint64_t ssdp_messages = 0;
    uint64_t ssdp_malformed = 0;      // datagrams that are no SSDP, or not ASCII where they must be
    uint64_t ssdp_refused = 0;        // LOCATION host != sender, bad USN or UUID, foreign byebye
    uint64_t ssdp_rate_limited = 0;   // over ssdp_rate from one address
    uint64_t devices_refused = 0;     // new roots over max_devices / max_devices_per_host
    uint64_t parts_refused = 0;       // UUIDs/USNs over max_parts_per_device or not described
    uint64_t devices_evicted = 0;     // roots forgotten to make room
    uint64_t identity_conflicts = 0;  // a live device's UDN announced from elsewhere
    uint64_t descriptions_ok = 0;
    uint64_t descriptions_failed = 0;
    uint64_t actions = 0;
    uint64_t events = 0;
    uint64_t seq_gaps = 0;
    uint64_t subscriptions = 0;
    uint64_t renewals = 0;
    uint64_t failed_renewals = 0;
    uint64_t ssdp_stale = 0;       // search answers with the BOOTID a device has just left
    uint64_t unsubscriptions = 0;  // UNSUBSCRIBEs sent
    // Answers to SUBSCRIBE/UNSUBSCRIBE (== subscriptions + unsubscriptions: none is out).
    uint64_t gena_answers = 0;
    uint64_t gena_refused = 0;  // NOTIFYs refused (wrong sender, unknown path/SID, size, body)
  };
  Stats stats() const;
  const std::string& ip() const;
  uint16_t http_port() const;
  const ControlPointOptions& options() const { return options_; }
  EventLoop& loop() { return loop_; }

 private:
  ControlPoint(EventLoop& loop, ControlPointOptions options);
  void OnSsdp(const SsdpMessage& m, const std::string& from_ip);
  void OnAlive(const SsdpMessage& m, const std::string& from_ip);
  void OnByebye(const SsdpMessage& m, const std::string& from_ip);
  void Fetch(const std::string& location);
  void FetchDone(const std::string& ip);
  void OnDescription(const std::string& location, Result<Description> d);
  void Sweep();
  void Notify(const RootDevice& d, DeviceChange change);
  // Lease refreshes are reported once per update_coalesce (a burst of N datagrams costs O(N)).
  void NotifyLater(const std::string& location);
  void FlushUpdates();
  RootDevice* ByUuid(const std::string& uuid);
  void SubscribeAll(RootDevice& d);
  // Ingress guard (control_point_guard.cc).
  enum class Refusal { kMalformed, kRate, kDeviceCap, kPartCap, kConflict };
  void Refused(Refusal kind, const std::string& from, const std::string& what);
  bool WithinRate(const std::string& from_ip);
  // Makes room for a new root from `from_ip`; false when every candidate is a live device.
  bool MakeRoom(const std::string& from_ip);
  void Evict(const std::string& location, const std::string& why);
  // True when the UDN `uuid` may be taken for `location`; otherwise reports a conflict and
  // (rate-limited) re-reads the current owner's description to see whether it is still there.
  bool MayClaim(const std::string& uuid, const std::string& location, const std::string& from_ip);
  void CheckOwner(const std::string& location);
  void PruneToDescription(RootDevice& d);

  EventLoop& loop_;
  ControlPointOptions options_;
  std::unique_ptr<SsdpSocket> ssdp_;
  std::unique_ptr<HttpWorker> http_;
  std::unique_ptr<GenaClient> gena_;
  std::vector<Listener*> listeners_;
  std::map<std::string, RootDevice> roots_;           // by LOCATION
  std::map<std::string, std::string> uuid_location_;  // any device UUID -> LOCATION
  std::map<std::string, SteadyTime> fetch_after_;     // LOCATION -> earliest refetch
  std::map<std::string, uint64_t> fetching_;          // LOCATION -> HTTP request of its description
  struct FetchQueue {
    int in_flight = 0;
    std::deque<std::string> waiting;  // LOCATIONs
  };
  std::map<std::string, FetchQueue> fetch_queues_;  // sending address -> its fetches
  static constexpr int kFetchesPerHost = 4;
  std::set<std::string> owner_checks_;  // LOCATIONs re-read because of a conflict
  struct BootChange {
    uint32_t previous;  // the BOOTID before the change
    SteadyTime until;   // answers to earlier searches may arrive until then
  };
  std::map<std::string, BootChange> boot_changes_;  // LOCATION -> last BOOTID change
  std::vector<EventLoop::TimerId> timers_;
  std::set<std::string> pending_updates_;  // LOCATIONs with a lease refresh not reported yet
  std::optional<EventLoop::TimerId> update_timer_;
  struct Bucket {
    double tokens = 0;
    SteadyTime last{};
  };
  std::map<std::string, Bucket> buckets_;        // sending address -> SSDP rate bucket
  std::map<std::string, size_t> per_host_;       // sending address -> roots kept
  std::map<std::string, SteadyTime> conflicts_;  // root UUID -> last conflict reported
  std::map<std::string, SteadyTime> checks_;     // LOCATION -> last owner check
  struct Failures {
    uint32_t count = 0;
    SteadyTime since{};
  };
  std::map<std::string, Failures> failures_;  // sending address -> recent description failures
  bool FailingHost(const std::string& ip);
  Stats stats_;
  std::map<Refusal, log::Throttle> refusal_log_;
  log::Throttle gena_log_;      // refused NOTIFYs
  log::Throttle evict_log_;     // roots forgotten
  log::Throttle describe_log_;  // descriptions refused
  bool started_ = false;
};

}  // namespace proxier::upnp
