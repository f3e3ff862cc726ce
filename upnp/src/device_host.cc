// libupnp device registration and callbacks.
#include "proxier/upnp/device_host.h"

#include <upnp/upnp.h>

#include "proxier/common/log.h"
#include "proxier/common/xml.h"

namespace proxier::upnp {
namespace {

std::string Str(const char* s) { return s ? s : ""; }

std::string NodeText(IXML_Node* n) {
  std::string out;
  for (IXML_Node* c = ixmlNode_getFirstChild(n); c; c = ixmlNode_getNextSibling(c)) {
    if (ixmlNode_getNodeType(c) == eTEXT_NODE) {
      out += Str(ixmlNode_getNodeValue(c));
    } else if (ixmlNode_getNodeType(c) == eELEMENT_NODE) {
      DOMString x = ixmlPrintNode(c);
      if (x) {
        out += x;
        ixmlFreeDOMString(x);
      }
    }
  }
  return out;
}

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

}  // namespace

Result<std::unique_ptr<DeviceHost>> DeviceHost::Register(
    Stack& stack, const std::string& description_url,
    std::map<std::string, std::string> service_types, ActionHandler on_action,
    InitialState initial_state, int max_subscription_timeout_s) {
  std::unique_ptr<DeviceHost> h(new DeviceHost());
  h->service_types_ = std::move(service_types);
  h->on_action_ = std::move(on_action);
  h->initial_state_ = std::move(initial_state);
  DeviceHost* self = h.get();
  h->sink_ = stack.NewSink([self](int type, const void* ev) { self->OnEvent(type, ev); });
  int rc = UpnpRegisterRootDevice(description_url.c_str(), &Stack::Dispatch, h->sink_, &h->handle_);
  if (rc != UPNP_E_SUCCESS) {
    h->sink_->Detach();
    h->handle_ = -1;
    return Status(Code::kInternalError,
                  "UpnpRegisterRootDevice(" + description_url + ") failed: " + std::to_string(rc));
  }
  if (max_subscription_timeout_s > 0) {
    UpnpSetMaxSubscriptionTimeOut(h->handle_, max_subscription_timeout_s);
  }
  return h;
}

DeviceHost::~DeviceHost() {
  if (handle_ >= 0) UpnpUnRegisterRootDevice(handle_);
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
