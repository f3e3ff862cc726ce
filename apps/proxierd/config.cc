// TOML configuration parsing (toml++).
#include "config.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

namespace proxier::app {

namespace {

Status Bad(const std::string& what) { return Status(Code::kInvalidArguments, what); }

// Reads typed keys of one table and remembers which keys were consumed.
class Section {
 public:
  Section(const toml::table* table, std::string name, DaemonConfig* config, Status* error)
      : table_(table), name_(std::move(name)), config_(config), error_(error) {}
  ~Section() {
    if (!table_) return;
    for (const auto& [key, node] : *table_) {
      if (!used_.count(std::string(key.str()))) {
        config_->warnings.push_back("unknown key [" + name_ + "] " + std::string(key.str()));
      }
    }
  }

  void Str(const char* key, std::string* out) {
    const toml::node* n = Find(key);
    if (!n) return;
    if (auto v = n->value<std::string>())
      *out = *v;
    else
      Fail(key, "a string");
  }
  void Bool(const char* key, bool* out) {
    const toml::node* n = Find(key);
    if (!n) return;
    if (const auto* v = n->as_boolean())  // value<bool>() would also take 0 and 1
      *out = v->get();
    else
      Fail(key, "true or false");
  }
  template <typename T>
  void UInt(const char* key, T* out, int64_t min, int64_t max) {
    const toml::node* n = Find(key);
    if (!n) return;
    auto v = n->is_integer() ? n->value<int64_t>() : std::nullopt;  // no 1.5 or "1"
    if (!v || *v < min || *v > max) {
      Fail(key, "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
      return;
    }
    *out = static_cast<T>(*v);
  }
  const toml::node* Find(const char* key) {
    used_.insert(key);
    return table_ ? table_->get(key) : nullptr;
  }

 private:
  void Fail(const char* key, const std::string& expected) {
    if (!error_->ok()) return;
    *error_ = Bad("[" + name_ + "] " + key + " must be " + expected);
  }
  const toml::table* table_;
  std::string name_;
  DaemonConfig* config_;
  Status* error_;
  std::set<std::string> used_;
};

const toml::table* Sub(const toml::table& root, const char* name) {
  const toml::node* n = root.get(name);
  return n ? n->as_table() : nullptr;
}

// "host:port" or "[ipv6]:port", by hand (std::regex recursed through a 100,000-character value
// until the stack overflowed): a host of letters, digits, '.' and '-' (at most 253), an IPv6
// literal of hex digits, ':' and '.', a port 0-65535.
bool ValidListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || listen.size() > 300) return false;
  const std::string host = listen.substr(0, colon), port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535) {
    return false;
  }
  if (host.front() == '[') {
    return host.size() > 2 && host.back() == ']' &&
           host.find_first_not_of("0123456789abcdefABCDEF:.", 1) == host.size() - 1;
  }
  return host.size() <= 253 &&
         host.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") ==
             std::string::npos;
}

bool ValidMode(const std::string& mode) {
  return mode == "embedded" || mode == "virtual" || mode == "ignore";
}

}  // namespace

Result<DaemonConfig> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Bad(path + ": cannot be read");
  std::string text;
  char buf[16384];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) {
      return Bad(path + ": over " + std::to_string(kMaxConfigBytes) + " bytes");
    }
  }
  return ParseConfig(text, path);
}

Result<DaemonConfig> ParseConfig(std::string_view text, const std::string& path) {
  if (text.size() > kMaxConfigBytes) {
    return Bad(path + ": over " + std::to_string(kMaxConfigBytes) + " bytes");
  }
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << path << ":" << e.source().begin.line << ": " << e.description();
    return Bad(msg.str());
  }
  DaemonConfig c;
  Status error;
  static const std::set<std::string> kSections = {"device",  "acs",       "connection_request",
                                                  "storage", "datamodel", "upnp",
                                                  "proxy",   "hooks",     "log"};
  for (const auto& [key, node] : root) {
    if (!kSections.count(std::string(key.str())))
      c.warnings.push_back("unknown section [" + std::string(key.str()) + "]");
  }
  {
    Section s(Sub(root, "device"), "device", &c, &error);
    s.Str("manufacturer", &c.manufacturer);
    s.Str("oui", &c.oui);
    s.Str("product_class", &c.product_class);
    s.Str("serial_number", &c.serial_number);
    s.Str("model_name", &c.model_name);
    s.Str("hardware_version", &c.hardware_version);
  }
  {
    Section s(Sub(root, "acs"), "acs", &c, &error);
    std::string password;
    s.Str("url", &c.acs_url);
    s.Str("username", &c.acs_username);
    s.Str("password", &password);
    c.acs_password = Secret(password);
    s.Str("ca_file", &c.ca_file);
    s.Str("client_cert", &c.client_cert);
    s.Str("client_key", &c.client_key);
    s.Bool("periodic_inform_enable", &c.periodic_inform_enable);
    s.UInt("periodic_inform_interval", &c.periodic_inform_interval, 1, 4294967295LL);
    s.UInt("retry_min_wait", &c.retry_min_wait, 1, 65535);
    s.UInt("retry_multiplier", &c.retry_multiplier, 1000, 65535);
  }
  {
    Section s(Sub(root, "connection_request"), "connection_request", &c, &error);
    std::string password;
    s.Str("listen", &c.cr_listen);
    s.Str("username", &c.cr_username);
    s.Str("password", &password);
    c.cr_password = Secret(password);
    s.UInt("rate_limit", &c.cr_rate_limit, 1, 100000);
    s.UInt("rate_window", &c.cr_rate_window_seconds, 1, 86400);
    s.Str("advertised_host", &c.cr_advertised_host);
  }
  {
    Section s(Sub(root, "storage"), "storage", &c, &error);
    s.Str("path", &c.storage_path);
  }
  {
    Section s(Sub(root, "datamodel"), "datamodel", &c, &error);
    s.Str("defs_dir", &c.defs_dir);
  }
  {
    Section s(Sub(root, "upnp"), "upnp", &c, &error);
    s.Bool("enabled", &c.upnp_enabled);
    s.Str("interface", &c.upnp_interface);
    s.Str("ip", &c.upnp_ip);
    s.UInt("port", &c.upnp_port, 0, 65535);
    s.UInt("search_interval", &c.upnp_search_interval, 10, 86400);
    s.UInt("action_timeout_ms", &c.upnp_action_timeout_ms, 100, 600000);
    s.UInt("max_devices", &c.upnp_max_devices, 1, 100000);
    s.UInt("max_devices_per_host", &c.upnp_max_devices_per_host, 1, 100000);
    s.UInt("max_parts_per_device", &c.upnp_max_parts_per_device, 4, 10000);
    s.UInt("ssdp_rate", &c.upnp_ssdp_rate, 0, 1000000);
    s.UInt("gena_timeout_ms", &c.upnp_gena_timeout_ms, 100, 60000);
    s.UInt("max_event_bytes", &c.upnp_max_event_bytes, 1024, 16 * 1024 * 1024);
    s.UInt("max_failures_per_host", &c.upnp_max_failures_per_host, 1, 100000);
    s.UInt("gena_connections", &c.upnp_gena_connections, 4, 65536);
    s.UInt("gena_connections_per_host", &c.upnp_gena_connections_per_host, 1, 65536);
  }
  {
    const toml::table* proxy = Sub(root, "proxy");
    Section s(proxy, "proxy", &c, &error);
    s.Str("default_mode", &c.default_mode);
    s.UInt("purge_after", &c.purge_after, 0, 4294967295LL);
    s.UInt("retry_base_ms", &c.proxy_retry_base_ms, 10, 3600000);
    s.UInt("max_tries", &c.proxy_max_tries, 1, 100);
    s.UInt("event_coalesce_ms", &c.proxy_event_coalesce_ms, 0, 600000);
    s.UInt("max_instances", &c.proxy_max_instances, 16, 10000000);
    std::string vd_secret;
    s.Str("virtual_cr_secret", &vd_secret);
    c.virtual_cr_secret = Secret(vd_secret);
    s.UInt("virtual_inform_spread", &c.virtual_inform_spread, 0, 4294967295LL);
    s.UInt("virtual_reboot_timeout", &c.virtual_reboot_timeout, 1, 86400);
    if (const toml::node* rules = s.Find("rule")) {
      const toml::array* arr = rules->as_array();
      if (!arr) error = Bad("[[proxy.rule]] must be an array of tables");
      for (size_t i = 0; arr && i < arr->size(); ++i) {
        const toml::table* rule = (*arr)[i].as_table();
        ProxyRule r;
        const toml::table* match =
            rule ? rule->get("match") ? rule->get("match")->as_table() : nullptr : nullptr;
        if (rule && rule->get("mode")) r.mode = rule->get("mode")->value_or(std::string());
        if (!match || !ValidMode(r.mode)) {
          error = Bad("[[proxy.rule]] #" + std::to_string(i + 1) +
                      " needs match = { ... } and mode = embedded|virtual|ignore");
          break;
        }
        for (const auto& [key, value] : *match) {
          std::string k(key.str());
          if (k != "udn" && k != "device_type" && k != "manufacturer" && k != "model_name" &&
              k != "friendly_name") {
            error =
                Bad("[[proxy.rule]] #" + std::to_string(i + 1) + ": cannot match on '" + k + "'");
          }
          if (!value.is_string()) {
            error = Bad("[[proxy.rule]] #" + std::to_string(i + 1) +
                        ": match values must be strings (globs)");
          }
          r.match[k] = value.value_or(std::string());
        }
        c.rules.push_back(std::move(r));
      }
    }
  }
  {
    Section s(Sub(root, "hooks"), "hooks", &c, &error);
    s.Str("reboot", &c.hook_reboot);
    s.Str("factory_reset", &c.hook_factory_reset);
    s.Str("apply_firmware", &c.hook_apply_firmware);
    s.Str("apply_config", &c.hook_apply_config);
  }
  {
    Section s(Sub(root, "log"), "log", &c, &error);
    std::string level = "info";
    s.Str("level", &level);
    if (!log::ParseLevel(level, &c.log_level))
      error = Bad("[log] level must be debug|info|warning|error|off");
    s.Bool("syslog", &c.log_syslog);
  }
  if (!error.ok()) return Status(error.code(), path + ": " + error.message());
  // Semantic checks.
  if (c.oui.size() != 6 || c.oui.find_first_not_of("0123456789ABCDEF") != std::string::npos) {
    return Bad(path + ": [device] oui must be 6 upper-case hex digits");
  }
  for (const auto* v : {&c.manufacturer, &c.product_class, &c.serial_number}) {
    if (v->empty() || v->size() > 64)
      return Bad(path +
                 ": [device] manufacturer, product_class and serial_number need 1-64 characters");
  }
  if (!c.acs_url.empty() && c.acs_url.rfind("http://", 0) != 0 &&
      c.acs_url.rfind("https://", 0) != 0) {
    return Bad(path + ": [acs] url must start with http:// or https://");
  }
  if (!ValidListen(c.cr_listen)) {
    return Bad(path + ": [connection_request] listen must be host:port or [ipv6]:port");
  }
  if (!ValidMode(c.default_mode))
    return Bad(path + ": [proxy] default_mode must be embedded|virtual|ignore");
  if (c.storage_path.empty()) return Bad(path + ": [storage] path must not be empty");
  if (c.upnp_enabled) {
    if (c.upnp_interface.empty() || c.upnp_interface.size() >= IFNAMSIZ ||
        c.upnp_interface.find_first_of("/ \t") != std::string::npos) {
      return Bad(path + ": [upnp] interface must be a network interface name");
    }
    in_addr addr{};
    if (!c.upnp_ip.empty() && inet_pton(AF_INET, c.upnp_ip.c_str(), &addr) != 1)
      return Bad(path + ": [upnp] ip must be an IPv4 address");
  }
  return c;
}

core::TlsOptions AcsTls(const DaemonConfig& config) {
  return {true, config.ca_file, config.client_cert, config.client_key};
}

const Secret& VirtualCrSecret(const DaemonConfig& config) {
  return config.virtual_cr_secret.empty() ? config.cr_password : config.virtual_cr_secret;
}

std::string DescribeConfig(const DaemonConfig& c) {
  std::ostringstream out;
  out << "device      " << c.manufacturer << " / " << c.oui << "-" << c.product_class << "-"
      << c.serial_number << "\n";
  out << "acs         " << (c.acs_url.empty() ? "(none)" : RedactUrl(c.acs_url))
      << (c.acs_username.empty() ? "" : " as " + c.acs_username)
      << (c.acs_password.empty() ? "" : " (password set)") << "\n";
  out << "conn. req.  listen " << c.cr_listen << ", rate " << c.cr_rate_limit << "/"
      << c.cr_rate_window_seconds << "s" << (c.cr_password.empty() ? "" : ", password set") << "\n";
  out << "storage     " << c.storage_path << "\n";
  if (c.upnp_enabled) {
    out << "upnp        interface " << c.upnp_interface
        << (c.upnp_ip.empty() ? "" : " (" + c.upnp_ip + ")") << ", port "
        << (c.upnp_port ? std::to_string(c.upnp_port) : "any") << ", search every "
        << c.upnp_search_interval << "s, action timeout " << c.upnp_action_timeout_ms << "ms\n";
  } else {
    out << "upnp        disabled\n";
  }
  out << "proxy       default " << c.default_mode << ", " << c.rules.size()
      << " rule(s), purge after " << c.purge_after << "s\n";
  return out.str();
}

}  // namespace proxier::app
