// RunHook: posix_spawn + pidfd watched by the EventLoop.
#include "hooks.h"

#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <vector>

#include "proxier/common/log.h"

extern char** environ;

namespace proxier::app {

void RunHook(EventLoop& loop, const std::string& command,
             const std::map<std::string, std::string>& env, std::function<void(int)> done) {
  std::vector<std::string> vars;
  for (char** e = environ; *e; ++e) vars.emplace_back(*e);
  for (const auto& [k, v] : env) vars.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = 0;
  // The daemon blocks SIGTERM/SIGINT/SIGHUP for its signalfd; the hook gets a clean mask.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  int rc = posix_spawn(&pid, "/bin/sh", nullptr, &attr, const_cast<char**>(argv), envp.data());
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    PX_LOG(kError, "hooks") << "cannot run hook '" << command << "': error " << rc;
    loop.Post([done] { done(-1); });
    return;
  }
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    // Without pidfd (old kernel): wait in place; hooks are expected to be short.
    int status = 0;
    waitpid(pid, &status, 0);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    loop.Post([done, code] { done(code); });
    return;
  }
  auto finished = std::make_shared<bool>(false);
  Status st =
      loop.WatchFd(pidfd, EventLoop::kReadable, [&loop, pidfd, pid, done, finished](uint32_t) {
        if (*finished) return;
        *finished = true;
        int status = 0;
        waitpid(pid, &status, 0);
        loop.UnwatchFd(pidfd);
        close(pidfd);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        done(code);
      });
  if (!st.ok()) {
    close(pidfd);
    int status = 0;
    waitpid(pid, &status, 0);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    loop.Post([done, code] { done(code); });
  }
}

core::ClientHooks MakeClientHooks(EventLoop& loop, const DaemonConfig& config,
                                  datamodel::DataModel& model, const std::string& work_dir,
                                  std::function<void(ExitAction)> exit) {
  core::ClientHooks hooks;
  hooks.reboot = [&loop, &config, exit] {
    auto restart = [exit](int) { exit(ExitAction::kRestart); };
    if (config.hook_reboot.empty()) return restart(0);
    RunHook(loop, config.hook_reboot, {}, restart);
  };
  hooks.factory_reset = [&loop, &config, exit] {
    auto reset = [exit](int) { exit(ExitAction::kFactoryReset); };
    if (config.hook_factory_reset.empty()) return reset(0);
    RunHook(loop, config.hook_factory_reset, {}, reset);
  };
  hooks.apply_download = [&loop, &config](const std::string& file_type, const std::string& path,
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
  hooks.upload_source = [&model, work_dir](const std::string& file_type) -> Result<std::string> {
    std::filesystem::create_directories(work_dir);
    std::string path = work_dir + "/upload-" + std::to_string(getpid()) + ".txt";
    std::ofstream out(path, std::ios::trunc);
    if (file_type == "2 Vendor Log File") {
      out << log::RecentLines();
    } else {
      // Vendor configuration: every readable value of the gateway's model, one per line. The
      // hook is synchronous: if a remote (proxied) provider makes the answer come later, the
      // late answer only lands in the shared slot and the upload fails instead.
      auto slot = std::make_shared<std::optional<Result<std::vector<datamodel::ParamValue>>>>();
      model.GetValues({"Device."}, [slot](Result<std::vector<datamodel::ParamValue>> r) {
        slot->emplace(std::move(r));
      });
      if (!slot->has_value())
        return Status(Code::kUploadFailure, "configuration not available synchronously");
      if (!(*slot)->ok()) return (*slot)->status();
      for (const auto& v : ***slot) out << v.name << "=" << v.value << "\n";
    }
    if (!out) return Status(Code::kUploadFailure, "cannot write " + path);
    return path;
  };
  return hooks;
}

}  // namespace proxier::app
