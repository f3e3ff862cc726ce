// DeviceHost: one UPnP root device served through libupnp (description over HTTP, SOAP control,
// GENA subscriptions and NOTIFY). Used by the simulator; SSDP is SsdpAdvertiser's job.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "proxier/upnp/soap.h"
#include "proxier/upnp/stack.h"

namespace proxier::upnp {

struct DeviceAction {
  std::string udn;  // "uuid:..." of the (embedded) device addressed
  std::string service_id;
  std::string service_type;
  std::string action;
  Args args;
};

struct DeviceReply {
  int error = 0;  // UPnP error code; 0 = success
  std::string error_description;
  Args out;
  // When non-empty, sent as the whole response element instead of `out` (robustness tests:
  // inline XML arguments, wrong element names). Must be well-formed XML.
  std::string raw_response;
};

// Thread: Register/destructor on the owner's thread; the handlers run on libupnp threads and may
// run concurrently; Notify() from any thread.
class DeviceHost {
 public:
  using ActionHandler = std::function<DeviceReply(const DeviceAction&)>;
  // Evented variables sent in the initial event of a new subscription.
  using InitialState = std::function<Args(const std::string& udn, const std::string& service_id)>;

  // `description_url` is served by libupnp's web server (UpnpSetWebServerRootDir) of `stack`;
  // `service_types` maps serviceId -> serviceType. Errors: 9002 with the libupnp code.
  //
  // `description` (its content), when given, is what libupnp itself reads at registration, from
  // a one-shot private HTTP responder on the stack's IP (same path, another port): libupnp
  // 1.8.4 downloads the description while holding its global handle lock, and from its own
  // web server that download stalls (until its 30 s timeout) whenever GENA or SOAP requests
  // arriving meanwhile hold every worker thread waiting for that lock. Always give it when
  // registering while control points are talking to this process.
  static Result<std::unique_ptr<DeviceHost>> Register(
      Stack& stack, const std::string& description_url,
      std::map<std::string, std::string> service_types, ActionHandler on_action,
      InitialState initial_state, int max_subscription_timeout_s,
      const std::string& description = {});
  // Unregisters (libupnp then forgets every subscription).
  ~DeviceHost();
  DeviceHost(const DeviceHost&) = delete;
  DeviceHost& operator=(const DeviceHost&) = delete;

  // Sends a GENA event to every subscriber of the service; values are plain text (escaped
  // here: libupnp 1.8 writes them into the property set verbatim). Errors: 9002.
  Status Notify(const std::string& udn, const std::string& service_id, const Args& variables);
  // (serviceId, device-side SID) of every subscription accepted so far.
  std::vector<std::pair<std::string, std::string>> Subscriptions() const;

 private:
  DeviceHost() = default;
  void OnEvent(int type, const void* event);

  int handle_ = -1;
  Stack::Sink* sink_ = nullptr;
  std::map<std::string, std::string> service_types_;
  ActionHandler on_action_;
  InitialState initial_state_;
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> subscriptions_;
};

}  // namespace proxier::upnp
