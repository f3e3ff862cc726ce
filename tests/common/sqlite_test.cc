// SQLite wrapper: statements, transactions (nested), migrations, WAL on disk.
#include "proxier/common/sqlite.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace proxier {
namespace {

std::unique_ptr<Db> Memory() {
  auto db = Db::Open(":memory:");
  EXPECT_TRUE(db.ok()) << db.status();
  return std::move(db).value();
}

int64_t Count(Db& db, const char* table) {
  auto st = db.Prepare(std::string("SELECT COUNT(*) FROM ") + table);
  EXPECT_TRUE(st.ok());
  EXPECT_TRUE(*st->Step());
  return st->ColumnInt(0);
}

TEST(SqliteTest, PrepareBindStep) {
  auto db = Memory();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(k TEXT PRIMARY KEY, v INTEGER)").ok());
  for (int i = 0; i < 3; ++i) {
    auto ins = db->Prepare("INSERT INTO t VALUES(?, ?)");
    ASSERT_TRUE(ins.ok());
    ins->Bind(0, "k" + std::to_string(i)).Bind(1, int64_t{i * 10});
    ASSERT_TRUE(ins->Run().ok());
  }
  auto sel = db->Prepare("SELECT k, v FROM t ORDER BY v DESC");
  ASSERT_TRUE(sel.ok());
  ASSERT_TRUE(*sel->Step());
  EXPECT_EQ(sel->ColumnText(0), "k2");
  EXPECT_EQ(sel->ColumnInt(1), 20);
}

TEST(SqliteTest, ErrorsAreStatuses) {
  auto db = Memory();
  auto bad = db->Prepare("SELEKT 1");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInternalError);
  ASSERT_TRUE(db->Exec("CREATE TABLE t(k TEXT PRIMARY KEY)").ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES('a')").ok());
  Status dup = db->Exec("INSERT INTO t VALUES('a')");
  EXPECT_FALSE(dup.ok());
  EXPECT_NE(dup.message().find("UNIQUE"), std::string::npos);
}

TEST(SqliteTest, StatementsAreReusedAndConcurrentUseIsSafe) {
  auto db = Memory();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(v INTEGER)").ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES(1),(2),(3)").ok());
  auto outer = db->Prepare("SELECT v FROM t ORDER BY v");
  ASSERT_TRUE(outer.ok());
  int64_t sum = 0;
  while (*outer->Step()) {
    // The same SQL while the first is still stepping gets its own statement.
    auto inner = db->Prepare("SELECT v FROM t ORDER BY v");
    ASSERT_TRUE(inner.ok());
    ASSERT_TRUE(*inner->Step());
    sum += outer->ColumnInt(0) * 10 + inner->ColumnInt(0);
  }
  EXPECT_EQ(sum, 63);
}

TEST(SqliteTest, TransactionRollsBackUnlessCommitted) {
  auto db = Memory();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(v INTEGER)").ok());
  {
    Transaction tx(*db);
    ASSERT_TRUE(tx.begin_status().ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES(1)").ok());
  }
  EXPECT_EQ(Count(*db, "t"), 0);
  {
    Transaction tx(*db);
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES(1)").ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  EXPECT_EQ(Count(*db, "t"), 1);
}

TEST(SqliteTest, NestedTransactionIsASavepoint) {
  auto db = Memory();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(v INTEGER)").ok());
  Transaction outer(*db);
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES(1)").ok());
  {
    Transaction inner(*db);
    ASSERT_TRUE(inner.begin_status().ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES(2)").ok());
  }  // inner rolled back, outer keeps its row
  EXPECT_EQ(Count(*db, "t"), 1);
  {
    Transaction inner(*db);
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES(3)").ok());
    ASSERT_TRUE(inner.Commit().ok());
  }
  EXPECT_TRUE(db->InTransaction());
  ASSERT_TRUE(outer.Commit().ok());
  EXPECT_FALSE(db->InTransaction());
  EXPECT_EQ(Count(*db, "t"), 2);
}

TEST(SqliteTest, MigrationsRunOnceAndInOrder) {
  auto db = Memory();
  std::vector<std::string_view> v1 = {"CREATE TABLE a(x INTEGER)"};
  ASSERT_TRUE(Migrate(*db, "mod", v1).ok());
  EXPECT_EQ(*SchemaVersion(*db, "mod"), 1);
  ASSERT_TRUE(Migrate(*db, "mod", v1).ok());  // idempotent: would fail if re-run
  std::vector<std::string_view> v2 = {"CREATE TABLE a(x INTEGER)",
                                      "ALTER TABLE a ADD COLUMN y TEXT"};
  ASSERT_TRUE(Migrate(*db, "mod", v2).ok());
  EXPECT_EQ(*SchemaVersion(*db, "mod"), 2);
  EXPECT_EQ(*SchemaVersion(*db, "other"), 0);
  ASSERT_TRUE(db->Exec("INSERT INTO a(x, y) VALUES(1, 'z')").ok());
}

TEST(SqliteTest, FailedMigrationStepLeavesVersionAndSchemaUntouched) {
  auto db = Memory();
  std::vector<std::string_view> steps = {"CREATE TABLE a(x INTEGER)",
                                         "CREATE TABLE b(y INTEGER); CREATE TABLE a(z)"};
  Status st = Migrate(*db, "mod", steps);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("step 2"), std::string::npos);
  EXPECT_EQ(*SchemaVersion(*db, "mod"), 1);
  EXPECT_FALSE(db->Exec("SELECT * FROM b").ok());  // step 2 rolled back entirely
}

TEST(SqliteTest, RefusesNewerSchema) {
  auto db = Memory();
  ASSERT_TRUE(Migrate(*db, "mod", {"CREATE TABLE a(x)", "CREATE TABLE b(x)"}).ok());
  Status st = Migrate(*db, "mod", {"CREATE TABLE a(x)"});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("newer"), std::string::npos);
}

TEST(SqliteTest, FileDatabaseUsesWalAndPersists) {
  auto dir = std::filesystem::temp_directory_path() / ("pxdb" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "t.db").string();
  {
    auto db = Db::Open(path);
    ASSERT_TRUE(db.ok()) << db.status();
    auto mode = (*db)->Prepare("PRAGMA journal_mode");
    ASSERT_TRUE(*mode->Step());
    EXPECT_EQ(mode->ColumnText(0), "wal");
    ASSERT_TRUE((*db)->Exec("CREATE TABLE t(v TEXT); INSERT INTO t VALUES('kept')").ok());
  }
  {
    auto db = Db::Open(path);
    ASSERT_TRUE(db.ok());
    auto st = (*db)->Prepare("SELECT v FROM t");
    ASSERT_TRUE(*st->Step());
    EXPECT_EQ(st->ColumnText(0), "kept");
  }
  std::filesystem::remove_all(dir);
}

TEST(SqliteTest, OpenFailsCleanlyOnNonDatabase) {
  auto dir = std::filesystem::temp_directory_path() / ("pxbad" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "garbage.db").string();
  FILE* f = fopen(path.c_str(), "w");
  fputs("this is definitely not an sqlite database file, just some text........", f);
  fclose(f);
  auto db = Db::Open(path);
  EXPECT_FALSE(db.ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace proxier
