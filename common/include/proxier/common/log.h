// Logging with levels to stderr and/or syslog, and helpers that keep secrets out of logs.
#pragma once

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
