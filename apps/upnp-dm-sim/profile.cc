// TOML profile loading and UPnP type checks.
#include "profile.h"

#include <toml++/toml.h>

#include <cctype>
#include <limits>

namespace proxier::sim {
namespace {

struct IntRange {
  const char* type;
  long double lo, hi;
};
constexpr IntRange kInts[] = {
    {"ui1", 0, 255},
    {"ui2", 0, 65535},
    {"ui4", 0, 4294967295.0L},
    {"ui8", 0, 18446744073709551615.0L},
    {"i1", -128, 127},
    {"i2", -32768, 32767},
    {"i4", -2147483648.0L, 2147483647.0L},
    {"int", -2147483648.0L, 2147483647.0L},
    {"i8", -9223372036854775808.0L, 9223372036854775807.0L},
};

bool AllOf(const std::string& s, const char* chars) {
  return s.find_first_not_of(chars) == std::string::npos;
}

}  // namespace

bool KnownType(const std::string& t) {
  for (const auto& r : kInts) {
    if (t == r.type) return true;
  }
  for (const char* k :
       {"string", "boolean", "dateTime", "bin.base64", "bin.hex", "uri", "uuid", "r8", "float"}) {
    if (t == k) return true;
  }
  return false;
}

bool CheckValue(const std::string& t, const std::string& v, bool* out_of_range) {
  *out_of_range = false;
  for (const auto& r : kInts) {
    if (t != r.type) continue;
    std::string digits = v;
    bool neg = !digits.empty() && digits[0] == '-';
    if (neg) digits.erase(0, 1);
    if (digits.empty() || digits.size() > 20 || !AllOf(digits, "0123456789")) return false;
    long double x = std::stold(digits) * (neg ? -1 : 1);
    if (x < r.lo || x > r.hi) {
      *out_of_range = true;
      return false;
    }
    return true;
  }
  if (t == "boolean") {
    return v == "0" || v == "1" || v == "true" || v == "false" || v == "yes" || v == "no";
  }
  if (t == "dateTime") {
    // YYYY-MM-DDTHH:MM:SS with optional Z / offset.
    if (v.size() < 19 || v[4] != '-' || v[7] != '-' || v[10] != 'T' || v[13] != ':' || v[16] != ':')
      return false;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
      if (!std::isdigit(static_cast<unsigned char>(v[i]))) return false;
    }
    return true;
  }
  if (t == "bin.base64") {
    return AllOf(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") &&
           v.size() % 4 == 0;
  }
  if (t == "bin.hex") return AllOf(v, "0123456789abcdefABCDEF") && v.size() % 2 == 0;
  if (t == "uuid") {
    return v.size() == 36 && AllOf(v, "0123456789abcdefABCDEF-") && v[8] == '-' && v[13] == '-' &&
           v[18] == '-' && v[23] == '-';
  }
  if (t == "uri") return v.empty() || v.find(':') != std::string::npos;
  if (t == "r8" || t == "float") {
    try {
      size_t pos = 0;
      std::stod(v, &pos);
      return pos == v.size();
    } catch (...) {
      return false;
    }
  }
  return true;  // string
}

Result<Profile> LoadProfile(const std::string& file) {
  toml::table t;
  try {
    t = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    return Status(Code::kInvalidArguments, file + ": " + std::string(e.description()));
  }
  Profile p;
  auto bad = [&](const std::string& why) {
    return Status(Code::kInvalidArguments, file + ": " + why);
  };
  if (auto* d = t["device"].as_table()) {
    auto str = [&](const char* key, std::string* out) {
      if (auto v = (*d)[key].value<std::string>()) *out = *v;
    };
    str("name", &p.name);
    str("device_type", &p.device_type);
    str("root_type", &p.root_type);
    str("friendly_name", &p.friendly_name);
    str("manufacturer", &p.manufacturer);
    str("manufacturer_url", &p.manufacturer_url);
    str("model_description", &p.model_description);
    str("model_name", &p.model_name);
    str("model_number", &p.model_number);
    str("oui", &p.oui);
    str("product_class", &p.product_class);
    str("serial_prefix", &p.serial_prefix);
    str("software_version", &p.software_version);
    if (auto v = (*d)["lease_time"].value<int64_t>()) p.lease_time = static_cast<uint32_t>(*v);
    p.publish_table_access = (*d)["publish_table_access"].value_or(true);
    if (auto* arr = (*d)["services"].as_array()) {
      p.services.clear();
      for (auto& s : *arr) {
        auto v = s.value<std::string>();
        if (!v || (*v != "cms" && *v != "bms" && *v != "sms")) return bad("unknown service");
        p.services.push_back(*v);
      }
    }
  }
  if (auto* arr = t["subtree"].as_array()) {
    for (auto& n : *arr) {
      auto* s = n.as_table();
      if (!s) return bad("subtree must be a table");
      p.subtrees.push_back(
          {(*s)["uri"].value_or(std::string()), (*s)["location"].value_or(std::string()),
           (*s)["url"].value_or(std::string()), (*s)["description"].value_or(std::string())});
    }
  }
  if (auto* arr = t["table"].as_array()) {
    for (auto& n : *arr) {
      auto* s = n.as_table();
      if (!s) return bad("table must be a table");
      TableSpec ts;
      ts.path = (*s)["path"].value_or(std::string());
      if (ts.path.size() < 3 || ts.path.substr(ts.path.size() - 2) != "#/" ||
          !upnp::cms::CheckPath(ts.path, upnp::cms::PathKind::kStructure).ok()) {
        return bad("bad table path " + ts.path);
      }
      ts.writable = (*s)["writable"].value_or(false);
      if (auto a = (*s)["access"].value<std::string>()) {
        if (*a != "readWrite" && *a != "readOnly")
          return bad("table access must be readWrite/readOnly");
        ts.writable = *a == "readWrite";
      }
      ts.instances = static_cast<uint32_t>((*s)["instances"].value_or(int64_t{0}));
      ts.first = ts.path.rfind("/BBF/", 0) == 0 ? 0 : 1;
      if (auto f = (*s)["first"].value<int64_t>()) ts.first = static_cast<uint32_t>(*f);
      p.tables.push_back(ts);
    }
  }
  if (auto* arr = t["param"].as_array()) {
    for (auto& n : *arr) {
      auto* s = n.as_table();
      if (!s) return bad("param must be a table");
      ParamSpec ps;
      ps.path = (*s)["path"].value_or(std::string());
      ps.type = (*s)["type"].value_or(std::string("string"));
      if (auto v = (*s)["value"].value<std::string>()) {
        ps.value = *v;
      } else if (auto i = (*s)["value"].value<int64_t>()) {
        ps.value = std::to_string(*i);
      } else if (auto b = (*s)["value"].value<bool>()) {
        ps.value = *b ? "1" : "0";
      }
      ps.writable = (*s)["writable"].value_or(false);
      ps.event = (*s)["event"].value_or(false);
      if (!upnp::cms::CheckPath(ps.path, upnp::cms::PathKind::kStructure).ok() ||
          ps.path.back() == '/') {
        return bad("bad param path " + ps.path);
      }
      if (!KnownType(ps.type)) return bad("unknown type " + ps.type + " of " + ps.path);
      p.params.push_back(ps);
    }
  }
  return p;
}

}  // namespace proxier::sim
