// GatewayModel: the gateway's own TR-181 data model (stored objects plus computed values).
#pragma once

#include <memory>
#include <string>

#include "proxier/common/clock.h"
#include "proxier/common/sqlite.h"
#include "proxier/datamodel/computed_provider.h"
#include "proxier/datamodel/data_model.h"
#include "proxier/datamodel/schema.h"
#include "proxier/datamodel/stored_provider.h"

namespace proxier::core {

// Fixed facts about the device, written into DeviceInfo at every start.
struct DeviceIdentity {
  std::string manufacturer;
  std::string oui;
  std::string product_class;
  std::string serial_number;
  std::string model_name;
  std::string description;
  std::string hardware_version;
  std::string software_version;
};

// Owns the providers of one data-model root and the DataModel that routes to them: a
// StoredProvider for every object of the schema (mounted at "Device."), and computed values
// (DeviceInfo.UpTime, Time.CurrentLocalTime). Thread: engine thread.
class GatewayModel {
 public:
  // `db`, `schema` and `clock` are borrowed. Errors: 9002 on storage errors, 9007 when an
  // identity value does not fit the schema.
  static Result<std::unique_ptr<GatewayModel>> Create(Db& db, const datamodel::Schema& schema,
                                                      const std::string& ns,
                                                      const DeviceIdentity& identity,
                                                      const Clock& clock);

  datamodel::DataModel& model() { return *model_; }
  datamodel::StoredProvider& store() { return *store_; }
  datamodel::ComputedProvider& computed() { return computed_; }

 private:
  GatewayModel() = default;
  std::unique_ptr<datamodel::StoredProvider> store_;
  datamodel::ComputedProvider computed_;
  std::unique_ptr<datamodel::DataModel> model_;
};

}  // namespace proxier::core
