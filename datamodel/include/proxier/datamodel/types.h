// CWMP value types and their xsi:type names.
#pragma once

#include <optional>
#include <string_view>

namespace proxier::datamodel {

// The TR-106 primitive types a CWMP parameter can have.
enum class ValueType {
  kString,
  kInt,
  kUnsignedInt,
  kLong,
  kUnsignedLong,
  kBoolean,
  kDateTime,
  kBase64,
  kHexBinary,
  kDecimal,
};

// "xsd:string", "xsd:unsignedInt", ... (decimal -> "xsd:decimal").
std::string_view XsiTypeName(ValueType type);
// Parses an xsi:type value with any namespace prefix ("xsd:int", "xs:int", "int"); nullopt if not a
// CWMP type.
std::optional<ValueType> ParseXsiType(std::string_view text);
// Parses a TR-106 syntax element name ("string", "unsignedInt", ...).
std::optional<ValueType> ParseTypeElement(std::string_view element);
bool IsIntegerType(ValueType type);

}  // namespace proxier::datamodel
