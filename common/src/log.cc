// Log sinks (stderr, syslog, test capture) and secret redaction.
#include "proxier/common/log.h"

#include <syslog.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <deque>
#include <iostream>
#include <mutex>

namespace proxier::log {

namespace {
std::atomic<Level> g_level{Level::kInfo};
std::atomic<bool> g_stderr{true};
std::atomic<bool> g_syslog{false};
std::mutex g_mu;
std::string* g_capture = nullptr;  // guarded by g_mu
constexpr size_t kRecent = 1000;
std::deque<std::string> g_recent;  // guarded by g_mu

int SyslogPriority(Level level) {
  switch (level) {
    case Level::kDebug:
      return LOG_DEBUG;
    case Level::kInfo:
      return LOG_INFO;
    case Level::kWarning:
      return LOG_WARNING;
    default:
      return LOG_ERR;
  }
}
}  // namespace

bool ParseLevel(std::string_view text, Level* out) {
  if (text == "debug")
    *out = Level::kDebug;
  else if (text == "info")
    *out = Level::kInfo;
  else if (text == "warning" || text == "warn")
    *out = Level::kWarning;
  else if (text == "error")
    *out = Level::kError;
  else if (text == "off")
    *out = Level::kOff;
  else
    return false;
  return true;
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO";
    case Level::kWarning:
      return "WARN";
    case Level::kError:
      return "ERROR";
    case Level::kOff:
      return "OFF";
  }
  return "?";
}

void SetLevel(Level level) { g_level = level; }
Level GetLevel() { return g_level; }
void EnableStderr(bool on) { g_stderr = on; }

void EnableSyslog(const char* ident) {
  openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
  g_syslog = true;
}

void CaptureTo(std::string* sink) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_capture = sink;
}

std::string RecentLines() {
  std::lock_guard<std::mutex> lock(g_mu);
  std::string out;
  for (const auto& l : g_recent) out += l;
  return out;
}

void Emit(Level level, std::string_view component, std::string_view text) {
  if (!Enabled(level)) return;
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  int ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  std::string line;
  line.reserve(text.size() + component.size() + 24);
  line.append(stamp).append(" ").append(LevelName(level)).append(" ");
  line.append(component).append(": ").append(text).append("\n");
  std::lock_guard<std::mutex> lock(g_mu);
  g_recent.push_back(line);
  if (g_recent.size() > kRecent) g_recent.pop_front();
  if (g_capture) g_capture->append(line);
  if (g_stderr) std::cerr << line << std::flush;
  if (g_syslog) {
    syslog(SyslogPriority(level), "%.*s: %.*s", static_cast<int>(component.size()),
           component.data(), static_cast<int>(text.size()), text.data());
  }
}

}  // namespace proxier::log

namespace proxier {

std::ostream& operator<<(std::ostream& os, const Secret& secret) {
  return os << (secret.empty() ? "" : "<redacted>");
}

std::string RedactUrl(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  auto authority_start = scheme + 3;
  auto authority_end = url.find_first_of("/?#", authority_start);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  auto at = url.rfind('@', authority_end);
  if (at == std::string_view::npos || at < authority_start) return std::string(url);
  auto colon = url.find(':', authority_start);
  std::string out(url.substr(0, authority_start));
  if (colon != std::string_view::npos && colon < at) {
    out.append(url.substr(authority_start, colon - authority_start)).append(":<redacted>");
  } else {
    out.append(url.substr(authority_start, at - authority_start));
  }
  out.append(url.substr(at));
  return out;
}

}  // namespace proxier
