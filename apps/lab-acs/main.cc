// lab-acs: a small scriptable ACS (CWMP endpoint + file server + JSON control API) for tests and
// demos. Prints "READY cwmp=<url> api=<url>" once both ports listen; SIGTERM/SIGINT stop it.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "lab_acs/lab_acs.h"

int main(int argc, char** argv) {
  namespace lab = proxier::labacs;
  CLI::App app{"lab-acs - scriptable lab ACS (CWMP + JSON control API)"};
  lab::LabAcsOptions options;
  std::string auth = "", password, cr_password, log_level = "info";
  app.add_option("--listen", options.listen, "address to listen on (both ports)")
      ->capture_default_str();
  app.add_option("--cwmp-port", options.cwmp_port, "CWMP port (0 = pick a free one)")
      ->capture_default_str();
  app.add_option("--api-port", options.api_port, "JSON API port (0 = pick a free one)")
      ->capture_default_str();
  app.add_option("--username", options.username, "CWMP HTTP auth user name");
  app.add_option("--password", password, "CWMP HTTP auth password");
  app.add_option("--auth", auth,
                 "CWMP HTTP auth: basic|digest|none (default: digest with a "
                 "--username, else none)")
      ->check(CLI::IsMember({"basic", "digest", "none"}));
  app.add_option("--files-dir", options.files_dir, "directory served under /files/")
      ->check(CLI::ExistingDirectory);
  app.add_option("--cr-username", options.cr_username, "default connection-request user name");
  app.add_option("--cr-password", cr_password, "default connection-request password");
  app.add_option("--log-level", log_level, "debug|info|warning|error")->capture_default_str();
  app.add_option("--tls-cert", options.tls_cert_file, "serve CWMP over HTTPS with this PEM cert")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", options.tls_key_file, "its PEM private key")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-client-ca", options.tls_client_ca_file,
                 "require a client certificate signed by this PEM CA")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-priorities", options.tls_priorities,
                 "GnuTLS priority string (e.g. NORMAL:-VERS-ALL:+VERS-TLS1.1)");
  CLI11_PARSE(app, argc, argv);

  proxier::log::Level level;
  if (!proxier::log::ParseLevel(log_level, &level)) {
    std::cerr << "lab-acs: unknown log level '" << log_level << "'\n";
    return 2;
  }
  proxier::log::SetLevel(level);
  options.password = proxier::Secret(password);
  options.cr_password = proxier::Secret(cr_password);
  if (auth.empty()) auth = options.username.empty() ? "none" : "digest";
  options.auth = auth == "basic"    ? lab::AuthMode::kBasic
                 : auth == "digest" ? lab::AuthMode::kDigest
                                    : lab::AuthMode::kNone;

  // Block the stop signals before any thread starts so that only sigwait() below sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto acs = lab::LabAcs::Start(options);
  if (!acs.ok()) {
    std::cerr << "lab-acs: " << acs.status().message() << "\n";
    return 1;
  }
  std::printf("READY cwmp=%s api=%s\n", (*acs)->cwmp_url().c_str(), (*acs)->api_url().c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  PX_LOG(kInfo, "lab-acs") << "signal " << sig << ", stopping";
  (*acs)->Stop();
  return 0;
}
