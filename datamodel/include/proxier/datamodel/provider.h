// Provider: the asynchronous interface behind which one part of the data model is served.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "proxier/common/status.h"
#include "proxier/datamodel/schema.h"
#include "proxier/datamodel/types.h"

namespace proxier::datamodel {

struct ParamValue {
  std::string name;
  std::string value;
  ValueType type = ValueType::kString;
  friend bool operator==(const ParamValue&, const ParamValue&) = default;
};

// One entry of a GetParameterNames answer. Objects (and table rows) end in '.'.
struct ParamInfo {
  std::string name;
  bool writable = false;
  // Active-notification policy (parameters only) and whether it is always in the Inform.
  ActiveNotify active_notify = ActiveNotify::kNormal;
  bool forced_inform = false;
  friend bool operator==(const ParamInfo&, const ParamInfo&) = default;
};

struct SetItem {
  std::string name;
  std::string value;
  std::optional<ValueType> declared_type;  // the xsi:type sent by the ACS
};

// A per-parameter fault (SetParameterValuesFault, or a failed item of another batch).
struct ParamFault {
  std::string name;
  Status status;
};

struct AddResult {
  uint32_t instance = 0;
  int status = 0;  // 0 applied, 1 accepted and applied later
  // Values that changed as a side effect (e.g. the table's NumberOfEntries), for notification.
  std::vector<ParamValue> side_changes;
};

struct DeleteResult {
  int status = 0;
  std::vector<ParamValue> side_changes;
};

// Receives value changes that a provider observes by itself (a device event, a computed value).
// Thread: engine thread.
class ChangeSink {
 public:
  virtual ~ChangeSink() = default;
  virtual void ValueChanged(const ParamValue& value) = 0;
};

// Serves the subtree (or single parameter) mounted at a prefix of a DataModel. All paths given
// to a provider lie at or below its mount point. Completion callbacks may run synchronously
// (stored/computed providers) or later on the engine thread (ProxyProvider); each is called exactly
// once. Thread: engine thread only.
class Provider {
 public:
  template <typename T>
  using Done = std::function<void(Result<T>)>;

  virtual ~Provider() = default;

  // True when Apply/Add/Delete write to the DataModel's own database synchronously, so the
  // DataModel can run them inside its transaction.
  virtual bool IsLocal() const = 0;

  // Values of full parameter names and partial paths (all parameters below). Errors: 9005 for an
  // unknown name, or any fault the backend reports.
  virtual void GetValues(const std::vector<std::string>& names,
                         Done<std::vector<ParamValue>> done) = 0;

  // GetParameterNames semantics for `path` (an object path ending in '.' or a parameter name);
  // `path` itself is included when next_level is false. Errors: 9005, 9003 (next_level on a
  // parameter).
  virtual void GetNames(const std::string& path, bool next_level,
                        Done<std::vector<ParamInfo>> done) = 0;

  // Phase 1 of SetParameterValues: checks every item without changing anything; completes with
  // one fault per failing item (empty when all are valid).
  virtual void ValidateSet(const std::vector<SetItem>& items,
                           std::function<void(std::vector<ParamFault>)> done) = 0;

  // Phase 2: applies items that passed ValidateSet. Completes with 0 (applied) or 1 (committed,
  // applied later), or a fault. Local providers complete before returning.
  virtual void ApplySet(const std::vector<SetItem>& items, Done<int> done) = 0;

  // Creates a row in table `table` ("Device.A.B."). Default: 9005 (no tables here).
  virtual void AddObject(const std::string& table, Done<AddResult> done);
  // Deletes row `row` ("Device.A.B.3.") with its whole subtree. Default: 9005.
  virtual void DeleteObject(const std::string& row, Done<DeleteResult> done);

  // Notification for `param` changed to `level` (0-2), after the DataModel stored it; a proxy
  // subscribes to the device's change events here. Default: nothing.
  virtual void NotificationChanged(const std::string& param, int level);

  // Where to report changes the provider observes by itself; set by DataModel::Mount (nullptr on
  // Unmount). Borrowed.
  void SetChangeSink(ChangeSink* sink) { sink_ = sink; }

 protected:
  ChangeSink* sink() const { return sink_; }

 private:
  ChangeSink* sink_ = nullptr;
};

}  // namespace proxier::datamodel
