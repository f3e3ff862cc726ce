// ApiServer: routes of the JSON control API.
#include "api_server.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <set>

#include "lab_acs/connection_request.h"

namespace proxier::labacs {

namespace {

using std::chrono::milliseconds;

constexpr double kMaxWaitSeconds = 600;
constexpr milliseconds kCrTimeout{10000};

HttpResponse Ok(const Json& j) { return HttpResponse::Json(200, j.dump()); }

HttpResponse Error(int status, const std::string& message) {
  return HttpResponse::Json(status, Json{{"error", message}}.dump());
}

HttpResponse MethodNotAllowed(const char* allowed) {
  HttpResponse r = Error(405, std::string("method not allowed; use ") + allowed);
  r.headers.emplace_back("Allow", allowed);
  return r;
}

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    if (slash > pos) out.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

std::optional<uint64_t> ParseUint(const std::string& text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// Optional unsigned query argument; `*bad` is set when present but not a number.
std::optional<uint64_t> UintArg(const HttpRequest& r, const char* name, std::string* bad) {
  if (!r.query.count(name)) return std::nullopt;
  auto v = ParseUint(r.Query(name));
  if (!v) *bad = std::string("query argument '") + name + "' must be an unsigned integer";
  return v;
}

// Seconds (decimals allowed) from a query argument, capped at kMaxWaitSeconds.
std::optional<milliseconds> SecondsArg(const HttpRequest& r, const char* name, double fallback,
                                       std::string* bad) {
  double seconds = fallback;
  if (r.query.count(name)) {
    const std::string text = r.Query(name);
    char* end = nullptr;
    seconds = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(seconds) ||
        seconds < 0) {
      *bad = std::string("query argument '") + name + "' must be a number of seconds";
      return std::nullopt;
    }
  }
  return milliseconds(static_cast<int64_t>(std::min(seconds, kMaxWaitSeconds) * 1000));
}

bool Truthy(const HttpRequest& r, const char* name) {
  if (!r.query.count(name)) return false;
  const std::string v = r.Query(name);
  return v != "0" && v != "false" && v != "no";
}

// Parses a JSON body; an empty body is `empty_ok` ? {} : error.
std::optional<Json> ParseBody(const HttpRequest& r, bool empty_ok, std::string* error) {
  if (r.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (empty_ok) return Json::object();
    *error = "a JSON body is required";
    return std::nullopt;
  }
  Json j = Json::parse(r.body, nullptr, false);
  if (j.is_discarded()) {
    *error = "invalid JSON body";
    return std::nullopt;
  }
  if (!j.is_object()) {
    *error = "the JSON body must be an object";
    return std::nullopt;
  }
  return j;
}

Json CrJson(const ConnectionRequestResult& r) {
  if (r.http_status != 0) return {{"status", r.http_status}};
  return {{"error", r.error}};
}

// Reads {"username","password"} (or also "url" when `with_url`).
bool ReadCrBody(const Json& body, bool with_url, ConnectionRequestTarget* out, std::string* error) {
  for (const auto& [key, value] : body.items()) {
    const bool known = key == "username" || key == "password" || (with_url && key == "url");
    if (!known) {
      *error = "unknown field '" + key + "'";
      return false;
    }
    if (!value.is_string()) {
      *error = "field '" + key + "' must be a string";
      return false;
    }
  }
  if (body.contains("url")) out->url = body["url"].get<std::string>();
  if (body.contains("username")) {
    out->username = body["username"].get<std::string>();
    out->password = Secret(body.value("password", std::string()));
  } else if (body.contains("password")) {
    out->password = Secret(body["password"].get<std::string>());
  }
  return true;
}

}  // namespace

HttpResponse ApiServer::Handle(const HttpRequest& request) {
  const std::vector<std::string> s = Segments(request.path);
  const std::string& method = request.method;
  if (s.size() == 1 && s[0] == "health") {
    return method == "GET" ? Ok({{"ok", true}}) : MethodNotAllowed("GET");
  }
  if (s.size() == 1 && s[0] == "devices") {
    return method == "GET" ? Ok(registry_.DevicesJson()) : MethodNotAllowed("GET");
  }
  if (s.size() >= 2 && s.size() <= 3 && s[0] == "devices") {
    return DeviceRoute(request, s[1], s.size() == 3 ? s[2] : "");
  }
  if (s.size() == 2 && s[0] == "tasks") {
    return method == "GET" ? GetTask(request, s[1]) : MethodNotAllowed("GET");
  }
  if (s.size() == 1 && (s[0] == "transfers" || s[0] == "files-log")) {
    if (method != "GET") return MethodNotAllowed("GET");
    std::string bad;
    auto after = UintArg(request, "after", &bad);
    auto wait = SecondsArg(request, "wait", after ? 30 : 0, &bad);
    if (!bad.empty()) return Error(400, bad);
    auto list =
        s[0] == "transfers" ? registry_.Transfers(after, *wait) : registry_.FilesLog(after, *wait);
    return list
               ? Ok(*list)
               : Error(408, "timeout waiting for more than " + std::to_string(*after) + " entries");
  }
  if (s.size() == 1 && s[0] == "connection-request") {
    return method == "POST" ? RawConnectionRequest(request) : MethodNotAllowed("POST");
  }
  if (s.size() == 1 && s[0] == "config") return Config(request);
  return Error(404, "no such route: " + method + " " + request.path);
}

HttpResponse ApiServer::DeviceRoute(const HttpRequest& request, const std::string& device,
                                    const std::string& what) {
  const std::string& method = request.method;
  if (what.empty() || what == "informs") {
    if (method != "GET") return MethodNotAllowed("GET");
    auto j = what.empty() ? registry_.DeviceJson(device) : registry_.InformsJson(device);
    return j ? Ok(*j) : Error(404, "unknown device " + device);
  }
  if (what == "tasks") {
    if (method == "POST") return QueueTask(request, device);
    if (method != "GET") return MethodNotAllowed("GET, POST");
    auto j = registry_.DeviceTasksJson(device);
    return j ? Ok(*j) : Error(404, "unknown device " + device);
  }
  if (what == "wait")
    return method == "GET" ? WaitDevice(request, device) : MethodNotAllowed("GET");
  if (what == "connection-request") {
    return method == "POST" ? DeviceConnectionRequest(request, device) : MethodNotAllowed("POST");
  }
  return Error(404, "no such route: " + method + " " + request.path);
}

HttpResponse ApiServer::QueueTask(const HttpRequest& request, const std::string& device) {
  std::string error;
  auto body = ParseBody(request, false, &error);
  if (!body) return Error(400, error);
  auto task = AcsRequestFromJson(*body);
  if (!task.ok()) return Error(400, task.status().message());
  if (!registry_.DeviceJson(device)) return Error(404, "unknown device " + device);
  auto id = registry_.AddTask(device, std::move(task.value()));
  if (!id) return Error(404, "unknown device " + device);
  PX_LOG(kInfo, "lab-acs") << "queued task " << *id << " " << body->value("name", "")
                           << " device=" << device;
  Json out = {{"id", *id}};
  if (Truthy(request, "connection_request")) {
    auto target = registry_.CrTarget(device);
    out["connection_request"] =
        CrJson(SendConnectionRequest(target->url, target->username, target->password, kCrTimeout));
  }
  return Ok(out);
}

HttpResponse ApiServer::WaitDevice(const HttpRequest& request, const std::string& device) {
  std::string bad;
  auto informs = UintArg(request, "informs", &bad);
  auto ended = UintArg(request, "sessions_ended", &bad);
  auto timeout = SecondsArg(request, "timeout", 30, &bad);
  if (!bad.empty()) return Error(400, bad);
  auto j = registry_.WaitDevice(device, informs, ended, *timeout);
  if (!j) return Error(408, "timeout waiting for device " + device);
  return Ok(*j);
}

HttpResponse ApiServer::DeviceConnectionRequest(const HttpRequest& request,
                                                const std::string& device) {
  std::string error;
  auto body = ParseBody(request, true, &error);
  if (!body) return Error(400, error);
  auto target = registry_.CrTarget(device);
  if (!target) return Error(404, "unknown device " + device);
  if (!ReadCrBody(*body, false, &*target, &error)) return Error(400, error);
  if (target->url.empty()) return Error(409, "no ConnectionRequestURL known for " + device);
  auto result = SendConnectionRequest(target->url, target->username, target->password, kCrTimeout);
  return HttpResponse::Json(result.http_status ? 200 : 502, CrJson(result).dump());
}

HttpResponse ApiServer::RawConnectionRequest(const HttpRequest& request) {
  std::string error;
  auto body = ParseBody(request, false, &error);
  if (!body) return Error(400, error);
  ConnectionRequestTarget target;
  if (!ReadCrBody(*body, true, &target, &error)) return Error(400, error);
  if (target.url.empty()) return Error(400, "missing field 'url'");
  auto result = SendConnectionRequest(target.url, target.username, target.password, kCrTimeout);
  return HttpResponse::Json(result.http_status ? 200 : 502, CrJson(result).dump());
}

HttpResponse ApiServer::GetTask(const HttpRequest& request, const std::string& id_text) {
  auto id = ParseUint(id_text);
  if (!id) return Error(404, "no such task " + id_text);
  std::string bad;
  auto wait = SecondsArg(request, "wait", 0, &bad);
  if (!bad.empty()) return Error(400, bad);
  auto j = registry_.TaskJson(*id, *wait);
  return j ? Ok(*j) : Error(404, "no such task " + id_text);
}

HttpResponse ApiServer::Config(const HttpRequest& request) {
  if (request.method == "GET") return Ok(registry_.ConfigJson());
  if (request.method != "POST") return MethodNotAllowed("GET, POST");
  std::string error;
  auto body = ParseBody(request, false, &error);
  if (!body) return Error(400, error);
  LabConfigPatch patch;
  for (const auto& [key, value] : body->items()) {
    if (key == "fail_informs" || key == "inform_delay_ms") {
      if (!value.is_number_unsigned() || value.get<uint64_t>() > 600000) {
        return Error(400, "field '" + key + "' must be an integer 0-600000");
      }
      (key == "fail_informs" ? patch.fail_informs : patch.inform_delay_ms) =
          static_cast<uint32_t>(value.get<uint64_t>());
    } else if (key == "drop_next_inform") {
      if (!value.is_boolean()) return Error(400, "field 'drop_next_inform' must be a boolean");
      patch.drop_next_inform = value.get<bool>();
    } else if (key == "redirect_count" || key == "redirect_status") {
      if (!value.is_number_unsigned() || value.get<uint64_t>() > 1000) {
        return Error(400, "field '" + key + "' must be an integer 0-1000");
      }
      const auto n = static_cast<uint32_t>(value.get<uint64_t>());
      if (key == "redirect_status" && n != 301 && n != 302 && n != 307) {
        return Error(400, "field 'redirect_status' must be 301, 302 or 307");
      }
      (key == "redirect_count" ? patch.redirect_count : patch.redirect_status) = n;
    } else if (key == "redirect_url" || key == "use_cwmp_version") {
      if (!value.is_string()) return Error(400, "field '" + key + "' must be a string");
      (key == "redirect_url" ? patch.redirect_url : patch.use_cwmp_version) =
          value.get<std::string>();
    } else if (key == "cwmp_version") {
      static const std::set<std::string> kVersions = {"1.0", "1.1", "1.2", "1.3", "1.4"};
      if (!value.is_string() || !kVersions.count(value.get<std::string>())) {
        return Error(400, "field 'cwmp_version' must be one of 1.0 1.1 1.2 1.3 1.4");
      }
      patch.cwmp_version = value.get<std::string>();
    } else if (key == "files_username" || key == "files_password") {
      if (!value.is_string()) return Error(400, "field '" + key + "' must be a string");
      if (key == "files_username") {
        patch.files_username = value.get<std::string>();
      } else {
        patch.files_password = Secret(value.get<std::string>());
      }
    } else {
      return Error(400, "unknown field '" + key + "'");
    }
  }
  registry_.UpdateConfig(patch);
  return Ok(registry_.ConfigJson());
}

}  // namespace proxier::labacs
