// CmsPort: the ConfigurationManagement actions a ProxyProvider needs from one device, as an
// interface (the real one goes through upnp::DmClient; tests use an in-memory device).
#pragma once

#include <string>
#include <vector>

#include "proxier/upnp/dm_client.h"

namespace proxier::proxy {

// Thread: engine thread. Each `done` runs exactly once, later on the loop (never inside the
// call); statuses and UPnP error codes as in upnp::Reply.
class CmsPort {
 public:
  template <typename T>
  using Done = upnp::DmClient::Done<T>;
  using Values = std::vector<upnp::cms::ParameterValue>;

  virtual ~CmsPort() = default;
  // True while the device's lease is active.
  virtual bool Online() const = 0;
  virtual void GetSupportedDataModels(Done<std::vector<upnp::cms::SubTree>> done) = 0;
  virtual void GetValues(const std::vector<std::string>& paths, Done<Values> done) = 0;
  virtual void SetValues(const Values& values, Done<std::string> done) = 0;
  virtual void GetSupportedParameters(const std::string& node, uint32_t depth,
                                      Done<std::vector<std::string>> done) = 0;
  virtual void GetInstances(const std::string& node, uint32_t depth,
                            Done<std::vector<std::string>> done) = 0;
  virtual void GetAttributes(const std::vector<std::string>& paths,
                             Done<std::vector<upnp::cms::NodeAttributes>> done) = 0;
  virtual void SetAttributes(const std::vector<upnp::cms::NodeAttributes>& nodes,
                             Done<std::string> done) = 0;
  virtual void CreateInstance(const std::string& multi_instance_name, const Values& children,
                              Done<upnp::CreateInstanceResult> done) = 0;
  virtual void DeleteInstance(const std::string& instance_path, Done<std::string> done) = 0;
};

// The real port: root device `uuid` through `client`/`cp` (both borrowed, must outlive this).
class DmClientPort final : public CmsPort {
 public:
  DmClientPort(upnp::ControlPoint& cp, upnp::DmClient& client, std::string uuid)
      : cp_(cp), client_(client), uuid_(std::move(uuid)) {}
  bool Online() const override;
  void GetSupportedDataModels(Done<std::vector<upnp::cms::SubTree>> done) override;
  void GetValues(const std::vector<std::string>& paths, Done<Values> done) override;
  void SetValues(const Values& values, Done<std::string> done) override;
  void GetSupportedParameters(const std::string& node, uint32_t depth,
                              Done<std::vector<std::string>> done) override;
  void GetInstances(const std::string& node, uint32_t depth,
                    Done<std::vector<std::string>> done) override;
  void GetAttributes(const std::vector<std::string>& paths,
                     Done<std::vector<upnp::cms::NodeAttributes>> done) override;
  void SetAttributes(const std::vector<upnp::cms::NodeAttributes>& nodes,
                     Done<std::string> done) override;
  void CreateInstance(const std::string& multi_instance_name, const Values& children,
                      Done<upnp::CreateInstanceResult> done) override;
  void DeleteInstance(const std::string& instance_path, Done<std::string> done) override;

 private:
  upnp::ControlPoint& cp_;
  upnp::DmClient& client_;
  std::string uuid_;
};

}  // namespace proxier::proxy
