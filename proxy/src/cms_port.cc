// DmClientPort: CmsPort over upnp::DmClient.
#include "proxier/proxy/cms_port.h"

namespace proxier::proxy {

bool DmClientPort::Online() const {
  const upnp::RootDevice* d = cp_.Find(uuid_);
  return d && d->status() == upnp::LeaseStatus::kActive;
}
void DmClientPort::GetSupportedDataModels(Done<std::vector<upnp::cms::SubTree>> done) {
  client_.GetSupportedDataModels(uuid_, std::move(done));
}
void DmClientPort::GetValues(const std::vector<std::string>& paths, Done<Values> done) {
  client_.GetValues(uuid_, paths, std::move(done));
}
void DmClientPort::SetValues(const Values& values, Done<std::string> done) {
  client_.SetValues(uuid_, values, std::move(done));
}
void DmClientPort::GetSupportedParameters(const std::string& node, uint32_t depth,
                                          Done<std::vector<std::string>> done) {
  client_.GetSupportedParameters(uuid_, node, depth, std::move(done));
}
void DmClientPort::GetInstances(const std::string& node, uint32_t depth,
                                Done<std::vector<std::string>> done) {
  client_.GetInstances(uuid_, node, depth, std::move(done));
}
void DmClientPort::GetAttributes(const std::vector<std::string>& paths,
                                 Done<std::vector<upnp::cms::NodeAttributes>> done) {
  client_.GetAttributes(uuid_, paths, std::move(done));
}
void DmClientPort::SetAttributes(const std::vector<upnp::cms::NodeAttributes>& nodes,
                                 Done<std::string> done) {
  client_.SetAttributes(uuid_, nodes, std::move(done));
}
void DmClientPort::CreateInstance(const std::string& name, const Values& children,
                                  Done<upnp::CreateInstanceResult> done) {
  client_.CreateInstance(uuid_, name, children, std::move(done));
}
void DmClientPort::DeleteInstance(const std::string& path, Done<std::string> done) {
  client_.DeleteInstance(uuid_, path, std::move(done));
}

}  // namespace proxier::proxy
