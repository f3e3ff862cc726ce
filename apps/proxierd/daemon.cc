// RunDaemon: builds every part of proxierd on one EventLoop and runs it.
#include "daemon.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "hooks.h"
#include "proxier/build_config.h"
#include "proxier/common/event_loop.h"
#include "proxier/common/log.h"
#include "proxier/common/sqlite.h"
#include "proxier/core/connection_request_server.h"
#include "proxier/core/cwmp_client.h"
#include "proxier/core/gateway_model.h"
#include "proxier/core/http_client.h"

namespace proxier::app {

namespace {

core::DeviceIdentity IdentityFrom(const DaemonConfig& c) {
  return {c.manufacturer,     c.oui,          c.product_class,
          c.serial_number,    c.model_name,   "Proxier TR-069 proxier gateway",
          c.hardware_version, PROXIER_VERSION};
}

std::vector<std::string> ForcedInform(const datamodel::Schema& schema) {
  std::vector<std::string> out;
  for (const auto& [path, obj] : schema.objects()) {
    if (path.find("{i}") != std::string::npos) continue;
    for (const auto& p : obj.params) {
      if (p.forced_inform) out.push_back(path + p.name);
    }
  }
  return out;
}

std::vector<datamodel::SetItem> Seed(const DaemonConfig& c) {
  const std::string ms = "Device.ManagementServer.";
  std::vector<datamodel::SetItem> seed = {
      {ms + "URL", c.acs_url, {}},
      {ms + "Username", c.acs_username, {}},
      {ms + "Password", c.acs_password.Reveal(), {}},
      {ms + "PeriodicInformEnable", c.periodic_inform_enable ? "true" : "false", {}},
      {ms + "PeriodicInformInterval", std::to_string(c.periodic_inform_interval), {}},
      {ms + "ConnectionRequestUsername", c.cr_username, {}},
      {ms + "ConnectionRequestPassword", c.cr_password.Reveal(), {}},
      {ms + "CWMPRetryMinimumWaitInterval", std::to_string(c.retry_min_wait), {}},
      {ms + "CWMPRetryIntervalMultiplier", std::to_string(c.retry_multiplier), {}},
  };
  return seed;
}

std::pair<std::string, uint16_t> SplitListen(const std::string& listen) {
  auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return {host, static_cast<uint16_t>(std::stoul(listen.substr(colon + 1)))};
}

}  // namespace

void WipeStore(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

ExitAction RunDaemon(const DaemonConfig& config, const std::string& config_path,
                     const datamodel::Schema& schema, bool* failed) {
  *failed = true;
  std::filesystem::path store_dir = std::filesystem::path(config.storage_path).parent_path();
  if (!store_dir.empty()) std::filesystem::create_directories(store_dir);
  auto db = Db::Open(config.storage_path);
  if (!db.ok()) {
    PX_LOG(kError, "proxierd") << db.status().message();
    return ExitAction::kStop;
  }
  SystemClock clock;
  DefaultRandom random;
  auto gw = core::GatewayModel::Create(**db, schema, "gw", IdentityFrom(config), clock);
  if (!gw.ok()) {
    PX_LOG(kError, "proxierd") << "data model: " << gw.status();
    return ExitAction::kStop;
  }
  auto& store = (*gw)->store();
  for (const auto& [name, value] : {std::pair<std::string, std::string>{
                                        "Device.ManagementServer.SupportedConnReqMethods", "HTTP"},
                                    {"Device.ManagementServer.HTTPCompressionSupported", "GZIP"}}) {
    if (schema.FindParam(name)) (void)store.SetInternal(name, value);
  }

  EventLoop loop(clock);
  core::HttpClient http(loop);
  core::ConnectionRequestOptions cr_options;
  std::tie(cr_options.listen_host, cr_options.port) = SplitListen(config.cr_listen);
  cr_options.rate_limit = config.cr_rate_limit;
  cr_options.rate_window = Seconds(config.cr_rate_window_seconds);
  auto cr = core::ConnectionRequestServer::Start(loop, cr_options);
  if (!cr.ok()) {
    PX_LOG(kError, "proxierd") << cr.status().message();
    return ExitAction::kStop;
  }

  ExitAction action = ExitAction::kStop;
  const std::string work_dir =
      (store_dir.empty() ? std::filesystem::path(".") : store_dir).string() + "/transfers";
  core::ClientHooks hooks;
  hooks.reboot = [&] {
    auto restart = [&](int) {
      action = ExitAction::kRestart;
      loop.Stop();
    };
    if (config.hook_reboot.empty()) return restart(0);
    RunHook(loop, config.hook_reboot, {}, restart);
  };
  hooks.factory_reset = [&] {
    auto reset = [&](int) {
      action = ExitAction::kFactoryReset;
      loop.Stop();
    };
    if (config.hook_factory_reset.empty()) return reset(0);
    RunHook(loop, config.hook_factory_reset, {}, reset);
  };
  hooks.apply_download = [&](const std::string& file_type, const std::string& path,
                             std::function<void(core::cwmp::FaultStruct, bool)> done) {
    const bool firmware = file_type == "1 Firmware Upgrade Image";
    const std::string& command = firmware ? config.hook_apply_firmware : config.hook_apply_config;
    if (command.empty()) {
      PX_LOG(kWarning, "proxierd")
          << "no hook configured for '" << file_type << "'; file kept at " << path;
      return done({0, ""}, false);
    }
    RunHook(loop, command, {{"PROXIER_FILE", path}, {"PROXIER_FILE_TYPE", file_type}},
            [done, firmware](int code) {
              if (code != 0)
                return done(
                    {9018, "applying the file failed (hook exit " + std::to_string(code) + ")"},
                    false);
              done({0, ""}, firmware);
            });
  };
  hooks.upload_source = [&](const std::string& file_type) -> Result<std::string> {
    std::filesystem::create_directories(work_dir);
    std::string path = work_dir + "/upload-" + std::to_string(getpid()) + ".txt";
    std::ofstream out(path, std::ios::trunc);
    if (file_type == "2 Vendor Log File") {
      out << log::RecentLines();
    } else {
      // Vendor configuration: every readable value of the gateway's model, one per line.
      Status st;
      (*gw)->model().GetValues({"Device."}, [&](Result<std::vector<datamodel::ParamValue>> r) {
        if (!r.ok()) {
          st = r.status();
          return;
        }
        for (const auto& v : *r) out << v.name << "=" << v.value << "\n";
      });
      if (!st.ok()) return st;
    }
    if (!out) return Status(Code::kUploadFailure, "cannot write " + path);
    return path;
  };

  core::CwmpClientOptions options;
  options.name = "gw";
  options.cr_path = "/cr";
  options.advertised_host = config.cr_advertised_host;
  options.forced_inform = ForcedInform(schema);
  options.work_dir = work_dir;
  options.tls = {true, config.ca_file, config.client_cert, config.client_key};
  options.seed = Seed(config);
  core::CwmpClient client(loop, random, **db, (*gw)->model(), store, http, cr->get(), hooks,
                          options);

  // Signals arrive on the loop through a signalfd: TERM/INT stop, HUP re-reads the log level.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  Status watch = loop.WatchFd(sfd, EventLoop::kReadable, [&](uint32_t) {
    signalfd_siginfo info;
    while (read(sfd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      if (info.ssi_signo == SIGHUP) {
        auto fresh = LoadConfig(config_path);
        if (fresh.ok()) {
          log::SetLevel(fresh->log_level);
          PX_LOG(kInfo, "proxierd") << "SIGHUP: log level " << log::LevelName(fresh->log_level);
        } else {
          PX_LOG(kWarning, "proxierd") << "SIGHUP: " << fresh.status().message();
        }
      } else {
        PX_LOG(kInfo, "proxierd") << "signal " << info.ssi_signo << ": stopping";
        action = ExitAction::kStop;
        loop.Stop();
      }
    }
  });
  if (!watch.ok()) return ExitAction::kStop;

  Status started = client.Start();
  if (!started.ok()) {
    PX_LOG(kError, "proxierd") << "CWMP client: " << started;
    close(sfd);
    return ExitAction::kStop;
  }
  *failed = false;
  PX_LOG(kInfo, "proxierd") << "running: " << schema.object_count() << " objects, ACS "
                            << RedactUrl(config.acs_url) << ", connection requests on port "
                            << (*cr)->port() << ", store " << config.storage_path;
  loop.Run();
  client.Stop();
  loop.UnwatchFd(sfd);
  close(sfd);
  PX_LOG(kInfo, "proxierd") << (action == ExitAction::kStop ? "stopped" : "restarting");
  return action;
}

}  // namespace proxier::app
