// lab-acs: a small scriptable ACS for tests and demos. A CWMP endpoint (plus a file server under
// /files/) on one port and a JSON control API on another, sharing one Registry.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "lab_acs/registry.h"
#include "proxier/common/log.h"
#include "proxier/common/status.h"

namespace proxier::labacs {

enum class AuthMode { kNone, kBasic, kDigest };

struct LabAcsOptions {
  std::string listen = "127.0.0.1";  // IPv4 or IPv6 literal, for both ports
  uint16_t cwmp_port = 0;            // 0: pick a free port
  // HTTPS on the CWMP port (and its file server) when set: PEM file names.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;  // require a client certificate signed by this CA
  std::string tls_priorities;      // GnuTLS priority string, e.g. to offer only TLS 1.0
  uint16_t api_port = 0;
  AuthMode auth = AuthMode::kNone;  // HTTP auth required on the CWMP endpoint
  std::string username;
  Secret password;
  std::string files_dir;    // empty: the file server answers 404
  std::string cr_username;  // default connection-request credentials
  Secret cr_password;
};

// Thread: Start/Stop/destructor from one owner thread; the accessors from any thread.
class LabAcs {
 public:
  // Starts both servers; errors: a port cannot be bound, bad address, bad files dir (9003).
  static Result<std::unique_ptr<LabAcs>> Start(const LabAcsOptions& options);
  ~LabAcs();
  LabAcs(const LabAcs&) = delete;
  LabAcs& operator=(const LabAcs&) = delete;

  // Wakes long polls, stops both servers and joins their threads. Idempotent.
  void Stop();

  uint16_t cwmp_port() const;
  uint16_t api_port() const;
  // "http://<listen>:<port>/" (IPv6 in brackets).
  std::string cwmp_url() const;
  std::string api_url() const;
  Registry& registry();

 private:
  struct Impl;
  explicit LabAcs(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace proxier::labacs
