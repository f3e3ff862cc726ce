// CwmpClient triggers: connection requests (incl. flood and in-session), notifications (passive,
// active, throttle), periodic informs, ScheduleInform, Reboot and FactoryReset after the session.
#include <gtest/gtest.h>

#include "client_fixture.h"

namespace proxier::testing {
namespace {

namespace cwmp = core::cwmp;

class EventsTest : public ClientFixture {
 protected:
  // Sends a connection request with Digest credentials; returns the HTTP status.
  long ConnectionRequest(const std::string& user = "cruser", const std::string& pass = "crpass") {
    auto s = http_.NewSession();
    core::HttpRequest req;
    req.method = "GET";
    req.url = client_->connection_request_url();
    req.username = user;
    req.password = Secret(pass);
    req.allow_basic = false;
    std::optional<Result<core::HttpResponse>> out;
    EXPECT_TRUE(
        s->Send(req, [&](Result<core::HttpResponse> r) { out.emplace(std::move(r)); }).ok());
    EXPECT_TRUE(Wait([&] { return out.has_value(); }));
    return out && out->ok() ? (*out)->status : -1;
  }
  bool InformHas(size_t i, const std::string& code) {
    auto c = Codes(acs_.EventsOfInform(i));
    return std::find(c.begin(), c.end(), code) != c.end();
  }
  static datamodel::AttributeChange Notify(const std::string& name, int level) {
    datamodel::AttributeChange c;
    c.name = name;
    c.notification_change = true;
    c.notification = level;
    return c;
  }
};

TEST_F(EventsTest, ConnectionRequestStartsASession) {
  StartAndSettle();
  EXPECT_EQ(ConnectionRequest("cruser", "wrong"), 401);
  EXPECT_EQ(acs_.Count("Inform"), 1u);
  EXPECT_EQ(ConnectionRequest(), 200);
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == 2 && !client_->in_session(); }));
  EXPECT_EQ(Codes(acs_.EventsOfInform(1)), (std::vector<std::string>{"6 CONNECTION REQUEST"}));
}

TEST_F(EventsTest, ConnectionRequestFloodGets503sOverTheRateLimit) {
  StartAndSettle();
  std::vector<long> codes;
  // One request after another, each once the session it asked for (if any) is over: the bucket
  // holds 3, so at least the last ones find it empty and no session to fold into (503), however
  // slow the machine. (Folding into a session under way: ConcurrentConnectionRequests... below.)
  for (int i = 0; i < 8; ++i) {
    codes.push_back(ConnectionRequest());
    ASSERT_TRUE(Wait([&] {
      const auto& st = cr_->stats();
      return !client_->in_session() && acs_.Count("Inform") == 1 + (st.accepted - st.coalesced);
    }));
  }
  EXPECT_EQ(
      std::count(codes.begin(), codes.end(), 200) + std::count(codes.begin(), codes.end(), 503), 8);
  EXPECT_GE(std::count(codes.begin(), codes.end(), 503), 1);
  EXPECT_LE(cr_->stats().accepted - cr_->stats().coalesced, 3u) << "at most 3 counted";
  ASSERT_TRUE(Wait([&] { return !client_->in_session(); }));
  loop_.RunUntilIdle();
  EXPECT_LE(acs_.Count("Inform"), 4u) << "at most one session per accepted request";
}

TEST_F(EventsTest, ConcurrentConnectionRequestsMakeOneSession) {
  StartAndSettle();
  // Eight requests at once: the first accepted starts a session, the others find it about to
  // start and are folded into it (200). All are answered by a single session.
  std::vector<std::unique_ptr<core::HttpSession>> sessions;
  std::vector<long> codes;
  for (int i = 0; i < 8; ++i) {
    sessions.push_back(http_.NewSession());
    core::HttpRequest req;
    req.method = "GET";
    req.url = client_->connection_request_url();
    req.username = "cruser";
    req.password = Secret("crpass");
    req.allow_basic = false;
    ASSERT_TRUE(
        sessions.back()
            ->Send(req,
                   [&](Result<core::HttpResponse> r) { codes.push_back(r.ok() ? r->status : -1); })
            .ok());
  }
  ASSERT_TRUE(Wait([&] { return codes.size() == 8; }));
  long accepted = std::count(codes.begin(), codes.end(), 200);
  EXPECT_GE(accepted, 1);
  for (long c : codes) EXPECT_TRUE(c == 200 || c == 401) << c << " (never 503 with a session due)";
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") >= 2 && !client_->in_session(); }));
  loop_.RunUntilIdle();
  EXPECT_EQ(acs_.Count("Inform"), 2u);
}

TEST_F(EventsTest, ConnectionRequestDuringASessionStartsAnotherAfterIt) {
  // The ACS keeps the session busy with a request while the connection request arrives.
  acs_.Queue(cwmp::GetParameterValues{{"Device.DeviceInfo."}});
  ASSERT_TRUE(client_->Start().ok());
  ASSERT_TRUE(Wait([&] {
    return acs_.Count("GetParameterValuesResponse") == 1 || client_->sessions_ok() == 1;
  }));
  EXPECT_EQ(ConnectionRequest(), 200);
  ASSERT_TRUE(Wait([&] {
    return acs_.Count("Inform") == 2 && client_->sessions_ok() == 2 && !client_->in_session();
  }));
  EXPECT_TRUE(InformHas(1, "6 CONNECTION REQUEST"));
}

TEST_F(EventsTest, PassiveNotificationGoesInTheNextInform) {
  StartAndSettle();
  std::optional<Status> st;
  gw_->model().SetAttributes({Notify("Device.ManagementServer.CWMPRetryIntervalMultiplier", 1)},
                             [&](Status s) { st = s; });
  ASSERT_TRUE(st && st->ok());
  ASSERT_TRUE(
      gw_->model().SetInternal("Device.ManagementServer.CWMPRetryIntervalMultiplier", "2500").ok());
  loop_.RunUntilIdle();
  EXPECT_FALSE(client_->in_session()) << "passive changes do not start a session";
  client_->Trigger("2 PERIODIC");
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == 2 && !client_->in_session(); }));
  EXPECT_TRUE(InformHas(1, "4 VALUE CHANGE"));
  EXPECT_TRUE(InformHas(1, "2 PERIODIC"));
  auto inform =
      std::get<cwmp::Inform>(std::get<cwmp::CpeRequest>(acs_.Of("Inform")[1].message.body));
  bool found = false;
  for (const auto& p : inform.params)
    found |= p.name == "Device.ManagementServer.CWMPRetryIntervalMultiplier" && p.value == "2500";
  EXPECT_TRUE(found);
}

TEST_F(EventsTest, ActiveNotificationStartsAValueChangeSessionThrottled) {
  StartAndSettle();
  ASSERT_TRUE(gw_->store()
                  .SetInternal("Device.ManagementServer.DefaultActiveNotificationThrottle", "2")
                  .ok());
  std::optional<Status> st;
  gw_->model().SetAttributes({Notify("Device.DeviceInfo.ProvisioningCode", 2)},
                             [&](Status s) { st = s; });
  ASSERT_TRUE(st && st->ok());
  ASSERT_TRUE(gw_->model().SetInternal("Device.DeviceInfo.ProvisioningCode", "A").ok());
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == 2 && !client_->in_session(); }));
  EXPECT_EQ(Codes(acs_.EventsOfInform(1)), (std::vector<std::string>{"4 VALUE CHANGE"}));
  auto second_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(gw_->model().SetInternal("Device.DeviceInfo.ProvisioningCode", "B").ok());
  loop_.RunUntilIdle();
  EXPECT_EQ(acs_.Count("Inform"), 2u) << "throttled";
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == 3 && !client_->in_session(); }));
  auto waited = std::chrono::steady_clock::now() - second_at;
  EXPECT_GE(waited, std::chrono::milliseconds(1500)) << "DefaultActiveNotificationThrottle 2 s";
  // A change the ACS made itself is not notified back.
  acs_.Queue(cwmp::SetParameterValues{{{"Device.DeviceInfo.ProvisioningCode", "C", {}}}, ""});
  client_->Trigger("2 PERIODIC");
  ASSERT_TRUE(Wait(
      [&] { return acs_.Count("SetParameterValuesResponse") == 1 && !client_->in_session(); }));
  loop_.RunUntilIdle();
  EXPECT_FALSE(gw_->model().HasPendingChanges("gw", 1));
}

TEST_F(EventsTest, PeriodicInformOnTheInterval) {
  StartAndSettle();
  ASSERT_TRUE(gw_->model().SetInternal("Device.ManagementServer.PeriodicInformInterval", "1").ok());
  ASSERT_TRUE(
      gw_->model().SetInternal("Device.ManagementServer.PeriodicInformEnable", "true").ok());
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") >= 3 && !client_->in_session(); }));
  EXPECT_TRUE(InformHas(1, "2 PERIODIC"));
  EXPECT_TRUE(InformHas(2, "2 PERIODIC"));
}

TEST_F(EventsTest, ScheduleInformAddsScheduledAndCommandKey) {
  acs_.Queue(cwmp::ScheduleInform{1, "sched-1"});
  StartAndSettle();
  EXPECT_EQ(acs_.Count("ScheduleInformResponse"), 1u);
  ASSERT_TRUE(Wait([&] { return acs_.Count("Inform") == 2 && !client_->in_session(); }));
  EXPECT_EQ(Codes(acs_.EventsOfInform(1)),
            (std::vector<std::string>{"M ScheduleInform/sched-1", "3 SCHEDULED"}));
}

TEST_F(EventsTest, RebootAfterTheSessionThenBootWithCommandKey) {
  acs_.Queue(cwmp::Reboot{"rb-1"});
  StartAndSettle();
  EXPECT_EQ(acs_.Count("RebootResponse"), 1u);
  EXPECT_EQ(reboots_, 1);
  // The daemon restarts: same store, new process.
  OpenClient();
  StartAndSettle();
  EXPECT_EQ(Codes(acs_.EventsOfInform(1)), (std::vector<std::string>{"M Reboot/rb-1", "1 BOOT"}));
}

TEST_F(EventsTest, FactoryResetAfterTheSession) {
  acs_.Queue(cwmp::FactoryReset{});
  StartAndSettle();
  EXPECT_EQ(acs_.Count("FactoryResetResponse"), 1u);
  EXPECT_EQ(factory_resets_, 1);
}

// What the ACS is told is owed from the moment the answer leaves (issue 11, item 5): it is in
// the store when the ACS reads the answer, and a crash before it is carried out does not lose it.
std::string OwedState(const std::string& db_path, const std::string& key) {
  auto db = Db::Open(db_path);
  if (!db.ok()) return "<no db>";
  auto st = (*db)->Prepare("SELECT value FROM cwmp_state WHERE ns='gw' AND key=?");
  if (!st.ok()) return "<no table>";
  st->Bind(0, key);
  auto row = st->Step();
  return row.ok() && *row ? st->ColumnText(0) : "<none>";
}

TEST_F(EventsTest, RebootIsStoredBeforeItsAnswerAndSurvivesACrash) {
  const std::string path = (dir_ / "store.db").string();
  std::string seen;
  acs_.OnReceive([&](const std::string& method) {
    if (method == "RebootResponse") seen = OwedState(path, "owed_reboot");
  });
  acs_.Queue(cwmp::Reboot{"rb-owed"});
  StartAndSettle();
  acs_.OnReceive({});
  EXPECT_EQ(seen, "rb-owed");
  EXPECT_EQ(OwedState(path, "owed_reboot"), "<none>") << "carried out, no longer owed";
  // A crash right after an answer (before the reboot): the owed reboot is what is left.
  {
    auto st = db_->Prepare(
        "INSERT OR REPLACE INTO cwmp_state(ns, key, value) VALUES('gw', 'owed_reboot', 'rb-2')");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(st->Run().ok());
  }
  OpenClient();
  StartAndSettle();
  auto codes = Codes(acs_.EventsOfInform(acs_.Count("Inform") - 1));
  EXPECT_NE(std::find(codes.begin(), codes.end(), "M Reboot/rb-2"), codes.end());
  EXPECT_EQ(OwedState(path, "owed_reboot"), "<none>");
}

TEST_F(EventsTest, FactoryResetIsStoredBeforeItsAnswerAndCarriedOutAfterACrash) {
  const std::string path = (dir_ / "store.db").string();
  std::string seen;
  acs_.OnReceive([&](const std::string& method) {
    if (method == "FactoryResetResponse") seen = OwedState(path, "owed_factory_reset");
  });
  skip_factory_reset_ = true;
  OpenClient();
  acs_.Queue(cwmp::FactoryReset{});
  StartAndSettle();
  acs_.OnReceive({});
  EXPECT_EQ(seen, "1");
  skip_factory_reset_ = false;
  OpenClient();  // restart: the owed reset is carried out at once
  ASSERT_TRUE(client_->Start().ok());
  ASSERT_TRUE(Wait([&] { return factory_resets_ == 1; }));
}

TEST_F(EventsTest, KillMidSessionResendsUndeliveredEventsAfterRestart) {
  acs_.FailInforms(1);  // the Inform carrying the events never gets an answer
  ASSERT_TRUE(client_->Start().ok());
  ASSERT_TRUE(client_
                  ->QueueRequest(cwmp::TransferComplete{"k1", {0, ""}, "", ""},
                                 {{"7 TRANSFER COMPLETE", ""}})
                  .ok());
  ASSERT_TRUE(Wait([&] { return client_->sessions_failed() >= 1; }));
  OpenClient();  // the process dies and comes back
  StartAndSettle();
  auto last = Codes(acs_.EventsOfInform(acs_.Count("Inform") - 1));
  for (const char* code : {"0 BOOTSTRAP", "1 BOOT", "7 TRANSFER COMPLETE"}) {
    EXPECT_NE(std::find(last.begin(), last.end(), code), last.end()) << code;
  }
  EXPECT_EQ(acs_.Count("TransferComplete"), 1u);
}

}  // namespace
}  // namespace proxier::testing
