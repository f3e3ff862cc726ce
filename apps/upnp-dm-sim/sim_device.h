// SimDevice: one simulated UPnP DM appliance: description, CMS model, BMS tests, SMS
// deployment units, and the behaviour knobs (latency, injected errors, malformed answers).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "profile.h"
#include "proxier/common/event_loop.h"
#include "proxier/upnp/device_host.h"
#include "sim_model.h"

namespace proxier::sim {

enum class Malformed { kOff, kEmbedded, kGarbage };

// Thread: OnAction/InitialState run on libupnp threads, the rest on the loop thread; one mutex
// guards the state. Events are sent through `notify` outside the lock.
class SimDevice {
 public:
  using Notify = std::function<void(const std::string& udn, const std::string& service_id,
                                    const upnp::Args& vars)>;

  SimDevice(const Profile& profile, int index, std::string uuid, std::string base_path,
            EventLoop& loop, Notify notify);

  const std::string& uuid() const { return uuid_; }
  const std::string& dm_udn() const { return dm_udn_; }
  const std::string& base_path() const { return base_path_; }
  uint32_t lease_time() const { return lease_time_; }
  // Files to serve below base_path (name -> content): desc.xml and one SCPD per service.
  std::map<std::string, std::string> Files() const;
  std::map<std::string, std::string> ServiceTypes() const;

  upnp::DeviceReply OnAction(const upnp::DeviceAction& action);
  upnp::Args InitialState(const std::string& service_id);

  // Knobs (loop thread).
  void SetLatency(int ms);
  void InjectError(int code, int count);
  void SetMalformed(Malformed m);
  void SetLeaseTime(uint32_t s) { lease_time_ = s; }
  // A local change; sends ConfigurationUpdate. Returns a UPnP error code or 0.
  int LocalSet(const std::string& path, const std::string& value);
  std::string Get(const std::string& path);
  // How many `action` requests (any service) this device has answered.
  uint64_t Answered(const std::string& action);
  // Called by the host process when the device came back from a reboot.
  void Rebooted();
  // Set by the host process: asks it to reboot this device (byebye, re-register, new BOOTID).
  std::function<void()> request_reboot;

 private:
  struct Test {
    std::string type = "Ping";
    std::string state = "Requested";
    std::string host;
    uint32_t repetitions = 1;
  };
  struct Du {
    std::string name, version, type, state, uri;
  };
  struct Operation {
    std::string state, targeted, action, error = "Error_None", info;
  };
  upnp::DeviceReply Bms(const upnp::DeviceAction& a, upnp::Args* events);
  upnp::DeviceReply Sms(const upnp::DeviceAction& a, upnp::Args* events);
  void Later(int ms, std::function<void()> fn);
  std::string Ids(const std::vector<uint32_t>& ids) const;
  upnp::Args BmsState() const;
  upnp::Args SmsState() const;
  uint32_t StartOperation(const std::string& action, const std::string& target,
                          std::function<std::string()> finish);
  void Send(const std::string& service_id, const upnp::Args& vars);

  const Profile& profile_;
  int index_;
  std::string uuid_;
  std::string dm_udn_;  // UDN of the device carrying the DM services
  std::string base_path_;
  std::string serial_;
  EventLoop& loop_;
  Notify notify_;
  uint32_t lease_time_;

  std::mutex mu_;
  SimModel model_;
  int latency_ms_ = 0;
  int error_code_ = 0;
  int error_count_ = 0;
  Malformed malformed_ = Malformed::kOff;
  std::map<uint32_t, Test> tests_;
  uint32_t next_test_ = 1;
  std::map<uint32_t, Du> dus_;
  uint32_t next_du_ = 1;
  std::map<uint32_t, Operation> operations_;
  uint32_t next_operation_ = 1;
  std::map<std::string, uint64_t> answered_;  // action name -> requests answered
};

}  // namespace proxier::sim
