// Secrets at rest: the store (SQLite database and its -wal/-shm) holds the ACS and
// connection-request passwords, so it is private to proxierd's user whatever the umask.
#pragma once

#include <string>

#include "proxier/common/status.h"

namespace proxier::app {

// Prepares the store at `db_path` before it is opened: creates its directory (and missing
// parents) with the new directory itself 0700; refuses (kInvalidArguments, the message names the
// path and the mode) a store directory or an existing database/-wal/-shm file that is group- or
// world-writable, or a database path that is a symbolic link; brings existing database files to
// 0600. Thread: any (touches only the file system).
Status PrepareStore(const std::string& db_path);

// After the database is open (SQLite may have created files): the database and any -wal/-shm
// are 0600. Errors: kInternalError when a mode cannot be set.
Status SealStoreFiles(const std::string& db_path);

// Warns (log) when the configuration file at `config_path` holds a password and is readable by
// other users. Never fails.
void WarnIfConfigExposed(const std::string& config_path, bool holds_password);

}  // namespace proxier::app
