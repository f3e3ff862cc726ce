// The lab ACS's JSON control API (devices, tasks, waits, connection requests, logs, config).
#pragma once

#include "lab_acs/http_server.h"
#include "lab_acs/registry.h"

namespace proxier::labacs {

// Thread: Handle() from any number of server threads; long polls block the calling thread.
class ApiServer {
 public:
  explicit ApiServer(Registry& registry) : registry_(registry) {}
  HttpResponse Handle(const HttpRequest& request);

 private:
  HttpResponse DeviceRoute(const HttpRequest& request, const std::string& device,
                           const std::string& what);
  HttpResponse QueueTask(const HttpRequest& request, const std::string& device);
  HttpResponse WaitDevice(const HttpRequest& request, const std::string& device);
  HttpResponse DeviceConnectionRequest(const HttpRequest& request, const std::string& device);
  HttpResponse RawConnectionRequest(const HttpRequest& request);
  HttpResponse GetTask(const HttpRequest& request, const std::string& id);
  HttpResponse Config(const HttpRequest& request);

  Registry& registry_;
};

}  // namespace proxier::labacs
