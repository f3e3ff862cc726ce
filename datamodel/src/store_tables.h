// The datamodel module's SQLite tables and their migrations.
#pragma once

#include "proxier/common/sqlite.h"

namespace proxier::datamodel {

// Creates/upgrades dm_value, dm_row, dm_counter and dm_attr. Idempotent.
Status MigrateDataModelTables(Db& db);

// Upper bound for a prefix range query: "A.B." -> "A.B/" ('/' follows '.' in ASCII).
std::string PrefixEnd(const std::string& prefix);

}  // namespace proxier::datamodel
