// Stack: the one owner of libupnp's process-global state (UpnpInit .. UpnpFinish).
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include <upnp/upnp.h>

#include "proxier/common/status.h"

namespace proxier::upnp {

// libupnp 1.8 keeps its sockets, thread pool and handle table in process globals, so at most one
// Stack may exist at a time (Start() refuses a second). Everything that uses libupnp (control
// point GENA, simulated devices) borrows the Stack, which must outlive them.
//
// libupnp 1.8.4 speaks SSDP of UDA 1.0 (no BOOTID.UPNP.ORG) and sends multicast along the routing
// table instead of the chosen interface (testbed bug 1), so Proxier does SSDP itself (SsdpSocket)
// and Start() stops libupnp from receiving SSDP multicast: libupnp is used for HTTP, SOAP serving
// and GENA only.
//
// Thread: Start/destructor on the owning thread; Sink handlers run on libupnp threads.
class Stack {
 public:
  struct Options {
    std::string interface;  // "lo" (or empty with ip set) -> UpnpInit(ip), else UpnpInit2(ifname)
    std::string ip;         // IPv4 to bind on loopback; on other interfaces taken from it
    uint16_t port = 0;      // explicit, >= 61000 advised (Debian maps ports < 49152 to 49152)
    size_t max_content_length = 1 << 20;  // largest SOAP/GENA body libupnp accepts
  };

  // Errors: 9002 when a Stack already exists or libupnp refuses (the libupnp code is in the
  // message, e.g. -121 for "lo" through UpnpInit2, -203 for a port in use).
  static Result<std::unique_ptr<Stack>> Start(const Options& options);
  ~Stack();
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  const std::string& ip() const { return ip_; }
  uint16_t port() const { return port_; }
  const std::string& interface() const { return interface_; }

  // A cookie for libupnp registrations. libupnp threads call Dispatch(); the handler runs under
  // the sink's lock, so after Detach() returns no handler call is running or will run.
  // Handlers must only copy data and post it (never block). Sinks live as long as the Stack.
  class Sink {
   public:
    using Handler = std::function<void(int event_type, const void* event)>;
    void Detach();

   private:
    friend class Stack;
    std::mutex mu_;
    Handler handler_;
  };
  Sink* NewSink(Sink::Handler handler);
  // The Upnp_FunPtr to register with a Sink* cookie.
  static int Dispatch(Upnp_EventType event_type, const void* event, void* cookie);

 private:
  Stack() = default;
  std::string ip_;
  std::string interface_;
  uint16_t port_ = 0;
  std::mutex sinks_mu_;
  std::list<Sink> sinks_;
};

}  // namespace proxier::upnp
