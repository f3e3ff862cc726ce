// Path syntax checks and transformations.
#include "proxier/datamodel/path.h"

namespace proxier::datamodel {

namespace {
bool IsAlpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

bool IsValidNameSegment(std::string_view s) {
  if (s.empty() || !(IsAlpha(s[0]) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(IsAlpha(c) || IsDigit(c) || c == '_' || c == '-')) return false;
  }
  return s.size() <= 256;
}

bool IsInstanceSegment(std::string_view s) {
  if (s.empty() || s.size() > 10 || s[0] == '0') return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v <= 4294967295ULL;
}

Status CheckPathSyntax(std::string_view path, bool allow_partial) {
  auto fail = [&](const char* why) {
    return Status(Code::kInvalidParameterName, "invalid path '" + std::string(path) + "': " + why);
  };
  if (path.empty()) return allow_partial ? Status::Ok() : fail("empty name");
  if (path.size() > 1024) return fail("too long");
  if (IsPartialPath(path) && !allow_partial) return fail("a partial path is not allowed here");
  std::string_view body = path;
  if (body.back() == '.') body.remove_suffix(1);
  size_t start = 0;
  bool first = true;
  while (start <= body.size()) {
    size_t dot = body.find('.', start);
    std::string_view seg = body.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (seg.empty()) return fail("empty segment");
    if (first) {
      if (seg != "Device") return fail("must start with 'Device.'");
      first = false;
    } else if (!IsValidNameSegment(seg) && !IsInstanceSegment(seg)) {
      return fail("bad segment");
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (!IsPartialPath(path) && IsInstanceSegment(LastSegment(path))) {
    return fail("a parameter name cannot end with an instance number");
  }
  return Status::Ok();
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.back() == '.') path.remove_suffix(1);
  size_t start = 0;
  while (!path.empty() && start <= path.size()) {
    size_t dot = path.find('.', start);
    if (dot == std::string_view::npos) {
      out.push_back(path.substr(start));
      break;
    }
    out.push_back(path.substr(start, dot - start));
    start = dot + 1;
  }
  return out;
}

std::string ToSchemaPath(std::string_view path) {
  std::string out;
  out.reserve(path.size() + 8);
  size_t start = 0;
  while (start < path.size()) {
    size_t dot = path.find('.', start);
    std::string_view seg =
        path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    out += IsInstanceSegment(seg) ? std::string_view("{i}") : seg;
    if (dot == std::string_view::npos) break;
    out += '.';
    start = dot + 1;
  }
  return out;
}

std::string_view ParentPath(std::string_view path) {
  if (path.empty()) return path;
  std::string_view body = path;
  if (body.back() == '.') body.remove_suffix(1);
  size_t dot = body.rfind('.');
  if (dot == std::string_view::npos) return {};
  return path.substr(0, dot + 1);
}

std::string_view LastSegment(std::string_view path) {
  std::string_view body = path;
  if (!body.empty() && body.back() == '.') body.remove_suffix(1);
  size_t dot = body.rfind('.');
  return dot == std::string_view::npos ? body : body.substr(dot + 1);
}

bool IsUnder(std::string_view path, std::string_view prefix) {
  return path.size() >= prefix.size() && path.compare(0, prefix.size(), prefix) == 0;
}

std::string ReplaceSegmentPrefix(std::string_view path, std::string_view from,
                                 std::string_view to) {
  std::string out;
  out.reserve(path.size());
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string_view seg = path.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!from.empty() && seg.substr(0, from.size()) == from) {
      out.append(to);
      seg.remove_prefix(from.size());
    }
    out.append(seg);
    if (dot == std::string_view::npos) break;
    out.push_back('.');
    start = dot + 1;
  }
  return out;
}

}  // namespace proxier::datamodel
