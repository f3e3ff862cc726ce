// Typed DM actions: argument encoding and answer decoding.
#include "proxier/upnp/dm_client.h"

#include "proxier/common/event_loop.h"
#include "proxier/common/xml.h"

namespace proxier::upnp {
namespace {

Result<uint32_t> U32(const std::string& text, const char* what) {
  if (text.empty() || text.size() > 10 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return Status(Code::kInternalError,
                  std::string("bad ") + what + " '" + text.substr(0, 40) + "'");
  }
  uint64_t v = std::stoull(text);
  if (v > 0xffffffffULL) return Status(Code::kInternalError, std::string(what) + " out of range");
  return static_cast<uint32_t>(v);
}

Result<std::string> Text(const ActionOutcome& o, const char* name) { return o.Out(name); }

// A CMS document argument: `arg`, or, from devices that put the document's root element where
// the argument should be, the argument named after that root.
std::string Doc(const ActionOutcome& o, const char* arg, const char* root) {
  std::string v = o.Out(arg);
  return v.empty() ? o.Out(root) : v;
}

// Decoding failures of device answers are the device's fault: report 9002 (UPnP 0).
template <typename T>
Result<T> AsInternal(Result<T> r) {
  if (r.ok()) return r;
  return Status(Code::kInternalError, "malformed answer: " + r.status().message());
}

}  // namespace

Result<std::vector<uint32_t>> DmClient::ParseIdList(const std::string& csv) {
  std::vector<uint32_t> out;
  size_t i = 0;
  while (i < csv.size()) {
    size_t j = csv.find(',', i);
    if (j == std::string::npos) j = csv.size();
    std::string item = csv.substr(i, j - i);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) {
      auto v = U32(item, "ID");
      if (!v.ok()) return v.status();
      out.push_back(*v);
    }
    i = j + 1;
  }
  return out;
}

template <typename T>
bool DmClient::Fail(const Status& st, Done<T>& done) {
  if (st.ok()) return false;
  cp_.loop().Post([st, done = std::move(done)] {
    Reply<T> r;
    r.status = st;
    done(std::move(r));
  });
  return true;
}

template <typename T>
void DmClient::Call(const std::string& uuid, DmService service, const std::string& action,
                    Args args, std::function<Result<T>(const ActionOutcome&)> decode,
                    Done<T> done) {
  cp_.Invoke(uuid, service, action, args,
             [decode = std::move(decode), done = std::move(done)](ActionOutcome o) {
               Reply<T> r;
               r.upnp_error = o.upnp_error;
               if (!o.ok()) {
                 r.status = o.status;
                 return done(std::move(r));
               }
               auto v = decode(o);
               if (!v.ok()) {
                 r.status = v.status();
                 return done(std::move(r));
               }
               r.value = std::move(v).value();
               done(std::move(r));
             });
}

void DmClient::GetSupportedDataModels(const std::string& uuid,
                                      Done<std::vector<cms::SubTree>> done) {
  Call<std::vector<cms::SubTree>>(
      uuid, DmService::kCms, "GetSupportedDataModels", {},
      [](const ActionOutcome& o) {
        return AsInternal(cms::DecodeSupportedDataModels(o.Out("SupportedDataModels")));
      },
      std::move(done));
}

void DmClient::GetSupportedParameters(const std::string& uuid, const std::string& node,
                                      uint32_t depth, Done<std::vector<std::string>> done) {
  if (Fail<std::vector<std::string>>(cms::CheckPath(node, cms::PathKind::kStructure), done)) return;
  Call<std::vector<std::string>>(
      uuid, DmService::kCms, "GetSupportedParameters",
      {{"StartingNode", node}, {"SearchDepth", std::to_string(depth)}},
      [](const ActionOutcome& o) {
        return AsInternal(cms::DecodePathList(Doc(o, "Result", "StructurePathList"),
                                              "StructurePathList", "StructurePath"));
      },
      std::move(done));
}

void DmClient::GetInstances(const std::string& uuid, const std::string& node, uint32_t depth,
                            Done<std::vector<std::string>> done) {
  if (Fail<std::vector<std::string>>(cms::CheckPath(node, cms::PathKind::kContent), done)) return;
  Call<std::vector<std::string>>(
      uuid, DmService::kCms, "GetInstances",
      {{"StartingNode", node}, {"SearchDepth", std::to_string(depth)}},
      [](const ActionOutcome& o) {
        return AsInternal(cms::DecodePathList(Doc(o, "Result", "InstancePathList"),
                                              "InstancePathList", "InstancePath"));
      },
      std::move(done));
}

void DmClient::GetValues(const std::string& uuid, const std::vector<std::string>& paths,
                         Done<std::vector<cms::ParameterValue>> done) {
  auto x = cms::EncodeContentPathList(paths);
  if (Fail<std::vector<cms::ParameterValue>>(x.status(), done)) return;
  Call<std::vector<cms::ParameterValue>>(
      uuid, DmService::kCms, "GetValues", {{"Parameters", *x}},
      [](const ActionOutcome& o) {
        return AsInternal(cms::DecodeParameterValueList(o.Out("ParameterValueList")));
      },
      std::move(done));
}

void DmClient::GetSelectedValues(const std::string& uuid, const std::string& node,
                                 const std::string& filter,
                                 Done<std::vector<cms::ParameterValue>> done) {
  if (Fail<std::vector<cms::ParameterValue>>(cms::CheckPath(node, cms::PathKind::kStructure), done))
    return;
  Call<std::vector<cms::ParameterValue>>(
      uuid, DmService::kCms, "GetSelectedValues", {{"StartingNode", node}, {"Filter", filter}},
      [](const ActionOutcome& o) {
        return AsInternal(cms::DecodeParameterValueList(o.Out("ParameterValueList")));
      },
      std::move(done));
}

void DmClient::SetValues(const std::string& uuid, const std::vector<cms::ParameterValue>& values,
                         Done<std::string> done) {
  auto x = cms::EncodeParameterValueList(values);
  if (Fail<std::string>(x.status(), done)) return;
  Call<std::string>(
      uuid, DmService::kCms, "SetValues", {{"ParameterValueList", *x}},
      [](const ActionOutcome& o) { return Text(o, "Status"); }, std::move(done));
}

void DmClient::CreateInstance(const std::string& uuid, const std::string& name,
                              const std::vector<cms::ParameterValue>& children,
                              Done<CreateInstanceResult> done) {
  if (Fail<CreateInstanceResult>(cms::CheckPath(name, cms::PathKind::kMultiInstance), done)) return;
  std::string init =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><cms:ParameterInitialValueList "
      "xmlns:cms=\"urn:schemas-upnp-org:dm:cms\">";
  for (const auto& c : children) {
    if (c.path.empty() || c.path.find('<') != std::string::npos) {
      Fail<CreateInstanceResult>(Status(Code::kInvalidArguments, "bad child path"), done);
      return;
    }
    init += "<Parameter><ParameterPath>" + c.path + "</ParameterPath><Value>" +
            xml::Escape(c.value) + "</Value></Parameter>";
  }
  init += "</cms:ParameterInitialValueList>";
  Call<CreateInstanceResult>(
      uuid, DmService::kCms, "CreateInstance",
      {{"MultiInstanceName", name}, {"ChildrenInitialization", init}},
      [](const ActionOutcome& o) -> Result<CreateInstanceResult> {
        CreateInstanceResult r{o.Out("InstanceIdentifier"), o.Out("Status")};
        if (!cms::CheckPath(r.instance_path, cms::PathKind::kInstance).ok()) {
          return Status(Code::kInternalError, "malformed InstanceIdentifier " + r.instance_path);
        }
        return r;
      },
      std::move(done));
}

void DmClient::DeleteInstance(const std::string& uuid, const std::string& path,
                              Done<std::string> done) {
  if (Fail<std::string>(cms::CheckPath(path, cms::PathKind::kInstance), done)) return;
  Call<std::string>(
      uuid, DmService::kCms, "DeleteInstance", {{"InstanceIdentifier", path}},
      [](const ActionOutcome& o) { return Text(o, "Status"); }, std::move(done));
}

void DmClient::GetAttributes(const std::string& uuid, const std::vector<std::string>& paths,
                             Done<std::vector<cms::NodeAttributes>> done) {
  auto x = cms::EncodePathList("NodeAttributePathList", paths);
  if (Fail<std::vector<cms::NodeAttributes>>(x.status(), done)) return;
  Call<std::vector<cms::NodeAttributes>>(
      uuid, DmService::kCms, "GetAttributes", {{"Parameters", *x}},
      [](const ActionOutcome& o) {
        return AsInternal(cms::DecodeNodeAttributeValueList(o.Out("NodeAttributeValueList")));
      },
      std::move(done));
}

void DmClient::SetAttributes(const std::string& uuid, const std::vector<cms::NodeAttributes>& nodes,
                             Done<std::string> done) {
  auto x = cms::EncodeNodeAttributeValueList(nodes);
  if (Fail<std::string>(x.status(), done)) return;
  Call<std::string>(
      uuid, DmService::kCms, "SetAttributes", {{"NodeAttributeValueList", *x}},
      [](const ActionOutcome& o) { return Text(o, "Status"); }, std::move(done));
}

void DmClient::GetConfigurationUpdate(const std::string& uuid,
                                      Done<cms::ConfigurationUpdate> done) {
  Call<cms::ConfigurationUpdate>(
      uuid, DmService::kCms, "GetConfigurationUpdate", {},
      [](const ActionOutcome& o) {
        return AsInternal(cms::ParseConfigurationUpdate(o.Out("StateVariableValue")));
      },
      std::move(done));
}

void DmClient::GetCurrentConfigurationVersion(const std::string& uuid, Done<uint32_t> done) {
  Call<uint32_t>(
      uuid, DmService::kCms, "GetCurrentConfigurationVersion", {},
      [](const ActionOutcome& o) { return U32(o.Out("StateVariableValue"), "version"); },
      std::move(done));
}

void DmClient::Reboot(const std::string& uuid, Done<std::string> done) {
  Call<std::string>(
      uuid, DmService::kBms, "Reboot", {},
      [](const ActionOutcome& o) { return Text(o, "RebootStatus"); }, std::move(done));
}

void DmClient::BaselineReset(const std::string& uuid, Done<Unit> done) {
  Call<Unit>(
      uuid, DmService::kBms, "BaselineReset", {},
      [](const ActionOutcome&) -> Result<Unit> { return Unit{}; }, std::move(done));
}

void DmClient::GetDeviceStatus(const std::string& uuid, Done<std::string> done) {
  Call<std::string>(
      uuid, DmService::kBms, "GetDeviceStatus", {},
      [](const ActionOutcome& o) { return Text(o, "DeviceStatus"); }, std::move(done));
}

void DmClient::Ping(const std::string& uuid, const PingRequest& p, Done<uint32_t> done) {
  if (p.host.empty() || p.host.size() > 256 || p.dscp > 63) {
    Fail<uint32_t>(Status(Code::kInvalidArguments, "bad Ping arguments"), done);
    return;
  }
  Call<uint32_t>(
      uuid, DmService::kBms, "Ping",
      {{"Host", p.host},
       {"NumberOfRepetitions", std::to_string(p.repetitions)},
       {"Timeout", std::to_string(p.timeout_ms)},
       {"DataBlockSize", std::to_string(p.data_block_size)},
       {"DSCP", std::to_string(p.dscp)}},
      [](const ActionOutcome& o) { return U32(o.Out("TestID"), "TestID"); }, std::move(done));
}

void DmClient::GetPingResult(const std::string& uuid, uint32_t id, Done<PingResult> done) {
  Call<PingResult>(
      uuid, DmService::kBms, "GetPingResult", {{"TestID", std::to_string(id)}},
      [](const ActionOutcome& o) -> Result<PingResult> {
        PingResult r;
        r.status = o.Out("Status");
        r.additional_info = o.Out("AdditionalInfo");
        uint32_t* nums[] = {&r.success_count, &r.failure_count, &r.average_ms, &r.minimum_ms,
                            &r.maximum_ms};
        const char* names[] = {"SuccessCount", "FailureCount", "AverageResponseTime",
                               "MinimumResponseTime", "MaximumResponseTime"};
        for (size_t i = 0; i < 5; ++i) {
          auto v = U32(o.Out(names[i]), names[i]);
          if (!v.ok()) return v.status();
          *nums[i] = *v;
        }
        return r;
      },
      std::move(done));
}

void DmClient::GetTestIDs(const std::string& uuid, Done<std::vector<uint32_t>> done) {
  Call<std::vector<uint32_t>>(
      uuid, DmService::kBms, "GetTestIDs", {},
      [](const ActionOutcome& o) { return ParseIdList(o.Out("TestIDs")); }, std::move(done));
}

void DmClient::GetActiveTestIDs(const std::string& uuid, Done<std::vector<uint32_t>> done) {
  Call<std::vector<uint32_t>>(
      uuid, DmService::kBms, "GetActiveTestIDs", {},
      [](const ActionOutcome& o) { return ParseIdList(o.Out("TestIDs")); }, std::move(done));
}

void DmClient::CancelTest(const std::string& uuid, uint32_t id, Done<Unit> done) {
  Call<Unit>(
      uuid, DmService::kBms, "CancelTest", {{"TestID", std::to_string(id)}},
      [](const ActionOutcome&) -> Result<Unit> { return Unit{}; }, std::move(done));
}

namespace {
Result<uint32_t> OperationId(const ActionOutcome& o) {
  return U32(o.Out("OperationID"), "OperationID");
}
}  // namespace

void DmClient::Install(const std::string& uuid, const std::string& uri, const std::string& type,
                       Done<uint32_t> done) {
  Call<uint32_t>(uuid, DmService::kSms, "Install",
                 {{"DUURI", uri}, {"DUType", type}, {"HandleDependencies", "0"}}, OperationId,
                 std::move(done));
}

void DmClient::Update(const std::string& uuid, uint32_t duid, const std::string& uri,
                      Done<uint32_t> done) {
  Call<uint32_t>(uuid, DmService::kSms, "Update",
                 {{"DUID", std::to_string(duid)}, {"NewDUURI", uri}, {"HandleDependencies", "0"}},
                 OperationId, std::move(done));
}

void DmClient::Uninstall(const std::string& uuid, uint32_t duid, Done<uint32_t> done) {
  Call<uint32_t>(uuid, DmService::kSms, "Uninstall",
                 {{"DUID", std::to_string(duid)}, {"HandleDependencies", "0"}}, OperationId,
                 std::move(done));
}

void DmClient::Start(const std::string& uuid, uint32_t euid, Done<uint32_t> done) {
  Call<uint32_t>(uuid, DmService::kSms, "Start",
                 {{"EUID", std::to_string(euid)}, {"HandleDependencies", "0"}}, OperationId,
                 std::move(done));
}

void DmClient::Stop(const std::string& uuid, uint32_t euid, Done<uint32_t> done) {
  Call<uint32_t>(uuid, DmService::kSms, "Stop",
                 {{"EUID", std::to_string(euid)}, {"HandleDependencies", "0"}}, OperationId,
                 std::move(done));
}

void DmClient::GetDUIDs(const std::string& uuid, Done<std::vector<uint32_t>> done) {
  Call<std::vector<uint32_t>>(
      uuid, DmService::kSms, "GetDUIDs", {},
      [](const ActionOutcome& o) { return ParseIdList(o.Out("DUIDs")); }, std::move(done));
}

void DmClient::GetDUInfo(const std::string& uuid, uint32_t duid, Done<DuInfo> done) {
  Call<DuInfo>(
      uuid, DmService::kSms, "GetDUInfo", {{"DUID", std::to_string(duid)}},
      [](const ActionOutcome& o) -> Result<DuInfo> {
        return DuInfo{o.Out("DUName"), o.Out("DUVersion"), o.Out("DUType"), o.Out("DUState"),
                      o.Out("DUURI")};
      },
      std::move(done));
}

void DmClient::GetOperationInfo(const std::string& uuid, uint32_t id, Done<OperationInfo> done) {
  Call<OperationInfo>(
      uuid, DmService::kSms, "GetOperationInfo", {{"OperationID", std::to_string(id)}},
      [](const ActionOutcome& o) -> Result<OperationInfo> {
        return OperationInfo{o.Out("OperationState"), o.Out("TargetedIDs"), o.Out("Action"),
                             o.Out("ErrorDescription"), o.Out("AdditionalInfo")};
      },
      std::move(done));
}

}  // namespace proxier::upnp
