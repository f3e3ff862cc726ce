// CwmpClient transfers: Download (firmware, configuration) and Upload, persisted until finished.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "proxier/core/cwmp_client.h"
#include "proxier/core/stored_fields.h"
#include "proxier/datamodel/value.h"

namespace proxier::core {

namespace {
// Fault for a finished HTTP transfer (download direction).
cwmp::FaultStruct DownloadFault(const Result<HttpResponse>& r) {
  if (!r.ok()) {
    Code c = r.status().code();
    if (c == Code::kTransferAuthFailure) return {9012, r.status().message()};
    if (c == Code::kResourcesExceeded) return {9017, r.status().message()};
    return {9015, "cannot contact file server: " + r.status().message()};
  }
  if (r->status == 401 || r->status == 403) return {9012, "file server refused the credentials"};
  if (r->status == 404) return {9016, "file not found on the server"};
  if (r->status != 200) return {9015, "file server answered HTTP " + std::to_string(r->status)};
  return {0, ""};
}
}  // namespace

Result<std::string> CwmpClient::NextOperationId(const std::string& prefix) {
  // One counter per client, stored: ids are unique for the store's lifetime (ids made of the
  // epoch second and a per-process counter collided after a restart and replaced a row).
  const std::string current = State("op_seq");
  const uint64_t next = (current.empty() ? 0 : std::strtoull(current.c_str(), nullptr, 10)) + 1;
  PX_RETURN_IF_ERROR(SaveState("op_seq", std::to_string(next)));
  return prefix + "-" + std::to_string(next);
}

Status CwmpClient::PersistTransfer(const std::string& id, const std::string& kind,
                                   const std::string& body, int64_t due_epoch_s) {
  auto st = db_.Prepare("INSERT INTO cwmp_transfer(ns, id, kind, body, due) VALUES(?,?,?,?,?)");
  if (!st.ok()) return st.status();
  st->Bind(0, options_.name).Bind(1, id).Bind(2, kind).Bind(3, body).Bind(4, due_epoch_s);
  return st->Run();
}

Status CwmpClient::DropTransfer(const std::string& id) {
  auto st = db_.Prepare("DELETE FROM cwmp_transfer WHERE ns=? AND id=?");
  if (!st.ok()) return st.status();
  st->Bind(0, options_.name).Bind(1, id);
  return st->Run();
}

Status CwmpClient::StartDownload(const cwmp::Download& d) {
  const int64_t now =
      std::chrono::duration_cast<Seconds>(loop_.clock().WallNow().time_since_epoch()).count();
  ScopedCommit commit(db_, "a download");
  auto id = NextOperationId("dl");
  if (!id.ok()) return id.status();
  std::map<std::string, std::string> f = {{"command_key", d.command_key},
                                          {"file_type", d.file_type},
                                          {"url", d.url},
                                          {"username", d.username},
                                          {"password", d.password.Reveal()},
                                          {"file_size", std::to_string(d.file_size)},
                                          {"target", d.target_file_name}};
  Status st =
      PersistTransfer(*id, "Download", EncodeFields({f.begin(), f.end()}), now + d.delay_seconds);
  if (!st.ok()) {
    PX_LOG(kError, "cwmp") << options_.name << ": cannot persist download: " << st;
    return st;
  }
  loop_.Post([this, alive = std::weak_ptr<int>(alive_)] {
    if (!alive.expired()) ResumeTransfers();  // after the commit above
  });
  return Status::Ok();
}

Status CwmpClient::StartUpload(const cwmp::Upload& u) {
  const int64_t now =
      std::chrono::duration_cast<Seconds>(loop_.clock().WallNow().time_since_epoch()).count();
  ScopedCommit commit(db_, "an upload");
  auto id = NextOperationId("ul");
  if (!id.ok()) return id.status();
  std::map<std::string, std::string> f = {{"command_key", u.command_key},
                                          {"file_type", u.file_type},
                                          {"url", u.url},
                                          {"username", u.username},
                                          {"password", u.password.Reveal()}};
  Status st =
      PersistTransfer(*id, "Upload", EncodeFields({f.begin(), f.end()}), now + u.delay_seconds);
  if (!st.ok()) {
    PX_LOG(kError, "cwmp") << options_.name << ": cannot persist upload: " << st;
    return st;
  }
  loop_.Post([this, alive = std::weak_ptr<int>(alive_)] {
    if (!alive.expired()) ResumeTransfers();
  });
  return Status::Ok();
}

// Arms a timer for every persisted transfer or scheduled inform that has none yet.
void CwmpClient::ResumeTransfers() {
  auto st = db_.Prepare("SELECT id, kind, body, due FROM cwmp_transfer WHERE ns=?");
  if (!st.ok()) return;
  st->Bind(0, options_.name);
  struct Row {
    std::string id, kind, body;
    int64_t due;
  };
  std::vector<Row> rows;
  while (true) {
    auto row = st->Step();
    if (!row.ok() || !*row) break;
    rows.push_back({st->ColumnText(0), st->ColumnText(1), st->ColumnText(2), st->ColumnInt(3)});
  }
  const int64_t now =
      std::chrono::duration_cast<Seconds>(loop_.clock().WallNow().time_since_epoch()).count();
  for (auto& row : rows) {
    if (scheduled_informs_.count(row.id) || running_transfers_.count(row.id)) continue;
    Millis delay = Seconds(std::max<int64_t>(0, row.due - now));
    std::string id = row.id;
    if (row.kind == "ScheduleInform") {
      std::string key = row.body;
      scheduled_informs_[id] = loop_.RunAfter(delay, [this, id, key] {
        scheduled_informs_.erase(id);
        (void)queue_->Add("M ScheduleInform", key);
        Trigger("3 SCHEDULED");
        (void)DropTransfer(id);
      });
      continue;
    }
    auto f = DecodeFields(row.body);
    const bool download = row.kind == "Download";
    scheduled_informs_[id] = loop_.RunAfter(delay, [this, id, f, download] {
      scheduled_informs_.erase(id);
      running_transfers_.insert(id);
      const std::string start = datamodel::FormatDateTime(loop_.clock().WallNow());
      auto session = http_.NewSession();
      HttpSession* raw = session.get();
      transfer_sessions_.push_back(std::move(session));
      HttpRequest req;
      req.url = FieldOf(f, "url");
      req.username = FieldOf(f, "username");
      req.password = Secret(FieldOf(f, "password"));
      req.tls = options_.tls;
      req.timeout = Millis(30 * 60 * 1000);
      req.follow_redirects = true;
      req.decode_content = false;
      std::string key = FieldOf(f, "command_key");
      std::string file_type = FieldOf(f, "file_type");
      std::string url = FieldOf(f, "url");
      auto finish = [this, raw, id, key, start, download](cwmp::FaultStruct fault, bool reboot) {
        running_transfers_.erase(id);
        FinishTransfer(id, key, fault, start, reboot, !download);
        std::erase_if(transfer_sessions_, [raw](const auto& s) { return s.get() == raw; });
      };
      if (download) {
        std::filesystem::create_directories(options_.work_dir);
        std::string path = options_.work_dir + "/" + options_.name + "-" + id + ".bin";
        uint64_t expected = std::strtoull(FieldOf(f, "file_size").c_str(), nullptr, 10);
        req.method = "GET";
        req.output_path = path;
        req.max_body_bytes = expected > 0 ? expected + 1 : 512ull * 1024 * 1024;
        req.progress = [this, url](uint64_t now_bytes, uint64_t total) {
          PX_LOG(kInfo, "transfer") << options_.name << ": download " << RedactUrl(url) << " "
                                    << now_bytes << "/" << total << " bytes";
        };
        PX_LOG(kInfo, "transfer") << options_.name << ": download " << RedactUrl(url) << " ("
                                  << file_type << ")";
        Status sent =
            raw->Send(req, [this, path, expected, file_type, finish](Result<HttpResponse> r) {
              cwmp::FaultStruct fault = DownloadFault(r);
              if (fault.code == 9017 && expected > 0)
                fault = {9018, "file larger than FileSize " + std::to_string(expected)};
              if (fault.code == 0 && expected > 0 && r->bytes != expected) {
                fault = {9018, "file size " + std::to_string(r->bytes) + " differs from FileSize " +
                                   std::to_string(expected)};
              }
              if (fault.code != 0) {
                std::filesystem::remove(path);
                return finish(fault, false);
              }
              PX_LOG(kInfo, "transfer") << options_.name << ": downloaded " << r->bytes << " bytes";
              if (!hooks_.apply_download) {
                PX_LOG(kWarning, "transfer") << options_.name << ": no hook to apply '" << file_type
                                             << "'; file kept at " << path;
                return finish({0, ""}, false);
              }
              hooks_.apply_download(file_type, path, finish);
            });
        if (!sent.ok()) finish({9010, sent.message()}, false);
        return;
      }
      // Upload.
      Result<std::string> source =
          hooks_.upload_source ? hooks_.upload_source(file_type)
                               : Result<std::string>(Code::kUploadFailure, "no upload source");
      if (!source.ok()) return finish({9011, source.status().message()}, false);
      req.method = "PUT";
      req.upload_path = *source;
      Status sent = raw->Send(req, [finish](Result<HttpResponse> r) {
        if (!r.ok()) return finish({9011, r.status().message()}, false);
        if (r->status == 401 || r->status == 403)
          return finish({9012, "upload server refused the credentials"}, false);
        if (r->status < 200 || r->status > 299) {
          return finish({9011, "upload server answered HTTP " + std::to_string(r->status)}, false);
        }
        finish({0, ""}, false);
      });
      if (!sent.ok()) finish({9011, sent.message()}, false);
    });
  }
}

void CwmpClient::FinishTransfer(const std::string& id, const std::string& command_key,
                                cwmp::FaultStruct fault, const std::string& start, bool reboot,
                                bool upload) {
  cwmp::TransferComplete tc;
  tc.command_key = command_key;
  tc.fault = fault;
  tc.start_time = start;
  tc.complete_time = datamodel::FormatDateTime(loop_.clock().WallNow());
  PX_LOG(kInfo, "transfer") << options_.name << ": transfer '" << command_key << "' finished with "
                            << fault.code << (fault.string.empty() ? "" : " " + fault.string);
  {
    // The TransferComplete is queued and the transfer's row goes in one commit: a crash leaves
    // one or the other, never neither.
    ScopedCommit commit(db_, "a finished transfer");
    Status st = queue_->Enqueue(
        tc, {{"7 TRANSFER COMPLETE", ""}, {upload ? "M Upload" : "M Download", command_key}});
    if (!st.ok()) {
      PX_LOG(kError, "cwmp") << options_.name << ": cannot queue TransferComplete: " << st;
    } else {
      (void)DropTransfer(id);
    }
  }
  if (reboot && hooks_.reboot) {
    restarting_ = true;
    hooks_.reboot();
    return;
  }
  RequestSession(false);
}

}  // namespace proxier::core
