// xsd:dateTime parsing and formatting (UTC canonical form).
#include <cstdio>
#include <ctime>

#include "proxier/datamodel/value.h"

namespace proxier::datamodel {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

struct Parsed {
  int64_t epoch;         // seconds, UTC
  std::string fraction;  // digits after '.', trailing zeros removed
};

std::optional<Parsed> Parse(std::string_view t) {
  int year, mon, day, hh, mm, ss;
  if (!Digits(t, 0, 4, &year) || t.size() < 19 || t[4] != '-' || !Digits(t, 5, 2, &mon) ||
      t[7] != '-' || !Digits(t, 8, 2, &day) || t[10] != 'T' || !Digits(t, 11, 2, &hh) ||
      t[13] != ':' || !Digits(t, 14, 2, &mm) || t[16] != ':' || !Digits(t, 17, 2, &ss)) {
    return std::nullopt;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1 || mon < 1 || mon > 12 || day < 1) return std::nullopt;
  int max_day = kDays[mon - 1] + (mon == 2 && IsLeap(year) ? 1 : 0);
  if (day > max_day || hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  size_t pos = 19;
  Parsed out;
  if (pos < t.size() && t[pos] == '.') {
    size_t start = ++pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
    out.fraction = std::string(t.substr(start, pos - start));
    while (!out.fraction.empty() && out.fraction.back() == '0') out.fraction.pop_back();
    if (out.fraction.size() > 6) out.fraction.resize(6);
  }
  int64_t offset = 0;
  if (pos < t.size()) {
    if (t[pos] == 'Z' && pos + 1 == t.size()) {
      ++pos;
    } else if ((t[pos] == '+' || t[pos] == '-') && pos + 6 == t.size() && t[pos + 3] == ':') {
      int oh, om;
      if (!Digits(t, pos + 1, 2, &oh) || !Digits(t, pos + 4, 2, &om) || oh > 14 || om > 59) {
        return std::nullopt;
      }
      offset = (oh * 3600 + om * 60) * (t[pos] == '+' ? 1 : -1);
      pos += 6;
    } else {
      return std::nullopt;
    }
  }
  out.epoch = DaysFromCivil(year, static_cast<unsigned>(mon), static_cast<unsigned>(day)) * 86400 +
              hh * 3600 + mm * 60 + ss - offset;
  return out;
}

std::string Format(int64_t epoch, const std::string& fraction) {
  int64_t days = epoch / 86400;
  int64_t secs = epoch % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d", static_cast<long long>(y), m, d,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  std::string out(buf);
  if (!fraction.empty()) out += "." + fraction;
  out += 'Z';
  return out;
}

const int64_t kUnknownEpoch = DaysFromCivil(1, 1, 1) * 86400;

}  // namespace

Result<std::string> CanonicalDateTime(std::string_view text) {
  auto parsed = Parse(text);
  if (!parsed) {
    return Status(Code::kInvalidParameterType, "'" + std::string(text) + "' is not a dateTime");
  }
  // Times before year 1 after the offset shift (0001-01-01T00:00:00+01:00) stay Unknown Time.
  if (parsed->epoch < kUnknownEpoch) return std::string(kUnknownTime);
  return Format(parsed->epoch, parsed->fraction);
}

std::string FormatDateTime(WallTime time, bool with_millis) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  int64_t secs = ms / 1000;
  int64_t rem = ms % 1000;
  if (rem < 0) {
    rem += 1000;
    --secs;
  }
  std::string fraction;
  if (with_millis) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%03d", static_cast<int>(rem));
    fraction = buf;
  }
  return Format(secs, fraction);
}

std::optional<int64_t> DateTimeToEpoch(std::string_view text) {
  auto parsed = Parse(text);
  if (!parsed || parsed->epoch <= kUnknownEpoch) return std::nullopt;
  return parsed->epoch;
}

}  // namespace proxier::datamodel
