// Test helpers for lab-acs: a blocking libcurl HTTP client, a test CPE speaking CWMP through the
// real codec, a Digest-protected connection-request server, and a fixture running lab-acs
// in-process on free ports.
#pragma once

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lab_acs/lab_acs.h"
#include "proxier/core/soap_codec.h"

struct MHD_Daemon;

namespace proxier::labacs::testing {

namespace cwmp = core::cwmp;

struct HttpResult {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;                            // gunzipped when Content-Encoding: gzip
  std::map<std::string, std::string> headers;  // lower-case names
  bool gzip = false;                           // the response had Content-Encoding: gzip
  Json json() const { return Json::parse(body, nullptr, false); }
};

// One libcurl easy handle with the cookie engine on (like a CPE keeping its session cookie).
class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResult Request(const std::string& method, const std::string& url,
                     const std::string& body = "", const std::vector<std::string>& headers = {});
  // CURLAUTH_BASIC / CURLAUTH_DIGEST with credentials; CURLAUTH_NONE to stop sending any.
  void SetAuth(unsigned long mode, const std::string& user = "", const std::string& pass = "");
  // Send the path exactly as written (no "/../" squashing), for traversal tests.
  void SetPathAsIs(bool on);

 private:
  CURL* curl_;
};

// Control-API helpers (a fresh handle per call).
HttpResult ApiGet(const std::string& url);
HttpResult ApiPost(const std::string& url, const std::string& body);

// A CPE talking to the lab's CWMP endpoint: envelopes built with BuildCpeRequest/Response and
// ACS answers parsed with ParseAcsEnvelope.
class TestCpe {
 public:
  TestCpe(std::string url, std::string serial = "S1", cwmp::Namespace ns = cwmp::Namespace::k12,
          std::string ns_uri = "");

  cwmp::Inform MakeInform(const std::vector<std::string>& event_codes) const;
  HttpResult SendInform(const cwmp::Inform& inform, const std::string& id = "1",
                        std::optional<std::string> supported_versions = std::nullopt);
  HttpResult Inform(const std::vector<std::string>& event_codes = {"1 BOOT"});
  HttpResult PostEmpty();
  HttpResult PostRequest(const cwmp::CpeRequest& request, const std::string& id);
  HttpResult PostResponse(const cwmp::CpeResponse& response, const std::string& id);
  HttpResult PostRaw(const std::string& envelope);

  // Parses an ACS answer; fails the test (and returns an empty message) when it does not parse.
  static cwmp::AcsMessage Parse(const HttpResult& result);

  std::string device_id() const { return "02C0DE-LabGW-" + serial_; }
  void set_gzip(bool on) { gzip_ = on; }
  void set_cr_url(std::string url) { cr_url_ = std::move(url); }
  HttpClient& http() { return http_; }

 private:
  std::string url_;
  std::string serial_;
  cwmp::Namespace ns_;
  std::string ns_uri_;
  std::string cr_url_ = "http://127.0.0.1:9/cr";
  bool gzip_ = false;
  HttpClient http_;
};

// A CPE's connection-request listener: answers GET with 200 when Digest auth (realm "cpe")
// succeeds, 401 with a challenge otherwise.
class DigestCrServer {
 public:
  DigestCrServer(std::string user, std::string password);
  ~DigestCrServer();
  std::string url() const;
  int authorized() const { return authorized_; }
  int requests() const { return requests_; }

  // Internal (libmicrohttpd callback).
  int Handle(void* connection);

 private:
  std::string user_, password_, seed_ = "0123456789abcdef", opaque_ = "fedcba9876543210";
  MHD_Daemon* daemon_ = nullptr;
  uint16_t port_ = 0;
  std::atomic<int> authorized_{0};
  std::atomic<int> requests_{0};
};

// Runs lab-acs in-process on free ports for each test.
class LabAcsTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Restarts the lab with `options` (ports forced to 0).
  void Restart(LabAcsOptions options);

  std::string Api(const std::string& path) const { return acs_->api_url() + path; }
  std::string Cwmp(const std::string& path = "acs") const { return acs_->cwmp_url() + path; }
  // POST /devices/{id}/tasks; returns the task id (test failure when not 200).
  uint64_t QueueTask(const std::string& device, const Json& task);
  // GET /tasks/{id}?wait=10.
  Json WaitTask(uint64_t id);

  std::filesystem::path files_dir_;
  std::unique_ptr<LabAcs> acs_;
};

}  // namespace proxier::labacs::testing
