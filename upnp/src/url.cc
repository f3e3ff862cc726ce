// http URL parsing and resolution.
#include "proxier/upnp/url.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace proxier::upnp {
namespace {

constexpr size_t kMaxUrl = 2048;

Status Bad(std::string_view text, const char* why) {
  return Status(Code::kInvalidArguments,
                std::string("bad URL '") + std::string(text.substr(0, 200)) + "': " + why);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Removes "." and ".." segments from an absolute path (query kept as is).
std::string NormalizePath(const std::string& path) {
  std::string p = path;
  std::string query;
  if (auto q = p.find('?'); q != std::string::npos) {
    query = p.substr(q);
    p.resize(q);
  }
  std::vector<std::string> segs;
  bool trailing = p.empty() || p.back() == '/';
  size_t i = p.empty() ? 0 : 1;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    std::string seg = p.substr(i, j - i);
    bool last = j >= p.size();
    if (seg == "..") {
      if (!segs.empty()) segs.pop_back();
      if (last) trailing = true;
    } else if (seg == ".") {
      if (last) trailing = true;
    } else if (!(last && seg.empty())) {
      segs.push_back(seg);
    }
    i = j + 1;
  }
  std::string r;
  for (const auto& s : segs) r += "/" + s;
  if (r.empty() || trailing) r += "/";
  return r + query;
}

}  // namespace

std::string Url::HostPort() const { return host + ":" + std::to_string(port); }

std::string Url::ToString() const { return "http://" + HostPort() + path; }

Result<Url> ParseUrl(std::string_view text) {
  if (text.size() > kMaxUrl) return Bad(text, "too long");
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7f) return Bad(text, "control character or space");
  }
  if (text.size() < 7 || Lower(text.substr(0, 7)) != "http://") return Bad(text, "not http://");
  std::string_view rest = text.substr(7);
  size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  Url url;
  url.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (url.path[0] == '?') url.path = "/" + url.path;
  if (authority.empty()) return Bad(text, "no host");
  if (authority.find('@') != std::string_view::npos) return Bad(text, "userinfo not allowed");
  std::string_view host = authority;
  std::string_view port;
  if (authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Bad(text, "unterminated IPv6 literal");
    host = authority.substr(0, close + 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return Bad(text, "junk after IPv6 literal");
      port = authority.substr(close + 2);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return Bad(text, "no host");
  url.host = Lower(host);
  if (!port.empty()) {
    if (port.size() > 5) return Bad(text, "bad port");
    unsigned value = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return Bad(text, "bad port");
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) return Bad(text, "bad port");
    url.port = static_cast<uint16_t>(value);
  }
  url.path = NormalizePath(url.path);
  return url;
}

Result<Url> ResolveUrl(const Url& base, std::string_view ref) {
  if (ref.size() > kMaxUrl) return Bad(ref, "too long");
  if (ref.size() >= 7 && Lower(ref.substr(0, 7)) == "http://") return ParseUrl(ref);
  if (ref.find("://") != std::string_view::npos) return Bad(ref, "not http://");
  for (unsigned char c : ref) {
    if (c < 0x20 || c == 0x7f) return Bad(ref, "control character");
  }
  if (ref.size() >= 2 && ref[0] == '/' && ref[1] == '/') return Bad(ref, "network-path reference");
  Url out = base;
  std::string r(ref);
  // Leading/trailing blanks appear in real descriptions; a space inside is kept as %20.
  while (!r.empty() && r.front() == ' ') r.erase(r.begin());
  while (!r.empty() && r.back() == ' ') r.pop_back();
  std::string enc;
  for (char c : r) enc += c == ' ' ? std::string("%20") : std::string(1, c);
  if (enc.empty()) return out;
  const std::string base_path = base.path.substr(0, base.path.find('?'));
  if (enc[0] == '/') {
    out.path = NormalizePath(enc);
  } else if (enc[0] == '?') {
    out.path = base_path + enc;
  } else {
    out.path = NormalizePath(base_path.substr(0, base_path.rfind('/') + 1) + enc);
  }
  return out;
}

}  // namespace proxier::upnp
