// VirtualDevice: what the ACS was told and is still owed, stored, and re-driven after a restart
// (Downloads and ChangeDUStates run on the appliance's SMS, IPPing run as a BMS Ping).
#include <chrono>

#include "proxier/common/log.h"
#include "proxier/core/event_queue.h"
#include "proxier/core/stored_fields.h"
#include "virtual_device.h"

namespace proxier::virtual_devices {

namespace cwmp = core::cwmp;

namespace {

int64_t EpochNow(EventLoop& loop) {
  return std::chrono::duration_cast<Seconds>(loop.clock().WallNow().time_since_epoch()).count();
}

std::string EncodeDownload(const cwmp::Download& d) {
  return core::EncodeFields({{"command_key", d.command_key},
                             {"file_type", d.file_type},
                             {"url", d.url},
                             {"username", d.username},
                             {"password", d.password.Reveal()}});
}

cwmp::Download DecodeDownload(const std::string& body) {
  auto f = core::DecodeFields(body);
  cwmp::Download d;
  d.command_key = core::FieldOf(f, "command_key");
  d.file_type = core::FieldOf(f, "file_type");
  d.url = core::FieldOf(f, "url");
  d.username = core::FieldOf(f, "username");
  d.password = Secret(core::FieldOf(f, "password"));
  return d;
}

std::string EncodeDuState(const cwmp::ChangeDUState& c) {
  std::vector<std::pair<std::string, std::string>> f = {
      {"command_key", c.command_key}, {"count", std::to_string(c.operations.size())}};
  for (size_t i = 0; i < c.operations.size(); ++i) {
    const auto& op = c.operations[i];
    const std::string p = std::to_string(i) + ".";
    f.push_back({p + "kind", std::to_string(static_cast<int>(op.kind))});
    f.push_back({p + "url", op.url});
    f.push_back({p + "uuid", op.uuid});
    f.push_back({p + "username", op.username});
    f.push_back({p + "password", op.password.Reveal()});
    f.push_back({p + "ee", op.execution_env_ref});
    f.push_back({p + "version", op.version});
  }
  return core::EncodeFields(f);
}

cwmp::ChangeDUState DecodeDuState(const std::string& body) {
  auto f = core::DecodeFields(body);
  cwmp::ChangeDUState c;
  c.command_key = core::FieldOf(f, "command_key");
  const size_t n = std::strtoul(core::FieldOf(f, "count").c_str(), nullptr, 10);
  for (size_t i = 0; i < n && i < 1024; ++i) {
    const std::string p = std::to_string(i) + ".";
    cwmp::DuOperation op;
    const int kind = std::atoi(core::FieldOf(f, p + "kind").c_str());
    op.kind = kind == 1   ? cwmp::DuOperation::Kind::kUpdate
              : kind == 2 ? cwmp::DuOperation::Kind::kUninstall
                          : cwmp::DuOperation::Kind::kInstall;
    op.url = core::FieldOf(f, p + "url");
    op.uuid = core::FieldOf(f, p + "uuid");
    op.username = core::FieldOf(f, p + "username");
    op.password = Secret(core::FieldOf(f, p + "password"));
    op.execution_env_ref = core::FieldOf(f, p + "ee");
    op.version = core::FieldOf(f, p + "version");
    c.operations.push_back(std::move(op));
  }
  return c;
}

}  // namespace

Result<int64_t> VirtualDevice::StoreDownload(const cwmp::Download& d) {
  return PersistOp("Download", EncodeDownload(d), EpochNow(ctx_.loop) + d.delay_seconds);
}

Result<int64_t> VirtualDevice::StoreDuState(const cwmp::ChangeDUState& c) {
  return PersistOp("ChangeDUState", EncodeDuState(c), EpochNow(ctx_.loop));
}

Result<int64_t> VirtualDevice::PersistOp(const std::string& kind, const std::string& body,
                                         int64_t due_epoch_s) {
  auto st = ctx_.db.Prepare("INSERT INTO vd_op(udn, kind, body, due) VALUES(?,?,?,?)");
  if (!st.ok()) return st.status();
  st->Bind(0, md_.udn).Bind(1, kind).Bind(2, body).Bind(3, due_epoch_s);
  PX_RETURN_IF_ERROR(st->Run());
  const int64_t id = ctx_.db.LastInsertRowId();
  running_ops_.insert(id);
  return id;
}

void VirtualDevice::SaveOpProgress(int64_t op, int64_t step, std::optional<uint32_t> sms,
                                   const std::string& progress) {
  auto st = ctx_.db.Prepare("UPDATE vd_op SET step=?, sms=?, progress=? WHERE id=?");
  if (st.ok()) {
    st->Bind(0, step).Bind(2, progress).Bind(3, op);
    if (sms) {
      st->Bind(1, int64_t{*sms});
    } else {
      st->BindNull(1);
    }
  }
  Status s = st.ok() ? st->Run() : st.status();
  if (!s.ok()) PX_LOG(kError, "vd") << ns_ << ": operation " << op << " progress: " << s;
}

Status VirtualDevice::DropOp(int64_t op) {
  running_ops_.erase(op);
  auto st = ctx_.db.Prepare("DELETE FROM vd_op WHERE id=?");
  if (!st.ok()) return st.status();
  st->Bind(0, op);
  return st->Run();
}

void VirtualDevice::CompleteOp(int64_t op, const cwmp::CpeRequest& request,
                               const std::vector<cwmp::EventStruct>& events, const char* what) {
  if (!client_) {
    // Kept: the next run (or the next client) completes it again.
    PX_LOG(kError, "vd") << ns_ << ": " << what << " not queued: no client";
    running_ops_.erase(op);
    return;
  }
  Status st;
  {
    // The completion is queued and the row goes in one commit: a crash leaves one or the other.
    ScopedCommit commit(ctx_.db, what);
    st = client_->QueueRequest(request, events);
    if (st.ok()) st = DropOp(op);
  }
  if (!st.ok()) PX_LOG(kError, "vd") << ns_ << ": " << what << " not queued: " << st;
}

void VirtualDevice::ResumeOps() {
  if (ops_resumed_ || !client_ || !available() || !Description()) return;
  ops_resumed_ = true;
  if (ping_.state == "Requested") {
    PX_LOG(kInfo, "vd") << ns_ << ": IPPing requested before the restart: "
                        << (ping_.test ? "polled again" : "run again");
    if (ping_.test) {
      const uint64_t budget_ms = uint64_t{ping_.timeout_ms} * ping_.repetitions;
      ping_.deadline = ctx_.loop.clock().Now() + Millis(budget_ms) + Seconds(30);
      PollPing();
    } else {
      ctx_.loop.Post([this, alive = Alive(), run = ping_.run] {
        if (alive() && ping_.run == run) StartPing();
      });
    }
  }
  auto st = ctx_.db.Prepare(
      "SELECT id, kind, body, due, step, sms, progress FROM vd_op WHERE udn=? ORDER BY id");
  if (!st.ok()) return;
  st->Bind(0, md_.udn);
  struct Row {
    int64_t id;
    std::string kind, body;
    int64_t due, step;
    std::optional<uint32_t> sms;
    std::string progress;
  };
  std::vector<Row> rows;
  for (;;) {
    auto row = st->Step();
    if (!row.ok() || !*row) break;
    Row r{st->ColumnInt(0), st->ColumnText(1), st->ColumnText(2), st->ColumnInt(3),
          st->ColumnInt(4), std::nullopt,      st->ColumnText(6)};
    if (!st->ColumnIsNull(5)) r.sms = static_cast<uint32_t>(st->ColumnInt(5));
    rows.push_back(std::move(r));
  }
  const int64_t now = EpochNow(ctx_.loop);
  for (auto& r : rows) {
    if (running_ops_.count(r.id)) continue;
    running_ops_.insert(r.id);
    PX_LOG(kInfo, "vd") << ns_ << ": resuming " << r.kind << " " << r.id << " (step " << r.step
                        << (r.sms ? ", SMS operation " + std::to_string(*r.sms) : "") << ")";
    if (r.kind == "Download") {
      cwmp::Download d = DecodeDownload(r.body);
      ctx_.loop.RunAfter(Seconds(std::max<int64_t>(0, r.due - now)),
                         [this, alive = Alive(), id = r.id, d, start = r.progress, sms = r.sms] {
                           if (alive()) StartDownload(id, d, start, sms);
                         });
      continue;
    }
    auto batch = std::make_shared<DuBatch>();
    batch->op = r.id;
    batch->request = DecodeDuState(r.body);
    batch->results.resize(batch->request.operations.size());
    auto done = core::DeserializeRequest(r.progress);
    if (done.ok() && std::holds_alternative<cwmp::DUStateChangeComplete>(*done)) {
      auto& results = std::get<cwmp::DUStateChangeComplete>(*done).results;
      for (size_t i = 0; i < results.size() && i < batch->results.size(); ++i) {
        batch->results[i] = results[i];
      }
    }
    const size_t step = std::min<size_t>(static_cast<size_t>(r.step), batch->results.size());
    batch->resumed_at = step;
    ctx_.loop.Post([this, alive = Alive(), batch, step, sms = r.sms] {
      if (alive()) RunDuOps(batch, step, sms);
    });
  }
}

void VirtualDevice::SavePing() {
  auto st = ctx_.db.Prepare(
      "INSERT OR REPLACE INTO vd_ping(udn, state, host, repetitions, timeout_ms, block, dscp, "
      "test, result) VALUES(?,?,?,?,?,?,?,?,?)");
  if (st.ok()) {
    const auto& r = ping_.result;
    st->Bind(0, md_.udn)
        .Bind(1, ping_.state)
        .Bind(2, ping_.host)
        .Bind(3, int64_t{ping_.repetitions})
        .Bind(4, int64_t{ping_.timeout_ms})
        .Bind(5, int64_t{ping_.block})
        .Bind(6, int64_t{ping_.dscp});
    if (ping_.test) {
      st->Bind(7, int64_t{*ping_.test});
    } else {
      st->BindNull(7);
    }
    st->Bind(8, core::EncodeFields({{"status", r.status},
                                    {"info", r.additional_info},
                                    {"success", std::to_string(r.success_count)},
                                    {"failure", std::to_string(r.failure_count)},
                                    {"average", std::to_string(r.average_ms)},
                                    {"minimum", std::to_string(r.minimum_ms)},
                                    {"maximum", std::to_string(r.maximum_ms)}}));
  }
  Status s = st.ok() ? st->Run() : st.status();
  if (!s.ok()) PX_LOG(kError, "vd") << ns_ << ": IPPing state not stored: " << s;
}

void VirtualDevice::LoadPing() {
  auto st = ctx_.db.Prepare(
      "SELECT state, host, repetitions, timeout_ms, block, dscp, test, result FROM vd_ping "
      "WHERE udn=?");
  if (!st.ok()) return;
  st->Bind(0, md_.udn);
  auto row = st->Step();
  if (!row.ok() || !*row) return;
  auto u32 = [&](int i) { return static_cast<uint32_t>(st->ColumnInt(i)); };
  ping_.state = st->ColumnText(0);
  ping_.host = st->ColumnText(1);
  ping_.repetitions = u32(2);
  ping_.timeout_ms = u32(3);
  ping_.block = u32(4);
  ping_.dscp = u32(5);
  if (!st->ColumnIsNull(6)) ping_.test = u32(6);
  auto f = core::DecodeFields(st->ColumnText(7));
  auto num = [&](const char* k) {
    return static_cast<uint32_t>(std::strtoul(core::FieldOf(f, k).c_str(), nullptr, 10));
  };
  ping_.result.status = core::FieldOf(f, "status");
  ping_.result.additional_info = core::FieldOf(f, "info");
  ping_.result.success_count = num("success");
  ping_.result.failure_count = num("failure");
  ping_.result.average_ms = num("average");
  ping_.result.minimum_ms = num("minimum");
  ping_.result.maximum_ms = num("maximum");
}

void VirtualDevice::ForgetPing() {
  auto st = ctx_.db.Prepare("DELETE FROM vd_ping WHERE udn=?");
  if (st.ok()) st->Bind(0, md_.udn);
  if (st.ok()) (void)st->Run();
  const uint64_t run = ping_.run + 1;  // answers of a test of before the reset are dropped
  ping_ = PingState{};
  ping_.run = run;
}

}  // namespace proxier::virtual_devices
