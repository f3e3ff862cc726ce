// The lab ACS's file server under /files/<name> on the CWMP port: GET/HEAD serve
// <files_dir>/<name>, PUT stores the body there. Every request is logged in the Registry.
#pragma once

#include <string>

#include "lab_acs/http_server.h"
#include "lab_acs/registry.h"

namespace proxier::labacs {

// Thread: Handle() from any server thread. Names with '/' or ".." are refused (400); without a
// files directory every request gets 404. With files credentials set in the Registry's config,
// requests must authenticate with Digest (realm "lab-acs-files").
class FileServer {
 public:
  FileServer(Registry& registry, std::string dir);
  HttpResponse Handle(const HttpRequest& request);

 private:
  HttpResponse Serve(const HttpRequest& request, const std::string& name, uint64_t* size);

  Registry& registry_;
  const std::string dir_;
};

}  // namespace proxier::labacs
