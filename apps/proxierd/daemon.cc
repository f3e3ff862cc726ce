// RunDaemon: builds every part of proxierd on one EventLoop and runs it.
#include "daemon.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "hooks.h"
#include "proxier/build_config.h"
#include "proxier/common/event_loop.h"
#include "proxier/common/log.h"
#include "proxier/common/sqlite.h"
#include "proxier/core/connection_request_server.h"
#include "proxier/core/cwmp_client.h"
#include "proxier/core/gateway_model.h"
#include "proxier/core/http_client.h"
#include "store_files.h"
#include "upnp_setup.h"

namespace proxier::app {

namespace {

constexpr Millis kUnsubscribeGrace{1000};

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
  // Block the signals that the loop reads through its signalfd before any thread exists
  // (the HTTP workers): a thread created earlier would keep them
  // unblocked and SIGTERM would kill the process instead of stopping it.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  std::filesystem::path store_dir = std::filesystem::path(config.storage_path).parent_path();
  WarnIfConfigExposed(config_path, !config.acs_password.empty() || !config.cr_password.empty() ||
                                       !config.virtual_cr_secret.empty());
  // The store holds the passwords: its directory 0700, its files 0600, whatever the umask.
  if (Status st = PrepareStore(config.storage_path); !st.ok()) {
    PX_LOG(kError, "proxierd") << st.message();
    return ExitAction::kStop;
  }
  const mode_t old_umask = umask(077);  // SQLite creates the database (and -wal/-shm) 0600
  auto db = Db::Open(config.storage_path);
  umask(old_umask);
  if (!db.ok()) {
    PX_LOG(kError, "proxierd") << db.status().message();
    return ExitAction::kStop;
  }
  if (Status st = SealStoreFiles(config.storage_path); !st.ok()) {
    PX_LOG(kError, "proxierd") << st.message();
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
  // UPnP side (control point, discovery tables, proxy): built now, started after the client.
  std::unique_ptr<UpnpSide> upnp;
  if (config.upnp_enabled) {
    upnp = UpnpSide::Create(
        {loop, **db, **gw, config, schema, random, http, *cr->get(), Seed(config), work_dir});
  }
  // Every way out of the loop (signal, reboot, factory reset) stops the UPnP side first.
  auto leave = [&](ExitAction what) {
    action = what;
    if (upnp) upnp->Stop();
    loop.Stop();
  };
  core::ClientHooks hooks = MakeClientHooks(loop, config, (*gw)->model(), work_dir, leave);

  core::CwmpClientOptions options;
  options.name = "gw";
  options.cr_path = "/cr";
  options.advertised_host = config.cr_advertised_host;
  options.forced_inform = ForcedInform(schema);
  options.work_dir = work_dir;
  options.tls = AcsTls(config);
  options.seed = Seed(config);
  core::CwmpClient client(loop, random, **db, (*gw)->model(), store, http, cr->get(), hooks,
                          options);

  // Signals arrive on the loop through a signalfd: TERM/INT stop, HUP re-reads the log level.
  int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  Status watch = loop.WatchFd(sfd, EventLoop::kReadable, [&](uint32_t) {
    signalfd_siginfo info;
    while (read(sfd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      if (info.ssi_signo == SIGHUP) {
        auto fresh = LoadConfig(config_path);
        if (fresh.ok()) {
          if (upnp) upnp->ReloadRules(*fresh);
          // Logged under the more verbose of the old and the new level, so it is seen.
          const bool quieter = fresh->log_level > log::GetLevel();
          if (!quieter) log::SetLevel(fresh->log_level);
          PX_LOG(kInfo, "proxierd") << "SIGHUP: log level " << log::LevelName(fresh->log_level)
                                    << ", " << fresh->rules.size() << " proxy rules";
          if (quieter) log::SetLevel(fresh->log_level);
        } else {
          PX_LOG(kWarning, "proxierd") << "SIGHUP: " << fresh.status().message();
        }
      } else {
        PX_LOG(kInfo, "proxierd") << "signal " << info.ssi_signo << ": stopping";
        leave(ExitAction::kStop);
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
  // The gateway stays manageable without UPnP: a control point that cannot start is dropped.
  if (upnp && !upnp->Start()) upnp.reset();
  *failed = false;
  PX_LOG(kInfo, "proxierd") << "running: " << schema.object_count() << " objects, ACS "
                            << RedactUrl(config.acs_url) << ", connection requests on port "
                            << (*cr)->port() << ", store " << config.storage_path << ", UPnP "
                            << (upnp ? config.upnp_interface : std::string("off"));
  loop.Run();
  if (upnp) {
    upnp->Stop();
    // The UNSUBSCRIBEs get a short, bounded chance to leave: a device that hangs costs at most
    // this, never the shutdown (each exchange also has its own gena timeout).
    loop.RunUntil([&] { return upnp->control_point().GenaIdle(); }, kUnsubscribeGrace);
  }
  client.Stop();
  upnp.reset();  // before the loop and the data model it posts to and writes
  loop.UnwatchFd(sfd);
  close(sfd);
  PX_LOG(kInfo, "proxierd") << (action == ExitAction::kStop ? "stopped" : "restarting");
  return action;
}

}  // namespace proxier::app
