// Daemon: wires proxierd's parts together (store, data model, CWMP client, servers) and runs them.
#pragma once

#include <memory>
#include <string>

#include "config.h"
#include "proxier/datamodel/schema.h"

namespace proxier::app {

// What main() does after the loop returned.
enum class ExitAction { kStop, kRestart, kFactoryReset };

// Runs the engine until SIGTERM/SIGINT (kStop) or until the ACS asked for a reboot (kRestart) or a
// factory reset (kFactoryReset: main wipes the store, then restarts). Returns kStop with a
// logged error when start-up fails (and sets *failed).
ExitAction RunDaemon(const DaemonConfig& config, const std::string& config_path,
                     const datamodel::Schema& schema, bool* failed);

// Removes the SQLite database and its WAL/SHM files.
void WipeStore(const std::string& path);

}  // namespace proxier::app
