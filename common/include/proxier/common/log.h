// Logging with levels to stderr and/or syslog, and helpers that keep secrets out of logs.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace proxier::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kOff = 4 };

// Parses "debug|info|warning|warn|error|off"; false if unknown.
bool ParseLevel(std::string_view text, Level* out);
std::string_view LevelName(Level level);

// Process-wide sink settings, set once by the binary's main() (and on SIGHUP for the level).
// Thread: any; the level is atomic, sinks are guarded internally.
void SetLevel(Level level);
Level GetLevel();
void EnableStderr(bool on);
// Opens syslog with `ident` (LOG_DAEMON); messages go there as well as stderr when enabled.
void EnableSyslog(const char* ident);
// Test hook: capture every emitted line into a string (nullptr to stop).
void CaptureTo(std::string* sink);
// The most recent lines (up to 1000), oldest first, for a "Vendor Log File" upload.
std::string RecentLines();

inline bool Enabled(Level level) { return level >= GetLevel(); }
// Emits one formatted line: "<time> <LEVEL> <component>: <text>".
void Emit(Level level, std::string_view component, std::string_view text);

// Builds one log line with operator<<; emits it when destroyed.
class Line {
 public:
  Line(Level level, std::string_view component) : level_(level), component_(component) {}
  ~Line() { Emit(level_, component_, stream_.str()); }
  template <typename T>
  Line& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  Level level_;
  std::string_view component_;
  std::ostringstream stream_;
};

// Lets one line through per interval and counts the ones held back, for refusals that a hostile
// peer can trigger at will (every refusal is logged, but a flood must not flood the log).
// Usage: if (throttle.Allow(now, &skipped)) PX_LOG(...) << what << " (" << skipped << " more)";
// Thread: one owner.
class Throttle {
 public:
  explicit Throttle(std::chrono::seconds interval = std::chrono::seconds(10))
      : interval_(interval) {}
  // True when a line may be emitted at `now`; *suppressed then holds how many calls were held
  // back since the last line that went through.
  bool Allow(std::chrono::steady_clock::time_point now, uint64_t* suppressed) {
    if (last_ && now - *last_ < interval_) {
      ++held_;
      return false;
    }
    last_ = now;
    *suppressed = held_;
    held_ = 0;
    return true;
  }

 private:
  std::chrono::seconds interval_;
  std::optional<std::chrono::steady_clock::time_point> last_;
  uint64_t held_ = 0;
};

}  // namespace proxier::log

namespace proxier {

// A password or other credential. It can be copied and compared but never printed: streaming
// it writes "<redacted>" (or "" when empty), so a secret cannot leak into a log line by accident.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  // The clear text, for the few places that need it (auth headers, digest computation).
  const std::string& Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  friend bool operator==(const Secret& a, const Secret& b) { return a.value_ == b.value_; }

 private:
  std::string value_;
};

std::ostream& operator<<(std::ostream& os, const Secret& secret);

// "scheme://user:pass@host/x" -> "scheme://user:<redacted>@host/x"; other text unchanged.
std::string RedactUrl(std::string_view url);

}  // namespace proxier

// Usage: PX_LOG(kInfo, "cwmp") << "session started, events=" << n;
// The stream expression is not evaluated when the level is disabled.
// (A for statement, so that `if (x) PX_LOG(...) << y; else ...` needs no braces.)
#define PX_LOG(level, component)                                                            \
  for (bool px_log_on_ = ::proxier::log::Enabled(::proxier::log::Level::level); px_log_on_; \
       px_log_on_ = false)                                                                  \
  ::proxier::log::Line(::proxier::log::Level::level, component)
