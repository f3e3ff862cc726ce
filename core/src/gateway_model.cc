// GatewayModel assembly: providers, mounts, identity values, computed parameters.
#include "proxier/core/gateway_model.h"

#include "proxier/datamodel/path.h"
#include "proxier/datamodel/value.h"

namespace proxier::core {

using datamodel::ActiveNotify;
using datamodel::ValueType;

Result<std::unique_ptr<GatewayModel>> GatewayModel::Create(Db& db, const datamodel::Schema& schema,
                                                           const std::string& ns,
                                                           const DeviceIdentity& identity,
                                                           const Clock& clock) {
  std::unique_ptr<GatewayModel> gm(new GatewayModel());
  auto store = datamodel::StoredProvider::Create(db, schema, ns);
  if (!store.ok()) return store.status();
  gm->store_ = std::move(store).value();
  auto model = datamodel::DataModel::Create(db, ns);
  if (!model.ok()) return model.status();
  gm->model_ = std::move(model).value();
  gm->model_->Mount("Device.", gm->store_.get());
  gm->model_->SetStore(gm->store_.get());

  // Identity: written at every start (the image defines them, not the ACS).
  const std::pair<const char*, const std::string*> fixed[] = {
      {"Device.DeviceInfo.Manufacturer", &identity.manufacturer},
      {"Device.DeviceInfo.ManufacturerOUI", &identity.oui},
      {"Device.DeviceInfo.ProductClass", &identity.product_class},
      {"Device.DeviceInfo.SerialNumber", &identity.serial_number},
      {"Device.DeviceInfo.ModelName", &identity.model_name},
      {"Device.DeviceInfo.Description", &identity.description},
      {"Device.DeviceInfo.HardwareVersion", &identity.hardware_version},
      {"Device.DeviceInfo.SoftwareVersion", &identity.software_version},
  };
  for (const auto& [name, value] : fixed) {
    if (value->empty() || !schema.FindParam(name)) continue;
    PX_RETURN_IF_ERROR(gm->store_->SetInternal(name, *value));
  }
  if (schema.FindParam("Device.RootDataModelVersion")) {
    PX_RETURN_IF_ERROR(gm->store_->SetInternal("Device.RootDataModelVersion", "2.17"));
  }

  // Computed values.
  const SteadyTime started = clock.Now();
  if (schema.FindParam("Device.DeviceInfo.UpTime")) {
    datamodel::ComputedProvider::Param up;
    up.type = ValueType::kUnsignedInt;
    up.volatile_value = true;
    up.get = [&clock, started] {
      return std::to_string(std::chrono::duration_cast<Seconds>(clock.Now() - started).count());
    };
    gm->computed_.Add("Device.DeviceInfo.UpTime", std::move(up));
  }
  if (schema.FindParam("Device.Time.CurrentLocalTime")) {
    datamodel::ComputedProvider::Param now;
    now.type = ValueType::kDateTime;
    now.volatile_value = true;
    now.get = [&clock] { return datamodel::FormatDateTime(clock.WallNow()); };
    gm->computed_.Add("Device.Time.CurrentLocalTime", std::move(now));
  }
  gm->model_->MountComputed(&gm->computed_);

  // Parameters whose default Notification is active (schema forceEnabled/forceDefaultEnabled),
  // for single-instance objects (rows get theirs when created).
  for (const auto& [path, obj] : schema.objects()) {
    if (path.find("{i}") != std::string::npos) continue;
    for (const auto& p : obj.params) {
      if (p.active_notify == ActiveNotify::kForceEnabled ||
          p.active_notify == ActiveNotify::kForceDefaultEnabled) {
        gm->model_->SetDefaultNotification(path + p.name, 2,
                                           p.active_notify == ActiveNotify::kForceEnabled);
      }
    }
  }
  return gm;
}

}  // namespace proxier::core
