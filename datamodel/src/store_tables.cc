// Migrations for the datamodel tables.
#include "store_tables.h"

namespace proxier::datamodel {

Status MigrateDataModelTables(Db& db) {
  return Migrate(
      db, "datamodel",
      {
          // v1: values, table rows, never-reused row counters, attributes.
          "CREATE TABLE dm_value(ns TEXT NOT NULL, path TEXT NOT NULL, value TEXT NOT NULL,"
          " PRIMARY KEY(ns, path)) WITHOUT ROWID;"
          "CREATE TABLE dm_row(ns TEXT NOT NULL, tbl TEXT NOT NULL, num INTEGER NOT NULL,"
          " PRIMARY KEY(ns, tbl, num)) WITHOUT ROWID;"
          "CREATE TABLE dm_counter(ns TEXT NOT NULL, tbl TEXT NOT NULL,"
          " next INTEGER NOT NULL, PRIMARY KEY(ns, tbl)) WITHOUT ROWID;"
          "CREATE TABLE dm_attr(ns TEXT NOT NULL, path TEXT NOT NULL,"
          " notification INTEGER NOT NULL, access_list TEXT NOT NULL,"
          " PRIMARY KEY(ns, path)) WITHOUT ROWID;",
      });
}

std::string PrefixEnd(const std::string& prefix) {
  std::string end = prefix;
  if (!end.empty()) end.back() = static_cast<char>(end.back() + 1);
  return end;
}

}  // namespace proxier::datamodel
