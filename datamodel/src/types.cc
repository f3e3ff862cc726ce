// xsi:type names of CWMP value types.
#include "proxier/datamodel/types.h"

namespace proxier::datamodel {

std::string_view XsiTypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "xsd:string";
    case ValueType::kInt:
      return "xsd:int";
    case ValueType::kUnsignedInt:
      return "xsd:unsignedInt";
    case ValueType::kLong:
      return "xsd:long";
    case ValueType::kUnsignedLong:
      return "xsd:unsignedLong";
    case ValueType::kBoolean:
      return "xsd:boolean";
    case ValueType::kDateTime:
      return "xsd:dateTime";
    case ValueType::kBase64:
      return "xsd:base64";
    case ValueType::kHexBinary:
      return "xsd:hexBinary";
    case ValueType::kDecimal:
      return "xsd:decimal";
  }
  return "xsd:string";
}

std::optional<ValueType> ParseTypeElement(std::string_view name) {
  if (name == "string") return ValueType::kString;
  if (name == "int") return ValueType::kInt;
  if (name == "unsignedInt") return ValueType::kUnsignedInt;
  if (name == "long") return ValueType::kLong;
  if (name == "unsignedLong") return ValueType::kUnsignedLong;
  if (name == "boolean") return ValueType::kBoolean;
  if (name == "dateTime") return ValueType::kDateTime;
  if (name == "base64" || name == "base64Binary") return ValueType::kBase64;
  if (name == "hexBinary") return ValueType::kHexBinary;
  if (name == "decimal") return ValueType::kDecimal;
  return std::nullopt;
}

std::optional<ValueType> ParseXsiType(std::string_view text) {
  auto colon = text.find(':');
  if (colon != std::string_view::npos) text.remove_prefix(colon + 1);
  return ParseTypeElement(text);
}

bool IsIntegerType(ValueType type) {
  return type == ValueType::kInt || type == ValueType::kUnsignedInt || type == ValueType::kLong ||
         type == ValueType::kUnsignedLong;
}

}  // namespace proxier::datamodel
