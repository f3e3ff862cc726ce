// ManualClock and DefaultRandom.
#include "proxier/common/clock.h"

namespace proxier {

namespace {
constexpr int64_t kDayNs = int64_t{86400} * 1000 * 1000 * 1000;
constexpr int64_t kWall2026Ns = int64_t{1767225600} * 1000 * 1000 * 1000;  // 2026-01-01T00:00:00Z
}  // namespace

ManualClock::ManualClock() : steady_ns_(kDayNs), wall_ns_(kWall2026Ns) {}

SteadyTime ManualClock::Now() const {
  return SteadyTime(std::chrono::nanoseconds(steady_ns_.load()));
}

WallTime ManualClock::WallNow() const {
  return WallTime(
      std::chrono::duration_cast<WallTime::duration>(std::chrono::nanoseconds(wall_ns_.load())));
}

void ManualClock::Advance(Millis delta) {
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(delta).count();
  steady_ns_ += ns;
  wall_ns_ += ns;
}

void ManualClock::SetWall(WallTime wall) {
  wall_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(wall.time_since_epoch()).count();
}

DefaultRandom::DefaultRandom() : engine_(std::random_device{}()) {}

uint64_t DefaultRandom::Uniform(uint64_t lo, uint64_t hi) {
  if (hi <= lo) return lo;
  return std::uniform_int_distribution<uint64_t>(lo, hi)(engine_);
}

}  // namespace proxier
