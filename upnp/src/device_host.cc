// libupnp device registration and callbacks.
#include "proxier/upnp/device_host.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <upnp/upnp.h>

#include <mutex>
#include <thread>

#include "proxier/common/log.h"
#include "proxier/common/xml.h"
#include "proxier/upnp/url.h"

#include "ixml_text.h"

// libupnp 1.8.4's "an IPv4 root device is registered" flag (upnpapi.c, exported). SOAP and GENA
// requests are refused (HTTP 404 / 412) while it is 0, and UpnpUnRegisterRootDevice sets it to 0
// even when other root devices stay registered. See DeviceHost::~DeviceHost.
extern "C" int UpnpSdkDeviceRegisteredV4;  // NOLINT(readability-identifier-naming)

namespace proxier::upnp {
namespace {

// Root devices registered through DeviceHost in this process.
std::mutex g_registered_mu;
int g_registered = 0;

Args ActionArgs(IXML_Document* doc) {
  Args out;
  if (!doc) return out;
  IXML_Node* action = ixmlNode_getFirstChild(reinterpret_cast<IXML_Node*>(doc));
  for (IXML_Node* a = action ? ixmlNode_getFirstChild(action) : nullptr; a;
       a = ixmlNode_getNextSibling(a)) {
    if (ixmlNode_getNodeType(a) != eELEMENT_NODE) continue;
    const char* local = ixmlNode_getLocalName(a);
    out.emplace_back(Str(local ? local : ixmlNode_getNodeName(a)), NodeText(a));
  }
  return out;
}

// Answers one HTTP request on a private listening socket with `body`, on its own thread, for
// at most 30 s (libupnp's own download timeout). See DeviceHost::Register.
class OneShotServer {
 public:
  // Listens on `ip`, any port. Errors: 9002.
  static Result<std::unique_ptr<OneShotServer>> Start(const std::string& ip, std::string body) {
    std::unique_ptr<OneShotServer> s(new OneShotServer());
    s->listen_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    socklen_t len = sizeof(a);
    if (s->listen_ < 0 || inet_pton(AF_INET, ip.c_str(), &a.sin_addr) != 1 ||
        bind(s->listen_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
        listen(s->listen_, 4) != 0 ||
        getsockname(s->listen_, reinterpret_cast<sockaddr*>(&a), &len) != 0 ||
        pipe2(s->stop_, O_CLOEXEC) != 0) {
      return Status(Code::kInternalError, "description responder on " + ip + " failed");
    }
    s->port_ = ntohs(a.sin_port);
    s->thread_ = std::thread([fd = s->listen_, stop = s->stop_[0], body = std::move(body)] {
      pollfd p[2] = {{fd, POLLIN, 0}, {stop, POLLIN, 0}};
      if (poll(p, 2, 30000) <= 0 || !(p[0].revents & POLLIN)) return;
      int c = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      timeval tv{5, 0};
      setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      std::string head;
      char buf[2048];
      while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16384) {
        ssize_t n = read(c, buf, sizeof(buf));
        if (n <= 0) break;
        head.append(buf, static_cast<size_t>(n));
      }
      const std::string out =
          "HTTP/1.1 200 OK\r\nCONTENT-TYPE: text/xml; charset=\"utf-8\"\r\n"
          "CONTENT-LENGTH: " +
          std::to_string(body.size()) + "\r\nCONNECTION: close\r\n\r\n" + body;
      for (size_t off = 0; off < out.size();) {
        ssize_t n = write(c, out.data() + off, out.size() - off);
        if (n <= 0) break;
        off += static_cast<size_t>(n);
      }
      close(c);
    });
    return s;
  }
  ~OneShotServer() {
    if (stop_[1] >= 0) (void)!write(stop_[1], "x", 1);
    if (thread_.joinable()) thread_.join();
    for (int fd : {listen_, stop_[0], stop_[1]}) {
      if (fd >= 0) close(fd);
    }
  }
  uint16_t port() const { return port_; }

 private:
  OneShotServer() = default;
  int listen_ = -1;
  int stop_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<DeviceHost>> DeviceHost::Register(
    Stack& stack, const std::string& description_url,
    std::map<std::string, std::string> service_types, ActionHandler on_action,
    InitialState initial_state, int max_subscription_timeout_s, const std::string& description) {
  std::unique_ptr<OneShotServer> responder;
  std::string read_from = description_url;
  if (!description.empty()) {
    auto url = ParseUrl(description_url);
    if (!url.ok()) return url.status();
    auto r = OneShotServer::Start(stack.ip(), description);
    if (!r.ok()) return r.status();
    responder = std::move(r).value();
    read_from = "http://" + stack.ip() + ":" + std::to_string(responder->port()) + url->path;
  }
  std::unique_ptr<DeviceHost> h(new DeviceHost());
  h->service_types_ = std::move(service_types);
  h->on_action_ = std::move(on_action);
  h->initial_state_ = std::move(initial_state);
  DeviceHost* self = h.get();
  h->sink_ = stack.NewSink([self](int type, const void* ev) { self->OnEvent(type, ev); });
  int rc = UpnpRegisterRootDevice(read_from.c_str(), &Stack::Dispatch, h->sink_, &h->handle_);
  responder.reset();
  if (rc != UPNP_E_SUCCESS) {
    h->sink_->Detach();
    h->handle_ = -1;
    return Status(Code::kInternalError,
                  "UpnpRegisterRootDevice(" + description_url + ") failed: " + std::to_string(rc));
  }
  if (max_subscription_timeout_s > 0) {
    UpnpSetMaxSubscriptionTimeOut(h->handle_, max_subscription_timeout_s);
  }
  std::lock_guard<std::mutex> lock(g_registered_mu);
  ++g_registered;
  return h;
}

DeviceHost::~DeviceHost() {
  if (handle_ >= 0) {
    // Unregistering one root device must not take the others off the air: libupnp 1.8.4 clears
    // its registered flag whatever is left, and then answers every SOAP action and GENA
    // subscription of the other devices 404 / 412 until a device is registered again.
    std::lock_guard<std::mutex> lock(g_registered_mu);
    UpnpUnRegisterRootDevice(handle_);
    if (--g_registered > 0) UpnpSdkDeviceRegisteredV4 = 1;
  }
  if (sink_) sink_->Detach();
}

void DeviceHost::OnEvent(int type, const void* ev) {
  if (type == UPNP_CONTROL_ACTION_REQUEST) {
    // libupnp hands the request to be filled in: the const is only in the callback type.
    auto* req = const_cast<UpnpActionRequest*>(static_cast<const UpnpActionRequest*>(ev));
    DeviceAction a;
    a.udn = Str(UpnpActionRequest_get_DevUDN_cstr(req));
    a.service_id = Str(UpnpActionRequest_get_ServiceID_cstr(req));
    a.action = Str(UpnpActionRequest_get_ActionName_cstr(req));
    auto t = service_types_.find(a.service_id);
    a.service_type = t == service_types_.end() ? "" : t->second;
    a.args = ActionArgs(UpnpActionRequest_get_ActionRequest(req));
    DeviceReply r = on_action_(a);
    if (r.error != 0) {
      UpnpActionRequest_set_ErrCode(req, r.error);
      UpnpActionRequest_strcpy_ErrStr(req, r.error_description.substr(0, 250).c_str());
      UpnpActionRequest_set_ActionResult(req, nullptr);
      return;
    }
    std::string xml = r.raw_response;
    if (xml.empty()) {
      xml = "<u:" + a.action + "Response xmlns:u=\"" + xml::Escape(a.service_type) + "\">";
      for (const auto& [k, v] : r.out) xml += "<" + k + ">" + xml::Escape(v) + "</" + k + ">";
      xml += "</u:" + a.action + "Response>";
    }
    IXML_Document* doc = nullptr;
    if (ixmlParseBufferEx(xml.c_str(), &doc) != IXML_SUCCESS) {
      UpnpActionRequest_set_ErrCode(req, 501);
      UpnpActionRequest_strcpy_ErrStr(req, "Action Failed");
      return;
    }
    UpnpActionRequest_set_ErrCode(req, UPNP_E_SUCCESS);
    UpnpActionRequest_set_ActionResult(req, doc);
    return;
  }
  if (type == UPNP_EVENT_SUBSCRIPTION_REQUEST) {
    auto* s = static_cast<const UpnpSubscriptionRequest*>(ev);
    std::string udn = Str(UpnpSubscriptionRequest_get_UDN_cstr(s));
    std::string sid_text = Str(UpnpSubscriptionRequest_get_SID_cstr(s));
    std::string service_id = Str(UpnpSubscriptionRequest_get_ServiceId_cstr(s));
    Args vars = initial_state_ ? initial_state_(udn, service_id) : Args{};
    // libupnp pastes values into the property set unescaped.
    for (auto& [k, v] : vars) v = xml::Escape(v);
    std::vector<const char*> names, values;
    for (const auto& [k, v] : vars) {
      names.push_back(k.c_str());
      values.push_back(v.c_str());
    }
    Upnp_SID sid = {};
    sid_text.copy(sid, sizeof(sid) - 1);
    int rc = UpnpAcceptSubscription(handle_, udn.c_str(), service_id.c_str(), names.data(),
                                    values.data(), static_cast<int>(names.size()), sid);
    if (rc == UPNP_E_SUCCESS) {
      std::lock_guard<std::mutex> lock(mu_);
      subscriptions_.emplace_back(service_id, sid_text);
    }
  }
}

Status DeviceHost::Notify(const std::string& udn, const std::string& service_id, const Args& raw) {
  // libupnp pastes values into the property set unescaped: escape them here.
  Args variables = raw;
  for (auto& [k, v] : variables) v = xml::Escape(v);
  std::vector<const char*> names, values;
  for (const auto& [k, v] : variables) {
    names.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  int rc = UpnpNotify(handle_, udn.c_str(), service_id.c_str(), names.data(), values.data(),
                      static_cast<int>(names.size()));
  if (rc != UPNP_E_SUCCESS) {
    return Status(Code::kInternalError, "UpnpNotify failed: " + std::to_string(rc));
  }
  return Status::Ok();
}

std::vector<std::pair<std::string, std::string>> DeviceHost::Subscriptions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return subscriptions_;
}

}  // namespace proxier::upnp
