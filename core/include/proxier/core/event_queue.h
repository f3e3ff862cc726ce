// EventQueue: a CWMP client's undelivered Inform events and queued CPE requests, persisted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proxier/common/sqlite.h"
#include "proxier/core/cwmp_messages.h"

namespace proxier::core {

// Retention rules (TR-069 event table as digested in spec/cwmp.md):
// - single events ("0 BOOTSTRAP" ... "14 HEARTBEAT") are cumulative: adding one that is queued
//   already is a no-op; "M ..." events are kept one per occurrence.
// - "0 BOOTSTRAP" discards every other queued event and request (first contact, factory reset, new
//   ACS URL).
// - after a failed session "6 CONNECTION REQUEST" is dropped (it is not retried); everything else
//   stays.
// - after a successful Inform the delivered events are removed, except "7 TRANSFER COMPLETE",
//   "10 AUTONOMOUS TRANSFER COMPLETE", "11/12 ... DU STATE CHANGE COMPLETE" and their "M ..."
//   events, which stay until the matching CPE request (TransferComplete, ...) is acknowledged.
// - at start-up "6 CONNECTION REQUEST" is dropped (a request to a previous process is void).
// Every change is committed before the call returns. Thread: engine thread.
class EventQueue {
 public:
  // `db` is borrowed; `ns` keeps several clients apart in one database.
  static Result<std::unique_ptr<EventQueue>> Open(Db& db, std::string ns);

  Status Add(const std::string& code, const std::string& command_key = "");
  std::vector<cwmp::EventStruct> Events() const { return events_; }
  bool Has(const std::string& code) const;
  // The Inform carrying `delivered` was acknowledged.
  Status OnInformAcknowledged(const std::vector<cwmp::EventStruct>& delivered);
  Status OnSessionFailed();
  Status OnStartup();

  // Queued CPE requests (TransferComplete, AutonomousTransferComplete, DUStateChangeComplete),
  // sent one at a time after the InformResponse. Each carries the events it keeps alive.
  struct QueuedRequest {
    int64_t id = 0;
    cwmp::CpeRequest request;
    std::vector<cwmp::EventStruct> events;  // removed when this request is acknowledged
  };
  Status Enqueue(const cwmp::CpeRequest& request, const std::vector<cwmp::EventStruct>& events);
  const std::vector<QueuedRequest>& Requests() const { return requests_; }
  Status OnRequestAcknowledged(int64_t id);
  Status Clear();

 private:
  EventQueue(Db& db, std::string ns) : db_(db), ns_(std::move(ns)) {}
  Status Load();
  Status Persist();

  Db& db_;
  std::string ns_;
  std::vector<cwmp::EventStruct> events_;
  std::vector<QueuedRequest> requests_;
  int64_t next_request_id_ = 1;
};

// Serialization of the CPE requests the queue stores (one line of key=value pairs, escaped).
std::string SerializeRequest(const cwmp::CpeRequest& request);
Result<cwmp::CpeRequest> DeserializeRequest(const std::string& text);

}  // namespace proxier::core
