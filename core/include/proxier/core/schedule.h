// Timing rules of a CWMP client: session retry back-off and periodic inform phase.
#pragma once

#include <cstdint>
#include <optional>

#include "proxier/common/clock.h"

namespace proxier::core {

// Window of the n-th retry (n >= 1; n > 10 counts as 10), in milliseconds:
// [m * (k/1000)^(n-1), m * (k/1000)^n] seconds, with m = CWMPRetryMinimumWaitInterval (s) and
// k = CWMPRetryIntervalMultiplier (per mille).
struct RetryWindow {
  int64_t min_ms;
  int64_t max_ms;
};
RetryWindow RetryWindowFor(uint32_t n, uint32_t min_wait_s, uint32_t multiplier);
// A uniformly random delay inside the window.
Millis RetryDelay(uint32_t n, uint32_t min_wait_s, uint32_t multiplier, Random& random);

// Delay from `now` until the next periodic Inform. With a known `phase` (PeriodicInformTime,
// seconds since the epoch) informs happen at phase + k * interval for integer k; without one the
// CPE chooses: `interval` after `now`. interval_s must be >= 1.
Millis NextPeriodicDelay(WallTime now, uint32_t interval_s, std::optional<int64_t> phase_epoch_s);

}  // namespace proxier::core
