// Power-loss test: a child commits values, attributes and rows and reports each commit; it is
// killed with SIGKILL at a random point; the reopened store must hold everything reported.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <sstream>

#include "test_util.h"

namespace proxier::datamodel {
namespace {

struct Opened {
  std::unique_ptr<Db> db;
  std::unique_ptr<StoredProvider> store;
  std::unique_ptr<DataModel> model;
};

Opened Open(const std::string& path, const Schema& schema) {
  Opened o;
  auto db = Db::Open(path);
  if (!db.ok()) return o;
  o.db = std::move(db).value();
  auto store = StoredProvider::Create(*o.db, schema, "t");
  auto model = DataModel::Create(*o.db, "t");
  if (!store.ok() || !model.ok()) return Opened{};
  o.store = std::move(store).value();
  o.model = std::move(model).value();
  o.model->Mount("Device.", o.store.get());
  o.model->SetStore(o.store.get());
  return o;
}

// The child: endless commits, one report line per commit, written only after it returned.
[[noreturn]] void Child(const std::string& path, const Schema& schema, int report_fd) {
  Opened o = Open(path, schema);
  if (!o.model) _exit(3);
  auto report = [&](const std::string& line) {
    std::string l = line + "\n";
    if (write(report_fd, l.data(), l.size()) != static_cast<ssize_t>(l.size())) _exit(4);
  };
  auto current = o.store->Get("Device.Test.Long");
  int64_t counter = current.ok() ? std::stoll(*current) : 0;
  for (int op = 0;; ++op) {
    switch (op % 3) {
      case 0: {  // SetParameterValues with an in-transaction companion write
        ++counter;
        std::string v = std::to_string(counter);
        SetResult r;
        o.model->SetValues(
            {{"Device.Test.Long", v, {}},
             {"Device.Test.Str", "v" + v.substr(v.size() > 6 ? v.size() - 6 : 0), {}}},
            "acs", [&] { return o.store->SetInternal("Device.Test.ULong", v); },
            [&](SetResult res) { r = std::move(res); });
        if (!r.status.ok()) _exit(5);
        report("V " + v);
        break;
      }
      case 1: {  // AddObject
        std::optional<Result<AddResult>> r;
        o.model->AddObject("Device.Test.Table.", "acs", {},
                           [&](Result<AddResult> res) { r.emplace(std::move(res)); });
        if (!r || !r->ok()) _exit(6);
        report("R " + std::to_string((*r)->instance));
        break;
      }
      case 2: {  // SetParameterAttributes on the newest row
        auto rows = o.store->Rows("Device.Test.Table.");
        if (!rows.ok() || rows->empty()) break;
        std::string name = "Device.Test.Table." + std::to_string(rows->back()) + ".Name";
        AttributeChange c;
        c.name = name;
        c.notification_change = true;
        c.notification = 1 + static_cast<int>(rows->back() % 2);
        std::optional<Status> st;
        o.model->SetAttributes({c}, [&](Status s) { st = s; });
        if (!st || !st->ok()) _exit(7);
        report("A " + name + " " + std::to_string(c.notification));
        break;
      }
    }
  }
}

TEST(PowerLossTest, NothingReportedCommittedIsLost) {
  Schema schema = testing::LoadTestSchema();
  auto dir = std::filesystem::temp_directory_path() / ("pxpower" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "store.db").string();
  std::mt19937 rng(std::random_device{}());
  int64_t last_value = 0;
  uint32_t max_row = 0;
  std::map<std::string, int> attrs;
  std::set<uint32_t> rows;
  int iterations = 0, total_reports = 0;
  for (int i = 0; i < 100; ++i) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      Child(path, schema, fds[1]);
    }
    close(fds[1]);
    // Kill after a random number of reported commits (the child is mid-way into the next one).
    const int kill_after = std::uniform_int_distribution<int>(1, 30)(rng);
    FILE* in = fdopen(fds[0], "r");
    char line[512];
    int seen = 0;
    while (seen < kill_after && fgets(line, sizeof line, in)) {
      std::istringstream ls(line);
      std::string kind;
      ls >> kind;
      if (kind == "V") {
        ls >> last_value;
      } else if (kind == "R") {
        uint32_t n;
        ls >> n;
        rows.insert(n);
        max_row = std::max(max_row, n);
      } else if (kind == "A") {
        std::string name;
        int level;
        ls >> name >> level;
        attrs[name] = level;
      }
      ++seen;
    }
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    fclose(in);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
    total_reports += seen;
    ++iterations;

    // Reopen and check everything that was reported.
    Opened o = Open(path, schema);
    ASSERT_TRUE(o.model) << "store could not be reopened after kill #" << i;
    auto check = o.db->Prepare("PRAGMA integrity_check");
    ASSERT_TRUE(*check->Step());
    ASSERT_EQ(check->ColumnText(0), "ok");
    int64_t stored = std::stoll(*o.store->Get("Device.Test.Long"));
    ASSERT_GE(stored, last_value) << "a reported SetParameterValues was lost";
    ASSERT_EQ(*o.store->Get("Device.Test.ULong"), *o.store->Get("Device.Test.Long"))
        << "SPV and its in-transaction write must commit together";
    auto present = o.store->Rows("Device.Test.Table.");
    ASSERT_TRUE(present.ok());
    for (uint32_t n : rows) {
      ASSERT_TRUE(std::find(present->begin(), present->end(), n) != present->end())
          << "row " << n << " lost";
    }
    for (const auto& [name, level] : attrs) ASSERT_EQ(o.model->NotificationOf(name), level) << name;
  }
  // Row numbers are still never reused after 100 crashes.
  Opened o = Open(path, schema);
  std::optional<Result<AddResult>> r;
  o.model->AddObject("Device.Test.Table.", "acs", {},
                     [&](Result<AddResult> res) { r.emplace(std::move(res)); });
  ASSERT_TRUE(r && r->ok());
  EXPECT_GT((*r)->instance, max_row);
  EXPECT_EQ(iterations, 100);
  std::cout << "[ metric ] power-loss: " << iterations << " kills, " << total_reports
            << " reported commits verified\n";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace proxier::datamodel
