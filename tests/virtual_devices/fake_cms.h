// FakeCms: an in-memory UPnP DM device behind proxy::CmsPort (answers posted to the loop), and
// FakeActions: BMS actions that are recorded and answered.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "proxier/common/event_loop.h"
#include "proxier/proxy/cms_port.h"
#include "proxier/proxy/mapping.h"
#include "proxier/virtual_devices/virtual_devices.h"

namespace proxier::testing {

class FakeCms final : public proxy::CmsPort {
 public:
  explicit FakeCms(EventLoop& loop) : loop_(loop) {}

  bool online = true;
  std::map<std::string, std::string> values;  // UPnP leaf path -> value
  std::map<std::string, std::string> types;   // leaf path -> UPnP type (default "string")
  std::set<std::string> writable;
  std::vector<upnp::cms::SubTree> subtrees = {
      {"urn:broadband-forum-org:tr-181-2-12-0", "/BBF/", "", "TR-181"},
      {"urn:schemas-upnp-org:dm:1", "/UPnP/DM/", "", "UPnP DM"}};
  std::vector<std::vector<std::string>> get_values_calls;

  bool Online() const override { return online; }

  void GetSupportedDataModels(Done<std::vector<upnp::cms::SubTree>> done) override {
    Answer(done, subtrees);
  }
  void GetValues(const std::vector<std::string>& paths, Done<Values> done) override {
    get_values_calls.push_back(paths);
    Values out;
    for (const auto& p : paths) {
      bool any = false;
      for (const auto& [path, value] : values) {
        if (p.ends_with("/") ? path.starts_with(p) : path == p) {
          out.push_back({path, value});
          any = true;
        }
      }
      if (!any) return Fail(done, 703);
    }
    Answer(done, out);
  }
  void SetValues(const Values& in, Done<std::string> done) override {
    for (const auto& pv : in) {
      if (!values.count(pv.path)) return Fail(done, 703);
      if (!writable.count(pv.path)) return Fail(done, 706);
    }
    if (online) {
      for (const auto& pv : in) values[pv.path] = pv.value;
    }
    Answer(done, std::string("ChangesApplied"));
  }
  void GetSupportedParameters(const std::string& node, uint32_t,
                              Done<std::vector<std::string>> done) override {
    std::set<std::string> out;
    for (const auto& [path, v] : values) {
      if (path.starts_with(node)) out.insert(proxy::StructureOf(path));
    }
    if (out.empty()) return Fail(done, 703);
    Answer(done, std::vector<std::string>(out.begin(), out.end()));
  }
  void GetInstances(const std::string& node, uint32_t,
                    Done<std::vector<std::string>> done) override {
    std::set<std::string> out;
    for (const auto& [path, v] : values) {
      if (!path.starts_with(node)) continue;
      for (size_t s = path.find('/', 1); s != std::string::npos; s = path.find('/', s + 1)) {
        size_t prev = path.rfind('/', s - 1);
        if (proxy::IsDigits(path.substr(prev + 1, s - prev - 1))) out.insert(path.substr(0, s + 1));
      }
    }
    Answer(done, std::vector<std::string>(out.begin(), out.end()));
  }
  void GetAttributes(const std::vector<std::string>& paths,
                     Done<std::vector<upnp::cms::NodeAttributes>> done) override {
    std::vector<upnp::cms::NodeAttributes> out;
    for (const auto& p : paths) {
      for (const auto& [path, v] : values) {
        if (!(p.ends_with("/") ? path.starts_with(p) : path == p)) continue;
        auto t = types.find(path);
        out.push_back({path,
                       {{"Access", writable.count(path) ? "readWrite" : "readOnly"},
                        {"Type", t == types.end() ? "string" : t->second},
                        {"EventOnChange", "0"}}});
      }
    }
    if (out.empty()) return Fail(done, 703);
    Answer(done, out);
  }
  void SetAttributes(const std::vector<upnp::cms::NodeAttributes>&,
                     Done<std::string> done) override {
    Answer(done, std::string("ChangesApplied"));
  }
  void CreateInstance(const std::string&, const Values&,
                      Done<upnp::CreateInstanceResult> done) override {
    Fail(done, 602);
  }
  void DeleteInstance(const std::string&, Done<std::string> done) override { Fail(done, 602); }

 private:
  template <typename T>
  void Answer(Done<T>& done, T value) {
    if (!online) return Fail(done, 0);
    loop_.Post([done, value = std::move(value)] { done({Status::Ok(), 0, value}); });
  }
  template <typename T>
  void Fail(Done<T>& done, int upnp_error) {
    Status st(Code::kInternalError, upnp_error ? "UPnP error " + std::to_string(upnp_error)
                                               : std::string("device unreachable"));
    loop_.Post([done, st, upnp_error] { done({st, upnp_error, T{}}); });
  }

  EventLoop& loop_;
};

// BMS actions recorded and answered with `answer`; an in-memory SMS whose operations are
// InProgress at the first GetOperationInfo and finish at the second (a URL containing "corrupt"
// fails with Error_CorruptedFile).
class FakeActions final : public virtual_devices::DeviceActions {
 public:
  explicit FakeActions(EventLoop& loop) : loop_(loop) {}
  std::vector<std::string> calls;  // "Reboot <udn>", "Install <url> <type>", "Uninstall 3", ...
  std::function<void()> on_call;   // runs at each call (tests record state there)
  Status answer;
  struct Du {
    std::string version = "1.0";
    std::string state = "Installed";
  };
  std::map<uint32_t, Du> dus;

  void Reboot(const std::string& udn, Done done) override { Call("Reboot " + udn, done); }
  void BaselineReset(const std::string& udn, Done done) override {
    Call("BaselineReset " + udn, done);
  }
  void Install(const std::string&, const std::string& url, const std::string& type,
               ResultDone<uint32_t> done) override {
    calls.push_back("Install " + url + " " + type);
    uint32_t du = next_du_++;
    dus[du] = {"1.0", "Installing"};
    Start(
        du, url.find("corrupt") != std::string::npos ? "Error_CorruptedFile" : "",
        [this, du] { dus[du].state = "Installed"; }, done);
  }
  void Update(const std::string&, uint32_t duid, const std::string&,
              ResultDone<uint32_t> done) override {
    calls.push_back("Update " + std::to_string(duid));
    Start(
        duid, "", [this, duid] { dus[duid].version = "2.0"; }, done);
  }
  void Uninstall(const std::string&, uint32_t duid, ResultDone<uint32_t> done) override {
    calls.push_back("Uninstall " + std::to_string(duid));
    Start(
        duid, "", [this, duid] { dus[duid].state = "Uninstalled"; }, done);
  }
  void GetOperationInfo(const std::string&, uint32_t op,
                        ResultDone<upnp::OperationInfo> done) override {
    upnp::OperationInfo info;
    auto it = ops_.find(op);
    if (it != ops_.end()) {
      Op& o = it->second;
      if (o.polls++ == 0) {
        info.state = "InProgress";
      } else {
        if (o.error.empty() && o.finish) o.finish();
        o.finish = nullptr;
        info.state = o.error.empty() ? "Completed" : "Error";
        info.error_description = o.error.empty() ? "Error_None" : o.error;
      }
      info.targeted_ids = std::to_string(o.du);
    }
    loop_.Post([done, info, known = it != ops_.end()] {
      if (!known) return done(Status(Code::kInternalError, "UPnP error 600"));
      done(info);
    });
  }
  void Ping(const std::string&, const upnp::PingRequest& request,
            ResultDone<uint32_t> done) override {
    calls.push_back("Ping " + request.host + " x" + std::to_string(request.repetitions));
    uint32_t id = next_op_++;
    pings_[id] = {request, 0};
    loop_.Post([done, id] { done(id); });
  }
  void GetPingResult(const std::string&, uint32_t test,
                     ResultDone<std::optional<upnp::PingResult>> done) override {
    std::optional<upnp::PingResult> out;
    auto& [request, polls] = pings_[test];
    if (polls++ > 0) {
      const bool bad = request.host.ends_with(".invalid");
      out = upnp::PingResult{bad ? "Error_CannotResolveHostName" : "Success",
                             "",
                             bad ? 0 : request.repetitions,
                             bad ? request.repetitions : 0,
                             2,
                             1,
                             3};
    }
    loop_.Post([done, out] { done(out); });
  }
  void GetDuInfo(const std::string&, uint32_t duid, ResultDone<upnp::DuInfo> done) override {
    upnp::DuInfo d;
    d.version = dus[duid].version;
    d.state = dus[duid].state;
    loop_.Post([done, d] { done(d); });
  }

 private:
  struct Op {
    uint32_t du = 0;
    std::string error;
    std::function<void()> finish;
    int polls = 0;
  };
  void Start(uint32_t du, std::string error, std::function<void()> finish,
             ResultDone<uint32_t> done) {
    uint32_t id = next_op_++;
    ops_[id] = {du, std::move(error), std::move(finish), 0};
    loop_.Post([done, id] { done(id); });
  }
  void Call(std::string what, Done done) {
    calls.push_back(std::move(what));
    if (on_call) on_call();
    loop_.Post([done, st = answer] { done(st); });
  }
  EventLoop& loop_;
  std::map<uint32_t, Op> ops_;
  std::map<uint32_t, std::pair<upnp::PingRequest, int>> pings_;
  uint32_t next_op_ = 1, next_du_ = 1;
};

}  // namespace proxier::testing
