// CWMP path syntax: full parameter names, partial paths ("X.Y."), instance numbers, schema paths.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "proxier/common/status.h"

namespace proxier::datamodel {

// A TR-106 name segment: starts with a letter or '_', then letters, digits, '_' or '-'.
bool IsValidNameSegment(std::string_view segment);
// A CWMP instance number: decimal, >= 1, no leading zero, fits in 32 bits.
bool IsInstanceSegment(std::string_view segment);
// True for "" (the root) and any path ending in '.'.
inline bool IsPartialPath(std::string_view path) { return path.empty() || path.back() == '.'; }

// Checks the syntax of `path`. `allow_partial` permits "" and "A.B." forms. Errors: 9005 naming
// the path ("Device..X", "Device.1", a leading instance, bad characters, a path not under
// "Device.").
Status CheckPathSyntax(std::string_view path, bool allow_partial);

// Splits "Device.A.1.B" into {"Device","A","1","B"}; the trailing '.' of a partial path adds no
// empty segment.
std::vector<std::string_view> SplitPath(std::string_view path);

// Replaces every instance number by "{i}": "Device.A.3.B." -> "Device.A.{i}.B.".
std::string ToSchemaPath(std::string_view path);

// The object that contains `path`: "Device.A.B" -> "Device.A.", "Device.A.B." -> "Device.A.",
// "Device." -> "".
std::string_view ParentPath(std::string_view path);
// Last segment: "Device.A.B" -> "B", "Device.A.3." -> "3".
std::string_view LastSegment(std::string_view path);
// True when `path` equals `prefix` or lies below it (prefix must be "" or end in '.').
bool IsUnder(std::string_view path, std::string_view prefix);

// `path` (a path or one name) with `from` replaced by `to` at the start of every dot-separated
// segment that begins with `from`; other occurrences stay. Used for vendor prefixes:
// ("Device.X_02C0DE_Proxy.X_02C0DE_Mode", "X_02C0DE_", "X_ABCDEF_") ->
// "Device.X_ABCDEF_Proxy.X_ABCDEF_Mode". An empty `from` changes nothing.
std::string ReplaceSegmentPrefix(std::string_view path, std::string_view from, std::string_view to);

}  // namespace proxier::datamodel
