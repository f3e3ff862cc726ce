// StoredProvider: serves schema-defined objects from SQLite (values, table rows, row counters).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "proxier/common/sqlite.h"
#include "proxier/datamodel/provider.h"
#include "proxier/datamodel/schema.h"

namespace proxier::datamodel {

// Every object and parameter of a Schema, persisted in the datamodel tables of a Db under a
// namespace (one per data-model root: the gateway, each virtual device). Values never written
// read as the schema default (or the type's zero value); hidden/secured parameters read as "".
// Row numbers come from a persisted per-table counter and are never reused.
// Thread: engine thread (the Db's owner). Callbacks complete before the call returns.
class StoredProvider final : public Provider {
 public:
  // `db` and `schema` are borrowed and must outlive the provider. Runs the datamodel migrations.
  static Result<std::unique_ptr<StoredProvider>> Create(Db& db, const Schema& schema,
                                                        std::string ns);

  bool IsLocal() const override { return true; }
  void GetValues(const std::vector<std::string>& names,
                 Done<std::vector<ParamValue>> done) override;
  void GetNames(const std::string& path, bool next_level,
                Done<std::vector<ParamInfo>> done) override;
  void ValidateSet(const std::vector<SetItem>& items,
                   std::function<void(std::vector<ParamFault>)> done) override;
  void ApplySet(const std::vector<SetItem>& items, Done<int> done) override;
  void AddObject(const std::string& table, Done<AddResult> done) override;
  void DeleteObject(const std::string& row, Done<DeleteResult> done) override;

  // Daemon-side access that ignores ACS writability (read-only status values, rows the daemon
  // owns). Values are still type-checked (9006/9007). Synchronous.
  Result<std::string> Get(const std::string& name);
  // The stored text of a hidden/secured parameter (a password), which Get/GetValues read as "".
  // Errors: 9005 for unknown names.
  Result<std::string> GetSecret(const std::string& name);
  Status SetInternal(const std::string& name, const std::string& value);
  // Adds a row; `wanted` asks for a specific number (used when a number must be stable, e.g.
  // restored from another table); fails with 9004 if it is taken or the table is full.
  Result<AddResult> AddRowInternal(const std::string& table, std::optional<uint32_t> wanted = {});
  Result<DeleteResult> DeleteRowInternal(const std::string& row);
  // Numbers of the existing rows of `table` ("Device.A.B."), ascending.
  Result<std::vector<uint32_t>> Rows(const std::string& table);

  const Schema& schema() const { return schema_; }
  const std::string& ns() const { return ns_; }

  // Deletes every value, row, row counter and attribute stored under namespace `ns` (a factory
  // reset of one data-model root). No provider or DataModel of `ns` may be in use: rebuild them
  // afterwards. Errors: 9002 on storage errors.
  static Status WipeNamespace(Db& db, const std::string& ns);

 private:
  StoredProvider(Db& db, const Schema& schema, std::string ns);

  // What an instance path names, after existence checks.
  struct Resolved {
    const ObjectDef* object = nullptr;  // the object (or row template for a table path)
    bool is_table = false;              // "Device.A.B." where B is a table
    const ParamDef* param = nullptr;    // for parameter names
  };
  // Errors: 9005 for unknown names or missing rows.
  Result<Resolved> Resolve(const std::string& path);
  Result<bool> RowExists(const std::string& table, uint32_t number);
  // Values below `prefix` (ending in '.') from the store, one range query.
  Result<std::unordered_map<std::string, std::string>> LoadValues(const std::string& prefix);
  Result<std::string> ReadParam(const std::string& object_path, const ObjectDef& obj,
                                const ParamDef& def,
                                const std::unordered_map<std::string, std::string>& stored);
  Status WalkValues(const std::string& object_path, const ObjectDef& obj,
                    const std::unordered_map<std::string, std::string>& stored,
                    std::vector<ParamValue>* out);
  Status WalkNames(const std::string& object_path, const ObjectDef& obj, bool recurse,
                   std::vector<ParamInfo>* out);
  Status WalkTableRows(const std::string& table, const ObjectDef& row_def, bool recurse,
                       std::vector<ParamInfo>* out);
  Status CheckItem(const SetItem& item, bool internal, std::string* canonical);
  Status WriteValue(const std::string& name, const std::string& value);
  // The parent's NumberOfEntries value after a row change in `table`, if the schema names one.
  Result<std::vector<ParamValue>> CountChange(const std::string& table, const ObjectDef& row_def);

  Db& db_;
  const Schema& schema_;
  std::string ns_;
  // schema path of a NumberOfEntries parameter -> schema path of the table row it counts.
  std::unordered_map<std::string, std::string> counted_tables_;
};

}  // namespace proxier::datamodel
