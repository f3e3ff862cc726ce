// SimDevice: SoftwareManagement (simulated deployment units and operations).
#include "sim_device.h"
#include "sim_util.h"

namespace proxier::sim {
namespace {

using util::Arg;

upnp::DeviceReply Err(int code, std::string why) {
  upnp::DeviceReply r;
  r.error = code;
  r.error_description = std::move(why);
  return r;
}

bool ParseU32(const std::string& s, uint32_t* out) {
  if (!util::IsNumber(s)) return false;
  uint64_t v = std::stoull(s);
  if (v > 0xffffffffULL) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

constexpr char kSmsId[] = "urn:upnp-org:serviceId:SoftwareManagement";

}  // namespace

upnp::Args SimDevice::SmsState() const {
  std::vector<uint32_t> ops, dus;
  for (const auto& [id, o] : operations_) ops.push_back(id);
  for (const auto& [id, d] : dus_) {
    if (d.state != "Uninstalled") dus.push_back(id);
  }
  return {{"OperationIDs", Ids(ops)}, {"DUIDs", Ids(dus)}, {"EUIDs", Ids(dus)}};
}

// Starts an operation that completes after 200 ms; `finish` (run under the lock) returns the
// error description ("" for success).
uint32_t SimDevice::StartOperation(const std::string& action, const std::string& target,
                                   std::function<std::string()> finish) {
  const uint32_t id = next_operation_++;
  operations_[id] = Operation{"InProgress", target, action, "Error_None", ""};
  Later(200, [this, id, finish = std::move(finish)] {
    upnp::Args ev;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::string error = finish();
      Operation& o = operations_[id];
      o.state = error.empty() ? "Completed" : "Error";
      if (!error.empty()) o.error = error;
      ev = SmsState();
    }
    Send(kSmsId, ev);
  });
  return id;
}

upnp::DeviceReply SimDevice::Sms(const upnp::DeviceAction& a, upnp::Args* events) {
  const std::string& n = a.action;
  upnp::DeviceReply ok;
  uint32_t id = 0;
  if (n == "Install") {
    const std::string uri = Arg(a.args, "DUURI");
    const std::string type = Arg(a.args, "DUType");
    if (uri.empty()) return Err(402, "Invalid Args");
    if (type != "Firmware" && type != "Application" && type != "Configuration" && type != "Other") {
      return Err(600, "Argument Value Invalid");
    }
    const uint32_t du = next_du_++;
    std::string name = uri.substr(uri.find_last_of('/') + 1);
    dus_[du] = Du{name, "1.0", type, "Installing", uri};
    id = StartOperation("Install", std::to_string(du), [this, du, uri] {
      if (uri.find("corrupt") != std::string::npos) {
        dus_[du].state = "Uninstalled";
        return std::string("Error_CorruptedFile");
      }
      dus_[du].state = "Installed";
      return std::string();
    });
  } else if (n == "Update" || n == "Uninstall") {
    if (!ParseU32(Arg(a.args, "DUID"), &id)) return Err(402, "Invalid Args");
    auto it = dus_.find(id);
    if (it == dus_.end() || it->second.state == "Uninstalled") {
      return Err(600, "Argument Value Invalid: no DU " + std::to_string(id));
    }
    const uint32_t du = id;
    if (n == "Update") {
      const std::string uri = Arg(a.args, "NewDUURI");
      id = StartOperation("Update", std::to_string(du), [this, du, uri] {
        Du& d = dus_[du];
        if (!uri.empty()) d.uri = uri;
        d.version = std::to_string(std::stoi(d.version) + 1) + ".0";
        return std::string();
      });
    } else {
      dus_[du].state = "Uninstalling";
      id = StartOperation("Uninstall", std::to_string(du), [this, du] {
        dus_[du].state = "Uninstalled";
        return std::string();
      });
    }
  } else if (n == "Start" || n == "Stop") {
    if (!ParseU32(Arg(a.args, "EUID"), &id)) return Err(402, "Invalid Args");
    if (!dus_.count(id)) return Err(600, "Argument Value Invalid: no EU " + std::to_string(id));
    id = StartOperation(n, std::to_string(id), [] { return std::string(); });
  } else if (n == "GetDUIDs" || n == "GetEUIDs" || n == "GetOperationIDs") {
    upnp::Args st = SmsState();
    size_t k = n == "GetOperationIDs" ? 0 : n == "GetDUIDs" ? 1 : 2;
    ok.out = {{st[k].first, st[k].second}};
    return ok;
  } else if (n == "GetOperationInfo") {
    if (!ParseU32(Arg(a.args, "OperationID"), &id)) return Err(402, "Invalid Args");
    auto it = operations_.find(id);
    if (it == operations_.end()) return Err(600, "Argument Value Invalid: no operation");
    const Operation& o = it->second;
    ok.out = {{"OperationState", o.state},
              {"TargetedIDs", o.targeted},
              {"Action", o.action},
              {"ErrorDescription", o.error},
              {"AdditionalInfo", o.info}};
    return ok;
  } else if (n == "GetDUInfo") {
    if (!ParseU32(Arg(a.args, "DUID"), &id)) return Err(402, "Invalid Args");
    auto it = dus_.find(id);
    if (it == dus_.end()) return Err(600, "Argument Value Invalid: no DU");
    const Du& d = it->second;
    ok.out = {{"DUName", d.name},
              {"DUVersion", d.version},
              {"DUType", d.type},
              {"DUState", d.state},
              {"DUURI", d.uri}};
    return ok;
  } else {
    return Err(401, "Invalid Action");
  }
  upnp::Args st = SmsState();
  events->insert(events->end(), st.begin(), st.end());
  ok.out = {{"OperationID", std::to_string(id)}};
  return ok;
}

}  // namespace proxier::sim
