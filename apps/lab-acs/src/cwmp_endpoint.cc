// CwmpEndpoint: the ACS side of CWMP sessions, GenieACS-style on the wire.
#include "cwmp_endpoint.h"

#include <algorithm>
#include <cctype>
#include <type_traits>

#include "proxier/common/xml_tree.h"
#include "proxier/core/gzip.h"
#include "proxier/core/soap_codec.h"

namespace proxier::labacs {

namespace cwmp = core::cwmp;

namespace {

constexpr char kRealm[] = "lab-acs";
constexpr char kServer[] = "lab-acs";
constexpr auto kMaxIdle = std::chrono::seconds(600);

bool IsBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isspace(c) != 0; });
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

HttpResponse Envelope(const std::string& xml, bool gzip) {
  HttpResponse r;
  r.status = 200;
  r.body = gzip ? core::GzipBody(xml) : xml;
  r.headers = {{"Server", kServer},
               {"SOAPServer", kServer},
               {"Content-Type", "text/xml; charset=\"utf-8\""}};
  if (gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  return r;
}

HttpResponse EndOfSession() {
  HttpResponse r;
  r.status = 204;
  r.headers = {{"Server", kServer}, {"Connection", "close"}};
  return r;
}

// The highest version both sides support from a SupportedCWMPVersions list ("1.0,1.1,...");
// the lab supports 1.0-1.4.
std::optional<std::string> Negotiate(std::string_view list) {
  int best = -1;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.size() == 3 && item[0] == '1' && item[1] == '.' && item[2] >= '0' && item[2] <= '4') {
      best = std::max(best, item[2] - '0');
    }
  }
  if (best < 0) return std::nullopt;
  return "1." + std::to_string(best);
}

// The cwmp:ID of an envelope the codec refused (unknown method), read from the raw XML.
std::optional<std::string> RawId(std::string_view body) {
  auto tree = xml::Parse(body);
  if (!tree.ok()) return std::nullopt;
  const xml::Element* header = tree->Child("Header");
  const xml::Element* id = header ? header->Child("ID") : nullptr;
  if (!id) return std::nullopt;
  return std::string(Trim(id->text));
}

std::string IdText(const std::optional<std::string>& id) { return id ? *id : "-"; }

}  // namespace

CwmpEndpoint::CwmpEndpoint(Registry& registry, FileServer& files, AuthMode auth,
                           std::string username, Secret password)
    : registry_(registry),
      files_(files),
      auth_(auth),
      username_(std::move(username)),
      password_(std::move(password)) {}

std::optional<HttpResponse> CwmpEndpoint::CheckAuth(const HttpRequest& request) const {
  HttpResponse challenge = HttpResponse::Text(401, "authentication required");
  challenge.realm = kRealm;
  if (auth_ == AuthMode::kBasic) {
    if (CheckBasicAuth(request, username_, password_)) return std::nullopt;
    challenge.kind = HttpResponse::Kind::kBasicChallenge;
    return challenge;
  }
  if (auth_ == AuthMode::kDigest) {
    const int result = CheckDigestAuth(request, kRealm, username_, password_);
    if (result == 1) return std::nullopt;
    challenge.kind = HttpResponse::Kind::kDigestChallenge;
    challenge.stale = result < 0;
    return challenge;
  }
  return std::nullopt;
}

HttpResponse CwmpEndpoint::Handle(const HttpRequest& request) {
  if (request.path.starts_with("/files/")) return files_.Handle(request);
  if (request.method != "POST") {
    HttpResponse r = HttpResponse::Text(405, "the CWMP endpoint takes POST");
    r.headers.emplace_back("Allow", "POST");
    return r;
  }
  if (auto redirect = registry_.TakeRedirect()) {
    PX_LOG(kInfo, "lab-acs") << "send HTTP " << redirect->first << " to " << redirect->second;
    HttpResponse r = HttpResponse::Text(static_cast<int>(redirect->first), "moved");
    r.headers.emplace_back("Location", redirect->second);
    return r;
  }
  if (auto challenge = CheckAuth(request)) {
    PX_LOG(kDebug, "lab-acs") << "CWMP POST without valid credentials: 401";
    return *challenge;
  }
  return HandlePost(request);
}

HttpResponse CwmpEndpoint::HandlePost(const HttpRequest& request) {
  if (request.body_too_large) return HttpResponse::Text(413, "body too large");
  const std::string encoding = Lower(request.Header("Content-Encoding"));
  bool gzip = false;
  std::string body;
  if (encoding.empty() || encoding == "identity") {
    body = request.body;
  } else if (encoding == "gzip" || encoding == "x-gzip") {
    auto plain = core::GunzipBody(request.body);
    if (!plain.ok()) return HttpResponse::Text(400, "bad gzip body: " + plain.status().message());
    body = std::move(plain.value());
    gzip = true;
  } else {
    return HttpResponse::Text(415, "unsupported Content-Encoding " + encoding);
  }
  const std::string cookie = request.Cookie("session");
  std::shared_ptr<Session> session = cookie.empty() ? nullptr : sessions_.Find(cookie);
  if (IsBlank(body)) {
    if (!session) return HttpResponse::Text(400, "empty POST without a known session cookie");
    std::lock_guard lock(session->mu);
    if (session->ended) return HttpResponse::Text(400, "session already ended");
    session->Touch();
    return OnEmpty(*session, gzip);
  }
  auto parsed = cwmp::ParseCpeEnvelope(body);
  if (!parsed.ok()) {
    if (parsed.status().code() == Code::kMethodNotSupported && session) {
      std::lock_guard lock(session->mu);
      if (!session->ended) return OnUnknownMethod(*session, body, gzip);
    }
    PX_LOG(kWarning, "lab-acs") << "refused CWMP POST: " << parsed.status();
    return HttpResponse::Text(400, "cannot handle envelope: " + parsed.status().ToString());
  }
  const cwmp::CpeMessage& message = parsed.value();
  const auto* cpe_request = std::get_if<cwmp::CpeRequest>(&message.body);
  if (cpe_request && std::holds_alternative<cwmp::Inform>(*cpe_request)) {
    return OnInform(message, gzip);
  }
  if (!session) {
    return HttpResponse::Text(400, message.method + " without a known session cookie");
  }
  std::lock_guard lock(session->mu);
  if (session->ended) return HttpResponse::Text(400, "session already ended");
  session->Touch();
  registry_.RecordCpeNamespace(session->device, message.header.ns_uri.empty()
                                                    ? std::string(cwmp::NamespaceUri(message.ns))
                                                    : message.header.ns_uri);
  if (cpe_request) return OnCpeRequest(*session, message, gzip);
  return OnCpeResponse(*session, message, gzip);
}

HttpResponse CwmpEndpoint::OnInform(const cwmp::CpeMessage& message, bool gzip) {
  const auto& inform = std::get<cwmp::Inform>(std::get<cwmp::CpeRequest>(message.body));
  const std::string device = MakeDeviceId(inform.device_id);
  std::string events;
  for (const auto& e : inform.events) events += (events.empty() ? "" : ",") + e.code;
  PX_LOG(kInfo, "lab-acs") << "recv Inform device=" << device << " id=" << IdText(message.header.id)
                           << " events=[" << events << "] retry=" << inform.retry_count;
  const InformFate fate = registry_.NextInformFate();
  const uint32_t delay_ms = registry_.config().inform_delay_ms;
  if (fate == InformFate::kAnswer && delay_ms > 0) {
    registry_.Pause(std::chrono::milliseconds(delay_ms));
  }
  // Version negotiation (TR-069 A6 §3.7.4); see LabConfig::cwmp_version / use_cwmp_version.
  const LabConfig config = registry_.config();
  std::optional<std::string> use_version;
  bool version_fault = false;
  cwmp::Namespace answer_ns = message.ns;   // the InformResponse
  cwmp::Namespace session_ns = message.ns;  // the ACS's requests of this session
  if (!config.use_cwmp_version.empty()) {
    use_version = config.use_cwmp_version;
    session_ns = cwmp::NamespaceOfVersion(*use_version).value_or(message.ns);
  } else if (config.cwmp_version == "1.4") {
    if (message.header.supported_versions) {
      use_version = Negotiate(*message.header.supported_versions);
      version_fault = !use_version;
      if (use_version) session_ns = cwmp::NamespaceOfVersion(*use_version).value_or(message.ns);
    }
  } else {
    // A legacy ACS ignores SupportedCWMPVersions and speaks its own version's namespace at most.
    const cwmp::Namespace own = cwmp::NamespaceOfVersion(config.cwmp_version).value();
    answer_ns = session_ns = std::min(own, message.ns);
  }
  const std::string answer_uri =
      answer_ns == message.ns ? message.header.ns_uri : std::string(cwmp::NamespaceUri(answer_ns));
  const std::string session_uri = session_ns == message.ns
                                      ? message.header.ns_uri
                                      : std::string(cwmp::NamespaceUri(session_ns));
  const char* outcome = fate == InformFate::kDrop      ? "dropped"
                        : fate == InformFate::kFail500 ? "http_500"
                        : version_fault                ? "fault_8006"
                                                       : "answered";
  registry_.RecordInform(inform, message.header.ns_uri, outcome);
  if (fate == InformFate::kDrop) {
    PX_LOG(kInfo, "lab-acs") << "drop Inform device=" << device << " (injected)";
    return HttpResponse::Drop();
  }
  if (fate == InformFate::kFail500) {
    PX_LOG(kInfo, "lab-acs") << "send HTTP 500 device=" << device << " (injected)";
    return HttpResponse::Text(500, "injected failure");
  }
  cwmp::Header header;
  header.id = message.header.id;
  header.ns_uri = answer_uri;
  if (version_fault) {
    PX_LOG(kInfo, "lab-acs") << "send Fault 8006 device=" << device << " id=" << IdText(header.id);
    cwmp::Fault fault{8006, "ACS version incompatible with CPE", {}, "Server"};
    return Envelope(cwmp::BuildAcsResponse(answer_ns, header, fault), gzip);
  }
  for (const auto& old : sessions_.TakeStale(device, kMaxIdle)) {
    std::lock_guard lock(old->mu);
    old->ended = true;
    if (old->inflight) registry_.RequeueTask(*old->inflight);
  }
  auto session = sessions_.Create(device, session_ns, session_uri);
  registry_.SessionStarted(device);
  header.use_version = use_version;
  HttpResponse r =
      Envelope(cwmp::BuildAcsResponse(answer_ns, header, cwmp::InformResponse{1}), gzip);
  r.headers.emplace_back("Set-Cookie", "session=" + session->cookie);
  PX_LOG(kInfo, "lab-acs") << "send InformResponse device=" << device
                           << " id=" << IdText(header.id);
  return r;
}

HttpResponse CwmpEndpoint::OnEmpty(Session& session, bool gzip) {
  PX_LOG(kInfo, "lab-acs") << "recv empty POST device=" << session.device;
  if (session.inflight) {
    registry_.FailTask(*session.inflight,
                       "empty POST instead of a " + session.inflight_method + "Response");
    session.inflight.reset();
  }
  return NextOrEnd(session, gzip);
}

HttpResponse CwmpEndpoint::OnCpeRequest(Session& session, const cwmp::CpeMessage& message,
                                        bool gzip) {
  const auto& request = std::get<cwmp::CpeRequest>(message.body);
  PX_LOG(kInfo, "lab-acs") << "recv " << message.method << " device=" << session.device
                           << " id=" << IdText(message.header.id);
  cwmp::AcsResponse answer = std::visit(
      [&](const auto& m) -> cwmp::AcsResponse {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, cwmp::GetRPCMethods>) {
          return cwmp::GetRPCMethodsResponse{{"Inform", "GetRPCMethods", "TransferComplete",
                                              "AutonomousTransferComplete",
                                              "DUStateChangeComplete"}};
        } else if constexpr (std::is_same_v<T, cwmp::TransferComplete>) {
          registry_.RecordTransfer(session.device, request);
          return cwmp::TransferCompleteResponse{};
        } else if constexpr (std::is_same_v<T, cwmp::AutonomousTransferComplete>) {
          registry_.RecordTransfer(session.device, request);
          return cwmp::AutonomousTransferCompleteResponse{};
        } else if constexpr (std::is_same_v<T, cwmp::DUStateChangeComplete>) {
          registry_.RecordTransfer(session.device, request);
          return cwmp::DUStateChangeCompleteResponse{};
        } else {
          // An Inform is handled by OnInform before a session is looked at; never reached.
          return cwmp::Fault{8003, "unexpected Inform", {}, "Client"};
        }
      },
      request);
  cwmp::Header header;
  header.id = message.header.id;
  header.ns_uri = session.ns_uri;
  PX_LOG(kInfo, "lab-acs") << "send " << cwmp::MethodName(answer) << " device=" << session.device
                           << " id=" << IdText(header.id);
  return Envelope(cwmp::BuildAcsResponse(session.ns, header, answer), gzip);
}

HttpResponse CwmpEndpoint::OnCpeResponse(Session& session, const cwmp::CpeMessage& message,
                                         bool gzip) {
  const auto& response = std::get<cwmp::CpeResponse>(message.body);
  if (const auto* fault = std::get_if<cwmp::Fault>(&response)) {
    PX_LOG(kInfo, "lab-acs") << "recv Fault " << fault->code << " device=" << session.device
                             << " id=" << IdText(message.header.id);
  } else {
    PX_LOG(kInfo, "lab-acs") << "recv " << message.method << " device=" << session.device
                             << " id=" << IdText(message.header.id);
  }
  if (!session.inflight) {
    return HttpResponse::Text(400, "unexpected " + message.method + ": no request outstanding");
  }
  if (message.header.id && *message.header.id != session.inflight_cwmp_id) {
    registry_.FailTask(*session.inflight, "cwmp:ID mismatch: sent " + session.inflight_cwmp_id +
                                              ", got " + *message.header.id);
  } else {
    registry_.CompleteTask(*session.inflight, response);
  }
  session.inflight.reset();
  return NextOrEnd(session, gzip);
}

HttpResponse CwmpEndpoint::OnUnknownMethod(Session& session, std::string_view body, bool gzip) {
  cwmp::Header header;
  header.id = RawId(body);
  header.ns_uri = session.ns_uri;
  PX_LOG(kInfo, "lab-acs") << "recv unsupported method device=" << session.device
                           << " id=" << IdText(header.id) << "; send Fault 8000";
  session.Touch();
  cwmp::Fault fault{8000, "Method not supported", {}, "Server"};
  return Envelope(cwmp::BuildAcsResponse(session.ns, header, fault), gzip);
}

HttpResponse CwmpEndpoint::NextOrEnd(Session& session, bool gzip) {
  const std::string cwmp_id = RandomHex(15);
  auto next = registry_.StartNextTask(session.device, cwmp_id);
  if (next) {
    session.inflight = next->first;
    session.inflight_cwmp_id = cwmp_id;
    session.inflight_method = std::string(cwmp::MethodName(next->second));
    cwmp::Header header;
    header.id = cwmp_id;
    header.ns_uri = session.ns_uri;
    PX_LOG(kInfo, "lab-acs") << "send " << session.inflight_method << " device=" << session.device
                             << " id=" << cwmp_id << " task=" << next->first;
    return Envelope(cwmp::BuildAcsRequest(session.ns, header, next->second), gzip);
  }
  session.ended = true;
  sessions_.Remove(session.cookie);
  registry_.SessionEnded(session.device);
  PX_LOG(kInfo, "lab-acs") << "send 204 (end of session) device=" << session.device;
  return EndOfSession();
}

}  // namespace proxier::labacs
