// Path helpers shared by the simulator's model files.
#pragma once

#include <string>
#include <vector>

#include "proxier/upnp/cms_codec.h"
#include "proxier/upnp/soap.h"
#include "sim_model.h"

namespace proxier::sim::util {

namespace cms = upnp::cms;

inline bool IsNumber(const std::string& s) {
  return !s.empty() && s.size() < 11 && s.find_first_not_of("0123456789") == std::string::npos;
}

inline std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 1;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Concrete path -> structure path (instance numbers -> '#').
inline std::string Structure(const std::string& path) {
  std::string out = "/";
  auto segs = Segments(path);
  for (size_t k = 0; k < segs.size(); ++k) {
    out += IsNumber(segs[k]) ? "#" : segs[k];
    if (k + 1 < segs.size() || path.back() == '/') out += "/";
  }
  return out;
}

inline CmsReply Error(int code, std::string why) { return CmsReply{code, std::move(why), {}}; }

inline std::string Arg(const upnp::Args& in, const std::string& name) {
  for (const auto& [k, v] : in) {
    if (k == name) return v;
  }
  return "";
}

inline bool Under(const std::string& path, const std::string& node) {
  return path.size() >= node.size() && path.compare(0, node.size(), node) == 0;
}

inline size_t Depth(const std::string& rel) {
  size_t n = 0;
  for (char c : rel) n += c == '/';
  return n + (rel.empty() || rel.back() == '/' ? 0 : 1);
}

}  // namespace proxier::sim::util
