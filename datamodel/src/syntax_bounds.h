// Integer bounds of the CWMP integer types.
#pragma once

#include "proxier/datamodel/schema.h"
#include "proxier/datamodel/types.h"

namespace proxier::datamodel {

WideInt TypeMin(ValueType type);
WideInt TypeMax(ValueType type);

}  // namespace proxier::datamodel
