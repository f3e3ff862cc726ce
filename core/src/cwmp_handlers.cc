// The standard CPE RPC handlers of a CwmpClient (name -> handler map).
#include <algorithm>

#include "proxier/core/cwmp_client.h"
#include "proxier/datamodel/value.h"

namespace proxier::core {

namespace {
using cwmp::CpeResponse;
using cwmp::Fault;

Fault ToFault(const Status& st) { return Fault{st.fault_code(), st.message(), {}, ""}; }

Fault InvalidArgs(const std::string& why) { return Fault{9003, why, {}, ""}; }

// ParameterKey and CommandKey are string(32).
bool KeyOk(const std::string& key) { return key.size() <= 32; }
}  // namespace

void CwmpClient::SetHandler(const std::string& method, Handler handler) {
  handlers_[method] = std::move(handler);
}

void CwmpClient::RegisterStandardHandlers() {
  handlers_["GetRPCMethods"] = [this](const cwmp::AcsRequest&, Responder respond) {
    cwmp::GetRPCMethodsResult r;
    for (const auto& [name, h] : handlers_) r.methods.push_back(name);
    respond(r);
  };
  handlers_["GetParameterValues"] = [this](const cwmp::AcsRequest& req, Responder respond) {
    const auto& gpv = std::get<cwmp::GetParameterValues>(req);
    model_.GetValues(gpv.names, [respond](Result<std::vector<datamodel::ParamValue>> r) {
      if (!r.ok()) return respond(ToFault(r.status()));
      respond(cwmp::GetParameterValuesResult{std::move(r).value()});
    });
  };
  handlers_["GetParameterNames"] = [this](const cwmp::AcsRequest& req, Responder respond) {
    const auto& gpn = std::get<cwmp::GetParameterNames>(req);
    model_.GetNames(gpn.path, gpn.next_level,
                    [respond](Result<std::vector<datamodel::ParamInfo>> r) {
                      if (!r.ok()) return respond(ToFault(r.status()));
                      respond(cwmp::GetParameterNamesResult{std::move(r).value()});
                    });
  };
  handlers_["SetParameterValues"] = [this](const cwmp::AcsRequest& req, Responder respond) {
    const auto& spv = std::get<cwmp::SetParameterValues>(req);
    if (!KeyOk(spv.parameter_key))
      return respond(InvalidArgs("ParameterKey longer than 32 characters"));
    std::string key = spv.parameter_key;
    model_.SetValues(
        spv.params, options_.name,
        [this, key] { return store_.SetInternal("Device.ManagementServer.ParameterKey", key); },
        [respond](datamodel::SetResult r) {
          if (!r.status.ok()) {
            Fault f = ToFault(r.status);
            f.set_faults = std::move(r.faults);
            return respond(f);
          }
          respond(cwmp::SetParameterValuesResult{r.apply_status});
        });
  };
  handlers_["GetParameterAttributes"] = [this](const cwmp::AcsRequest& req, Responder respond) {
    const auto& gpa = std::get<cwmp::GetParameterAttributes>(req);
    model_.GetAttributes(gpa.names, [respond](Result<std::vector<datamodel::ParamAttributes>> r) {
      if (!r.ok()) return respond(ToFault(r.status()));
      respond(cwmp::GetParameterAttributesResult{std::move(r).value()});
    });
  };
  handlers_["SetParameterAttributes"] = [this](const cwmp::AcsRequest& req, Responder respond) {
    const auto& spa = std::get<cwmp::SetParameterAttributes>(req);
    model_.SetAttributes(spa.params, [respond](Status st) {
      if (!st.ok()) return respond(ToFault(st));
      respond(cwmp::SetParameterAttributesResult{});
    });
  };
  handlers_["AddObject"] = [this](const cwmp::AcsRequest& req, Responder respond) {
    const auto& add = std::get<cwmp::AddObject>(req);
    if (!KeyOk(add.parameter_key))
      return respond(InvalidArgs("ParameterKey longer than 32 characters"));
    std::string key = add.parameter_key;
    model_.AddObject(
        add.object_name, options_.name,
        [this, key] { return store_.SetInternal("Device.ManagementServer.ParameterKey", key); },
        [respond](Result<datamodel::AddResult> r) {
          if (!r.ok()) return respond(ToFault(r.status()));
          respond(cwmp::AddObjectResult{r->instance, r->status});
        });
  };
  handlers_["DeleteObject"] = [this](const cwmp::AcsRequest& req, Responder respond) {
    const auto& del = std::get<cwmp::DeleteObject>(req);
    if (!KeyOk(del.parameter_key))
      return respond(InvalidArgs("ParameterKey longer than 32 characters"));
    std::string key = del.parameter_key;
    model_.DeleteObject(
        del.object_name, options_.name,
        [this, key] { return store_.SetInternal("Device.ManagementServer.ParameterKey", key); },
        [respond](Result<datamodel::DeleteResult> r) {
          if (!r.ok()) return respond(ToFault(r.status()));
          respond(cwmp::DeleteObjectResult{r->status});
        });
  };
  handlers_["Reboot"] = [this](const cwmp::AcsRequest& req, Responder respond) {
    const auto& reboot = std::get<cwmp::Reboot>(req);
    if (!KeyOk(reboot.command_key))
      return respond(InvalidArgs("CommandKey longer than 32 characters"));
    // Owed from the moment the answer leaves: stored first, so that a crash before the reboot
    // still ends in "M Reboot" (carried out at the next start).
    Status st = SaveState(kOwedReboot, reboot.command_key);
    if (!st.ok()) return respond(ToFault(st));
    pending_reboot_ = reboot.command_key;  // carried out when the session has ended
    respond(cwmp::RebootResult{});
  };
  handlers_["FactoryReset"] = [this](const cwmp::AcsRequest&, Responder respond) {
    Status st = SaveState(kOwedFactoryReset, "1");
    if (!st.ok()) return respond(ToFault(st));
    pending_factory_reset_ = true;
    respond(cwmp::FactoryResetResult{});
  };
  handlers_["ScheduleInform"] = [this](const cwmp::AcsRequest& req, Responder respond) {
    const auto& si = std::get<cwmp::ScheduleInform>(req);
    if (si.delay_seconds == 0) return respond(InvalidArgs("DelaySeconds must be at least 1"));
    if (!KeyOk(si.command_key)) return respond(InvalidArgs("CommandKey longer than 32 characters"));
    // Persisted with its due time so a restart does not lose it.
    int64_t due =
        std::chrono::duration_cast<Seconds>(loop_.clock().WallNow().time_since_epoch()).count() +
        si.delay_seconds;
    auto id = NextOperationId("si");
    if (!id.ok()) return respond(ToFault(id.status()));
    Status st = PersistTransfer(*id, "ScheduleInform", si.command_key, due);
    if (!st.ok()) return respond(ToFault(st));
    std::string key = si.command_key;
    scheduled_informs_[*id] = loop_.RunAfter(Seconds(si.delay_seconds), [this, id = *id, key] {
      scheduled_informs_.erase(id);
      {
        ScopedCommit commit(db_, "a scheduled inform");  // the event and the row's end together
        (void)queue_->Add("M ScheduleInform", key);
        (void)DropTransfer(id);
      }
      Trigger("3 SCHEDULED");
    });
    respond(cwmp::ScheduleInformResult{});
  };
  handlers_["Download"] = [this](const cwmp::AcsRequest& req, Responder respond) {
    const auto& d = std::get<cwmp::Download>(req);
    if (d.url.rfind("http://", 0) != 0 && d.url.rfind("https://", 0) != 0) {
      return respond(
          Fault{9013, "Unsupported protocol for file transfer: only HTTP and HTTPS", {}, ""});
    }
    if (d.file_type != "1 Firmware Upgrade Image" && d.file_type != "3 Vendor Configuration File") {
      return respond(InvalidArgs("unsupported FileType '" + d.file_type + "'"));
    }
    if (!KeyOk(d.command_key)) return respond(InvalidArgs("CommandKey longer than 32 characters"));
    Status st = StartDownload(d);  // stored before the answer: a TransferComplete is owed
    if (!st.ok()) return respond(ToFault(st));
    respond(cwmp::DownloadResult{});  // Status 1: TransferComplete follows
  };
  handlers_["Upload"] = [this](const cwmp::AcsRequest& req, Responder respond) {
    const auto& u = std::get<cwmp::Upload>(req);
    if (u.url.rfind("http://", 0) != 0 && u.url.rfind("https://", 0) != 0) {
      return respond(
          Fault{9013, "Unsupported protocol for file transfer: only HTTP and HTTPS", {}, ""});
    }
    if (u.file_type != "1 Vendor Configuration File" && u.file_type != "2 Vendor Log File") {
      return respond(InvalidArgs("unsupported FileType '" + u.file_type + "'"));
    }
    if (!KeyOk(u.command_key)) return respond(InvalidArgs("CommandKey longer than 32 characters"));
    Status st = StartUpload(u);
    if (!st.ok()) return respond(ToFault(st));
    respond(cwmp::UploadResult{});
  };
}

// What the Reboot and FactoryReset handlers asked for, carried out after the session.
void CwmpClient::RunPostSessionActions() {
  if (pending_factory_reset_) {
    pending_factory_reset_ = false;
    pending_reboot_.reset();
    PX_LOG(kInfo, "cwmp") << options_.name << ": factory reset";
    if (hooks_.factory_reset) {
      restarting_ = true;
      hooks_.factory_reset();
    }
    return;
  }
  if (pending_reboot_) {
    std::string key = *pending_reboot_;
    pending_reboot_.reset();
    {
      ScopedCommit commit(db_, "a reboot");  // the event and the end of the debt together
      Status st = queue_->Add("M Reboot", key);
      if (st.ok()) st = DropState(kOwedReboot);
      if (!st.ok()) PX_LOG(kError, "cwmp") << options_.name << ": cannot persist M Reboot: " << st;
    }
    PX_LOG(kInfo, "cwmp") << options_.name << ": rebooting (CommandKey '" << key << "')";
    if (hooks_.reboot) {
      restarting_ = true;
      hooks_.reboot();
    }
  }
}

}  // namespace proxier::core
