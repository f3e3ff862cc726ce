// LabAcs: wires the Registry, the CWMP endpoint, the file server and the control API together.
#include "lab_acs/lab_acs.h"

#include <curl/curl.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <mutex>

#include "api_server.h"
#include "cwmp_endpoint.h"
#include "file_server.h"
#include "lab_acs/http_server.h"

namespace proxier::labacs {

struct LabAcs::Impl {
  explicit Impl(const LabAcsOptions& o)
      : options(o),
        registry(o.cr_username, o.cr_password),
        files(registry, o.files_dir),
        cwmp(registry, files, o.auth, o.username, o.password),
        api(registry) {}

  std::string Url(uint16_t port, bool tls = false) const {
    const std::string host =
        options.listen.find(':') != std::string::npos ? "[" + options.listen + "]" : options.listen;
    return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port) + "/";
  }

  LabAcsOptions options;
  Registry registry;
  FileServer files;
  CwmpEndpoint cwmp;
  ApiServer api;
  std::unique_ptr<HttpServer> cwmp_server;
  std::unique_ptr<HttpServer> api_server;
};

LabAcs::LabAcs(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LabAcs::~LabAcs() { Stop(); }

Result<std::unique_ptr<LabAcs>> LabAcs::Start(const LabAcsOptions& options) {
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (!options.files_dir.empty()) {
    struct stat st {};
    if (stat(options.files_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Status(Code::kInvalidArguments,
                    "files dir " + options.files_dir + " is not a directory");
    }
  }
  if (options.auth != AuthMode::kNone && options.username.empty()) {
    return Status(Code::kInvalidArguments, "CWMP auth needs a username");
  }
  auto impl = std::make_unique<Impl>(options);
  Impl* p = impl.get();
  HttpServerOptions cwmp_options;
  cwmp_options.listen = options.listen;
  cwmp_options.port = options.cwmp_port;
  if (!options.tls_cert_file.empty()) {
    for (auto [file, out] : {std::pair{&options.tls_cert_file, &cwmp_options.tls_cert},
                             std::pair{&options.tls_key_file, &cwmp_options.tls_key},
                             std::pair{&options.tls_client_ca_file, &cwmp_options.tls_client_ca}}) {
      if (file->empty()) continue;
      std::ifstream in(*file);
      if (!in) return Status(Code::kInvalidArguments, "cannot read " + *file);
      out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    cwmp_options.tls_priorities = options.tls_priorities;
  }
  cwmp_options.max_body = 64 * 1024 * 1024;  // file uploads; envelopes are limited by the codec
  cwmp_options.name = "cwmp";
  auto cwmp_server =
      HttpServer::Start(cwmp_options, [p](const HttpRequest& r) { return p->cwmp.Handle(r); });
  if (!cwmp_server.ok()) return cwmp_server.status();
  impl->cwmp_server = std::move(cwmp_server.value());
  HttpServerOptions api_options;
  api_options.listen = options.listen;
  api_options.port = options.api_port;
  api_options.max_body = 1024 * 1024;
  api_options.connection_timeout_s = 0;  // long polls may be quiet for minutes
  api_options.name = "api";
  auto api_server =
      HttpServer::Start(api_options, [p](const HttpRequest& r) { return p->api.Handle(r); });
  if (!api_server.ok()) return api_server.status();
  impl->api_server = std::move(api_server.value());
  PX_LOG(kInfo, "lab-acs") << "CWMP on " << impl->Url(impl->cwmp_server->port()) << ", API on "
                           << impl->Url(impl->api_server->port());
  return std::unique_ptr<LabAcs>(new LabAcs(std::move(impl)));
}

void LabAcs::Stop() {
  if (!impl_) return;
  impl_->registry.Shutdown();
  if (impl_->api_server) impl_->api_server->Stop();
  if (impl_->cwmp_server) impl_->cwmp_server->Stop();
}

uint16_t LabAcs::cwmp_port() const { return impl_->cwmp_server->port(); }
uint16_t LabAcs::api_port() const { return impl_->api_server->port(); }
std::string LabAcs::cwmp_url() const {
  return impl_->Url(cwmp_port(), !impl_->options.tls_cert_file.empty());
}
std::string LabAcs::api_url() const { return impl_->Url(api_port()); }
Registry& LabAcs::registry() { return impl_->registry; }

}  // namespace proxier::labacs
