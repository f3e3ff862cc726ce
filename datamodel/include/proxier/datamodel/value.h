// Value validation and canonical forms for every CWMP type (TR-106 syntax facets).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "proxier/common/clock.h"
#include "proxier/common/status.h"
#include "proxier/datamodel/schema.h"
#include "proxier/datamodel/types.h"

namespace proxier::datamodel {

// The Unknown Time of TR-106.
inline constexpr std::string_view kUnknownTime = "0001-01-01T00:00:00Z";

// Checks `value` for the parameter `name` against `syntax` and returns its canonical text
// (booleans "true"/"false"; dateTime in UTC "YYYY-MM-DDThh:mm:ss[.ffffff]Z"; integers without
// '+' or leading zeros; hexBinary lower-case).
// `declared`: the xsi:type the ACS sent, if any; integer types may stand for each other.
// Errors: 9006 when the text is not of the type (or `declared` is another type); 9007 when it is
// of the type but outside size, range, enumeration, pattern or list limits, or a string that is
// not UTF-8 text of XML characters (text::IsXmlText). Messages name `name`.
Result<std::string> CheckValue(std::string_view name, const Syntax& syntax, std::string_view value,
                               std::optional<ValueType> declared = std::nullopt);

// Parses an xsd:dateTime (fractional seconds and offsets allowed; no offset means UTC) into UTC
// canonical text. Errors: 9006.
Result<std::string> CanonicalDateTime(std::string_view text);
// Formats a wall time as "YYYY-MM-DDThh:mm:ssZ" (with_millis: ".mmmZ").
std::string FormatDateTime(WallTime time, bool with_millis = false);
// Seconds since the epoch of a canonical/valid dateTime; nullopt if invalid or Unknown Time.
std::optional<int64_t> DateTimeToEpoch(std::string_view text);

}  // namespace proxier::datamodel
