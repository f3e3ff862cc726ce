// The lab ACS's CWMP endpoint: sessions, Inform handling, task delivery, CPE requests, gzip,
// HTTP auth and failure injection. /files/ requests go to the FileServer.
#pragma once

#include <string>

#include "file_server.h"
#include "lab_acs/http_server.h"
#include "lab_acs/lab_acs.h"
#include "lab_acs/registry.h"
#include "proxier/core/soap_codec.h"
#include "sessions.h"

namespace proxier::labacs {

// Thread: Handle() from any number of server threads at once.
class CwmpEndpoint {
 public:
  CwmpEndpoint(Registry& registry, FileServer& files, AuthMode auth, std::string username,
               Secret password);
  HttpResponse Handle(const HttpRequest& request);

 private:
  HttpResponse HandlePost(const HttpRequest& request);
  HttpResponse OnInform(const core::cwmp::CpeMessage& message, bool gzip);
  HttpResponse OnEmpty(Session& session, bool gzip);
  HttpResponse OnCpeRequest(Session& session, const core::cwmp::CpeMessage& message, bool gzip);
  HttpResponse OnCpeResponse(Session& session, const core::cwmp::CpeMessage& message, bool gzip);
  HttpResponse OnUnknownMethod(Session& session, std::string_view body, bool gzip);
  // Sends the device's next task, or ends the session with 204.
  HttpResponse NextOrEnd(Session& session, bool gzip);
  std::optional<HttpResponse> CheckAuth(const HttpRequest& request) const;

  Registry& registry_;
  FileServer& files_;
  SessionTable sessions_;
  const AuthMode auth_;
  const std::string username_;
  const Secret password_;
};

}  // namespace proxier::labacs
