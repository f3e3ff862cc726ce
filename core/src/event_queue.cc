// EventQueue: retention rules and persistence of Inform events and queued CPE requests.
#include "proxier/core/event_queue.h"

#include <algorithm>
#include <map>

namespace proxier::core {

namespace {

bool IsMulti(const std::string& code) { return code.rfind("M ", 0) == 0; }

// Codes whose events (and their M companions) live until a CPE request is acknowledged.
bool TiedToRequest(const std::string& code) {
  return code == "7 TRANSFER COMPLETE" || code == "10 AUTONOMOUS TRANSFER COMPLETE" ||
         code == "11 DU STATE CHANGE COMPLETE" ||
         code == "12 AUTONOMOUS DU STATE CHANGE COMPLETE" || code == "M Download" ||
         code == "M ScheduleDownload" || code == "M Upload" || code == "M ChangeDUState";
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      out += s[i + 1] == 'n' ? '\n' : s[i + 1];
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

using Fields = std::map<std::string, std::string>;

std::string Join(const Fields& f) {
  std::string out;
  for (const auto& [k, v] : f) out += k + "=" + Escape(v) + "\n";
  return out;
}

Fields Split(const std::string& text) {
  Fields f;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    auto eq = line.find('=');
    if (eq != std::string::npos) f[line.substr(0, eq)] = Unescape(line.substr(eq + 1));
    start = nl + 1;
  }
  return f;
}

void PutFault(Fields& f, const std::string& p, const cwmp::FaultStruct& fault) {
  f[p + "fault_code"] = std::to_string(fault.code);
  f[p + "fault_string"] = fault.string;
}

cwmp::FaultStruct GetFault(Fields& f, const std::string& p) {
  return {std::atoi(f[p + "fault_code"].c_str()), f[p + "fault_string"]};
}

}  // namespace

std::string SerializeRequest(const cwmp::CpeRequest& request) {
  Fields f;
  if (const auto* tc = std::get_if<cwmp::TransferComplete>(&request)) {
    f["kind"] = "TransferComplete";
    f["command_key"] = tc->command_key;
    PutFault(f, "", tc->fault);
    f["start"] = tc->start_time;
    f["complete"] = tc->complete_time;
  } else if (const auto* atc = std::get_if<cwmp::AutonomousTransferComplete>(&request)) {
    f["kind"] = "AutonomousTransferComplete";
    f["announce_url"] = atc->announce_url;
    f["transfer_url"] = atc->transfer_url;
    f["is_download"] = atc->is_download ? "1" : "0";
    f["file_type"] = atc->file_type;
    f["file_size"] = std::to_string(atc->file_size);
    f["target_file_name"] = atc->target_file_name;
    PutFault(f, "", atc->fault);
    f["start"] = atc->start_time;
    f["complete"] = atc->complete_time;
  } else if (const auto* du = std::get_if<cwmp::DUStateChangeComplete>(&request)) {
    f["kind"] = "DUStateChangeComplete";
    f["command_key"] = du->command_key;
    f["results"] = std::to_string(du->results.size());
    for (size_t i = 0; i < du->results.size(); ++i) {
      const auto& r = du->results[i];
      std::string p = "r" + std::to_string(i) + ".";
      f[p + "uuid"] = r.uuid;
      f[p + "du_ref"] = r.deployment_unit_ref;
      f[p + "version"] = r.version;
      f[p + "state"] = r.current_state;
      f[p + "resolved"] = r.resolved ? "1" : "0";
      f[p + "eu_refs"] = r.execution_unit_ref_list;
      f[p + "start"] = r.start_time;
      f[p + "complete"] = r.complete_time;
      PutFault(f, p, r.fault);
    }
  } else {
    f["kind"] = "GetRPCMethods";
  }
  return Join(f);
}

Result<cwmp::CpeRequest> DeserializeRequest(const std::string& text) {
  Fields f = Split(text);
  const std::string kind = f["kind"];
  if (kind == "TransferComplete") {
    cwmp::TransferComplete tc;
    tc.command_key = f["command_key"];
    tc.fault = GetFault(f, "");
    tc.start_time = f["start"];
    tc.complete_time = f["complete"];
    return cwmp::CpeRequest(tc);
  }
  if (kind == "AutonomousTransferComplete") {
    cwmp::AutonomousTransferComplete atc;
    atc.announce_url = f["announce_url"];
    atc.transfer_url = f["transfer_url"];
    atc.is_download = f["is_download"] == "1";
    atc.file_type = f["file_type"];
    atc.file_size = static_cast<uint32_t>(std::strtoul(f["file_size"].c_str(), nullptr, 10));
    atc.target_file_name = f["target_file_name"];
    atc.fault = GetFault(f, "");
    atc.start_time = f["start"];
    atc.complete_time = f["complete"];
    return cwmp::CpeRequest(atc);
  }
  if (kind == "DUStateChangeComplete") {
    cwmp::DUStateChangeComplete du;
    du.command_key = f["command_key"];
    size_t n = std::strtoul(f["results"].c_str(), nullptr, 10);
    for (size_t i = 0; i < n && i < 1024; ++i) {
      std::string p = "r" + std::to_string(i) + ".";
      cwmp::DuOpResult r;
      r.uuid = f[p + "uuid"];
      r.deployment_unit_ref = f[p + "du_ref"];
      r.version = f[p + "version"];
      r.current_state = f[p + "state"];
      r.resolved = f[p + "resolved"] == "1";
      r.execution_unit_ref_list = f[p + "eu_refs"];
      r.start_time = f[p + "start"];
      r.complete_time = f[p + "complete"];
      r.fault = GetFault(f, p);
      du.results.push_back(std::move(r));
    }
    return cwmp::CpeRequest(du);
  }
  if (kind == "GetRPCMethods") return cwmp::CpeRequest(cwmp::GetRPCMethods{});
  return Status(Code::kInternalError, "stored CPE request of unknown kind '" + kind + "'");
}

Result<std::unique_ptr<EventQueue>> EventQueue::Open(Db& db, std::string ns) {
  PX_RETURN_IF_ERROR(Migrate(
      db, "cwmp_events",
      {"CREATE TABLE cwmp_event(ns TEXT NOT NULL, seq INTEGER NOT NULL, code TEXT NOT NULL,"
       " command_key TEXT NOT NULL, PRIMARY KEY(ns, seq)) WITHOUT ROWID;"
       "CREATE TABLE cwmp_request(ns TEXT NOT NULL, id INTEGER NOT NULL, body TEXT NOT NULL,"
       " events TEXT NOT NULL, PRIMARY KEY(ns, id)) WITHOUT ROWID;"}));
  std::unique_ptr<EventQueue> q(new EventQueue(db, std::move(ns)));
  PX_RETURN_IF_ERROR(q->Load());
  return q;
}

Status EventQueue::Load() {
  auto ev = db_.Prepare("SELECT code, command_key FROM cwmp_event WHERE ns=? ORDER BY seq");
  if (!ev.ok()) return ev.status();
  ev->Bind(0, ns_);
  for (;;) {
    auto row = ev->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    events_.push_back({ev->ColumnText(0), ev->ColumnText(1)});
  }
  auto rq = db_.Prepare("SELECT id, body, events FROM cwmp_request WHERE ns=? ORDER BY id");
  if (!rq.ok()) return rq.status();
  rq->Bind(0, ns_);
  for (;;) {
    auto row = rq->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto request = DeserializeRequest(rq->ColumnText(1));
    if (!request.ok()) continue;  // unreadable entry: skip rather than block the queue forever
    QueuedRequest q{rq->ColumnInt(0), std::move(request).value(), {}};
    Fields evs = Split(rq->ColumnText(2));
    for (size_t i = 0; evs.count("c" + std::to_string(i)); ++i) {
      q.events.push_back({evs["c" + std::to_string(i)], evs["k" + std::to_string(i)]});
    }
    next_request_id_ = std::max(next_request_id_, q.id + 1);
    requests_.push_back(std::move(q));
  }
  return Status::Ok();
}

Status EventQueue::Persist() {
  Transaction tx(db_);
  PX_RETURN_IF_ERROR(tx.begin_status());
  for (const char* sql :
       {"DELETE FROM cwmp_event WHERE ns=?", "DELETE FROM cwmp_request WHERE ns=?"}) {
    auto st = db_.Prepare(sql);
    if (!st.ok()) return st.status();
    st->Bind(0, ns_);
    PX_RETURN_IF_ERROR(st->Run());
  }
  for (size_t i = 0; i < events_.size(); ++i) {
    auto st = db_.Prepare("INSERT INTO cwmp_event(ns, seq, code, command_key) VALUES(?,?,?,?)");
    if (!st.ok()) return st.status();
    st->Bind(0, ns_)
        .Bind(1, static_cast<int64_t>(i))
        .Bind(2, events_[i].code)
        .Bind(3, events_[i].command_key);
    PX_RETURN_IF_ERROR(st->Run());
  }
  for (const auto& q : requests_) {
    Fields evs;
    for (size_t i = 0; i < q.events.size(); ++i) {
      evs["c" + std::to_string(i)] = q.events[i].code;
      evs["k" + std::to_string(i)] = q.events[i].command_key;
    }
    auto st = db_.Prepare("INSERT INTO cwmp_request(ns, id, body, events) VALUES(?,?,?,?)");
    if (!st.ok()) return st.status();
    st->Bind(0, ns_).Bind(1, q.id).Bind(2, SerializeRequest(q.request)).Bind(3, Join(evs));
    PX_RETURN_IF_ERROR(st->Run());
  }
  return tx.Commit();
}

bool EventQueue::Has(const std::string& code) const {
  return std::any_of(events_.begin(), events_.end(), [&](const auto& e) { return e.code == code; });
}

Status EventQueue::Add(const std::string& code, const std::string& command_key) {
  if (code == "0 BOOTSTRAP") {
    if (Has(code)) return Status::Ok();  // already bootstrapping: keep what queued since
    events_.clear();
    requests_.clear();
  }
  cwmp::EventStruct e{code, IsMulti(code) ? command_key : ""};
  if (!IsMulti(code) && Has(code)) return Status::Ok();
  if (IsMulti(code) && std::find(events_.begin(), events_.end(), e) != events_.end())
    return Status::Ok();
  events_.push_back(std::move(e));
  return Persist();
}

Status EventQueue::OnInformAcknowledged(const std::vector<cwmp::EventStruct>& delivered) {
  // Events still referenced by a queued request stay.
  auto referenced = [&](const cwmp::EventStruct& e) {
    for (const auto& q : requests_) {
      if (std::find(q.events.begin(), q.events.end(), e) != q.events.end()) return true;
    }
    return false;
  };
  std::vector<cwmp::EventStruct> kept;
  for (const auto& e : events_) {
    bool was_delivered = std::find(delivered.begin(), delivered.end(), e) != delivered.end();
    if (!was_delivered || (TiedToRequest(e.code) && referenced(e))) kept.push_back(e);
  }
  events_ = std::move(kept);
  return Persist();
}

Status EventQueue::OnSessionFailed() {
  auto it = std::remove_if(events_.begin(), events_.end(),
                           [](const auto& e) { return e.code == "6 CONNECTION REQUEST"; });
  if (it == events_.end()) return Status::Ok();
  events_.erase(it, events_.end());
  return Persist();
}

Status EventQueue::OnStartup() { return OnSessionFailed(); }

Status EventQueue::Enqueue(const cwmp::CpeRequest& request,
                           const std::vector<cwmp::EventStruct>& events) {
  requests_.push_back({next_request_id_++, request, events});
  for (const auto& e : events) {
    if (std::find(events_.begin(), events_.end(), e) == events_.end()) events_.push_back(e);
  }
  return Persist();
}

Status EventQueue::OnRequestAcknowledged(int64_t id) {
  auto it =
      std::find_if(requests_.begin(), requests_.end(), [id](const auto& q) { return q.id == id; });
  if (it == requests_.end()) return Status::Ok();
  std::vector<cwmp::EventStruct> released = it->events;
  requests_.erase(it);
  // Release its events unless another queued request still needs them.
  for (const auto& e : released) {
    bool still = std::any_of(requests_.begin(), requests_.end(), [&](const auto& q) {
      return std::find(q.events.begin(), q.events.end(), e) != q.events.end();
    });
    if (!still) events_.erase(std::remove(events_.begin(), events_.end(), e), events_.end());
  }
  return Persist();
}

Status EventQueue::Clear() {
  events_.clear();
  requests_.clear();
  return Persist();
}

}  // namespace proxier::core
