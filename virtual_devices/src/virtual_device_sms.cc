// VirtualDevice: Download and ChangeDUState through the appliance's SoftwareManagement service
// (mapping.md §4), with SMS operations polled to completion.
#include "proxier/common/hash.h"
#include "proxier/common/log.h"
#include "proxier/core/event_queue.h"
#include "proxier/datamodel/value.h"
#include "virtual_device.h"

namespace proxier::virtual_devices {

namespace cwmp = core::cwmp;

namespace {

// mapping.md §4: SMS operation errors -> TransferComplete / DU fault codes.
cwmp::FaultStruct FaultOf(const std::string& error) {
  const std::pair<const char*, int> table[] = {{"Error_Network", 9015},
                                               {"Error_CorruptedFile", 9018},
                                               {"Error_DiskFull", 9017},
                                               {"Error_ConcurrentAccess", 9001}};
  for (const auto& [name, code] : table) {
    if (error.starts_with(name)) return {code, error};
  }
  return {9010, error.empty() ? std::string("operation failed") : error};
}

std::string PercentEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Username/Password of a transfer go into the URL's userinfo (the SMS has no other place).
std::string WithCredentials(const std::string& url, const std::string& user,
                            const Secret& password) {
  auto scheme = url.find("://");
  if (user.empty() || scheme == std::string::npos) return url;
  std::string info = PercentEncode(user);
  if (!password.empty()) info += ":" + PercentEncode(password.Reveal());
  return url.substr(0, scheme + 3) + info + "@" + url.substr(scheme + 3);
}

// A version-5-style UUID for a DU the ACS did not name.
std::string MakeUuid(const std::string& seed) {
  std::string h = Hex(Sha256(seed)).substr(0, 32);
  h[12] = '5';
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

}  // namespace

bool VirtualDevice::HasSms() const {
  const upnp::RootDevice* root =
      ctx_.options.find_device ? ctx_.options.find_device(md_.udn) : md_.device;
  if (!root || !root->description) return true;  // not known yet: let the device answer
  return root->description->FindService(upnp::DmService::kSms) != nullptr;
}

std::string VirtualDevice::Now() const {
  return datamodel::FormatDateTime(ctx_.loop.clock().WallNow());
}

void VirtualDevice::InstallHandlers(core::CwmpClient& client) {
  client.SetHandler("Download", [this](const cwmp::AcsRequest& req,
                                       core::CwmpClient::Responder respond) {
    const auto& d = std::get<cwmp::Download>(req);
    if (!d.url.starts_with("http://") && !d.url.starts_with("https://")) {
      return respond(cwmp::Fault{9013, "only HTTP and HTTPS downloads", {}, ""});
    }
    if (d.file_type != "1 Firmware Upgrade Image" && d.file_type != "3 Vendor Configuration File") {
      return respond(cwmp::Fault{9003, "unsupported FileType '" + d.file_type + "'", {}, ""});
    }
    if (d.command_key.size() > 32) {
      return respond(cwmp::Fault{9003, "CommandKey longer than 32 characters", {}, ""});
    }
    // Owed from the moment the answer leaves: stored first (a restart resumes it).
    auto op = StoreDownload(d);
    if (!op.ok()) return respond(cwmp::Fault{9002, op.status().message(), {}, ""});
    ctx_.loop.RunAfter(Seconds(d.delay_seconds), [this, alive = Alive(), op = *op, d] {
      if (alive()) WhenDescribed([this, op, d] { StartDownload(op, d, "", std::nullopt); });
    });
    respond(cwmp::DownloadResult{});  // Status 1: TransferComplete follows
  });
  client.SetHandler(
      "ChangeDUState", [this](const cwmp::AcsRequest& req, core::CwmpClient::Responder respond) {
        const auto& c = std::get<cwmp::ChangeDUState>(req);
        if (!HasSms())
          return respond(cwmp::Fault{9000, "the device has no SoftwareManagement", {}, ""});
        if (c.command_key.size() > 32) {
          return respond(cwmp::Fault{9003, "CommandKey longer than 32 characters", {}, ""});
        }
        auto op = StoreDuState(c);  // owed from the moment the answer leaves
        if (!op.ok()) return respond(cwmp::Fault{9002, op.status().message(), {}, ""});
        auto batch = std::make_shared<DuBatch>();
        batch->op = *op;
        batch->request = c;
        batch->results.resize(c.operations.size());
        respond(cwmp::ChangeDUStateResult{});
        ctx_.loop.Post([this, alive = Alive(), batch] {
          if (alive()) WhenDescribed([this, batch] { RunDuOps(batch, 0); });
        });
      });
}

void VirtualDevice::StartDownload(int64_t op, const cwmp::Download& d, std::string start,
                                  std::optional<uint32_t> sms) {
  if (start.empty()) {
    start = Now();
    SaveOpProgress(op, 0, std::nullopt, start);
  }
  auto finish = [this, alive = Alive(), op, key = d.command_key, start](cwmp::FaultStruct fault) {
    if (!alive()) return;
    PX_LOG(kInfo, "vd") << ns_ << ": download '" << key << "' finished with " << fault.code
                        << (fault.string.empty() ? "" : " (" + fault.string + ")");
    cwmp::TransferComplete tc{key, fault, start, Now()};
    CompleteOp(op, tc, {{"7 TRANSFER COMPLETE", ""}, {"M Download", key}}, "a TransferComplete");
  };
  auto wait = [this, finish](uint32_t id) {
    WaitOperation(id, [finish](Result<upnp::OperationInfo> info) {
      if (!info.ok()) return finish({9010, info.status().message()});
      if (info->state == "Completed") return finish({0, ""});
      finish(FaultOf(info->error_description));
    });
  };
  if (sms) return wait(*sms);  // started before a restart: poll it again
  if (!HasSms()) return finish({9010, "the device has no SoftwareManagement service"});
  const std::string type = d.file_type.starts_with("1 ") ? "Firmware" : "Configuration";
  PX_LOG(kInfo, "vd") << ns_ << ": SMS Install " << type << " " << RedactUrl(d.url);
  ctx_.actions.Install(
      md_.udn, WithCredentials(d.url, d.username, d.password), type,
      [this, alive = Alive(), op, d, start, finish, wait](Result<uint32_t> id) {
        if (!alive()) return;
        if (!id.ok() && !online_) {  // gone meanwhile: again when it is back
          return WhenDescribed([this, op, d, start] { StartDownload(op, d, start, std::nullopt); });
        }
        if (!id.ok()) return finish({9010, "SMS Install: " + id.status().message()});
        SaveOpProgress(op, 0, *id, start);
        wait(*id);
      });
}

void VirtualDevice::RunDuOps(std::shared_ptr<DuBatch> batch, size_t i,
                             std::optional<uint32_t> sms) {
  if (i == batch->results.size()) {
    cwmp::DUStateChangeComplete done{batch->results, batch->request.command_key};
    const std::string key = batch->request.command_key;
    CompleteOp(batch->op, done, {{"11 DU STATE CHANGE COMPLETE", ""}, {"M ChangeDUState", key}},
               "a DUStateChangeComplete");
    return;
  }
  auto save = [this, batch](size_t step, std::optional<uint32_t> id) {
    cwmp::DUStateChangeComplete so_far{batch->results, batch->request.command_key};
    SaveOpProgress(batch->op, static_cast<int64_t>(step), id, core::SerializeRequest(so_far));
  };
  const cwmp::DuOperation& op = batch->request.operations[i];
  cwmp::DuOpResult& r = batch->results[i];
  if (!sms || r.start_time.empty()) {
    r.start_time = Now();
    r.uuid = op.uuid;
  }
  auto next = [this, alive = Alive(), batch, i](cwmp::FaultStruct fault, std::string state,
                                                std::string version) {
    if (!alive()) return;
    if (fault.code != 0) {
      PX_LOG(kInfo, "vd") << ns_ << ": ChangeDUState '" << batch->request.command_key
                          << "' operation " << i + 1 << ": " << fault.code << " " << fault.string;
    }
    cwmp::DuOpResult& r = batch->results[i];
    r.fault = fault;
    r.current_state = std::move(state);
    r.version = std::move(version);
    r.resolved = fault.code == 0;
    r.complete_time = Now();
    RunDuOps(batch, i + 1);
  };
  using Kind = cwmp::DuOperation::Kind;
  uint32_t duid = 0;
  if (op.kind != Kind::kInstall) {
    auto known = DuidOf(op.uuid);
    // Resumed: an Uninstall that completed before the restart has forgotten its DU already.
    if (!known && !sms)
      return next({9028, "unknown deployment unit " + op.uuid}, "Failed", op.version);
    duid = known.value_or(0);
  } else if (r.uuid.empty()) {
    r.uuid = MakeUuid(md_.udn + "|" + op.url + "|" + r.start_time + "|" + std::to_string(i));
  }
  if (!sms) save(i, std::nullopt);  // before the SMS call: the UUID and start time stay
  const std::string uuid = r.uuid;
  const std::string kept = op.kind == Kind::kInstall ? "Failed" : "Installed";
  // Sent again after a restart that came before its OperationID was stored: an Uninstall the
  // appliance carried out already is refused now; its DU being gone is the success.
  const bool again = batch->resumed_at == i && !sms;
  auto started = [this, alive = Alive(), batch, next, save, i, kind = op.kind, uuid, duid, kept,
                  again](Result<uint32_t> id) {
    if (!alive()) return;
    if (!id.ok() && !online_) {  // gone meanwhile: the step again when it is back
      return WhenDescribed([this, batch, i] { RunDuOps(batch, i); });
    }
    if (!id.ok() && again && kind == Kind::kUninstall) {
      const std::string why = "SMS: " + id.status().message();
      return ctx_.actions.GetDuInfo(md_.udn, duid,
                                    [this, alive, next, uuid, kept, why](Result<upnp::DuInfo> du) {
                                      if (!alive()) return;
                                      if (du.ok() && du->state != "Uninstalled")
                                        return next({9002, why}, kept, "");
                                      ForgetDu(uuid);
                                      next({0, ""}, "Uninstalled", "");
                                    });
    }
    if (!id.ok()) return next({9002, "SMS: " + id.status().message()}, kept, "");
    save(i, *id);
    WaitOperation(*id,
                  [this, alive, next, kind, uuid, duid, kept](Result<upnp::OperationInfo> info) {
                    if (!alive()) return;
                    if (!info.ok()) return next({9010, info.status().message()}, kept, "");
                    if (info->state != "Completed")
                      return next(FaultOf(info->error_description), kept, "");
                    if (kind == Kind::kUninstall) {
                      ForgetDu(uuid);
                      return next({0, ""}, "Uninstalled", "");
                    }
                    uint32_t target = duid;
                    auto ids = upnp::DmClient::ParseIdList(info->targeted_ids);
                    if (kind == Kind::kInstall && ids.ok() && !ids->empty()) target = ids->front();
                    if (kind == Kind::kInstall) RememberDu(uuid, target);
                    ctx_.actions.GetDuInfo(md_.udn, target, [alive, next](Result<upnp::DuInfo> du) {
                      if (alive()) next({0, ""}, "Installed", du.ok() ? du->version : "");
                    });
                  });
  };
  if (sms) return started(*sms);  // started before a restart: poll it again
  if (op.kind == Kind::kInstall) {
    ctx_.actions.Install(md_.udn, WithCredentials(op.url, op.username, op.password), "Application",
                         started);
  } else if (op.kind == Kind::kUpdate) {
    ctx_.actions.Update(md_.udn, duid, WithCredentials(op.url, op.username, op.password), started);
  } else {
    ctx_.actions.Uninstall(md_.udn, duid, started);
  }
}

std::optional<uint32_t> VirtualDevice::DuidOf(const std::string& uuid) {
  auto st = ctx_.db.Prepare("SELECT duid FROM vd_du WHERE udn=? AND uuid=?");
  if (!st.ok()) return std::nullopt;
  st->Bind(0, md_.udn).Bind(1, uuid);
  auto row = st->Step();
  if (!row.ok() || !*row) return std::nullopt;
  return static_cast<uint32_t>(st->ColumnInt(0));
}

void VirtualDevice::RememberDu(const std::string& uuid, uint32_t duid) {
  auto st = ctx_.db.Prepare("INSERT OR REPLACE INTO vd_du(udn, uuid, duid) VALUES(?,?,?)");
  if (st.ok()) st->Bind(0, md_.udn).Bind(1, uuid).Bind(2, int64_t{duid});
  Status s = st.ok() ? st->Run() : st.status();
  if (!s.ok()) PX_LOG(kError, "vd") << ns_ << ": DU " << uuid << ": " << s;
}

void VirtualDevice::ForgetDu(const std::string& uuid) {
  auto st = ctx_.db.Prepare("DELETE FROM vd_du WHERE udn=? AND uuid=?");
  if (st.ok()) st->Bind(0, md_.udn).Bind(1, uuid);
  if (st.ok()) (void)st->Run();
}

void VirtualDevice::WaitOperation(uint32_t operation,
                                  std::function<void(Result<upnp::OperationInfo>)> done) {
  waiters_[operation] = {std::move(done), ctx_.loop.clock().Now() + ctx_.options.sms_timeout,
                         false};
  if (!poll_timer_) {
    poll_timer_ = ctx_.loop.RunAfter(ctx_.options.sms_poll, [this] {
      poll_timer_.reset();
      PollOperations();
    });
  }
}

void VirtualDevice::PollOperations() {
  for (auto& [op, w] : waiters_) {
    if (w.polling) continue;
    w.polling = true;
    ctx_.actions.GetOperationInfo(
        md_.udn, op, [this, alive = Alive(), op = op](Result<upnp::OperationInfo> info) {
          if (!alive()) return;
          auto it = waiters_.find(op);
          if (it == waiters_.end()) return;
          it->second.polling = false;
          const bool finished = info.ok() && (info->state == "Completed" || info->state == "Error");
          const bool late = ctx_.loop.clock().Now() >= it->second.deadline;
          if (!finished && !late) return;  // in progress, or the device is away for now
          auto done = std::move(it->second.done);
          waiters_.erase(it);
          if (finished) return done(std::move(info));
          done(
              Status(Code::kDownloadFailure, "SMS operation " + std::to_string(op) + " timed out"));
        });
  }
  if (!waiters_.empty() && !poll_timer_) {
    poll_timer_ = ctx_.loop.RunAfter(ctx_.options.sms_poll, [this] {
      poll_timer_.reset();
      PollOperations();
    });
  }
}

}  // namespace proxier::virtual_devices
