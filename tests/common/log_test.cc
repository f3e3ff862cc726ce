// Logging: levels filter, secrets never reach the output.
#include "proxier/common/log.h"

#include <gtest/gtest.h>

namespace proxier {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::EnableStderr(false);
    log::CaptureTo(&out_);
  }
  void TearDown() override {
    log::CaptureTo(nullptr);
    log::EnableStderr(true);
    log::SetLevel(log::Level::kInfo);
  }
  std::string out_;
};

TEST_F(LogTest, LevelFilters) {
  log::SetLevel(log::Level::kWarning);
  int evaluated = 0;
  PX_LOG(kInfo, "t") << "hidden" << ++evaluated;
  PX_LOG(kError, "t") << "shown";
  EXPECT_EQ(out_.find("hidden"), std::string::npos);
  EXPECT_EQ(evaluated, 0);  // disabled lines do not evaluate their arguments
  EXPECT_NE(out_.find("ERROR t: shown"), std::string::npos);
}

TEST_F(LogTest, ParseLevel) {
  log::Level l;
  EXPECT_TRUE(log::ParseLevel("debug", &l));
  EXPECT_EQ(l, log::Level::kDebug);
  EXPECT_TRUE(log::ParseLevel("warn", &l));
  EXPECT_EQ(l, log::Level::kWarning);
  EXPECT_FALSE(log::ParseLevel("loud", &l));
}

TEST_F(LogTest, SecretIsNeverPrinted) {
  Secret password("hunter2");
  PX_LOG(kInfo, "auth") << "user=admin password=" << password;
  EXPECT_EQ(out_.find("hunter2"), std::string::npos);
  EXPECT_NE(out_.find("password=<redacted>"), std::string::npos);
  EXPECT_EQ(password.Reveal(), "hunter2");
}

TEST_F(LogTest, RedactUrlHidesPasswordOnly) {
  EXPECT_EQ(RedactUrl("http://bob:s3cret@acs.example:7547/cwmp?x=1"),
            "http://bob:<redacted>@acs.example:7547/cwmp?x=1");
  EXPECT_EQ(RedactUrl("https://acs.example/cwmp"), "https://acs.example/cwmp");
  EXPECT_EQ(RedactUrl("http://bob@acs.example/"), "http://bob@acs.example/");
  EXPECT_EQ(RedactUrl("http://acs.example/a@b"), "http://acs.example/a@b");
  EXPECT_EQ(RedactUrl("not a url"), "not a url");
}

}  // namespace
}  // namespace proxier
