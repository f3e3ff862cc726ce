// Retry back-off and periodic inform timing.
#include "proxier/core/schedule.h"

#include <algorithm>
#include <cmath>

namespace proxier::core {

RetryWindow RetryWindowFor(uint32_t n, uint32_t min_wait_s, uint32_t multiplier) {
  n = std::clamp<uint32_t>(n, 1, 10);
  const long double k = multiplier / 1000.0L;
  const long double lo = min_wait_s * std::pow(k, static_cast<long double>(n - 1));
  const long double hi = min_wait_s * std::pow(k, static_cast<long double>(n));
  return {static_cast<int64_t>(std::llround(lo * 1000)),
          static_cast<int64_t>(std::llround(hi * 1000))};
}

Millis RetryDelay(uint32_t n, uint32_t min_wait_s, uint32_t multiplier, Random& random) {
  RetryWindow w = RetryWindowFor(n, min_wait_s, multiplier);
  return Millis(static_cast<int64_t>(
      random.Uniform(static_cast<uint64_t>(w.min_ms), static_cast<uint64_t>(w.max_ms))));
}

Millis NextPeriodicDelay(WallTime now, uint32_t interval_s, std::optional<int64_t> phase_epoch_s) {
  const int64_t interval_ms = static_cast<int64_t>(std::max<uint32_t>(interval_s, 1)) * 1000;
  if (!phase_epoch_s) return Millis(interval_ms);
  const int64_t now_ms = std::chrono::duration_cast<Millis>(now.time_since_epoch()).count();
  const int64_t phase_ms = *phase_epoch_s * 1000;
  int64_t offset = (now_ms - phase_ms) % interval_ms;
  if (offset < 0) offset += interval_ms;
  int64_t delay = interval_ms - offset;  // next phase point strictly after now
  return Millis(delay);
}

}  // namespace proxier::core
