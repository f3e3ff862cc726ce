// Retry windows exactly by the formula; periodic informs on the PeriodicInformTime phase.
#include "proxier/core/schedule.h"

#include <gtest/gtest.h>

namespace proxier::core {
namespace {

TEST(RetryTest, DefaultWindowsMatchTheTable) {
  // spec/cwmp.md §4 with m=5, k=2000: 5-10, 10-20, ..., 2560-5120 (n >= 10).
  const int64_t table[][2] = {{5, 10},    {10, 20},   {20, 40},    {40, 80},     {80, 160},
                              {160, 320}, {320, 640}, {640, 1280}, {1280, 2560}, {2560, 5120}};
  for (uint32_t n = 1; n <= 10; ++n) {
    RetryWindow w = RetryWindowFor(n, 5, 2000);
    EXPECT_EQ(w.min_ms, table[n - 1][0] * 1000) << n;
    EXPECT_EQ(w.max_ms, table[n - 1][1] * 1000) << n;
  }
  RetryWindow capped = RetryWindowFor(25, 5, 2000);
  EXPECT_EQ(capped.min_ms, 2560000);
  EXPECT_EQ(capped.max_ms, 5120000);
}

TEST(RetryTest, OtherParameters) {
  RetryWindow w = RetryWindowFor(3, 1, 1500);  // 1*1.5^2 .. 1*1.5^3
  EXPECT_EQ(w.min_ms, 2250);
  EXPECT_EQ(w.max_ms, 3375);
  RetryWindow flat = RetryWindowFor(4, 7, 1000);
  EXPECT_EQ(flat.min_ms, 7000);
  EXPECT_EQ(flat.max_ms, 7000);
}

TEST(RetryTest, DelayIsRandomInsideTheWindow) {
  DefaultRandom random(7);
  int64_t lo = INT64_MAX, hi = 0;
  for (int i = 0; i < 5000; ++i) {
    int64_t d = RetryDelay(2, 5, 2000, random).count();
    ASSERT_GE(d, 10000);
    ASSERT_LE(d, 20000);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_LT(lo, 10500);
  EXPECT_GT(hi, 19500);
}

TEST(PeriodicTest, WithoutPhaseWaitsOneInterval) {
  WallTime now = std::chrono::system_clock::from_time_t(1767225600);
  EXPECT_EQ(NextPeriodicDelay(now, 3600, std::nullopt), Millis(3600000));
}

TEST(PeriodicTest, PhaseAlignsInformsToPhasePlusMultiples) {
  WallTime now = std::chrono::system_clock::from_time_t(1767225600) + Millis(1500);  // 00:00:01.5
  // Phase at 00:00:10, interval 60 s -> next at 00:00:10.
  EXPECT_EQ(NextPeriodicDelay(now, 60, 1767225610), Millis(8500));
  // Phase in the past (yesterday 00:00:30) -> next at today 00:00:30.
  EXPECT_EQ(NextPeriodicDelay(now, 60, 1767225600 - 86400 + 30), Millis(28500));
  // Phase in the future far ahead -> the earliest phase point after now.
  EXPECT_EQ(NextPeriodicDelay(now, 3600, 1767225600 + 10 * 3600 + 5), Millis(3500));
  // Exactly on a phase point: the next one, one interval later.
  WallTime on = std::chrono::system_clock::from_time_t(1767225610);
  EXPECT_EQ(NextPeriodicDelay(on, 60, 1767225610), Millis(60000));
}

}  // namespace
}  // namespace proxier::core
