// EventLoop: posts from other threads, timers under a manual clock, fd watches.
#include "proxier/common/event_loop.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace proxier {
namespace {

TEST(EventLoopTest, PostFromOtherThreadsRunsOnLoopInOrder) {
  SystemClock clock;
  EventLoop loop(clock);
  std::vector<int> seen;
  std::atomic<bool> on_loop{true};
  std::thread t([&] {
    for (int i = 0; i < 100; ++i) {
      loop.Post([&, i] {
        if (!loop.IsLoopThread()) on_loop = false;
        seen.push_back(i);
      });
    }
  });
  t.join();
  ASSERT_TRUE(loop.RunUntil([&] { return seen.size() == 100; }, Millis(5000)));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(seen[i], i);
  EXPECT_TRUE(on_loop);
}

TEST(EventLoopTest, PostWakesABlockedLoop) {
  SystemClock clock;
  EventLoop loop(clock);
  std::atomic<bool> ran{false};
  std::thread t([&] {
    loop.Post([&] {
      ran = true;
      loop.Stop();
    });
  });
  loop.Run();  // returns only because the post woke it and stopped it
  t.join();
  EXPECT_TRUE(ran);
}

TEST(EventLoopTest, OneShotTimerFiresOnlyWhenDue) {
  ManualClock clock;
  EventLoop loop(clock);
  int fired = 0;
  loop.RunAfter(Millis(1000), [&] { ++fired; });
  loop.RunUntilIdle();
  EXPECT_EQ(fired, 0);
  clock.Advance(Millis(999));
  loop.RunUntilIdle();
  EXPECT_EQ(fired, 0);
  clock.Advance(Millis(1));
  loop.RunUntilIdle();
  EXPECT_EQ(fired, 1);
  clock.Advance(Millis(5000));
  loop.RunUntilIdle();
  EXPECT_EQ(fired, 1);
}

TEST(EventLoopTest, PeriodicTimerDoesNotDrift) {
  ManualClock clock;
  EventLoop loop(clock);
  std::vector<int64_t> at;
  auto start = clock.Now();
  loop.RunEvery(Millis(100), [&] {
    at.push_back(std::chrono::duration_cast<Millis>(clock.Now() - start).count());
  });
  for (int i = 0; i < 10; ++i) {
    clock.Advance(Millis(50));
    loop.RunUntilIdle();
  }
  EXPECT_EQ(at, (std::vector<int64_t>{100, 200, 300, 400, 500}));
}

TEST(EventLoopTest, CancelStopsTimersIncludingFromInside) {
  ManualClock clock;
  EventLoop loop(clock);
  int a = 0, b = 0;
  auto ta = loop.RunAfter(Millis(10), [&] { ++a; });
  EventLoop::TimerId tb = 0;
  tb = loop.RunEvery(Millis(10), [&] {
    ++b;
    loop.Cancel(tb);
  });
  EXPECT_TRUE(loop.Cancel(ta));
  EXPECT_FALSE(loop.Cancel(ta));
  for (int i = 0; i < 5; ++i) {
    clock.Advance(Millis(10));
    loop.RunUntilIdle();
  }
  EXPECT_EQ(a, 0);
  EXPECT_EQ(b, 1);
}

TEST(EventLoopTest, TimersRunInDeadlineOrder) {
  ManualClock clock;
  EventLoop loop(clock);
  std::string order;
  loop.RunAfter(Millis(30), [&] { order += "c"; });
  loop.RunAfter(Millis(10), [&] { order += "a"; });
  loop.RunAfter(Millis(20), [&] { order += "b"; });
  clock.Advance(Millis(30));
  loop.RunUntilIdle();
  EXPECT_EQ(order, "abc");
  EXPECT_FALSE(loop.NextTimerIn().has_value());
}

TEST(EventLoopTest, RealClockTimerFires) {
  SystemClock clock;
  EventLoop loop(clock);
  bool fired = false;
  loop.RunAfter(Millis(5), [&] { fired = true; });
  EXPECT_TRUE(loop.RunUntil([&] { return fired; }, Millis(5000)));
}

TEST(EventLoopTest, FdWatchReportsReadableAndCanUnwatchItself) {
  SystemClock clock;
  EventLoop loop(clock);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::string got;
  ASSERT_TRUE(loop.WatchFd(fds[0], EventLoop::kReadable,
                           [&](uint32_t ready) {
                             ASSERT_TRUE(ready & EventLoop::kReadable);
                             char buf[16];
                             ssize_t n = read(fds[0], buf, sizeof buf);
                             if (n > 0) got.append(buf, static_cast<size_t>(n));
                             if (got == "hello") loop.UnwatchFd(fds[0]);
                           })
                  .ok());
  EXPECT_FALSE(loop.WatchFd(fds[0], EventLoop::kReadable, [](uint32_t) {}).ok());
  ASSERT_EQ(write(fds[1], "hello", 5), 5);
  EXPECT_TRUE(loop.RunUntil([&] { return got == "hello"; }, Millis(5000)));
  ASSERT_EQ(write(fds[1], "x", 1), 1);
  loop.RunOnce(Millis(0));
  EXPECT_EQ(got, "hello");  // unwatched: the second write is not read
  close(fds[0]);
  close(fds[1]);
}

TEST(EventLoopTest, WritableWatchAndModify) {
  SystemClock clock;
  EventLoop loop(clock);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  int writable = 0;
  ASSERT_TRUE(loop.WatchFd(fds[1], EventLoop::kWritable,
                           [&](uint32_t ready) {
                             if (ready & EventLoop::kWritable) ++writable;
                             ASSERT_TRUE(loop.ModifyFd(fds[1], 0).ok());
                           })
                  .ok());
  EXPECT_TRUE(loop.RunUntil([&] { return writable == 1; }, Millis(5000)));
  loop.RunOnce(Millis(0));
  EXPECT_EQ(writable, 1);
  loop.UnwatchFd(fds[1]);
  close(fds[0]);
  close(fds[1]);
}

TEST(EventLoopTest, ManualClockAdvancesWallTimeToo) {
  ManualClock clock;
  auto w0 = clock.WallNow();
  clock.Advance(Millis(1500));
  EXPECT_EQ(std::chrono::duration_cast<Millis>(clock.WallNow() - w0).count(), 1500);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(w0), 1767225600);
}

TEST(RandomTest, UniformStaysInRangeAndCoversIt) {
  DefaultRandom rnd(42);
  bool lo = false, hi = false;
  for (int i = 0; i < 2000; ++i) {
    uint64_t v = rnd.Uniform(5, 10);
    ASSERT_GE(v, 5u);
    ASSERT_LE(v, 10u);
    lo |= v == 5;
    hi |= v == 10;
  }
  EXPECT_TRUE(lo && hi);
  EXPECT_EQ(rnd.Uniform(7, 7), 7u);
}

}  // namespace
}  // namespace proxier
