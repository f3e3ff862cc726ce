// Codecs for the XML payloads of UPnP DM ConfigurationManagement (namespace
// urn:schemas-upnp-org:dm:cms).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "proxier/common/status.h"

namespace proxier::upnp::cms {

inline constexpr char kNamespace[] = "urn:schemas-upnp-org:dm:cms";

// Limits applied when decoding; encoding refuses the same sizes.
struct Limits {
  size_t max_bytes = 4 * 1024 * 1024;  // whole payload
  size_t max_items = 20000;            // entries of one list
  size_t max_path = 1024;              // bytes of one path
  size_t max_value = 256 * 1024;       // bytes of one value
};

struct ParameterValue {
  std::string path;
  std::string value;
  friend bool operator==(const ParameterValue&, const ParameterValue&) = default;
};

// One cms:SupportedDataModels/SubTree.
struct SubTree {
  std::string uri;
  std::string location;
  std::string url;
  std::string description;
  friend bool operator==(const SubTree&, const SubTree&) = default;
};

// One cms:NodeAttributeValueList/Node: its path and attribute name -> value (Access, Type,
// EventOnChange, AlarmOnChange, Version, ...). Encoded in that order, unknown names after.
struct NodeAttributes {
  std::string path;
  std::map<std::string, std::string> attributes;
  friend bool operator==(const NodeAttributes&, const NodeAttributes&) = default;
};

// The kinds of path the CMS grammar knows (CMS:2 2.3.1.2).
enum class PathKind {
  kParameter,      // concrete leaf: /A/B/1/C
  kContent,        // leaf or node (ends with '/'), concrete instances
  kInstance,       // node ending with '/', concrete instances
  kStructure,      // '#' placeholders allowed, leaf or node
  kMultiInstance,  // table node, ends with '/' (and may end with "#/")
};

// Checks a path against the grammar: starts with '/', names of [A-Za-z0-9_:] (and '#' in
// structure paths), no empty segment. Errors: 9003 with the reason (maps to UPnP 701).
Status CheckPath(std::string_view path, PathKind kind, const Limits& limits = {});

// Encoders (strict): every path is checked; the output is a complete XML document with the
// declaration. Errors: 9003 for a bad path, 9004 when a limit is exceeded.
Result<std::string> EncodeParameterValueList(const std::vector<ParameterValue>& values,
                                             const Limits& limits = {});
// `root` is one of ContentPathList, InstancePathList, StructurePathList, NodeAttributePathList.
Result<std::string> EncodePathList(std::string_view root, const std::vector<std::string>& paths,
                                   const Limits& limits = {});
Result<std::string> EncodeContentPathList(const std::vector<std::string>& paths);
Result<std::string> EncodeSupportedDataModels(const std::vector<SubTree>& trees);
Result<std::string> EncodeNodeAttributeValueList(const std::vector<NodeAttributes>& nodes,
                                                 const Limits& limits = {});

// Decoders (tolerant): accept the document with or without declaration or namespace prefix,
// surrounded by blanks, or entity-escaped once more than needed ("&lt;cms:..."). The root's local
// name must match. Errors: 9003 for malformed XML or a wrong root (UPnP 702), 9004 over a limit.
Result<std::vector<ParameterValue>> DecodeParameterValueList(std::string_view xml,
                                                             const Limits& limits = {});
// Returns the text of every `item` child of `root` (e.g. "ContentPathList", "ContentPath").
Result<std::vector<std::string>> DecodePathList(std::string_view xml, std::string_view root,
                                                std::string_view item, const Limits& limits = {});
Result<std::vector<SubTree>> DecodeSupportedDataModels(std::string_view xml,
                                                       const Limits& limits = {});
Result<std::vector<NodeAttributes>> DecodeNodeAttributeValueList(std::string_view xml,
                                                                 const Limits& limits = {});

// A ConfigurationUpdate state variable: "<version>,<timestamp>[,<ParameterValueList>]".
struct ConfigurationUpdate {
  uint32_t version = 0;
  std::string timestamp;
  std::vector<ParameterValue> changed;  // empty when the device lists no parameters
};
Result<ConfigurationUpdate> ParseConfigurationUpdate(std::string_view text,
                                                     const Limits& limits = {});

}  // namespace proxier::upnp::cms
