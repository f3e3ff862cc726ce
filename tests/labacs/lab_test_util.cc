// Test helpers for lab-acs (see lab_test_util.h).
#include "lab_test_util.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <cstdlib>
#include <cstring>

#include "proxier/core/gzip.h"

namespace proxier::labacs::testing {

namespace {

size_t WriteBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* out) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(out);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) headers->clear();  // a new response (after a 401, ...)
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    (*headers)[name] = value;
  }
  return size * n;
}

}  // namespace

HttpClient::HttpClient() : curl_(curl_easy_init()) {
  curl_easy_setopt(curl_, CURLOPT_COOKIEFILE, "");
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 60L);
}

HttpClient::~HttpClient() { curl_easy_cleanup(curl_); }

void HttpClient::SetAuth(unsigned long mode, const std::string& user, const std::string& pass) {
  curl_easy_setopt(curl_, CURLOPT_HTTPAUTH, mode);
  curl_easy_setopt(curl_, CURLOPT_USERNAME, mode == CURLAUTH_NONE ? nullptr : user.c_str());
  curl_easy_setopt(curl_, CURLOPT_PASSWORD, mode == CURLAUTH_NONE ? nullptr : pass.c_str());
}

void HttpClient::SetPathAsIs(bool on) { curl_easy_setopt(curl_, CURLOPT_PATH_AS_IS, on ? 1L : 0L); }

HttpResult HttpClient::Request(const std::string& method, const std::string& url,
                               const std::string& body, const std::vector<std::string>& headers) {
  HttpResult result;
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl_, CURLOPT_NOBODY, method == "HEAD" ? 1L : 0L);
  if (method == "GET" || method == "HEAD") {
    curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, nullptr);
    if (method == "HEAD") curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(curl_, CURLOPT_POST, 1L);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method == "POST" ? nullptr : method.c_str());
  }
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &result.headers);
  result.code = curl_easy_perform(curl_);
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &result.status);
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(list);
  auto enc = result.headers.find("content-encoding");
  if (enc != result.headers.end() && enc->second == "gzip" && !result.body.empty()) {
    result.gzip = true;
    auto plain = core::GunzipBody(result.body);
    EXPECT_TRUE(plain.ok()) << plain.status();
    if (plain.ok()) result.body = *plain;
  }
  return result;
}

HttpResult ApiGet(const std::string& url) {
  HttpClient client;
  return client.Request("GET", url);
}

HttpResult ApiPost(const std::string& url, const std::string& body) {
  HttpClient client;
  return client.Request("POST", url, body, {"Content-Type: application/json"});
}

TestCpe::TestCpe(std::string url, std::string serial, cwmp::Namespace ns, std::string ns_uri)
    : url_(std::move(url)), serial_(std::move(serial)), ns_(ns), ns_uri_(std::move(ns_uri)) {}

cwmp::Inform TestCpe::MakeInform(const std::vector<std::string>& event_codes) const {
  cwmp::Inform inform;
  inform.device_id = {"Acme", "02C0DE", "LabGW", serial_};
  for (const auto& code : event_codes) inform.events.push_back({code, ""});
  inform.current_time = "2026-01-01T00:00:00Z";
  inform.params = {
      {"Device.DeviceInfo.SoftwareVersion", "1.0", datamodel::ValueType::kString},
      {"Device.ManagementServer.ConnectionRequestURL", cr_url_, datamodel::ValueType::kString}};
  return inform;
}

HttpResult TestCpe::SendInform(const cwmp::Inform& inform, const std::string& id,
                               std::optional<std::string> supported_versions) {
  cwmp::Header header;
  header.id = id;
  header.ns_uri = ns_uri_;
  header.supported_versions = std::move(supported_versions);
  return PostRaw(cwmp::BuildCpeRequest(ns_, header, inform));
}

HttpResult TestCpe::Inform(const std::vector<std::string>& event_codes) {
  return SendInform(MakeInform(event_codes));
}

HttpResult TestCpe::PostEmpty() {
  if (gzip_) {
    return http_.Request("POST", url_, core::GzipBody(""), {"Content-Encoding: gzip"});
  }
  return http_.Request("POST", url_, "", {"Content-Type:"});
}

HttpResult TestCpe::PostRequest(const cwmp::CpeRequest& request, const std::string& id) {
  cwmp::Header header;
  header.id = id;
  header.ns_uri = ns_uri_;
  return PostRaw(cwmp::BuildCpeRequest(ns_, header, request));
}

HttpResult TestCpe::PostResponse(const cwmp::CpeResponse& response, const std::string& id) {
  cwmp::Header header;
  header.id = id;
  header.ns_uri = ns_uri_;
  if (const auto* fault = std::get_if<cwmp::Fault>(&response)) {
    return PostRaw(cwmp::BuildCpeFault(ns_, header, *fault));
  }
  return PostRaw(cwmp::BuildCpeResponse(ns_, header, response));
}

HttpResult TestCpe::PostRaw(const std::string& envelope) {
  std::vector<std::string> headers = {"Content-Type: text/xml; charset=\"utf-8\"", "SOAPAction;"};
  if (!gzip_) return http_.Request("POST", url_, envelope, headers);
  headers.push_back("Content-Encoding: gzip");
  return http_.Request("POST", url_, core::GzipBody(envelope), headers);
}

cwmp::AcsMessage TestCpe::Parse(const HttpResult& result) {
  auto parsed = cwmp::ParseAcsEnvelope(result.body);
  if (const auto* error = std::get_if<cwmp::ParseError>(&parsed)) {
    ADD_FAILURE() << "ACS answer does not parse: " << error->status << "\n" << result.body;
    return {};
  }
  return std::get<cwmp::AcsMessage>(parsed);
}

namespace {

MHD_Result CrAccess(void* cls, MHD_Connection* connection, const char*, const char*, const char*,
                    const char*, size_t* upload_data_size, void** con_cls) {
  if (*con_cls == nullptr) {
    *con_cls = reinterpret_cast<void*>(1);
    return MHD_YES;
  }
  *upload_data_size = 0;
  return static_cast<MHD_Result>(static_cast<DigestCrServer*>(cls)->Handle(connection));
}

}  // namespace

DigestCrServer::DigestCrServer(std::string user, std::string password)
    : user_(std::move(user)), password_(std::move(password)) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  daemon_ =
      MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, nullptr, nullptr,
                       &CrAccess, this, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_DIGEST_AUTH_RANDOM,
                       seed_.size(), seed_.c_str(), MHD_OPTION_NONCE_NC_SIZE, 64u, MHD_OPTION_END);
  EXPECT_NE(daemon_, nullptr);
  if (daemon_) port_ = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)->port;
}

DigestCrServer::~DigestCrServer() {
  if (daemon_) MHD_stop_daemon(daemon_);
}

std::string DigestCrServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/cr";
}

int DigestCrServer::Handle(void* connection_ptr) {
  auto* connection = static_cast<MHD_Connection*>(connection_ptr);
  requests_++;
  int check = MHD_digest_auth_check2(connection, "cpe", user_.c_str(), password_.c_str(), 300,
                                     MHD_DIGEST_ALG_MD5);
  MHD_Response* response =
      MHD_create_response_from_buffer(0, const_cast<char*>(""), MHD_RESPMEM_PERSISTENT);
  MHD_Result ret;
  if (check == MHD_YES) {
    authorized_++;
    ret = MHD_queue_response(connection, MHD_HTTP_OK, response);
  } else {
    ret = MHD_queue_auth_fail_response2(connection, "cpe", opaque_.c_str(), response,
                                        check == MHD_INVALID_NONCE ? MHD_YES : MHD_NO,
                                        MHD_DIGEST_ALG_MD5);
  }
  MHD_destroy_response(response);
  return ret;
}

void LabAcsTest::SetUp() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "labacs-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  files_dir_ = tmpl;
  LabAcsOptions options;
  options.files_dir = files_dir_.string();
  Restart(options);
}

void LabAcsTest::TearDown() {
  acs_.reset();
  std::error_code ec;
  std::filesystem::remove_all(files_dir_, ec);
}

void LabAcsTest::Restart(LabAcsOptions options) {
  acs_.reset();
  options.cwmp_port = 0;
  options.api_port = 0;
  auto started = LabAcs::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  acs_ = std::move(started.value());
}

uint64_t LabAcsTest::QueueTask(const std::string& device, const Json& task) {
  HttpResult r = ApiPost(Api("devices/" + device + "/tasks"), task.dump());
  EXPECT_EQ(r.status, 200) << r.body;
  Json j = r.json();
  return j.is_object() && j.contains("id") ? j["id"].get<uint64_t>() : 0;
}

Json LabAcsTest::WaitTask(uint64_t id) {
  HttpResult r = ApiGet(Api("tasks/" + std::to_string(id) + "?wait=10"));
  EXPECT_EQ(r.status, 200) << r.body;
  return r.json();
}

}  // namespace proxier::labacs::testing
