// VirtualDevices: the VirtualHost (attach/detach/news), persistence per UDN, gateway rows.
#include "proxier/virtual_devices/virtual_devices.h"

#include <algorithm>

#include "proxier/common/log.h"
#include "virtual_device.h"

namespace proxier::virtual_devices {

namespace {
constexpr char kTable[] = "Device.ManagementServer.VirtualDevice.";
}  // namespace

struct VirtualDevices::Record {
  uint32_t n = 0;    // short id, never reused
  uint32_t row = 0;  // VirtualDevice row number last used (0 = never)
  std::optional<VirtualIdentity> identity;
};

void DmClientActions::Reboot(const std::string& udn, Done done) {
  client_.Reboot(udn, [done](upnp::Reply<std::string> r) { done(r.status); });
}

void DmClientActions::BaselineReset(const std::string& udn, Done done) {
  client_.BaselineReset(udn, [done](upnp::Reply<upnp::DmClient::Unit> r) { done(r.status); });
}

namespace {
template <typename T, typename U>
std::function<void(upnp::Reply<U>)> Forward(DeviceActions::ResultDone<T> done) {
  return [done](upnp::Reply<U> r) {
    if (!r.ok()) return done(r.status);
    done(T(std::move(r.value)));
  };
}
}  // namespace

void DmClientActions::Install(const std::string& udn, const std::string& url,
                              const std::string& du_type, ResultDone<uint32_t> done) {
  client_.Install(udn, url, du_type, Forward<uint32_t, uint32_t>(std::move(done)));
}

void DmClientActions::Update(const std::string& udn, uint32_t duid, const std::string& url,
                             ResultDone<uint32_t> done) {
  client_.Update(udn, duid, url, Forward<uint32_t, uint32_t>(std::move(done)));
}

void DmClientActions::Uninstall(const std::string& udn, uint32_t duid, ResultDone<uint32_t> done) {
  client_.Uninstall(udn, duid, Forward<uint32_t, uint32_t>(std::move(done)));
}

void DmClientActions::GetOperationInfo(const std::string& udn, uint32_t operation,
                                       ResultDone<upnp::OperationInfo> done) {
  client_.GetOperationInfo(udn, operation,
                           Forward<upnp::OperationInfo, upnp::OperationInfo>(std::move(done)));
}

void DmClientActions::GetDuInfo(const std::string& udn, uint32_t duid,
                                ResultDone<upnp::DuInfo> done) {
  client_.GetDUInfo(udn, duid, Forward<upnp::DuInfo, upnp::DuInfo>(std::move(done)));
}

void DmClientActions::Ping(const std::string& udn, const upnp::PingRequest& request,
                           ResultDone<uint32_t> done) {
  client_.Ping(udn, request, Forward<uint32_t, uint32_t>(std::move(done)));
}

void DmClientActions::GetPingResult(const std::string& udn, uint32_t test,
                                    ResultDone<std::optional<upnp::PingResult>> done) {
  client_.GetPingResult(udn, test, [done](upnp::Reply<upnp::PingResult> r) {
    if (r.upnp_error == 708) return done(std::optional<upnp::PingResult>());
    if (!r.ok()) return done(r.status);
    done(std::optional<upnp::PingResult>(std::move(r.value)));
  });
}

Result<std::unique_ptr<VirtualDevices>> VirtualDevices::Create(
    EventLoop& loop, Random& random, Db& db, const datamodel::Schema& schema,
    core::HttpClient& http, core::ConnectionRequestServer* cr_server, DeviceActions& actions,
    VirtualDevicesOptions options) {
  if (!options.gateway || !options.gateway->store()) {
    return Status(Code::kInvalidArguments, "virtual devices need the gateway's model");
  }
  if (options.cr_secret.empty()) {
    PX_LOG(kWarning, "vd") << "no secret for connection-request passwords: they are guessable";
  }
  std::unique_ptr<VirtualDevices> v(
      new VirtualDevices(loop, random, db, schema, http, cr_server, actions, std::move(options)));
  PX_RETURN_IF_ERROR(v->Load());
  loop.Post([vd = v.get(), alive = std::weak_ptr<bool>(v->alive_)] {
    if (auto a = alive.lock(); a && *a) vd->DropStaleRows();
  });
  return v;
}

VirtualDevices::VirtualDevices(EventLoop& loop, Random& random, Db& db,
                               const datamodel::Schema& schema, core::HttpClient& http,
                               core::ConnectionRequestServer* cr_server, DeviceActions& actions,
                               VirtualDevicesOptions options)
    : loop_(loop), db_(db), options_(std::move(options)) {
  context_ = std::unique_ptr<DeviceContext>(
      new DeviceContext{loop, random, db, schema, http, cr_server, actions, options_, {}, {}, {}});
  // Forced-inform parameters that a virtual device serves itself (its local objects).
  for (const auto& [path, obj] : schema.objects()) {
    if (path.find("{i}") != std::string::npos) continue;
    for (const auto& p : obj.params) {
      const std::string name = path + p.name;
      if (p.forced_inform &&
          (name.starts_with("Device.DeviceInfo.") || name.starts_with("Device.ManagementServer.") ||
           name == "Device.RootDataModelVersion")) {
        context_->forced_inform.push_back(name);
      }
    }
  }
  context_->identified = [this](const std::string& udn, const VirtualIdentity& id) {
    OnIdentified(udn, id);
  };
  context_->refused = [this](const std::string& udn, const std::string& reason) {
    OnRefused(udn, reason);
  };
}

VirtualDevices::~VirtualDevices() {
  *alive_ = false;
  devices_.clear();  // clients stop; rows stay for the next run
}

Status VirtualDevices::Load() {
  PX_RETURN_IF_ERROR(Migrate(
      db_, "virtual_devices",
      {"CREATE TABLE vd_device(udn TEXT PRIMARY KEY, n INTEGER NOT NULL UNIQUE, "
       "row INTEGER NOT NULL DEFAULT 0, oui TEXT, product_class TEXT, serial TEXT, "
       "manufacturer TEXT, model_name TEXT, description TEXT, software TEXT, hardware TEXT)",
       // v2: ChangeDUState UUID -> the device's DUID.
       "CREATE TABLE vd_du(udn TEXT NOT NULL, uuid TEXT NOT NULL, duid INTEGER NOT NULL, "
       "PRIMARY KEY(udn, uuid))",
       // v3: Downloads and ChangeDUStates owed to the ACS (ids never reused), step reached,
       // the SMS operation of that step once started, the results so far.
       "CREATE TABLE vd_op(id INTEGER PRIMARY KEY AUTOINCREMENT, udn TEXT NOT NULL, "
       "kind TEXT NOT NULL, body TEXT NOT NULL, due INTEGER NOT NULL DEFAULT 0, "
       "step INTEGER NOT NULL DEFAULT 0, sms INTEGER, progress TEXT NOT NULL DEFAULT '')",
       // v4: IPPing settings, state and results (a Requested test is run again after a restart).
       "CREATE TABLE vd_ping(udn TEXT PRIMARY KEY, state TEXT NOT NULL, host TEXT NOT NULL, "
       "repetitions INTEGER NOT NULL, timeout_ms INTEGER NOT NULL, block INTEGER NOT NULL, "
       "dscp INTEGER NOT NULL, test INTEGER, result TEXT NOT NULL DEFAULT '')"}));
  auto st = db_.Prepare(
      "SELECT udn, n, row, oui, product_class, serial, manufacturer, model_name, description, "
      "software, hardware FROM vd_device");
  if (!st.ok()) return st.status();
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto r = std::make_unique<Record>();
    r->n = static_cast<uint32_t>(st->ColumnInt(1));
    r->row = static_cast<uint32_t>(st->ColumnInt(2));
    if (!st->ColumnIsNull(3)) {
      r->identity = VirtualIdentity{st->ColumnText(3), st->ColumnText(4), st->ColumnText(5),
                                    st->ColumnText(6), st->ColumnText(7), st->ColumnText(8),
                                    st->ColumnText(9), st->ColumnText(10)};
    }
    records_[st->ColumnText(0)] = std::move(r);
  }
  return Status::Ok();
}

Status VirtualDevices::Save(const std::string& udn, const Record& r) {
  auto st = db_.Prepare(
      "INSERT OR REPLACE INTO vd_device(udn, n, row, oui, product_class, serial, manufacturer, "
      "model_name, description, software, hardware) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
  if (!st.ok()) return st.status();
  st->Bind(0, udn).Bind(1, int64_t{r.n}).Bind(2, int64_t{r.row});
  if (r.identity) {
    const VirtualIdentity& id = *r.identity;
    st->Bind(3, id.oui).Bind(4, id.product_class).Bind(5, id.serial_number);
    st->Bind(6, id.manufacturer).Bind(7, id.model_name).Bind(8, id.description);
    st->Bind(9, id.software_version).Bind(10, id.hardware_version);
  } else {
    for (int i = 3; i <= 10; ++i) st->BindNull(i);
  }
  return st->Run();
}

VirtualDevices::Record& VirtualDevices::RecordOf(const std::string& udn, Status* status) {
  auto& slot = records_[udn];
  if (!slot) {
    slot = std::make_unique<Record>();
    uint32_t next = 1;
    for (const auto& [u, r] : records_) {
      if (r) next = std::max(next, r->n + 1);
    }
    slot->n = next;
    *status = Save(udn, *slot);
  }
  return *slot;
}

Status VirtualDevices::Attach(const proxy::ManagedDevice& md) {
  if (devices_.count(md.udn)) Detach(md.udn);
  if (!md.port || !md.map) return Status(Code::kInternalError, "no CMS access to " + md.udn);
  ScopedCommit batch(db_,
                     "a virtual device");  // record, model, client state and row of a known device
  Status st;
  Record& r = RecordOf(md.udn, &st);
  if (!st.ok()) return st;
  if (!r.identity && !md.port->Online()) {
    return Status(Code::kInternalError, "no DeviceId yet (device offline, never identified)");
  }
  auto device = std::make_unique<VirtualDevice>(*context_, md, r.n, r.identity);
  PX_RETURN_IF_ERROR(device->Begin());
  devices_[md.udn] = std::move(device);
  PX_LOG(kInfo, "vd") << "vd" << r.n << " (" << md.udn << "): attached"
                      << (r.identity ? "" : ", reading its DeviceId");
  if (r.identity) {
    st = WriteRow(md.udn, r);
    if (!st.ok()) PX_LOG(kError, "vd") << md.udn << ": VirtualDevice row: " << st;
  }
  return Status::Ok();
}

void VirtualDevices::Detach(const std::string& udn) {
  auto it = devices_.find(udn);
  if (it == devices_.end()) return;
  devices_.erase(it);
  auto rec = records_.find(udn);
  if (rec != records_.end()) DeleteRow(*rec->second);
  PX_LOG(kInfo, "vd") << udn << ": detached";
}

void VirtualDevices::DeviceChanged(const std::string& udn, upnp::DeviceChange change) {
  auto it = devices_.find(udn);
  if (it != devices_.end()) it->second->Changed(change);
}

void VirtualDevices::Event(const std::string& udn, upnp::DmService service,
                           const upnp::Args& variables) {
  auto it = devices_.find(udn);
  if (it != devices_.end()) it->second->OnEvent(service, variables);
}

void VirtualDevices::Resync(const std::string& udn) {
  auto it = devices_.find(udn);
  if (it != devices_.end()) it->second->Resync();
}

void VirtualDevices::OnIdentified(const std::string& udn, const VirtualIdentity& id) {
  Status st;
  Record& r = RecordOf(udn, &st);
  r.identity = id;
  if (st.ok()) st = Save(udn, r);
  if (st.ok() && devices_.count(udn)) st = WriteRow(udn, r);
  if (!st.ok()) PX_LOG(kError, "vd") << udn << ": " << st;
}

void VirtualDevices::OnRefused(const std::string& udn, const std::string& reason) {
  PX_LOG(kWarning, "vd") << udn << ": cannot be a virtual device: " << reason;
  if (!options_.on_fallback) return;
  loop_.Post([this, alive = std::weak_ptr<bool>(alive_), udn, reason] {
    auto a = alive.lock();
    if (!a || !*a || !devices_.count(udn)) return;
    options_.on_fallback(udn, reason);
  });
}

Status VirtualDevices::WriteRow(const std::string& udn, Record& r) {
  datamodel::DataModel& gw = *options_.gateway;
  auto rows = gw.store()->Rows(kTable);
  if (!rows.ok()) return rows.status();
  if (!r.row || std::find(rows->begin(), rows->end(), r.row) == rows->end()) {
    auto added = gw.AddRowInternal(kTable, r.row ? std::optional<uint32_t>(r.row) : std::nullopt);
    if (!added.ok() && r.row) added = gw.AddRowInternal(kTable);
    if (!added.ok()) return added.status();
    if (added->instance != r.row) {
      r.row = added->instance;
      PX_RETURN_IF_ERROR(Save(udn, r));
    }
  }
  const std::string row = kTable + std::to_string(r.row) + ".";
  std::string discovery;
  if (options_.discovery) {
    discovery = options_.discovery->RowOf("Device.UPnP.Discovery.RootDevice.", udn);
  }
  const std::pair<const char*, std::string> values[] = {
      {"ManufacturerOUI", r.identity ? r.identity->oui : ""},
      {"ProductClass", r.identity ? r.identity->product_class : ""},
      {"SerialNumber", r.identity ? r.identity->serial_number : ""},
      {"ProxyProtocol", "UPnP-DM"},
      {"DiscoveryProtocol", "UPnP"},
      {"DiscoveryProtocolReference", discovery},
  };
  for (const auto& [leaf, value] : values) {
    const std::string name = row + leaf;
    auto current = gw.store()->Get(name);
    if (current.ok() && *current == value) continue;
    Status st = gw.SetInternal(name, value);
    if (!st.ok()) PX_LOG(kWarning, "vd") << name << ": " << st.message();
  }
  return Status::Ok();
}

void VirtualDevices::DeleteRow(Record& r) {
  if (!r.row) return;
  datamodel::DataModel& gw = *options_.gateway;
  auto rows = gw.store()->Rows(kTable);
  if (!rows.ok() || std::find(rows->begin(), rows->end(), r.row) == rows->end()) return;
  auto deleted = gw.DeleteRowInternal(kTable + std::to_string(r.row) + ".");
  if (!deleted.ok())
    PX_LOG(kWarning, "vd") << "VirtualDevice." << r.row << ": " << deleted.status();
}

void VirtualDevices::DropStaleRows() {
  datamodel::DataModel& gw = *options_.gateway;
  auto rows = gw.store()->Rows(kTable);
  if (!rows.ok()) return;
  for (uint32_t n : *rows) {
    bool used = false;
    for (const auto& [udn, dev] : devices_) {
      auto rec = records_.find(udn);
      used = used || (rec != records_.end() && rec->second->row == n);
    }
    if (used) continue;
    PX_LOG(kInfo, "vd") << "VirtualDevice." << n << " has no attached device: deleted";
    auto deleted = gw.DeleteRowInternal(kTable + std::to_string(n) + ".");
    if (!deleted.ok()) PX_LOG(kWarning, "vd") << "VirtualDevice." << n << ": " << deleted.status();
  }
}

std::optional<VirtualDeviceInfo> VirtualDevices::Info(const std::string& udn) const {
  auto it = devices_.find(udn);
  if (it == devices_.end()) return std::nullopt;
  VirtualDeviceInfo info = it->second->Info();
  auto rec = records_.find(udn);
  if (rec != records_.end() && info.identity) info.row = rec->second->row;
  return info;
}

std::vector<std::string> VirtualDevices::Attached() const {
  std::vector<std::string> out;
  for (const auto& [udn, d] : devices_) out.push_back(udn);
  return out;
}

core::CwmpClient* VirtualDevices::Client(const std::string& udn) {
  auto it = devices_.find(udn);
  return it == devices_.end() ? nullptr : it->second->client();
}

datamodel::DataModel* VirtualDevices::Model(const std::string& udn) {
  auto it = devices_.find(udn);
  return it == devices_.end() ? nullptr : it->second->model();
}

}  // namespace proxier::virtual_devices
