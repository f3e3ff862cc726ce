// RunHook: posix_spawn + pidfd watched by the EventLoop.
#include "hooks.h"

#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
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
  int rc = posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), envp.data());
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

}  // namespace proxier::app
