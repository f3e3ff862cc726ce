// proxierd: the Proxier daemon (TR-069 CPE for the gateway and proxy for UPnP DM devices).
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <vector>

#include "config.h"
#include "daemon.h"
#include "proxier/build_config.h"
#include "proxier/common/log.h"
#include "proxier/common/sqlite.h"
#include "proxier/core/gateway_model.h"
#include "proxier/datamodel/schema.h"
#include "proxier/virtual_devices/identity.h"

namespace {

using proxier::Status;
namespace dm = proxier::datamodel;

// The source tree's definitions for a binary of the build tree; else share/proxier/defs next to
// the installed binary; else the configured install directory.
std::string DefaultDefsDir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return PROXIER_DEFS_INSTALL_DIR;
  if (exe.string().starts_with(std::string(PROXIER_BUILD_DIR) + "/") &&
      std::filesystem::is_directory(PROXIER_DEFS_SOURCE_DIR))
    return PROXIER_DEFS_SOURCE_DIR;
  const std::filesystem::path beside = exe.parent_path() / PROXIER_DEFS_RELATIVE_DIR;
  if (std::filesystem::is_directory(beside, ec)) return beside.lexically_normal().string();
  return PROXIER_DEFS_INSTALL_DIR;
}

proxier::core::DeviceIdentity IdentityFrom(const proxier::app::DaemonConfig& c) {
  return {c.manufacturer,     c.oui,          c.product_class,
          c.serial_number,    c.model_name,   "Proxier TR-069 proxier gateway",
          c.hardware_version, PROXIER_VERSION};
}

// Prints counts per top-level object and the DeviceInfo values, read back through the DataModel.
int PrintModelSummary(const dm::Schema& schema, dm::DataModel& model) {
  std::map<std::string, std::pair<size_t, size_t>> per_top;  // objects, params
  size_t writable = 0, tables = 0;
  for (const auto& [path, obj] : schema.objects()) {
    std::string top = path.substr(0, path.find('.', 7) + 1);
    if (path == "Device.") top = "Device.";
    per_top[top].first++;
    per_top[top].second += obj.params.size();
    tables += obj.multi;
    for (const auto& p : obj.params) writable += p.writable;
  }
  std::cout << "data model: " << schema.object_count() << " objects (" << tables << " tables), "
            << schema.param_count() << " parameters (" << writable << " writable)\n";
  for (const auto& [top, counts] : per_top) {
    std::cout << "  " << std::left << std::setw(28) << top << std::right << std::setw(4)
              << counts.first << " objects " << std::setw(5) << counts.second << " parameters\n";
  }
  int rc = 0;
  model.GetValues({"Device.DeviceInfo."}, [&](proxier::Result<std::vector<dm::ParamValue>> r) {
    if (!r.ok()) {
      std::cerr << "reading Device.DeviceInfo. failed: " << r.status() << "\n";
      rc = 1;
      return;
    }
    std::cout << "Device.DeviceInfo. (" << r->size() << " values):\n";
    for (const auto& v : *r) {
      if (v.value.empty()) continue;
      std::cout << "  " << std::left << std::setw(44) << v.name << " " << v.value << "\n";
    }
  });
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"proxierd - TR-069 proxier CPE for UPnP DM devices"};
  std::string config_path = PROXIER_CONFIG_PATH;
  std::string log_level;
  std::string defs_dir;
  std::string vd_udn;
  bool check_config = false, foreground = false, version = false;
  app.add_option("-c,--config", config_path, "configuration file (TOML)");
  app.add_option("--log-level", log_level, "debug|info|warning|error (overrides [log] level)");
  app.add_option("--defs", defs_dir, "directory of data-model definition files");
  app.add_flag("--check-config", check_config,
               "validate the configuration and data model, print a summary, exit");
  app.add_flag("-f,--foreground", foreground, "stay in the foreground, log to stderr");
  app.add_flag("-V,--version", version, "print the version and exit");
  app.add_option("--vd-cr-password", vd_udn,
                 "print the derived connection-request password of the virtual device with this "
                 "UDN and exit");
  CLI11_PARSE(app, argc, argv);
  if (version) {
    std::cout << "proxierd " << PROXIER_VERSION << " (git " << PROXIER_GIT_REVISION
              << ", vendor OUI " << PROXIER_VENDOR_OUI << ")\n";
    return 0;
  }

  auto config = proxier::app::LoadConfig(config_path);
  if (!config.ok()) {
    std::cerr << "proxierd: " << config.status().message() << "\n";
    return 2;
  }
  proxier::log::SetLevel(config->log_level);
  if (!log_level.empty()) {
    proxier::log::Level level;
    if (!proxier::log::ParseLevel(log_level, &level)) {
      std::cerr << "proxierd: unknown log level '" << log_level << "'\n";
      return 2;
    }
    proxier::log::SetLevel(level);
  }
  if (!vd_udn.empty()) {
    const proxier::Secret& key = proxier::app::VirtualCrSecret(*config);
    std::cout << proxier::virtual_devices::DerivedCrPassword(key.Reveal(), vd_udn) << "\n";
    return 0;
  }
  if (config->log_syslog && !foreground) proxier::log::EnableSyslog("proxierd");
  for (const auto& w : config->warnings) PX_LOG(kWarning, "config") << config_path << ": " << w;

  if (defs_dir.empty()) defs_dir = config->defs_dir.empty() ? DefaultDefsDir() : config->defs_dir;
  dm::Schema schema;
  Status st = dm::LoadSchemaDir(defs_dir, &schema);
  if (!st.ok()) {
    std::cerr << "proxierd: data model: " << st.message() << "\n";
    return 2;
  }

  proxier::SystemClock clock;
  if (check_config) {
    std::cout << "configuration " << config_path << " is valid\n"
              << proxier::app::DescribeConfig(*config);
    auto db = proxier::Db::Open(":memory:");
    if (!db.ok()) return 1;
    auto gw = proxier::core::GatewayModel::Create(**db, schema, "gw", IdentityFrom(*config), clock);
    if (!gw.ok()) {
      std::cerr << "proxierd: " << gw.status() << "\n";
      return 2;
    }
    return PrintModelSummary(schema, (*gw)->model());
  }

  bool failed = false;
  proxier::app::ExitAction action = proxier::app::RunDaemon(*config, config_path, schema, &failed);
  if (failed) return 1;
  if (action == proxier::app::ExitAction::kStop) return 0;
  if (action == proxier::app::ExitAction::kFactoryReset)
    proxier::app::WipeStore(config->storage_path);
  // Reboot: start again as a new process image (the store keeps "M Reboot" and the queue).
  std::vector<char*> args(argv, argv + argc);
  args.push_back(nullptr);
  execv("/proc/self/exe", args.data());
  std::cerr << "proxierd: cannot restart: " << std::strerror(errno) << "\n";
  return 1;
}
