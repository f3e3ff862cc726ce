// proxierd's BatchingListener: the control point's callbacks reach every target, in order, and
// what they store is committed once per callback.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "upnp_setup.h"

namespace proxier::app {
namespace {

// Stores one row per value it is told about, one autocommit each when alone.
class Writer final : public upnp::Listener {
 public:
  Writer(Db& db, std::string name, std::vector<std::string>& calls)
      : db_(db), name_(std::move(name)), calls_(calls) {}
  void OnDevice(const upnp::RootDevice& d, upnp::DeviceChange) override {
    Write("device " + d.uuid);
  }
  void OnEvent(const std::string& uuid, upnp::DmService, const upnp::Args& vars) override {
    for (const auto& [k, v] : vars) Write("event " + uuid + " " + k);
  }
  void OnResync(const std::string& uuid, upnp::DmService, const std::string&) override {
    Write("resync " + uuid);
  }

 private:
  void Write(const std::string& what) {
    calls_.push_back(name_ + ": " + what);
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(db_.Exec("INSERT INTO t(v) VALUES('" + name_ + "')").ok());
    }
  }
  Db& db_;
  std::string name_;
  std::vector<std::string>& calls_;
};

TEST(BatchingListenerTest, OneCommitPerCallbackForAllTargets) {
  auto db = std::move(Db::Open(":memory:")).value();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(v TEXT)").ok());
  int commits = 0;
  sqlite3_commit_hook(
      db->raw(),
      [](void* n) {
        ++*static_cast<int*>(n);
        return 0;
      },
      &commits);
  std::vector<std::string> calls;
  Writer tables(*db, "tables", calls), manager(*db, "manager", calls);
  BatchingListener listener(*db, {&tables, &manager});
  upnp::RootDevice d;
  d.uuid = "u1";
  listener.OnDevice(d, upnp::DeviceChange::kDescribed);
  EXPECT_EQ(commits, 1);
  listener.OnEvent("u1", upnp::DmService::kCms, {{"A", "1"}, {"B", "2"}});
  EXPECT_EQ(commits, 2);
  listener.OnResync("u1", upnp::DmService::kCms, "gap");
  EXPECT_EQ(commits, 3);
  EXPECT_EQ(calls, (std::vector<std::string>{"tables: device u1", "manager: device u1",
                                             "tables: event u1 A", "tables: event u1 B",
                                             "manager: event u1 A", "manager: event u1 B",
                                             "tables: resync u1", "manager: resync u1"}));
  auto count = db->Prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(count.ok());
  ASSERT_TRUE(*count->Step());
  EXPECT_EQ(count->ColumnInt(0), 5 * 8);
  sqlite3_commit_hook(db->raw(), nullptr, nullptr);
}

}  // namespace
}  // namespace proxier::app
