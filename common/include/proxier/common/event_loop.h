// EventLoop: the engine thread's epoll loop with timers, fd watches and a thread-safe Post().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "proxier/common/clock.h"
#include "proxier/common/status.h"

namespace proxier {

// One EventLoop runs on one thread (the thread that calls Run/RunOnce). Timers follow the injected
// Clock: with a ManualClock, timers fire only after the test advances the clock and runs the loop.
//
// Thread: Post() and Stop() may be called from any thread; everything else only from the loop
// thread (or before the loop starts).
class EventLoop {
 public:
  using Task = std::function<void()>;
  using TimerId = uint64_t;
  // Readiness bits for WatchFd; kError is reported (never requested) for EPOLLERR/EPOLLHUP.
  static constexpr uint32_t kReadable = 1;
  static constexpr uint32_t kWritable = 2;
  static constexpr uint32_t kError = 4;
  using FdCallback = std::function<void(uint32_t ready)>;

  // `clock` is borrowed and must outlive the loop. Aborts if epoll/eventfd cannot be created.
  explicit EventLoop(const Clock& clock);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Queues `task` to run on the loop thread, in FIFO order. Thread: any.
  void Post(Task task);
  // Runs `task` once after `delay`. Returns an id for Cancel().
  TimerId RunAfter(Millis delay, Task task);
  // Runs `task` every `period` (first run after one period); no drift. period must be > 0.
  TimerId RunEvery(Millis period, Task task);
  // Cancels a timer; false if it is unknown or already fired (one-shot). Safe inside its task.
  bool Cancel(TimerId id);
  // Time until the next timer, if any.
  std::optional<Millis> NextTimerIn() const;

  // Watches `fd` for `events` (kReadable|kWritable); the callback gets the ready bits.
  // Errors: 9002 when epoll refuses the fd or it is already watched.
  Status WatchFd(int fd, uint32_t events, FdCallback callback);
  Status ModifyFd(int fd, uint32_t events);
  // Stops watching; safe from inside any callback (a pending readiness for it is dropped).
  void UnwatchFd(int fd);

  // Runs until Stop(). Thread: becomes the loop thread.
  void Run();
  // Makes Run() return after the current callback. Thread: any.
  void Stop();
  // One iteration: waits up to `max_wait` for fds/posts (less if a timer is due), then runs ready
  // fd callbacks, due timers and posted tasks. Returns how many callbacks ran.
  size_t RunOnce(Millis max_wait);
  // Runs iterations until `done()` is true or `timeout` of real time passed; returns done().
  bool RunUntil(const std::function<bool()>& done, Millis timeout);
  // Runs everything that is ready now (posts and due timers) without waiting.
  void RunUntilIdle();

  const Clock& clock() const { return clock_; }
  bool IsLoopThread() const;

 private:
  struct Timer {
    Task task;
    Millis period{0};
  };
  struct Watch {
    FdCallback callback;
  };
  size_t RunTimers();
  size_t RunPosted();
  void Wake();

  const Clock& clock_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<std::thread::id> loop_thread_{};

  std::mutex post_mu_;
  std::vector<Task> posted_;  // guarded by post_mu_

  TimerId next_timer_id_ = 1;
  std::map<std::pair<SteadyTime, TimerId>, Timer> timers_;
  std::unordered_map<TimerId, SteadyTime> timer_deadlines_;
  std::unordered_map<int, std::shared_ptr<Watch>> watches_;
};

}  // namespace proxier
