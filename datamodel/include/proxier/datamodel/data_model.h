// DataModel: the façade a CWMP client talks to. Routes paths to providers by mount point, merges
// their answers, keeps SetParameterValues atomic, stores attributes and tracks notified changes.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "proxier/common/sqlite.h"
#include "proxier/datamodel/computed_provider.h"
#include "proxier/datamodel/provider.h"
#include "proxier/datamodel/stored_provider.h"

namespace proxier::datamodel {

struct ParamAttributes {
  std::string name;
  int notification = 0;
  std::vector<std::string> access_list;
  friend bool operator==(const ParamAttributes&, const ParamAttributes&) = default;
};

// One SetParameterAttributesStruct.
struct AttributeChange {
  std::string name;  // parameter or partial path
  bool notification_change = false;
  int notification = 0;
  bool access_list_change = false;
  std::vector<std::string> access_list;
};

struct SetResult {
  Status status;                   // ok, or 9003 with `faults`, or a fault of the apply phase
  std::vector<ParamFault> faults;  // one per failing parameter (SetParameterValuesFault)
  int apply_status = 0;            // 0 applied, 1 committed but applied later
};

// A change of a parameter whose Notification is >= 1, as reported to one client.
struct NotifiedChange {
  ParamValue value;
  int notification = 0;
};

// Work to run inside the transaction that commits a SetParameterValues/AddObject/DeleteObject
// (the CWMP client stores ParameterKey here). A non-ok Status rolls everything back.
using InTransaction = std::function<Status()>;

// Thread: engine thread only. Callbacks run on it, possibly before the call returns.
class DataModel final : public ChangeSink {
 public:
  // `db` is borrowed. Attributes are stored under namespace `ns`. Errors: 9002 on storage errors.
  static Result<std::unique_ptr<DataModel>> Create(Db& db, std::string ns);
  ~DataModel() override;

  // Serves paths at/under `prefix` ("Device.X." for a subtree, or a full parameter name) from
  // `provider` (borrowed; must stay valid until Unmount or the DataModel's destruction, and must
  // not report changes after the DataModel is gone). The longest matching prefix wins.
  void Mount(const std::string& prefix, Provider* provider);
  // Mounts every parameter of a ComputedProvider on its own name.
  void MountComputed(ComputedProvider* provider);
  void Unmount(const std::string& prefix);
  // The provider used for internal writes (SetInternal & co.). Also mounted by the caller.
  void SetStore(StoredProvider* store) { store_ = store; }
  StoredProvider* store() const { return store_; }

  // GetParameterValues. Errors: the first fault of any provider (9005 unknown name, ...).
  void GetValues(const std::vector<std::string>& names,
                 std::function<void(Result<std::vector<ParamValue>>)> done);
  // GetParameterNames ("" is the root; NextLevel semantics of TR-069).
  void GetNames(const std::string& path, bool next_level,
                std::function<void(Result<std::vector<ParamInfo>>)> done);
  // SetParameterValues: validates every item with its provider first; if any fails nothing is
  // applied and each failing item gets its own fault. Otherwise remote providers apply first,
  // then local ones and `in_tx` in one SQLite transaction. `origin` identifies the client that
  // asked (its own change is not notified back to it).
  void SetValues(const std::vector<SetItem>& items, const std::string& origin, InTransaction in_tx,
                 std::function<void(SetResult)> done);
  void AddObject(const std::string& table, const std::string& origin, InTransaction in_tx,
                 std::function<void(Result<AddResult>)> done);
  void DeleteObject(const std::string& row, const std::string& origin, InTransaction in_tx,
                    std::function<void(Result<DeleteResult>)> done);

  // SetParameterAttributes, all-or-nothing. Errors: 9005, 9009 (refused notification), 9003.
  void SetAttributes(const std::vector<AttributeChange>& changes, std::function<void(Status)> done);
  // GetParameterAttributes (partial paths expand to all parameters below).
  void GetAttributes(const std::vector<std::string>& names,
                     std::function<void(Result<std::vector<ParamAttributes>>)> done);
  // Effective Notification of a parameter name (stored or its default).
  int NotificationOf(const std::string& name) const;
  // Declares a parameter whose default Notification is not 0 (forceEnabled/forceDefaultEnabled).
  void SetDefaultNotification(const std::string& name, int level, bool forced);

  // Daemon-side writes to stored parameters (no ACS writability check), recorded as changes
  // with an empty origin so every client is notified.
  Status SetInternal(const std::string& name, const std::string& value);
  Result<AddResult> AddRowInternal(const std::string& table, std::optional<uint32_t> wanted = {});
  Result<DeleteResult> DeleteRowInternal(const std::string& row);

  // Change tracking. A client registers once; from then on every change of a parameter with
  // Notification >= 1 not caused by that client is kept for it until TakeChanges.
  void TrackClient(const std::string& client, std::function<void()> on_active_change = {});
  void UntrackClient(const std::string& client);
  std::vector<NotifiedChange> TakeChanges(const std::string& client);
  bool HasPendingChanges(const std::string& client, int min_level) const;
  // Re-reads every notified parameter and records those whose value differs from the last one
  // seen (the first read only sets the baseline). Used for values nobody reports (UpTime-like
  // counters, polled devices).
  void RefreshNotified(std::function<void()> done);
  // Called for every recorded value change (any notification), after commit.
  using Listener = std::function<void(const ParamValue&, const std::string& origin)>;
  void AddListener(Listener listener);

  // ChangeSink: a provider saw a value change by itself.
  void ValueChanged(const ParamValue& value) override;
  void RecordChange(const ParamValue& value, const std::string& origin);

 private:
  DataModel(Db& db, std::string ns);
  Provider* Owner(const std::string& name) const;
  std::vector<std::pair<std::string, Provider*>> MountsBelow(const std::string& path) const;
  Status LoadAttributes();
  Status ApplyLocal(const std::vector<std::pair<Provider*, std::vector<SetItem>>>& groups,
                    const InTransaction& in_tx, int* status);
  void FinishSet(const std::vector<SetItem>& items, const std::string& origin, int status,
                 std::function<void(SetResult)> done);
  void ExpandParams(const std::vector<std::string>& names,
                    std::function<void(Result<std::vector<ParamInfo>>)> done);
  // Forgets attributes, snapshots and pending changes of a deleted row (memory only).
  void ForgetBelow(const std::string& row);
  // Deletes the stored attributes of a row's subtree (inside the caller's transaction).
  Status DropAttributesBelow(const std::string& row);

  struct Attr {
    int notification = 0;
    std::string access_list;  // comma-separated
  };
  struct Client {
    std::map<std::string, NotifiedChange> pending;
    std::function<void()> on_active_change;
  };

  Db& db_;
  std::string ns_;
  StoredProvider* store_ = nullptr;
  std::map<std::string, Provider*> mounts_;
  std::unordered_map<std::string, Attr> attrs_;                     // stored attributes
  std::unordered_map<std::string, std::pair<int, bool>> defaults_;  // default level, forced
  std::unordered_map<std::string, std::string> snapshot_;           // last value of notified params
  std::map<std::string, Client> clients_;
  std::vector<Listener> listeners_;
};

}  // namespace proxier::datamodel
