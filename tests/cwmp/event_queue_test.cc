// EventQueue retention rules and persistence.
#include "proxier/core/event_queue.h"

#include <gtest/gtest.h>

namespace proxier::core {
namespace {

using cwmp::EventStruct;

class EventQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(Db::Open(":memory:")).value();
    Reopen();
  }
  void Reopen() {
    auto q = EventQueue::Open(*db_, "gw");
    ASSERT_TRUE(q.ok()) << q.status();
    q_ = std::move(q).value();
  }
  std::vector<std::string> Codes() {
    std::vector<std::string> out;
    for (const auto& e : q_->Events())
      out.push_back(e.code + (e.command_key.empty() ? "" : "/" + e.command_key));
    return out;
  }
  std::unique_ptr<Db> db_;
  std::unique_ptr<EventQueue> q_;
};

TEST_F(EventQueueTest, SingleEventsMergeMultipleOnesDoNot) {
  ASSERT_TRUE(q_->Add("1 BOOT").ok());
  ASSERT_TRUE(q_->Add("1 BOOT").ok());
  ASSERT_TRUE(q_->Add("M Reboot", "k1").ok());
  ASSERT_TRUE(q_->Add("M Reboot", "k2").ok());
  ASSERT_TRUE(q_->Add("M Reboot", "k2").ok());
  EXPECT_EQ(Codes(), (std::vector<std::string>{"1 BOOT", "M Reboot/k1", "M Reboot/k2"}));
}

TEST_F(EventQueueTest, BootstrapDiscardsEverythingElse) {
  ASSERT_TRUE(q_->Add("2 PERIODIC").ok());
  ASSERT_TRUE(
      q_->Enqueue(cwmp::TransferComplete{"ck", {}, "", ""}, {{"7 TRANSFER COMPLETE", ""}}).ok());
  ASSERT_TRUE(q_->Add("0 BOOTSTRAP").ok());
  ASSERT_TRUE(q_->Add("1 BOOT").ok());
  EXPECT_EQ(Codes(), (std::vector<std::string>{"0 BOOTSTRAP", "1 BOOT"}));
  EXPECT_TRUE(q_->Requests().empty());
}

TEST_F(EventQueueTest, BootstrapAgainKeepsWhatQueuedSince) {
  ASSERT_TRUE(q_->Add("0 BOOTSTRAP").ok());
  ASSERT_TRUE(
      q_->Enqueue(cwmp::TransferComplete{"ck", {}, "", ""}, {{"7 TRANSFER COMPLETE", ""}}).ok());
  ASSERT_TRUE(q_->Add("0 BOOTSTRAP").ok());  // e.g. a restart before the first contact succeeded
  EXPECT_EQ(Codes(), (std::vector<std::string>{"0 BOOTSTRAP", "7 TRANSFER COMPLETE"}));
  EXPECT_EQ(q_->Requests().size(), 1u);
}

TEST_F(EventQueueTest, FailedSessionDropsOnlyConnectionRequest) {
  ASSERT_TRUE(q_->Add("6 CONNECTION REQUEST").ok());
  ASSERT_TRUE(q_->Add("4 VALUE CHANGE").ok());
  ASSERT_TRUE(q_->OnSessionFailed().ok());
  EXPECT_EQ(Codes(), (std::vector<std::string>{"4 VALUE CHANGE"}));
}

TEST_F(EventQueueTest, AcknowledgedInformRemovesDeliveredOnly) {
  ASSERT_TRUE(q_->Add("2 PERIODIC").ok());
  auto delivered = q_->Events();
  ASSERT_TRUE(q_->Add("6 CONNECTION REQUEST").ok());  // arrived during the session
  ASSERT_TRUE(q_->OnInformAcknowledged(delivered).ok());
  EXPECT_EQ(Codes(), (std::vector<std::string>{"6 CONNECTION REQUEST"}));
}

TEST_F(EventQueueTest, TransferCompleteEventsLiveUntilItsAcknowledgement) {
  ASSERT_TRUE(
      q_->Enqueue(
            cwmp::TransferComplete{"dl-1", {0, ""}, "2026-01-01T00:00:00Z", "2026-01-01T00:00:05Z"},
            {{"7 TRANSFER COMPLETE", ""}, {"M Download", "dl-1"}})
          .ok());
  ASSERT_TRUE(q_->Add("1 BOOT").ok());
  auto delivered = q_->Events();
  ASSERT_TRUE(q_->OnInformAcknowledged(delivered).ok());
  EXPECT_EQ(Codes(), (std::vector<std::string>{"7 TRANSFER COMPLETE", "M Download/dl-1"}));
  Reopen();  // survives a restart
  ASSERT_EQ(q_->Requests().size(), 1u);
  auto* tc = std::get_if<cwmp::TransferComplete>(&q_->Requests()[0].request);
  ASSERT_NE(tc, nullptr);
  EXPECT_EQ(tc->command_key, "dl-1");
  EXPECT_EQ(tc->complete_time, "2026-01-01T00:00:05Z");
  ASSERT_TRUE(q_->OnRequestAcknowledged(q_->Requests()[0].id).ok());
  EXPECT_TRUE(Codes().empty());
  EXPECT_TRUE(q_->Requests().empty());
}

TEST_F(EventQueueTest, PersistsAndDropsConnectionRequestAtStartup) {
  ASSERT_TRUE(q_->Add("0 BOOTSTRAP").ok());
  ASSERT_TRUE(q_->Add("M Reboot", "rk").ok());
  ASSERT_TRUE(q_->Add("6 CONNECTION REQUEST").ok());
  Reopen();
  ASSERT_TRUE(q_->OnStartup().ok());
  EXPECT_EQ(Codes(), (std::vector<std::string>{"0 BOOTSTRAP", "M Reboot/rk"}));
}

TEST_F(EventQueueTest, NamespacesAreSeparate) {
  auto other = EventQueue::Open(*db_, "vd1");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Add("2 PERIODIC").ok());
  ASSERT_TRUE(q_->Add("1 BOOT").ok());
  Reopen();
  EXPECT_EQ(Codes(), (std::vector<std::string>{"1 BOOT"}));
}

TEST(RequestSerializationTest, RoundTripsEveryKind) {
  cwmp::DUStateChangeComplete du;
  du.command_key = "cs";
  du.results.push_back({"u-1",
                        "Device.SoftwareModules.DeploymentUnit.1",
                        "1.0",
                        "Installed",
                        true,
                        "a,b",
                        "2026-01-01T00:00:00Z",
                        "2026-01-01T00:00:01Z",
                        {0, ""}});
  du.results.push_back({"u-2", "", "", "Failed", false, "", "", "", {9018, "bad\nfile"}});
  auto back = DeserializeRequest(SerializeRequest(du));
  ASSERT_TRUE(back.ok());
  auto* d = std::get_if<cwmp::DUStateChangeComplete>(&*back);
  ASSERT_NE(d, nullptr);
  ASSERT_EQ(d->results.size(), 2u);
  EXPECT_EQ(d->results[1].fault.string, "bad\nfile");
  EXPECT_EQ(d->results[0].execution_unit_ref_list, "a,b");
  cwmp::AutonomousTransferComplete atc;
  atc.transfer_url = "http://x/y";
  atc.file_size = 99;
  atc.is_download = false;
  auto a = DeserializeRequest(SerializeRequest(atc));
  EXPECT_EQ(std::get<cwmp::AutonomousTransferComplete>(*a).file_size, 99u);
  EXPECT_FALSE(std::get<cwmp::AutonomousTransferComplete>(*a).is_download);
  EXPECT_FALSE(DeserializeRequest("kind=Nope\n").ok());
}

}  // namespace
}  // namespace proxier::core
