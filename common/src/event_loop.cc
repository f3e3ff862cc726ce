// EventLoop implementation on epoll + eventfd.
#include "proxier/common/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

namespace proxier {

namespace {
uint32_t ToEpoll(uint32_t events) {
  uint32_t out = 0;
  if (events & EventLoop::kReadable) out |= EPOLLIN | EPOLLRDHUP;
  if (events & EventLoop::kWritable) out |= EPOLLOUT;
  return out;
}
}  // namespace

EventLoop::EventLoop(const Clock& clock) : clock_(clock) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    std::cerr << "EventLoop: cannot create epoll/eventfd: " << std::strerror(errno) << "\n";
    std::abort();
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) std::abort();
}

EventLoop::~EventLoop() {
  close(wake_fd_);
  close(epoll_fd_);
}

void EventLoop::Post(Task task) {
  {
    std::lock_guard<std::mutex> lock(post_mu_);
    posted_.push_back(std::move(task));
  }
  Wake();
}

void EventLoop::Wake() {
  uint64_t one = 1;
  ssize_t n = write(wake_fd_, &one, sizeof one);
  (void)n;  // EAGAIN means the counter is already non-zero: the loop will wake anyway.
}

EventLoop::TimerId EventLoop::RunAfter(Millis delay, Task task) {
  TimerId id = next_timer_id_++;
  SteadyTime when = clock_.Now() + (delay.count() < 0 ? Millis(0) : delay);
  timers_.emplace(std::make_pair(when, id), Timer{std::move(task), Millis(0)});
  timer_deadlines_[id] = when;
  return id;
}

EventLoop::TimerId EventLoop::RunEvery(Millis period, Task task) {
  if (period.count() <= 0) period = Millis(1);
  TimerId id = next_timer_id_++;
  SteadyTime when = clock_.Now() + period;
  timers_.emplace(std::make_pair(when, id), Timer{std::move(task), period});
  timer_deadlines_[id] = when;
  return id;
}

bool EventLoop::Cancel(TimerId id) {
  auto it = timer_deadlines_.find(id);
  if (it == timer_deadlines_.end()) return false;
  timers_.erase(std::make_pair(it->second, id));
  timer_deadlines_.erase(it);
  return true;
}

std::optional<Millis> EventLoop::NextTimerIn() const {
  if (timers_.empty()) return std::nullopt;
  auto delta = timers_.begin()->first.first - clock_.Now();
  if (delta.count() < 0) return Millis(0);
  return std::chrono::ceil<Millis>(delta);
}

Status EventLoop::WatchFd(int fd, uint32_t events, FdCallback callback) {
  if (watches_.count(fd)) return Status(Code::kInternalError, "fd already watched");
  epoll_event ev{};
  ev.events = ToEpoll(events);
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    return Status(Code::kInternalError, std::string("epoll_ctl ADD: ") + std::strerror(errno));
  }
  watches_[fd] = std::make_shared<Watch>(Watch{std::move(callback)});
  return Status::Ok();
}

Status EventLoop::ModifyFd(int fd, uint32_t events) {
  if (!watches_.count(fd)) return Status(Code::kInternalError, "fd not watched");
  epoll_event ev{};
  ev.events = ToEpoll(events);
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0) {
    return Status(Code::kInternalError, std::string("epoll_ctl MOD: ") + std::strerror(errno));
  }
  return Status::Ok();
}

void EventLoop::UnwatchFd(int fd) {
  if (watches_.erase(fd)) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

bool EventLoop::IsLoopThread() const { return loop_thread_.load() == std::this_thread::get_id(); }

size_t EventLoop::RunTimers() {
  size_t ran = 0;
  const SteadyTime now = clock_.Now();
  // Only timers due at entry run in this pass, so a 0 ms timer re-armed by its task cannot spin.
  std::vector<TimerId> due;
  for (const auto& [key, timer] : timers_) {
    if (key.first > now) break;
    due.push_back(key.second);
  }
  for (TimerId id : due) {
    auto dl = timer_deadlines_.find(id);
    if (dl == timer_deadlines_.end()) continue;  // cancelled by an earlier timer
    auto node = timers_.extract(std::make_pair(dl->second, id));
    Timer timer = std::move(node.mapped());
    if (timer.period.count() > 0) {
      SteadyTime next = dl->second + timer.period;
      if (next <= now) next = now + timer.period;  // skip missed periods after a long stall
      dl->second = next;
      Task task = timer.task;
      timers_.emplace(std::make_pair(next, id), std::move(timer));
      task();
    } else {
      timer_deadlines_.erase(dl);
      timer.task();
    }
    ++ran;
  }
  return ran;
}

size_t EventLoop::RunPosted() {
  std::vector<Task> batch;
  {
    std::lock_guard<std::mutex> lock(post_mu_);
    batch.swap(posted_);
  }
  for (auto& task : batch) task();
  return batch.size();
}

size_t EventLoop::RunOnce(Millis max_wait) {
  loop_thread_ = std::this_thread::get_id();
  Millis wait = max_wait;
  if (auto next = NextTimerIn()) {
    // A manual clock never moves by itself, so its timers cannot shorten a real wait.
    if (!clock_.IsManual() && *next < wait) wait = *next;
  }
  {
    std::lock_guard<std::mutex> lock(post_mu_);
    if (!posted_.empty()) wait = Millis(0);
  }
  if (wait.count() < 0) wait = Millis(0);
  epoll_event events[64];
  int n = epoll_wait(epoll_fd_, events, 64, static_cast<int>(wait.count()));
  size_t ran = 0;
  for (int i = 0; i < n; ++i) {
    int fd = events[i].data.fd;
    if (fd == wake_fd_) {
      uint64_t value;
      ssize_t r = read(wake_fd_, &value, sizeof value);
      (void)r;
      continue;
    }
    auto it = watches_.find(fd);
    if (it == watches_.end()) continue;  // unwatched by an earlier callback of this batch
    std::shared_ptr<Watch> watch = it->second;
    uint32_t ready = 0;
    if (events[i].events & (EPOLLIN | EPOLLRDHUP)) ready |= kReadable;
    if (events[i].events & EPOLLOUT) ready |= kWritable;
    if (events[i].events & (EPOLLERR | EPOLLHUP)) ready |= kError | kReadable;
    watch->callback(ready);
    ++ran;
  }
  ran += RunTimers();
  ran += RunPosted();
  return ran;
}

void EventLoop::Run() {
  stop_ = false;
  while (!stop_) RunOnce(Millis(clock_.IsManual() ? 10 : 60000));
}

void EventLoop::Stop() {
  stop_ = true;
  Wake();
}

bool EventLoop::RunUntil(const std::function<bool()>& done, Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    auto left = std::chrono::ceil<Millis>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return done();
    RunOnce(std::min(left, Millis(clock_.IsManual() ? 10 : 100)));
  }
  return true;
}

void EventLoop::RunUntilIdle() {
  while (RunOnce(Millis(0)) > 0) {
  }
}

}  // namespace proxier
