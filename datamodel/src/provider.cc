// Default implementations of the optional Provider operations.
#include "proxier/datamodel/provider.h"

namespace proxier::datamodel {

void Provider::AddObject(const std::string& table, Done<AddResult> done) {
  done(Status(Code::kInvalidParameterName, table + " is not a table"));
}

void Provider::DeleteObject(const std::string& row, Done<DeleteResult> done) {
  done(Status(Code::kInvalidParameterName, row + " is not a table row"));
}

void Provider::NotificationChanged(const std::string& /*param*/, int /*level*/) {}

}  // namespace proxier::datamodel
