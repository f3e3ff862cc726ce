// SimDevice: action dispatch, BMS tests, SMS deployment units, knobs.
#include "sim_device.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "proxier/common/log.h"
#include "proxier/common/xml.h"
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

upnp::DeviceReply Ok(upnp::Args out = {}) {
  upnp::DeviceReply r;
  r.out = std::move(out);
  return r;
}

std::string MakeSerial(const Profile& profile, int index) {
  char serial[64];
  std::snprintf(serial, sizeof(serial), "%s%06d", profile.serial_prefix.c_str(), index);
  return serial;
}

bool ParseU32(const std::string& s, uint32_t* out) {
  if (!util::IsNumber(s)) return false;
  uint64_t v = std::stoull(s);
  if (v > 0xffffffffULL) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

}  // namespace

SimDevice::SimDevice(const Profile& profile, int index, std::string uuid, std::string base_path,
                     EventLoop& loop, Notify notify)
    : profile_(profile),
      index_(index),
      uuid_(std::move(uuid)),
      base_path_(std::move(base_path)),
      serial_(MakeSerial(profile, index)),
      loop_(loop),
      notify_(std::move(notify)),
      lease_time_(profile.lease_time),
      model_(profile, index, serial_) {
  // The DM device is the root, or an embedded device with a derived UUID.
  dm_udn_ = "uuid:" + uuid_;
  if (!profile.root_type.empty()) dm_udn_[dm_udn_.size() - 1] = dm_udn_.back() == 'e' ? 'f' : 'e';
}

void SimDevice::SetLatency(int ms) {
  std::lock_guard<std::mutex> lock(mu_);
  latency_ms_ = ms;
}

void SimDevice::InjectError(int code, int count) {
  std::lock_guard<std::mutex> lock(mu_);
  error_code_ = code;
  error_count_ = count;
}

void SimDevice::SetMalformed(Malformed m) {
  std::lock_guard<std::mutex> lock(mu_);
  malformed_ = m;
}

std::string SimDevice::Get(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  return model_.Get(path);
}

int SimDevice::LocalSet(const std::string& path, const std::string& value) {
  upnp::Args events;
  int rc;
  {
    std::lock_guard<std::mutex> lock(mu_);
    rc = model_.LocalSet(path, value);
    events = model_.TakeEvents();
  }
  if (!events.empty()) Send("urn:upnp-org:serviceId:ConfigurationManagement", events);
  return rc;
}

void SimDevice::Rebooted() {
  std::lock_guard<std::mutex> lock(mu_);
  model_.Rebooted();
  for (auto& [id, t] : tests_) {
    if (t.state == "Requested" || t.state == "InProgress") t.state = "Canceled";
  }
}

void SimDevice::Send(const std::string& service_id, const upnp::Args& vars) {
  if (notify_ && !vars.empty()) notify_(dm_udn_, service_id, vars);
}

void SimDevice::Later(int ms, std::function<void()> fn) {
  loop_.Post([this, ms, fn = std::move(fn)] {
    PX_LOG(kDebug, "sim") << "timer in " << ms << " ms";
    loop_.RunAfter(Millis(ms), fn);
  });
}

std::string SimDevice::Ids(const std::vector<uint32_t>& ids) const {
  std::string out;
  for (uint32_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

uint64_t SimDevice::Answered(const std::string& action) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = answered_.find(action);
  return it == answered_.end() ? 0 : it->second;
}

upnp::Args SimDevice::InitialState(const std::string& service_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (service_id.find("ConfigurationManagement") != std::string::npos) {
    return model_.EventedState();
  }
  if (service_id.find("BasicManagement") != std::string::npos) return BmsState();
  return SmsState();
}

upnp::DeviceReply SimDevice::OnAction(const upnp::DeviceAction& a) {
  int latency;
  int injected = 0;
  Malformed malformed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    latency = latency_ms_;
    malformed = malformed_;
    if (error_count_ > 0) {
      --error_count_;
      injected = error_code_;
    }
  }
  if (latency > 0) std::this_thread::sleep_for(std::chrono::milliseconds(latency));
  if (injected) return Err(injected, std::string(upnp::UpnpErrorName(injected)));
  upnp::DeviceReply r;
  upnp::Args events;
  std::string evented_service = a.service_id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++answered_[a.action];
    if (a.service_id.find("ConfigurationManagement") != std::string::npos) {
      CmsReply c = model_.Handle(a.action, a.args);
      r.error = c.error;
      r.error_description = c.description;
      r.out = std::move(c.out);
      events = model_.TakeEvents();
    } else if (a.service_id.find("BasicManagement") != std::string::npos) {
      r = Bms(a, &events);
      upnp::Args cms_events = model_.TakeEvents();  // BaselineReset changes the model
      if (!cms_events.empty()) {
        events.insert(events.end(), cms_events.begin(), cms_events.end());
      }
    } else if (a.service_id.find("SoftwareManagement") != std::string::npos) {
      r = Sms(a, &events);
    } else {
      r = Err(401, "Invalid Action");
    }
  }
  if (r.error == 0 && malformed != Malformed::kOff) {
    std::string inner;
    if (malformed == Malformed::kGarbage) {
      inner = "<Unexpected>1</Unexpected>";
      r.raw_response = "<u:" + a.action + "Answer xmlns:u=\"" + a.service_type + "\">" + inner +
                       "</u:" + a.action + "Answer>";
    } else {
      // XML-valued outputs inline instead of escaped, as some field devices do.
      for (const auto& [k, v] : r.out) {
        std::string val = v;
        if (val.rfind("<?xml", 0) == 0) val = val.substr(val.find("?>") + 2);
        inner += "<" + k + ">" + (val.find('<') == 0 ? val : xml::Escape(val)) + "</" + k + ">";
      }
      r.raw_response = "<u:" + a.action + "Response xmlns:u=\"" + a.service_type + "\">" + inner +
                       "</u:" + a.action + "Response>";
    }
  }
  std::vector<std::pair<std::string, std::string>> cms_part, rest;
  for (auto& e : events) {
    bool cms = e.first == "ConfigurationUpdate" || e.first == "SupportedParametersUpdate";
    (cms ? cms_part : rest).push_back(e);
  }
  if (!cms_part.empty()) Send("urn:upnp-org:serviceId:ConfigurationManagement", cms_part);
  if (!rest.empty()) Send(evented_service, rest);
  return r;
}

upnp::Args SimDevice::BmsState() const {
  std::vector<uint32_t> all, active;
  for (const auto& [id, t] : tests_) {
    all.push_back(id);
    if (t.state == "Requested" || t.state == "InProgress") active.push_back(id);
  }
  return {{"DeviceStatus", "OK," + NowTimestamp()},
          {"TestIDs", Ids(all)},
          {"ActiveTestIDs", Ids(active)}};
}

upnp::DeviceReply SimDevice::Bms(const upnp::DeviceAction& a, upnp::Args* events) {
  const std::string& n = a.action;
  if (n == "Reboot") {
    loop_.Post([this] {
      if (request_reboot) request_reboot();
    });
    return Ok({{"RebootStatus", "RebootNow"}});
  }
  if (n == "BaselineReset") {
    model_.BaselineReset();
    return Ok();
  }
  if (n == "GetDeviceStatus") return Ok({{"DeviceStatus", "OK," + NowTimestamp()}});
  if (n == "Ping") {
    uint32_t reps = 0, timeout = 0, size = 0, dscp = 0;
    std::string host = Arg(a.args, "Host");
    if (host.empty() || !ParseU32(Arg(a.args, "NumberOfRepetitions"), &reps) ||
        !ParseU32(Arg(a.args, "Timeout"), &timeout) ||
        !ParseU32(Arg(a.args, "DataBlockSize"), &size) || !ParseU32(Arg(a.args, "DSCP"), &dscp)) {
      return Err(402, "Invalid Args");
    }
    if (dscp > 63 || size > 65535 || reps == 0) return Err(601, "Argument Value Out of Range");
    const uint32_t id = next_test_++;
    tests_[id] = Test{"Ping", "InProgress", host, reps};
    Later(150, [this, id] {
      upnp::Args ev;
      {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = tests_.find(id);
        if (it == tests_.end() || it->second.state != "InProgress") return;
        it->second.state = "Completed";
        ev = BmsState();
        ev.erase(ev.begin());
      }
      Send("urn:upnp-org:serviceId:BasicManagement", ev);
    });
    upnp::Args st = BmsState();
    events->insert(events->end(), st.begin() + 1, st.end());
    return Ok({{"TestID", std::to_string(id)}});
  }
  uint32_t id = 0;
  if (n == "GetPingResult" || n == "GetTestInfo" || n == "CancelTest") {
    if (!ParseU32(Arg(a.args, "TestID"), &id)) return Err(402, "Invalid Args");
    auto it = tests_.find(id);
    if (it == tests_.end()) return Err(706, "No Such Test");
    Test& t = it->second;
    if (n == "GetTestInfo") return Ok({{"Type", t.type}, {"State", t.state}});
    if (n == "CancelTest") {
      if (t.state == "Completed" || t.state == "Canceled")
        return Err(709, "State Precludes Cancel");
      t.state = "Canceled";
      upnp::Args st = BmsState();
      events->insert(events->end(), st.begin() + 1, st.end());
      return Ok();
    }
    if (t.type != "Ping") return Err(707, "Wrong Test Type");
    if (t.state != "Completed") return Err(708, "Invalid Test State");
    const bool bad = t.host.size() > 8 && t.host.substr(t.host.size() - 8) == ".invalid";
    return Ok({{"Status", bad ? "Error_CannotResolveHostName" : "Success"},
               {"AdditionalInfo", ""},
               {"SuccessCount", bad ? "0" : std::to_string(t.repetitions)},
               {"FailureCount", bad ? std::to_string(t.repetitions) : "0"},
               {"AverageResponseTime", bad ? "0" : "2"},
               {"MinimumResponseTime", bad ? "0" : "1"},
               {"MaximumResponseTime", bad ? "0" : "3"}});
  }
  if (n == "GetTestIDs") return Ok({{"TestIDs", BmsState()[1].second}});
  if (n == "GetActiveTestIDs") return Ok({{"TestIDs", BmsState()[2].second}});
  return Err(401, "Invalid Action");
}

}  // namespace proxier::sim
