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

class FakeActions final : public virtual_devices::DeviceActions {
 public:
  explicit FakeActions(EventLoop& loop) : loop_(loop) {}
  std::vector<std::string> calls;  // "Reboot <udn>", "BaselineReset <udn>"
  std::function<void()> on_call;   // runs at each call (tests record state there)
  Status answer;

  void Reboot(const std::string& udn, Done done) override { Call("Reboot " + udn, done); }
  void BaselineReset(const std::string& udn, Done done) override {
    Call("BaselineReset " + udn, done);
  }

 private:
  void Call(std::string what, Done done) {
    calls.push_back(std::move(what));
    if (on_call) on_call();
    loop_.Post([done, st = answer] { done(st); });
  }
  EventLoop& loop_;
};

}  // namespace proxier::testing
