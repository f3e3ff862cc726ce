// SQLite RAII wrapper: database handle, cached prepared statements, transactions, migrations.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "proxier/common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace proxier {

class Db;

// A prepared statement borrowed from the Db's cache; returned (reset) on destruction.
// Columns and parameters are 0-based here (Bind(0, ...) is SQLite's ?1).
// Thread: the Db's owning thread only.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, int64_t value);
  Statement& BindNull(int index);
  // Advances: true when a row is available, false when done. Errors: 9002 (9004 when the disk is
  // full), with SQLite's message.
  Result<bool> Step();
  // Runs to completion, ignoring rows.
  Status Run();
  std::string ColumnText(int index) const;
  int64_t ColumnInt(int index) const;
  bool ColumnIsNull(int index) const;

 private:
  friend class Db;
  Statement(Db* db, std::string sql, sqlite3_stmt* stmt)
      : db_(db), sql_(std::move(sql)), stmt_(stmt) {}
  Db* db_;
  std::string sql_;
  sqlite3_stmt* stmt_;
};

struct DbOptions {
  // synchronous=FULL: a commit survives power loss, not only a process crash.
  bool full_sync = true;
  int busy_timeout_ms = 5000;
};

// One SQLite connection in WAL mode. Open(":memory:") gives a private in-memory database for tests.
// Thread: one owner thread (the engine thread in the daemon).
class Db {
 public:
  // Errors: 9002 when the file cannot be opened or is not a database.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, const DbOptions& options = {});
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements without results.
  Status Exec(std::string_view sql);
  // Prepares (or reuses) a statement. Errors: 9002 on SQL errors.
  Result<Statement> Prepare(std::string_view sql);
  int64_t LastInsertRowId() const;
  int Changes() const;
  bool InTransaction() const;
  const std::string& path() const { return path_; }
  sqlite3* raw() { return db_; }
  // A fresh savepoint name for nested transactions.
  std::string NextSavepointName() { return "sp" + std::to_string(++savepoint_seq_); }

  // Maps the last SQLite error to a Status (9004 for SQLITE_FULL, else 9002).
  Status LastError(std::string_view what) const;

 private:
  friend class Statement;
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  void Return(const std::string& sql, sqlite3_stmt* stmt);

  sqlite3* db_;
  std::string path_;
  std::unordered_multimap<std::string, sqlite3_stmt*> idle_;
  uint64_t savepoint_seq_ = 0;
};

// Scoped transaction: BEGIN IMMEDIATE (or a SAVEPOINT when already inside one); rolls back on
// destruction unless Commit() succeeded. Thread: the Db's owner.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // Status of BEGIN; check before using the transaction.
  const Status& begin_status() const { return begin_; }
  Status Commit();

 private:
  Db& db_;
  Status begin_;
  std::string savepoint_;  // empty for a top-level transaction
  bool done_ = false;
};

// Commits at scope exit what the scope wrote (a Transaction that commits instead of rolling
// back): one commit, one fsync, for the many small writes of one event. Nested inside an open
// transaction it is a savepoint of it. If BEGIN failed, the writes commit one by one; a failed
// COMMIT is logged under `what`.
class ScopedCommit {
 public:
  ScopedCommit(Db& db, std::string what) : tx_(db), what_(std::move(what)) {}
  ~ScopedCommit();
  ScopedCommit(const ScopedCommit&) = delete;
  ScopedCommit& operator=(const ScopedCommit&) = delete;

 private:
  Transaction tx_;
  std::string what_;
};

// Applies the schema `steps` of `module` that this database has not yet seen, each in its own
// transaction, recording the version in table schema_version(module, version). Step i (0-based)
// brings the module to version i+1. Errors: 9002, with the failing step in the message; a
// database newer than the code (version > steps.size()) is refused.
Status Migrate(Db& db, std::string_view module, const std::vector<std::string_view>& steps);
// Current schema version of `module` (0 if never migrated).
Result<int64_t> SchemaVersion(Db& db, std::string_view module);

}  // namespace proxier
