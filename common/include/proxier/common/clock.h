// Clock injection: the real clocks, and a manual clock that tests advance by hand.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>

namespace proxier {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;
using Seconds = std::chrono::seconds;

// Source of time for the engine. Thread: implementations must be safe to call from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time for timers and intervals.
  virtual SteadyTime Now() const = 0;
  // Calendar time (UTC) for protocol timestamps.
  virtual WallTime WallNow() const = 0;
  // True when time only moves when a test says so; the event loop then never sleeps for timers.
  virtual bool IsManual() const { return false; }
};

// The system's steady and real-time clocks.
class SystemClock final : public Clock {
 public:
  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
};

// A clock that only moves on Advance(). Starts at steady epoch + 1 day and wall
// 2026-01-01T00:00:00Z unless told otherwise.
class ManualClock final : public Clock {
 public:
  ManualClock();
  SteadyTime Now() const override;
  WallTime WallNow() const override;
  bool IsManual() const override { return true; }
  void Advance(Millis delta);
  void SetWall(WallTime wall);

 private:
  std::atomic<int64_t> steady_ns_;
  std::atomic<int64_t> wall_ns_;
};

// Random numbers for back-off jitter; injectable so tests can pin them.
class Random {
 public:
  virtual ~Random() = default;
  // Uniform integer in [lo, hi] (inclusive).
  virtual uint64_t Uniform(uint64_t lo, uint64_t hi) = 0;
};

// std::mt19937_64 seeded from std::random_device. Thread: one owner.
class DefaultRandom final : public Random {
 public:
  DefaultRandom();
  explicit DefaultRandom(uint64_t seed) : engine_(seed) {}
  uint64_t Uniform(uint64_t lo, uint64_t hi) override;

 private:
  std::mt19937_64 engine_;
};

}  // namespace proxier
