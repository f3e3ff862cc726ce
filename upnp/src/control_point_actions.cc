// ControlPoint::Invoke: SOAP actions through the HTTP worker, UPnP errors surfaced as Status.
#include "proxier/upnp/control_point.h"

#include "proxier/upnp/http_worker.h"
#include "proxier/upnp/soap.h"

namespace proxier::upnp {

std::string ActionOutcome::Out(const std::string& name) const {
  for (const auto& [k, v] : out) {
    if (k == name) return v;
  }
  return "";
}

void ControlPoint::Invoke(const std::string& uuid, DmService service, const std::string& action,
                          const Args& args, ActionDone done, std::optional<Millis> timeout) {
  ++stats_.actions;
  auto fail = [&](std::string why) {
    loop_.Post([done = std::move(done), why = std::move(why)] {
      ActionOutcome o;
      o.status = Status(Code::kInternalError, why);
      done(std::move(o));
    });
  };
  const RootDevice* d = Find(uuid);
  if (!d || !d->description) return fail("unknown UPnP device " + uuid);
  if (d->status() != LeaseStatus::kActive) return fail("UPnP device " + uuid + " is offline");
  const ServiceInfo* s = d->description->FindService(service);
  if (!s) return fail("UPnP device " + uuid + " has no such DM service");
  HttpRequest req;
  req.method = "POST";
  req.url = s->control_url;
  req.timeout = timeout.value_or(options_.action_timeout);
  req.max_response = 8 << 20;
  req.headers = {"Content-Type: text/xml; charset=\"utf-8\"",
                 "SOAPACTION: " + SoapActionHeader(s->service_type, action)};
  req.body = BuildActionRequest(s->service_type, action, args);
  http_->Send(std::move(req), [action, done = std::move(done)](Result<HttpResponse> r) {
    ActionOutcome o;
    if (!r.ok()) {
      o.status = Status(Code::kInternalError, action + ": " + r.status().message());
      return done(std::move(o));
    }
    auto soap = ParseActionResponse(r->body, action);
    if (!soap.ok()) {
      o.status = Status(Code::kInternalError, action + ": HTTP " + std::to_string(r->status) +
                                                  ", " + soap.status().message());
      return done(std::move(o));
    }
    if (soap->upnp_error != 0) {
      o.upnp_error = soap->upnp_error;
      o.upnp_description = soap->error_description;
      o.status =
          Status(Code::kInternalError, action + ": UPnP error " + std::to_string(soap->upnp_error) +
                                           " " + std::string(UpnpErrorName(soap->upnp_error)) +
                                           ": " + soap->error_description);
      return done(std::move(o));
    }
    o.out = std::move(soap->out);
    done(std::move(o));
  });
}

}  // namespace proxier::upnp
