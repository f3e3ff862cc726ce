// One CWMP session: Inform, queued CPE requests, empty POST, ACS requests until the ACS is done.
#include "cwmp_session.h"

#include <algorithm>
#include <memory>

#include "proxier/core/gzip.h"
#include "proxier/datamodel/value.h"

namespace proxier::core {

namespace {
constexpr int kMaxExchanges = 10000;  // a runaway ACS cannot keep a session forever
constexpr int kMaxRequestAttempts = 3;
constexpr size_t kMaxInformEvents = 64;
constexpr const char* kSupportedVersions = "1.0,1.1,1.2,1.3,1.4";

// Collects values of several names one by one; a missing name is skipped, not fatal.
void GatherValues(datamodel::DataModel& model, const std::vector<std::string>& names,
                  std::function<void(std::vector<datamodel::ParamValue>)> done) {
  struct State {
    size_t left;
    std::vector<std::optional<datamodel::ParamValue>> slots;
    std::function<void(std::vector<datamodel::ParamValue>)> done;
  };
  auto state = std::make_shared<State>(
      State{names.size(), std::vector<std::optional<datamodel::ParamValue>>(names.size()),
            std::move(done)});
  auto finish = [state] {
    std::vector<datamodel::ParamValue> out;
    for (auto& s : state->slots) {
      if (s) out.push_back(std::move(*s));
    }
    state->done(std::move(out));
  };
  if (names.empty()) return finish();
  for (size_t i = 0; i < names.size(); ++i) {
    model.GetValues({names[i]}, [state, i, finish](Result<std::vector<datamodel::ParamValue>> r) {
      if (r.ok() && r->size() == 1) state->slots[i] = std::move((*r)[0]);
      if (--state->left == 0) finish();
    });
  }
}
}  // namespace

CwmpClient::Session::Session(CwmpClient& client) : c_(client), http_(client.http_.NewSession()) {}

void CwmpClient::Session::Begin() {
  url_ = c_.ParamOr("Device.ManagementServer.URL", "");
  username_ = c_.ParamOr("Device.ManagementServer.Username", "");
  auto password = c_.store_.GetSecret("Device.ManagementServer.Password");
  password_ = Secret(password.ok() ? *password : "");
  gzip_ = c_.ParamOr("Device.ManagementServer.HTTPCompression", "Disabled") == "GZIP";
  if (url_.empty()) return Fail(Status(Code::kInternalError, "ManagementServer.URL is empty"));
  c_.UpdateConnectionRequestUrl("");
  // Notified values nobody reports are re-read first, so the Inform carries their changes.
  std::weak_ptr<int> guard = alive_;
  c_.model_.RefreshNotified([this, guard] {
    if (guard.expired()) return;
    std::vector<std::string> names = c_.options_.forced_inform;
    // InformParameter rows: enabled, and their EventList empty or naming a queued event.
    auto rows = c_.store_.Rows("Device.ManagementServer.InformParameter.");
    if (rows.ok()) {
      for (uint32_t n : *rows) {
        std::string row = "Device.ManagementServer.InformParameter." + std::to_string(n) + ".";
        if (c_.ParamOr(row + "Enable", "false") != "true") continue;
        std::string name = c_.ParamOr(row + "ParameterName", "");
        std::string list = c_.ParamOr(row + "EventList", "");
        bool wanted = list.empty();
        for (const auto& e : c_.queue_->Events()) {
          if (!list.empty() && ("," + list + ",").find("," + e.code + ",") != std::string::npos)
            wanted = true;
        }
        if (wanted && !name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
          names.push_back(name);
        }
      }
    }
    GatherValues(c_.model_, names, [this, guard](std::vector<datamodel::ParamValue> values) {
      if (guard.expired()) return;
      cwmp::Inform inform;
      inform.device_id = {c_.ParamOr("Device.DeviceInfo.Manufacturer", ""),
                          c_.ParamOr("Device.DeviceInfo.ManufacturerOUI", ""),
                          c_.ParamOr("Device.DeviceInfo.ProductClass", ""),
                          c_.ParamOr("Device.DeviceInfo.SerialNumber", "")};
      // Changes of notified parameters (and those a failed session could not deliver).
      sent_changes_ = std::move(c_.unsent_changes_);
      c_.unsent_changes_.clear();
      for (auto& ch : c_.model_.TakeChanges(c_.options_.name)) {
        auto same = std::find_if(sent_changes_.begin(), sent_changes_.end(),
                                 [&](const auto& s) { return s.value.name == ch.value.name; });
        if (same != sent_changes_.end())
          *same = std::move(ch);
        else
          sent_changes_.push_back(std::move(ch));
      }
      for (const auto& ch : sent_changes_) {
        auto it = std::find_if(values.begin(), values.end(),
                               [&](const auto& v) { return v.name == ch.value.name; });
        if (it != values.end())
          *it = ch.value;
        else
          values.push_back(ch.value);
      }
      if (!sent_changes_.empty()) (void)c_.queue_->Add("4 VALUE CHANGE");
      inform.events = c_.queue_->Events();
      if (inform.events.size() > kMaxInformEvents) inform.events.resize(kMaxInformEvents);
      delivered_ = inform.events;
      // Requests this session may carry: those whose events this Inform announces (a request
      // queued later, e.g. a transfer finished during the session, waits for the next Inform).
      for (const auto& q : c_.queue_->Requests()) announced_requests_.insert(q.id);
      inform.max_envelopes = 1;
      inform.current_time = datamodel::FormatDateTime(c_.loop_.clock().WallNow());
      inform.retry_count = c_.retry_count_;
      inform.params = std::move(values);
      SendInform(std::move(inform));
    });
  });
}

void CwmpClient::Session::SendInform(cwmp::Inform inform) {
  std::string events;
  for (const auto& e : inform.events) events += (events.empty() ? "" : ", ") + e.code;
  PX_LOG(kInfo, "cwmp") << c_.options_.name << ": session to " << RedactUrl(url_) << " [" << events
                        << "] retry " << inform.retry_count;
  cwmp::Header header;
  header.id = std::to_string(next_id_++);
  header.supported_versions = kSupportedVersions;
  Post(cwmp::BuildCpeRequest(ns_, header, inform), true,
       [this](Result<HttpResponse> r) { OnInformReply(std::move(r)); });
}

void CwmpClient::Session::Post(const std::string& body, bool is_request,
                               std::function<void(Result<HttpResponse>)> next) {
  if (++exchanges_ > kMaxExchanges)
    return Fail(Status(Code::kResourcesExceeded, "too many exchanges"));
  HttpRequest req;
  req.url = url_;
  req.username = username_;
  req.password = password_;
  // Basic sends the password in clear: only over TLS.
  req.allow_basic = url_.rfind("https://", 0) == 0;
  req.tls = c_.options_.tls;
  req.timeout = c_.options_.http_timeout;
  req.follow_redirects = true;
  req.max_body_bytes = 8 * 1024 * 1024;
  if (body.empty()) {
    req.headers = {"Content-Type:"};  // an empty POST carries neither Content-Type nor SOAPAction
  } else {
    req.headers = {"Content-Type: text/xml; charset=\"utf-8\""};
    if (is_request) req.headers.push_back("SOAPAction: \"\"");
  }
  if (gzip_) {
    req.body = GzipBody(body);
    req.headers.push_back("Content-Encoding: gzip");
  } else {
    req.body = body;
  }
  Status st = http_->Send(req, [this, next](Result<HttpResponse> r) {
    if (r.ok()) {
      // After a redirect the rest of the session goes to the new location.
      if (!r->effective_url.empty() && r->effective_url != url_) url_ = r->effective_url;
      if (!r->local_ip.empty()) c_.UpdateConnectionRequestUrl(r->local_ip);
    }
    next(std::move(r));
  });
  if (!st.ok()) Fail(st);
}

Result<std::optional<std::variant<cwmp::AcsMessage, cwmp::ParseError>>> CwmpClient::Session::Decode(
    const Result<HttpResponse>& r) {
  using Out = std::optional<std::variant<cwmp::AcsMessage, cwmp::ParseError>>;
  if (!r.ok()) return r.status();
  if (r->status == 204 || (r->status == 200 && r->body.empty())) return Out();
  if (r->status == 401 || r->status == 403) {
    return Status(Code::kRequestDenied,
                  "ACS refused our credentials (HTTP " + std::to_string(r->status) + ")");
  }
  if (r->status != 200)
    return Status(Code::kInternalError, "ACS answered HTTP " + std::to_string(r->status));
  std::string body = r->body;
  auto enc = r->headers.find("content-encoding");
  if (enc != r->headers.end() && enc->second == "gzip" && body.size() > 2 &&
      static_cast<unsigned char>(body[0]) == 0x1f) {
    auto plain = GunzipBody(body);  // curl normally decodes; a second layer is tolerated
    if (!plain.ok()) return plain.status();
    body = std::move(plain).value();
  }
  return Out(cwmp::ParseAcsEnvelope(body));
}

void CwmpClient::Session::OnInformReply(Result<HttpResponse> reply) {
  auto decoded = Decode(reply);
  if (!decoded.ok()) return Fail(decoded.status());
  if (!*decoded)
    return Fail(Status(Code::kInternalError, "ACS answered the Inform with an empty reply"));
  auto* msg = std::get_if<cwmp::AcsMessage>(&**decoded);
  if (!msg) {
    return Fail(Status(
        Code::kInternalError,
        "unreadable InformResponse: " + std::get<cwmp::ParseError>(**decoded).status.message()));
  }
  const auto* response = std::get_if<cwmp::AcsResponse>(&msg->body);
  const auto* fault = response ? std::get_if<cwmp::Fault>(response) : nullptr;
  if (fault) {
    return Fail(Status(Code::kInternalError, "ACS fault " + std::to_string(fault->code) +
                                                 " on Inform: " + fault->string));
  }
  if (!response || !std::holds_alternative<cwmp::InformResponse>(*response)) {
    return Fail(Status(Code::kInternalError, "expected InformResponse, got " + msg->method));
  }
  // CWMP version (TR-069 A6 §3.7.4): a 1.4 ACS names the version in UseCWMPVersion and the rest of
  // the session uses that version's namespace; an older ACS (no UseCWMPVersion) is followed in
  // the namespace of its InformResponse.
  std::string version;
  if (msg->header.use_version) {
    version = *msg->header.use_version;
    auto ns = cwmp::NamespaceOfVersion(version);
    if (!ns) {
      return Fail(Status(Code::kInternalError, "ACS chose CWMP version '" + version +
                                                   "', which this CPE did not offer (" +
                                                   kSupportedVersions + ")"));
    }
    ns_ = *ns;
    ns_uri_ = ns_ == msg->ns ? msg->header.ns_uri : std::string(cwmp::NamespaceUri(ns_));
  } else {
    ns_ = msg->ns;
    ns_uri_ = msg->header.ns_uri;
    version = ns_ == cwmp::Namespace::k10 ? "1.0" : ns_ == cwmp::Namespace::k11 ? "1.1" : "1.2";
  }
  if (version != c_.cwmp_version_) {
    PX_LOG(kInfo, "cwmp") << c_.options_.name << ": CWMP " << version
                          << (msg->header.use_version ? " (UseCWMPVersion)" : " (ACS namespace)");
    c_.cwmp_version_ = version;
  }
  hold_requests_ = msg->header.hold_requests.value_or(false);
  inform_acked_ = true;
  Status st = c_.queue_->OnInformAcknowledged(delivered_);
  if (!st.ok()) PX_LOG(kError, "cwmp") << c_.options_.name << ": cannot persist events: " << st;
  if (std::any_of(delivered_.begin(), delivered_.end(),
                  [](const auto& e) { return e.code == "0 BOOTSTRAP"; })) {
    (void)c_.SaveState("bootstrapped_url", url_);
  }
  if (std::any_of(delivered_.begin(), delivered_.end(),
                  [](const auto& e) { return e.code == "4 VALUE CHANGE"; })) {
    c_.last_active_inform_ = c_.loop_.clock().Now();
  }
  sent_changes_.clear();
  Continue();
}

void CwmpClient::Session::Continue() {
  if (finished_) return;
  if (!hold_requests_) {
    for (const auto& q : c_.queue_->Requests()) {
      if (tried_requests_.count(q.id) || !announced_requests_.count(q.id)) continue;
      inflight_request_ = q.id;
      cwmp::Header header;
      header.id = std::to_string(next_id_++);
      header.ns_uri = ns_uri_;
      Post(cwmp::BuildCpeRequest(ns_, header, q.request), true, [this](Result<HttpResponse> r) {
        auto decoded = Decode(r);
        if (!decoded.ok()) return Fail(decoded.status());
        int64_t id = inflight_request_;
        const cwmp::AcsMessage* msg =
            *decoded ? std::get_if<cwmp::AcsMessage>(&**decoded) : nullptr;
        const auto* response = msg ? std::get_if<cwmp::AcsResponse>(&msg->body) : nullptr;
        if (msg) hold_requests_ = msg->header.hold_requests.value_or(false);
        const auto* fault = response ? std::get_if<cwmp::Fault>(response) : nullptr;
        if (response && !fault) {
          request_attempts_ = 0;
          (void)c_.queue_->OnRequestAcknowledged(id);
        } else if (fault && fault->code == 8005 && ++request_attempts_ < kMaxRequestAttempts) {
          // Retry request: send it again.
        } else {
          // A fault or an unreadable reply: keep it queued for a later session.
          PX_LOG(kWarning, "cwmp") << c_.options_.name << ": CPE request not acknowledged ("
                                   << (fault ? std::to_string(fault->code) + " " + fault->string
                                             : std::string("unreadable or unexpected reply"))
                                   << "), kept for a later session";
          tried_requests_.insert(id);
          request_attempts_ = 0;
        }
        Continue();
      });
      return;
    }
  }
  SendEmpty();
}

void CwmpClient::Session::SendEmpty() {
  Post("", false, [this](Result<HttpResponse> r) { OnAcsReply(std::move(r)); });
}

void CwmpClient::Session::OnAcsReply(Result<HttpResponse> reply) {
  auto decoded = Decode(reply);
  if (!decoded.ok()) return Fail(decoded.status());
  if (!*decoded) {
    // The ACS has nothing more. An empty response carries no HoldRequests, so a hold ends here:
    // the session ends only when the CPE has nothing to send either (TR-069 §3.7.1.4, e.g. a
    // TransferComplete queued while the ACS held requests).
    hold_requests_ = false;
    for (const auto& q : c_.queue_->Requests()) {
      if (!tried_requests_.count(q.id) && announced_requests_.count(q.id)) return Continue();
    }
    return Done();
  }
  if (auto* error = std::get_if<cwmp::ParseError>(&**decoded)) {
    cwmp::Header header;
    header.id = error->id;
    header.ns_uri = ns_uri_;
    PX_LOG(kWarning, "cwmp") << c_.options_.name << ": ACS request refused: " << error->status;
    cwmp::Fault fault{
        error->status.fault_code(), std::string(CodeName(error->status.code())), {}, ""};
    return Post(cwmp::BuildCpeFault(ns_, header, fault), false,
                [this](Result<HttpResponse> r) { OnAcsReply(std::move(r)); });
  }
  auto& msg = std::get<cwmp::AcsMessage>(**decoded);
  hold_requests_ = msg.header.hold_requests.value_or(false);
  auto* request = std::get_if<cwmp::AcsRequest>(&msg.body);
  if (!request) {
    // A response nobody asked for: ignore it and ask for the next request.
    return SendEmpty();
  }
  cwmp::Header header = msg.header;
  header.hold_requests.reset();
  header.ns_uri = msg.header.ns_uri.empty() ? ns_uri_ : msg.header.ns_uri;
  auto it = c_.handlers_.find(msg.method);
  if (it == c_.handlers_.end()) {
    return Answer(header, cwmp::Fault{9000, "Method not supported", {}, ""});
  }
  PX_LOG(kInfo, "cwmp") << c_.options_.name << ": ACS request " << msg.method;
  std::weak_ptr<int> guard = alive_;
  it->second(*request, [this, guard, header](cwmp::CpeResponse response) {
    if (!guard.expired()) Answer(header, std::move(response));
  });
}

void CwmpClient::Session::Answer(const cwmp::Header& request_header, cwmp::CpeResponse response) {
  if (finished_) return;
  cwmp::Header header;
  header.id = request_header.id;
  header.ns_uri = request_header.ns_uri;
  std::string body;
  if (auto* fault = std::get_if<cwmp::Fault>(&response)) {
    PX_LOG(kInfo, "cwmp") << c_.options_.name << ": answering fault " << fault->code << " "
                          << fault->string;
    body = cwmp::BuildCpeFault(ns_, header, *fault);
  } else {
    body = cwmp::BuildCpeResponse(ns_, header, response);
  }
  Post(body, false, [this](Result<HttpResponse> r) { OnAcsReply(std::move(r)); });
}

void CwmpClient::Session::Fail(Status why) {
  if (finished_) return;
  finished_ = true;
  if (!inform_acked_) {
    // The changes were not delivered: the next session sends them.
    for (auto& ch : sent_changes_) c_.unsent_changes_.push_back(std::move(ch));
  }
  // The callback may destroy this session: post it.
  c_.loop_.Post([client = &c_, alive = std::weak_ptr<int>(c_.alive_), why] {
    if (!alive.expired()) client->OnSessionEnd(false, why);
  });
}

void CwmpClient::Session::Done() {
  if (finished_) return;
  finished_ = true;
  c_.loop_.Post([client = &c_, alive = std::weak_ptr<int>(c_.alive_)] {
    if (!alive.expired()) client->OnSessionEnd(true, Status::Ok());
  });
}

}  // namespace proxier::core
