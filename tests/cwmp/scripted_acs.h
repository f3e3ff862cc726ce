// ScriptedAcs: an in-test ACS (TestHttpServer + the real codec) that records what the CPE sends
// and answers with queued ACS requests, like GenieACS would.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <optional>

#include "proxier/core/gzip.h"
#include "proxier/core/soap_codec.h"
#include "test_http_server.h"

namespace proxier::testing {

class ScriptedAcs {
 public:
  struct Received {
    std::string method;  // "Inform", "" for an empty POST, "GetParameterValuesResponse", ...
    core::cwmp::CpeMessage message;  // parsed (unset fields for empty POSTs)
    RecordedRequest http;
  };

  ScriptedAcs() : server_([this](const RecordedRequest& r) { return Handle(r); }) {}

  std::string Url() const { return server_.Url("/acs"); }
  // Answers the next N Informs with HTTP 500.
  void FailInforms(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_informs_ = n;
  }
  // Sends `request` on the next empty POST (or after the next CPE response).
  void Queue(core::cwmp::AcsRequest request, core::cwmp::Header header = {}) {
    std::lock_guard<std::mutex> lock(mu_);
    queued_.push_back({std::move(request), std::move(header)});
  }
  // Raw body to send instead of the next queued request (e.g. a malformed envelope).
  void QueueRaw(std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    raw_.push_back(std::move(body));
  }
  void SetInformResponseHeader(core::cwmp::Header header) {
    std::lock_guard<std::mutex> lock(mu_);
    inform_header_ = std::move(header);
  }
  // Called on the server thread for each message received, before it is answered (what the CPE
  // committed before sending it is visible then).
  void OnReceive(std::function<void(const std::string& method)> hook) {
    std::lock_guard<std::mutex> lock(mu_);
    on_receive_ = std::move(hook);
  }
  void SetNamespace(core::cwmp::Namespace ns) {
    std::lock_guard<std::mutex> lock(mu_);
    ns_ = ns;
  }
  std::vector<Received> received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }
  std::vector<Received> Of(const std::string& method) {
    std::vector<Received> out;
    for (auto& r : received()) {
      if (r.method == method) out.push_back(r);
    }
    return out;
  }
  size_t Count(const std::string& method) { return Of(method).size(); }
  size_t sessions_ended() {
    std::lock_guard<std::mutex> lock(mu_);
    return ended_;
  }
  std::vector<core::cwmp::EventStruct> EventsOfInform(size_t i) {
    auto informs = Of("Inform");
    if (i >= informs.size()) return {};
    return std::get<core::cwmp::Inform>(std::get<core::cwmp::CpeRequest>(informs[i].message.body))
        .events;
  }

 private:
  struct Pending {
    core::cwmp::AcsRequest request;
    core::cwmp::Header header;
  };

  CannedResponse Xml(std::string body, bool gzip) {
    CannedResponse out{200, std::move(body), {{"Content-Type", "text/xml; charset=\"utf-8\""}}};
    if (gzip) {
      out.body = core::GzipBody(out.body);
      out.headers["Content-Encoding"] = "gzip";
    }
    return out;
  }

  CannedResponse Handle(const RecordedRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string body = r.body;
    bool gzip = r.headers.count("content-encoding") && r.headers.at("content-encoding") == "gzip";
    if (gzip) body = core::GunzipBody(body).value_or("");
    Received rec;
    rec.http = r;
    if (!body.empty()) {
      auto parsed = core::cwmp::ParseCpeEnvelope(body);
      if (!parsed.ok()) {
        rec.method = "<unparseable>";
        received_.push_back(rec);
        return {400, "", {}};
      }
      rec.message = *parsed;
      rec.method = parsed->method;
    }
    received_.push_back(rec);
    if (on_receive_) on_receive_(rec.method);
    core::cwmp::Header header;
    header.ns_uri = rec.message.header.ns_uri;
    if (rec.method == "Inform") {
      if (fail_informs_ > 0) {
        --fail_informs_;
        return {500, "", {}};
      }
      header = inform_header_;
      header.id = rec.message.header.id;
      CannedResponse out =
          Xml(core::cwmp::BuildAcsResponse(ns_, header, core::cwmp::InformResponse{1}), gzip);
      out.headers["Set-Cookie"] = "session=0123456789abcdef";
      return out;
    }
    if (rec.method == "TransferComplete") {
      header.id = rec.message.header.id;
      return Xml(core::cwmp::BuildAcsResponse(ns_, header, core::cwmp::TransferCompleteResponse{}),
                 gzip);
    }
    if (rec.method == "DUStateChangeComplete") {
      header.id = rec.message.header.id;
      return Xml(
          core::cwmp::BuildAcsResponse(ns_, header, core::cwmp::DUStateChangeCompleteResponse{}),
          gzip);
    }
    if (!raw_.empty()) {
      std::string raw = std::move(raw_.front());
      raw_.pop_front();
      return Xml(raw, gzip);
    }
    if (!queued_.empty()) {
      Pending p = std::move(queued_.front());
      queued_.pop_front();
      p.header.id = "acs-" + std::to_string(++ids_);
      return Xml(core::cwmp::BuildAcsRequest(ns_, p.header, p.request), gzip);
    }
    ++ended_;
    return {204, "", {{"Connection", "close"}}};
  }

  std::mutex mu_;
  std::vector<Received> received_;
  std::deque<Pending> queued_;
  std::deque<std::string> raw_;
  std::function<void(const std::string&)> on_receive_;
  core::cwmp::Header inform_header_;
  core::cwmp::Namespace ns_ = core::cwmp::Namespace::k12;
  int fail_informs_ = 0;
  int ids_ = 0;
  size_t ended_ = 0;
  TestHttpServer server_;  // last: stopped first, before the state its thread uses
};

}  // namespace proxier::testing
