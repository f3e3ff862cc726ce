// GenaServer: the control point's own HTTP server for GENA NOTIFY (event) requests (private).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "proxier/common/event_loop.h"
#include "proxier/common/mhd_loop.h"
#include "proxier/common/status.h"
#include "proxier/upnp/soap.h"

struct MHD_Daemon;
struct MHD_Connection;

namespace proxier::upnp {

// Why a NOTIFY was refused (each is answered, counted and logged by the owner).
enum class GenaRefusal {
  kMethod,   // not NOTIFY (405)
  kPath,     // no subscription has this callback path (412)
  kSource,   // sent from another address than the subscribed device's (403)
  kHeaders,  // NT/NTS/SEQ missing or malformed (400)
  kSid,      // SID is not the subscription's (412)
  kSize,     // body over max_body, or no Content-Length (413/411)
  kBody,     // not a GENA propertyset (400)
};
const char* GenaRefusalName(GenaRefusal why);

struct GenaServerOptions {
  std::string ip;     // LAN address to listen on
  uint16_t port = 0;  // 0 = any free port
  size_t max_body = 64 * 1024;
  size_t max_variables = 64;  // per NOTIFY; more are ignored
  // A bridge (or upnp-dm-sim) serving many devices from one address sends their events at once.
  unsigned max_connections = 256;
  unsigned per_ip_connections = 64;
  unsigned connection_timeout_s = 10;
};

// libupnp 1.8.4's GENA server parses a NOTIFY body before it looks the SID up and leaks memory on
// malformed ones (text after the root element); this server checks everything it can from the
// request line and headers first: the callback path (one random token per subscription), the
// sender's address (the subscribed device's), NT/NTS, the SID (asked from the owner), SEQ and a
// bounded Content-Length. Only then is the body read (at most max_body) and parsed with the
// hardened XML parser (common/xml_tree.h). Runs on the engine loop (libmicrohttpd external
// epoll): handlers are on the engine thread. Thread: engine thread.
class GenaServer {
 public:
  struct Handlers {
    // True when `sid` is acceptable for the subscription of `token` now.
    std::function<bool(const std::string& token, const std::string& sid)> accept;
    // A NOTIFY that passed every check.
    std::function<void(const std::string& token, const std::string& sid, uint32_t seq,
                       const Args& variables)>
        event;
    std::function<void(GenaRefusal why, const std::string& from, const std::string& detail)>
        refused;
  };

  // Errors: 9002 when the address cannot be bound.
  static Result<std::unique_ptr<GenaServer>> Start(EventLoop& loop, GenaServerOptions options,
                                                   Handlers handlers);
  ~GenaServer();
  GenaServer(const GenaServer&) = delete;
  GenaServer& operator=(const GenaServer&) = delete;

  // A new callback path for a subscription to a device at `source_ip`: returns its token; the
  // CALLBACK URL is CallbackUrl(token).
  std::string Register(const std::string& source_ip);
  void Unregister(const std::string& token);
  std::string CallbackUrl(const std::string& token) const;
  uint16_t port() const { return port_; }
  size_t routes() const { return routes_.size(); }

  // libmicrohttpd access handler (returns an MHD_Result).
  int Handle(MHD_Connection* c, const char* url, const char* method, const char* upload,
             size_t* upload_size, void** state);

  // One request being received (libmicrohttpd's per-request state; defined in the .cc).
  struct Pending;

 private:
  GenaServer(EventLoop& loop, GenaServerOptions options, Handlers handlers)
      : loop_(loop), options_(std::move(options)), handlers_(std::move(handlers)) {}
  int Refuse(MHD_Connection* c, GenaRefusal why, const std::string& from,
             const std::string& detail);
  // Every check before the body; false with the reason when the request is refused.
  bool Check(MHD_Connection* c, const std::string& path, const std::string& method, Pending* p,
             GenaRefusal* why, std::string* detail);
  void Finish(MHD_Connection* c, Pending* p);

  EventLoop& loop_;
  GenaServerOptions options_;
  Handlers handlers_;
  MHD_Daemon* daemon_ = nullptr;
  std::unique_ptr<MhdLoop> driver_;
  uint16_t port_ = 0;
  std::map<std::string, std::string> routes_;  // token -> device address
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace proxier::upnp
