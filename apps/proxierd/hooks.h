// Platform hooks: shell commands from [hooks] run without blocking the engine thread.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "config.h"
#include "daemon.h"
#include "proxier/common/event_loop.h"
#include "proxier/common/status.h"
#include "proxier/core/cwmp_client.h"
#include "proxier/datamodel/data_model.h"

namespace proxier::app {

// Runs `command` with /bin/sh -c and extra environment variables; `done(exit_code)` runs on the
// engine thread when it exits (-1 if it could not start). The child's exit is watched through a
// pidfd on the loop. Thread: engine thread.
void RunHook(EventLoop& loop, const std::string& command,
             const std::map<std::string, std::string>& env,
             std::function<void(int exit_code)> done);

// The gateway CWMP client's platform hooks from [hooks]: reboot and factory reset run their
// command (if any) and then call `exit` (kRestart / kFactoryReset); downloads are applied by the
// apply_firmware / apply_config command; uploads are the recent log lines or every value of
// `model`, written under `work_dir`. `loop`, `config` and `model` are borrowed and must outlive
// the hooks. Thread: engine thread.
core::ClientHooks MakeClientHooks(EventLoop& loop, const DaemonConfig& config,
                                  datamodel::DataModel& model, const std::string& work_dir,
                                  std::function<void(ExitAction)> exit);

}  // namespace proxier::app
