// Platform hooks: shell commands from [hooks] run without blocking the engine thread.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "proxier/common/event_loop.h"
#include "proxier/common/status.h"

namespace proxier::app {

// Runs `command` with /bin/sh -c and extra environment variables; `done(exit_code)` runs on the
// engine thread when it exits (-1 if it could not start). The child's exit is watched through a
// pidfd on the loop. Thread: engine thread.
void RunHook(EventLoop& loop, const std::string& command,
             const std::map<std::string, std::string>& env,
             std::function<void(int exit_code)> done);

}  // namespace proxier::app
