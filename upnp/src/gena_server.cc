// GENA NOTIFY receiver on libmicrohttpd: every check that needs no body comes first.
#include "gena_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <cstdarg>
#include <cstdio>

#include "proxier/common/log.h"
#include "proxier/common/xml_tree.h"
#include "proxier/upnp/xml_writer.h"

namespace proxier::upnp {

struct GenaServer::Pending {
  std::string token;
  std::string sid;
  uint32_t seq = 0;
  std::string from;
  size_t expected = 0;
  std::string body;
  bool answered = false;  // a refusal was queued: swallow the rest
};

namespace {

constexpr char kPrefix[] = "/gena/";

MHD_Result Access(void* self, MHD_Connection* c, const char* url, const char* method,
                  const char* /*version*/, const char* upload, size_t* upload_size, void** state) {
  return static_cast<MHD_Result>(
      static_cast<GenaServer*>(self)->Handle(c, url, method, upload, upload_size, state));
}

void Completed(void* /*cls*/, MHD_Connection* /*c*/, void** state,
               MHD_RequestTerminationCode /*code*/) {
  // The per-request state (GenaServer::Pending) is owned here; the sentinel 1 means "refused".
  if (*state && *state != reinterpret_cast<void*>(1)) {
    delete static_cast<GenaServer::Pending*>(*state);  // NOLINT: libmicrohttpd owns the pointer
  }
  *state = nullptr;
}

void MhdLog(void* /*cls*/, const char* format, va_list args) {
  char buf[512];
  vsnprintf(buf, sizeof buf, format, args);
  std::string line(buf);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  PX_LOG(kDebug, "gena") << "libmicrohttpd: " << line;
}

MHD_Result Answer(MHD_Connection* c, unsigned status) {
  MHD_Response* r =
      MHD_create_response_from_buffer(0, const_cast<char*>(""), MHD_RESPMEM_PERSISTENT);
  MHD_Result ret = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ret;
}

std::string Header(MHD_Connection* c, const char* name) {
  const char* v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
  return v ? v : "";
}

std::string ClientIp(MHD_Connection* c) {
  const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!info || !info->client_addr || info->client_addr->sa_family != AF_INET) return "";
  char ip[INET_ADDRSTRLEN] = {};
  const auto* sin = reinterpret_cast<const sockaddr_in*>(info->client_addr);
  inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip);
  return ip;
}

bool ParseU32(const std::string& s, uint32_t* out) {
  if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  const uint64_t v = std::stoull(s);
  if (v > 0xffffffffULL) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

unsigned StatusOf(GenaRefusal why) {
  switch (why) {
    case GenaRefusal::kMethod:
      return MHD_HTTP_METHOD_NOT_ALLOWED;
    case GenaRefusal::kPath:
    case GenaRefusal::kSid:
      return MHD_HTTP_PRECONDITION_FAILED;
    case GenaRefusal::kSource:
      return MHD_HTTP_FORBIDDEN;
    case GenaRefusal::kSize:
      return MHD_HTTP_CONTENT_TOO_LARGE;
    case GenaRefusal::kHeaders:
    case GenaRefusal::kBody:
      return MHD_HTTP_BAD_REQUEST;
  }
  return MHD_HTTP_BAD_REQUEST;
}

}  // namespace

const char* GenaRefusalName(GenaRefusal why) {
  switch (why) {
    case GenaRefusal::kMethod:
      return "not a NOTIFY";
    case GenaRefusal::kPath:
      return "unknown callback path";
    case GenaRefusal::kSource:
      return "sender is not the subscribed device";
    case GenaRefusal::kHeaders:
      return "bad NT/NTS/SEQ";
    case GenaRefusal::kSid:
      return "unknown SID";
    case GenaRefusal::kSize:
      return "body too large or without Content-Length";
    case GenaRefusal::kBody:
      return "not a propertyset";
  }
  return "refused";
}

Result<std::unique_ptr<GenaServer>> GenaServer::Start(EventLoop& loop, GenaServerOptions options,
                                                      Handlers handlers) {
  std::unique_ptr<GenaServer> s(new GenaServer(loop, std::move(options), std::move(handlers)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(s->options_.port);
  if (inet_pton(AF_INET, s->options_.ip.c_str(), &addr.sin_addr) != 1) {
    return Status(Code::kInvalidArguments,
                  "GENA server address '" + s->options_.ip + "' is not an IPv4 address");
  }
  s->daemon_ = MHD_start_daemon(
      MHD_USE_EPOLL | MHD_USE_ERROR_LOG, s->options_.port, nullptr, nullptr, &Access, s.get(),
      MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_CONNECTION_TIMEOUT, s->options_.connection_timeout_s,
      MHD_OPTION_CONNECTION_LIMIT, s->options_.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
      s->options_.per_ip_connections, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      static_cast<size_t>(16 * 1024), MHD_OPTION_NOTIFY_COMPLETED, &Completed, nullptr,
      MHD_OPTION_EXTERNAL_LOGGER, &MhdLog, nullptr, MHD_OPTION_END);
  if (!s->daemon_) {
    return Status(Code::kInternalError, "cannot listen for GENA events on " + s->options_.ip + ":" +
                                            std::to_string(s->options_.port));
  }
  const MHD_DaemonInfo* port = MHD_get_daemon_info(s->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  s->port_ = port ? port->port : s->options_.port;
  auto driver = MhdLoop::Attach(loop, s->daemon_);
  if (!driver.ok()) return driver.status();
  s->driver_ = std::move(driver).value();
  return s;
}

GenaServer::~GenaServer() {
  driver_.reset();
  if (daemon_) MHD_stop_daemon(daemon_);
}

std::string GenaServer::Register(const std::string& source_ip) {
  static const char* kHex = "0123456789abcdef";
  std::string token;
  do {
    token.clear();
    for (int i = 0; i < 24; ++i) token += kHex[random_() % 16];
  } while (routes_.count(token));
  routes_[token] = source_ip;
  return token;
}

void GenaServer::Unregister(const std::string& token) { routes_.erase(token); }

std::string GenaServer::CallbackUrl(const std::string& token) const {
  return "http://" + options_.ip + ":" + std::to_string(port_) + kPrefix + token;
}

int GenaServer::Refuse(MHD_Connection* c, GenaRefusal why, const std::string& from,
                       const std::string& detail) {
  if (handlers_.refused) handlers_.refused(why, from, detail);
  return Answer(c, StatusOf(why));
}

bool GenaServer::Check(MHD_Connection* c, const std::string& path, const std::string& method,
                       Pending* p, GenaRefusal* why, std::string* detail) {
  auto refuse = [&](GenaRefusal w, std::string d) {
    *why = w;
    *detail = std::move(d);
    return false;
  };
  if (method != "NOTIFY") return refuse(GenaRefusal::kMethod, method.substr(0, 16));
  if (path.rfind(kPrefix, 0) != 0) return refuse(GenaRefusal::kPath, "");
  p->token = path.substr(sizeof(kPrefix) - 1);
  auto route = routes_.find(p->token);
  if (route == routes_.end()) return refuse(GenaRefusal::kPath, "");
  if (p->from.empty() || p->from != route->second) {
    return refuse(GenaRefusal::kSource, "expected " + route->second);
  }
  if (Header(c, "NT") != "upnp:event" || Header(c, "NTS") != "upnp:propchange" ||
      !ParseU32(Header(c, "SEQ"), &p->seq)) {
    return refuse(GenaRefusal::kHeaders, "");
  }
  p->sid = Header(c, "SID");
  if (p->sid.empty() || p->sid.size() > 128 || !handlers_.accept ||
      !handlers_.accept(p->token, p->sid)) {
    return refuse(GenaRefusal::kSid, "");
  }
  uint32_t length = 0;
  const std::string cl = Header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (!ParseU32(cl, &length) || length > options_.max_body) {
    return refuse(GenaRefusal::kSize, "Content-Length '" + cl.substr(0, 16) + "'");
  }
  p->expected = length;
  p->body.reserve(length);
  return true;
}

int GenaServer::Handle(MHD_Connection* c, const char* url, const char* method, const char* upload,
                       size_t* upload_size, void** state) {
  void* const kRefused = reinterpret_cast<void*>(1);
  if (*state == nullptr) {
    auto p = std::make_unique<Pending>();
    p->from = ClientIp(c);
    GenaRefusal why{};
    std::string detail;
    if (!Check(c, url ? url : "", method ? method : "", p.get(), &why, &detail)) {
      // The answer goes out at once; the rest of the request is never read.
      *state = kRefused;
      return Refuse(c, why, p->from, detail);
    }
    *state = p.release();
    return MHD_YES;
  }
  if (*state == kRefused) {
    *upload_size = 0;
    return MHD_YES;
  }
  auto* p = static_cast<Pending*>(*state);
  if (*upload_size != 0) {
    const size_t n = *upload_size;
    *upload_size = 0;
    if (p->answered) return MHD_YES;
    if (p->body.size() + n > p->expected) {
      p->answered = true;
      return Refuse(c, GenaRefusal::kSize, p->from, "body longer than its Content-Length");
    }
    p->body.append(upload, n);
    return MHD_YES;
  }
  if (p->answered) return MHD_YES;
  p->answered = true;
  Finish(c, p);
  return MHD_YES;
}

void GenaServer::Finish(MHD_Connection* c, Pending* p) {
  xml::Limits limits;
  limits.max_bytes = options_.max_body;
  limits.max_depth = 8;
  limits.max_elements = options_.max_variables * 4 + 16;
  limits.max_text_bytes = options_.max_body;
  auto doc = xml::Parse(p->body, limits);
  if (!doc.ok() || doc->name != "propertyset") {
    Refuse(c, GenaRefusal::kBody, p->from, doc.ok() ? doc->name : doc.status().message());
    return;
  }
  Args vars;
  for (const auto* property : doc->Children("property")) {
    for (const auto& v : property->children) {
      if (vars.size() >= options_.max_variables) break;
      vars.emplace_back(v.name, ContentOf(v));
    }
  }
  Answer(c, MHD_HTTP_OK);
  // After the answer is queued: the handler may unregister this very route.
  if (handlers_.event) handlers_.event(p->token, p->sid, p->seq, vars);
}

}  // namespace proxier::upnp
