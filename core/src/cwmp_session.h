// CwmpClient::Session: one CWMP session (Inform, CPE requests, ACS requests) over one HTTP session.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "proxier/core/cwmp_client.h"
#include "proxier/core/soap_codec.h"

namespace proxier::core {

class CwmpClient::Session {
 public:
  explicit Session(CwmpClient& client);
  // Gathers the Inform and sends it; ends through CwmpClient::OnSessionEnd.
  void Begin();
  // True until the InformResponse arrived (a connection request then needs no new session).
  bool informing() const { return !inform_acked_; }
  // Events carried by this session's Inform.
  const std::vector<cwmp::EventStruct>& delivered() const { return delivered_; }

 private:
  void SendInform(cwmp::Inform inform);
  void Post(const std::string& body, bool is_request,
            std::function<void(Result<HttpResponse>)> next);
  void OnInformReply(Result<HttpResponse> reply);
  void Continue();  // after the InformResponse or a CPE request's response
  void SendEmpty();
  void OnAcsReply(Result<HttpResponse> reply);
  void Answer(const cwmp::Header& request_header, cwmp::CpeResponse response);
  void Fail(Status why);
  void Done();
  // Parses a reply: nullopt for an empty one (204/empty 200), error for HTTP/parse failures.
  Result<std::optional<std::variant<cwmp::AcsMessage, cwmp::ParseError>>> Decode(
      const Result<HttpResponse>& r);

  CwmpClient& c_;
  std::unique_ptr<HttpSession> http_;
  std::string url_;
  std::string username_;
  Secret password_;
  bool gzip_ = false;
  cwmp::Namespace ns_ = cwmp::Namespace::k12;
  std::string ns_uri_;  // the exact cwmp URI the ACS used
  bool hold_requests_ = false;
  bool inform_acked_ = false;
  bool finished_ = false;
  std::vector<cwmp::EventStruct> delivered_;
  std::vector<datamodel::NotifiedChange> sent_changes_;
  std::set<int64_t> tried_requests_;
  std::set<int64_t> announced_requests_;  // queued when the Inform went out
  int64_t inflight_request_ = 0;
  int request_attempts_ = 0;
  int exchanges_ = 0;
  int next_id_ = 1;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // guards async callbacks
};

}  // namespace proxier::core
