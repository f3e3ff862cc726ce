// Schema: object and parameter definitions of a data model, as loaded from BBF DM XML files.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "proxier/build_config.h"
#include "proxier/common/status.h"
#include "proxier/datamodel/types.h"

namespace proxier::datamodel {

// How a parameter takes active notification (TR-106 "activeNotify").
enum class ActiveNotify {
  kNormal,               // 0, 1 or 2 may be set
  kCanDeny,              // the CPE may refuse 2; we accept unless the value is volatile
  kDenied,               // 2 is refused with 9009 (decided at run time, e.g. for counters)
  kForceEnabled,         // always 2; any other value is refused with 9009
  kForceDefaultEnabled,  // 2 by default, may be changed
};

// A signed integer spanning every CWMP integer type, -(2^64-1) .. 2^64-1, as sign and magnitude
// (__int128 does not exist on 32-bit targets such as armhf). A parsed value beyond that span is
// kept as `beyond`: it compares past every representable value of its sign. Plain value type.
class WideInt {
 public:
  constexpr WideInt(int64_t v = 0)  // NOLINT(google-explicit-constructor): literals in ranges
      : negative_(v < 0), magnitude_(v < 0 ? 0 - static_cast<uint64_t>(v) : v) {}
  static constexpr WideInt Unsigned(uint64_t v) { return WideInt(false, v, false); }
  // Decimal text, optionally signed; false on anything else (or more than 30 digits).
  static bool Parse(std::string_view text, WideInt* out);
  std::string ToString() const;  // canonical decimal ("-0" never appears)

  bool negative() const { return negative_; }
  uint64_t magnitude() const { return magnitude_; }
  bool beyond() const { return beyond_; }
  // (*this - base) % step == 0, for *this >= base and step >= 1.
  bool AlignedTo(const WideInt& base, uint64_t step) const;

  friend bool operator==(const WideInt&, const WideInt&) = default;
  friend std::strong_ordering operator<=>(const WideInt& a, const WideInt& b) {
    if (a.negative_ != b.negative_)
      return a.negative_ ? std::strong_ordering::less : std::strong_ordering::greater;
    auto mag = [](const WideInt& w) { return std::pair(w.beyond_, w.magnitude_); };
    return a.negative_ ? mag(b) <=> mag(a) : mag(a) <=> mag(b);
  }

 private:
  constexpr WideInt(bool negative, uint64_t magnitude, bool beyond)
      : negative_(negative), magnitude_(magnitude), beyond_(beyond) {}
  bool negative_ = false;  // never set for zero
  uint64_t magnitude_ = 0;
  bool beyond_ = false;
};

// An inclusive integer range (any integer type) with an optional step.
struct IntRange {
  WideInt min;
  WideInt max;
  int64_t step = 1;
};

// The value constraints of a parameter (TR-106 <syntax>).
struct Syntax {
  ValueType type = ValueType::kString;
  std::string data_type;               // named type it was derived from ("IPAddress"), if any
  std::optional<uint32_t> min_length;  // string length, or decoded bytes for base64/hexBinary
  std::optional<uint32_t> max_length;
  std::vector<IntRange> ranges;             // value must be in one of them (integers)
  std::vector<std::string> decimal_ranges;  // "min:max" pairs for decimals, text
  std::vector<std::string> enumerations;    // allowed values (each list item, for lists)
  std::vector<std::string> patterns;        // XSD regex; value must match one of them
  bool is_list = false;                     // comma-separated list of items of this syntax
  std::optional<uint32_t> list_min_items;
  std::optional<uint32_t> list_max_items;
  std::optional<uint32_t> list_max_length;  // length of the whole list text
  bool hidden = false;                      // read back as "" (TR-106 hidden)
  bool secured = false;                     // password-like: read back as ""
  bool command = false;                     // command parameter (read back as "")
};

struct ParamDef {
  std::string name;  // last segment only
  bool writable = false;
  Syntax syntax;
  ActiveNotify active_notify = ActiveNotify::kNormal;
  bool forced_inform = false;
  std::optional<std::string> default_value;  // <default type="object"> / "factory"
};

struct ObjectDef {
  std::string path;       // schema path ending in '.', e.g. "Device.NAT.PortMapping.{i}."
  bool writable = false;  // table: AddObject/DeleteObject allowed; otherwise readWrite object
  bool multi = false;     // a table row template (path ends in ".{i}.")
  uint32_t min_entries = 1;
  std::optional<uint32_t> max_entries;  // nullopt = unbounded
  std::string num_entries_param;        // e.g. "PortMappingNumberOfEntries" (in the parent)
  std::vector<ParamDef> params;
  std::vector<std::string> child_objects;  // schema paths of direct children, sorted
  std::vector<std::vector<std::string>> unique_keys;

  const ParamDef* FindParam(std::string_view name) const;
};

// A set of object definitions plus named data types. Built by the loader, read-only afterwards.
// Thread: immutable after Finalize(); safe to read from any thread.
class Schema {
 public:
  // Adds or extends an object (same path again merges parameters; later definitions win).
  void AddObject(ObjectDef object);
  // Registers a named data type (TR-106 <dataType>), e.g. "IPAddress".
  void AddDataType(std::string name, Syntax syntax);
  const Syntax* FindDataType(std::string_view name) const;

  // Builds the child lists; adds missing intermediate objects. Errors: 9002 naming an object
  // whose parent is missing and not derivable.
  Status Finalize();

  // Lookup by schema path ("Device.A.{i}." for objects, "Device.A.{i}.P" for parameters).
  const ObjectDef* FindObject(std::string_view schema_path) const;
  const ParamDef* FindParam(std::string_view schema_param_path,
                            const ObjectDef** owner = nullptr) const;
  // Objects in path order.
  const std::map<std::string, ObjectDef, std::less<>>& objects() const { return objects_; }
  size_t object_count() const { return objects_.size(); }
  size_t param_count() const;

 private:
  std::map<std::string, ObjectDef, std::less<>> objects_;
  std::unordered_map<std::string, Syntax> data_types_;
};

// Vendor prefix that our definition files are written with, and the one this build uses
// (X_<PROXIER_VENDOR_OUI>_). The loader rewrites the first into the second, so a vendor build
// names its extensions with its own OUI without editing the files.
inline constexpr std::string_view kDefsVendorPrefix = "X_02C0DE_";
inline constexpr std::string_view kBuildVendorPrefix = PROXIER_VENDOR_PREFIX;

// Loads every `*.xml` in `dir` (sorted by name) into `schema` and finalizes it.
Status LoadSchemaDir(const std::string& dir, Schema* schema,
                     std::string_view vendor_prefix = kBuildVendorPrefix);
// Loads one BBF DM XML file (dm:document) into `schema` (not finalized). Descriptions are skipped.
// An object may be named by `name` or, to extend an object defined in an earlier file, by
// `base`. Every name segment (object paths, parameter names, numEntriesParameter, unique-key
// references) that starts with kDefsVendorPrefix gets `vendor_prefix` instead.
// Trust boundary: each element must stand where the DM schema puts it (an <object> inside a
// <uniqueKey>, a <parameter> outside an object, ... are errors), numbers must be numbers, and a
// file is at most kMaxSchemaBytes: nothing in a definition file can crash the loader.
// Errors: 9002 with file, line and reason for unreadable or malformed files.
Status LoadSchemaFile(const std::string& path, Schema* schema,
                      std::string_view vendor_prefix = kBuildVendorPrefix);
// The same from text in memory; `name` names it in errors (the fuzz target's entry point).
Status LoadSchemaText(std::string_view text, const std::string& name, Schema* schema,
                      std::string_view vendor_prefix = kBuildVendorPrefix);
inline constexpr size_t kMaxSchemaBytes = 32 * 1024 * 1024;  // the full TR-181 file is 4.1 MB

}  // namespace proxier::datamodel
