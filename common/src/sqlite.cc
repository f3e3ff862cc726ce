// SQLite wrapper implementation.
#include "proxier/common/sqlite.h"

#include <sqlite3.h>

#include "proxier/common/log.h"

namespace proxier {

namespace {
Status ErrorFor(int rc, std::string_view what, const char* msg) {
  Code code =
      (rc == SQLITE_FULL || rc == SQLITE_NOMEM) ? Code::kResourcesExceeded : Code::kInternalError;
  std::string text(what);
  text += ": ";
  text += msg ? msg : sqlite3_errstr(rc);
  return Status(code, std::move(text));
}
}  // namespace

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), sql_(std::move(other.sql_)), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_) db_->Return(sql_, stmt_);
}

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index + 1, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index + 1, value);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index + 1);
  return *this;
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return ErrorFor(rc, "sqlite step", sqlite3_errmsg(db_->raw()));
}

Status Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

std::string Statement::ColumnText(int index) const {
  const unsigned char* text = sqlite3_column_text(stmt_, index);
  int size = sqlite3_column_bytes(stmt_, index);
  return text ? std::string(reinterpret_cast<const char*>(text), size) : std::string();
}

int64_t Statement::ColumnInt(int index) const { return sqlite3_column_int64(stmt_, index); }

bool Statement::ColumnIsNull(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, const DbOptions& options) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status st = ErrorFor(rc, "cannot open database " + path, raw ? sqlite3_errmsg(raw) : nullptr);
    sqlite3_close(raw);
    return st;
  }
  std::unique_ptr<Db> db(new Db(raw, path));
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  sqlite3_extended_result_codes(raw, 1);
  Status st =
      db->Exec(path == ":memory:" ? "PRAGMA journal_mode=MEMORY" : "PRAGMA journal_mode=WAL");
  if (st.ok())
    st = db->Exec(options.full_sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  if (st.ok()) st = db->Exec("PRAGMA foreign_keys=ON");
  if (!st.ok()) return Status(st.code(), "database " + path + " unusable: " + st.message());
  return db;
}

Db::~Db() {
  for (auto& [sql, stmt] : idle_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status Db::Exec(std::string_view sql) {
  std::string copy(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  Status st = ErrorFor(rc, "sqlite exec", err);
  sqlite3_free(err);
  return st;
}

Result<Statement> Db::Prepare(std::string_view sql) {
  std::string key(sql);
  auto it = idle_.find(key);
  if (it != idle_.end()) {
    sqlite3_stmt* stmt = it->second;
    idle_.erase(it);
    return Statement(this, std::move(key), stmt);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return ErrorFor(rc, "sqlite prepare", sqlite3_errmsg(db_));
  return Statement(this, std::move(key), stmt);
}

void Db::Return(const std::string& sql, sqlite3_stmt* stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  if (idle_.count(sql) >= 2) {
    sqlite3_finalize(stmt);
    return;
  }
  idle_.emplace(sql, stmt);
}

int64_t Db::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int Db::Changes() const { return sqlite3_changes(db_); }
bool Db::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

Status Db::LastError(std::string_view what) const {
  return ErrorFor(sqlite3_errcode(db_), what, sqlite3_errmsg(db_));
}

Transaction::Transaction(Db& db) : db_(db) {
  if (db_.InTransaction()) {
    savepoint_ = db_.NextSavepointName();
    begin_ = db_.Exec("SAVEPOINT " + savepoint_);
  } else {
    begin_ = db_.Exec("BEGIN IMMEDIATE");
  }
  if (!begin_.ok()) done_ = true;
}

Transaction::~Transaction() {
  if (done_) return;
  if (savepoint_.empty()) {
    (void)db_.Exec("ROLLBACK");
  } else {
    (void)db_.Exec("ROLLBACK TO " + savepoint_);
    (void)db_.Exec("RELEASE " + savepoint_);
  }
}

ScopedCommit::~ScopedCommit() {
  if (!tx_.begin_status().ok()) return;
  Status st = tx_.Commit();
  if (!st.ok()) PX_LOG(kError, "db") << "storing " << what_ << ": " << st;
}

Status Transaction::Commit() {
  if (done_)
    return begin_.ok() ? Status(Code::kInternalError, "transaction already ended") : begin_;
  Status st = db_.Exec(savepoint_.empty() ? std::string("COMMIT") : "RELEASE " + savepoint_);
  if (st.ok()) done_ = true;
  return st;
}

Result<int64_t> SchemaVersion(Db& db, std::string_view module) {
  PX_RETURN_IF_ERROR(
      db.Exec("CREATE TABLE IF NOT EXISTS schema_version(module TEXT PRIMARY KEY, version INTEGER "
              "NOT NULL)"));
  auto stmt = db.Prepare("SELECT version FROM schema_version WHERE module=?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(0, module);
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  return *row ? stmt->ColumnInt(0) : int64_t{0};
}

Status Migrate(Db& db, std::string_view module, const std::vector<std::string_view>& steps) {
  auto version = SchemaVersion(db, module);
  if (!version.ok()) return version.status();
  if (*version > static_cast<int64_t>(steps.size())) {
    return Status(Code::kInternalError, "database schema of '" + std::string(module) +
                                            "' is version " + std::to_string(*version) +
                                            ", newer than this build (" +
                                            std::to_string(steps.size()) + ")");
  }
  for (size_t i = static_cast<size_t>(*version); i < steps.size(); ++i) {
    Transaction tx(db);
    PX_RETURN_IF_ERROR(tx.begin_status());
    Status st = db.Exec(steps[i]);
    if (!st.ok()) {
      return Status(st.code(), "migration " + std::string(module) + " step " +
                                   std::to_string(i + 1) + " failed: " + st.message());
    }
    auto upsert = db.Prepare(
        "INSERT INTO schema_version(module, version) VALUES(?, ?) "
        "ON CONFLICT(module) DO UPDATE SET version=excluded.version");
    if (!upsert.ok()) return upsert.status();
    upsert->Bind(0, module).Bind(1, static_cast<int64_t>(i + 1));
    PX_RETURN_IF_ERROR(upsert->Run());
    PX_RETURN_IF_ERROR(tx.Commit());
  }
  return Status::Ok();
}

}  // namespace proxier
