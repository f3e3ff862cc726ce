// CMS payload encoders (strict) and decoders (tolerant, bounded).
#include "proxier/upnp/cms_codec.h"

#include "proxier/common/xml.h"
#include "proxier/common/xml_tree.h"

namespace proxier::upnp::cms {
namespace {

constexpr char kDecl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

Status TooBig(const std::string& what) { return Status(Code::kResourcesExceeded, what); }

std::string Open(std::string_view root) {
  return std::string(kDecl) + "<cms:" + std::string(root) + " xmlns:cms=\"" + kNamespace +
         "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"" +
         kNamespace + " http://www.upnp.org/schemas/dm/cms.xsd\">";
}
std::string Close(std::string_view root) { return "</cms:" + std::string(root) + ">"; }

std::string Tag(std::string_view name, std::string_view text) {
  return "<" + std::string(name) + ">" + xml::Escape(text) + "</" + std::string(name) + ">";
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\n' || s.front() == '\r' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Undoes one level of entity escaping (for payloads escaped twice by sloppy devices).
std::string Unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    static const std::pair<std::string_view, char> kEntities[] = {
        {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool done = false;
    for (const auto& [name, ch] : kEntities) {
      if (s.substr(i, name.size()) == name) {
        out += ch;
        i += name.size() - 1;
        done = true;
        break;
      }
    }
    if (!done) out += '&';
  }
  return out;
}

Result<xml::Element> ParseRoot(std::string_view text, std::string_view root, std::string_view item,
                               const Limits& limits) {
  if (text.size() > limits.max_bytes)
    return TooBig("CMS payload over " + std::to_string(limits.max_bytes) + " bytes");
  std::string_view t = Trim(text);
  if (t.size() >= 3 && static_cast<unsigned char>(t[0]) == 0xEF) t.remove_prefix(3);  // BOM
  std::string unescaped;
  if (t.substr(0, 4) == "&lt;") {
    unescaped = Unescape(t);
    t = unescaped;
  }
  xml::Limits xl;
  xl.max_bytes = limits.max_bytes;
  xl.max_depth = 16;
  xl.max_elements = limits.max_items * 8 + 16;
  xl.max_text_bytes = limits.max_value;
  auto doc = xml::Parse(t, xl);
  if (!doc.ok() || doc->name != root) {
    // The items without their root (an unqualified argument named like the root, holding the
    // items inline): read them inside the root they lack, if they are such items.
    auto wrapped = xml::Parse(
        "<" + std::string(root) + ">" + std::string(t) + "</" + std::string(root) + ">", xl);
    if (wrapped.ok() && !wrapped->Children(item).empty()) doc = std::move(wrapped);
  }
  if (!doc.ok()) return doc.status();
  if (doc->name != root) {
    return Status(Code::kInvalidArguments, "expected " + std::string(root) + ", got " + doc->name);
  }
  if (doc->children.size() > limits.max_items) {
    return TooBig(std::string(root) + " over " + std::to_string(limits.max_items) + " items");
  }
  return doc;
}

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == ':';
}

}  // namespace

Status CheckPath(std::string_view path, PathKind kind, const Limits& limits) {
  auto bad = [&](const char* why) {
    return Status(Code::kInvalidArguments,
                  "invalid path '" + std::string(path.substr(0, 200)) + "': " + why);
  };
  if (path.empty() || path[0] != '/') return bad("must start with '/'");
  if (path.size() > limits.max_path) return bad("too long");
  const bool node = path.back() == '/';
  if ((kind == PathKind::kParameter) && node) return bad("must name a parameter");
  if ((kind == PathKind::kInstance || kind == PathKind::kMultiInstance) && !node) {
    return bad("must end with '/'");
  }
  size_t i = 1;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view seg = path.substr(i, j - i);
    if (seg.empty()) return bad("empty segment");
    if (seg == "#") {
      bool last_node = j + 1 == path.size();
      if (kind != PathKind::kStructure && !(kind == PathKind::kMultiInstance && last_node)) {
        return bad("'#' only in structure paths");
      }
    } else {
      for (char c : seg) {
        if (!IsNameChar(c)) return bad("character not allowed in a node name");
      }
    }
    i = j + 1;
  }
  return Status::Ok();
}

Result<std::string> EncodeParameterValueList(const std::vector<ParameterValue>& values,
                                             const Limits& limits) {
  if (values.size() > limits.max_items) return TooBig("too many parameters");
  std::string out = Open("ParameterValueList");
  for (const auto& v : values) {
    PX_RETURN_IF_ERROR(CheckPath(v.path, PathKind::kParameter, limits));
    if (v.value.size() > limits.max_value) return TooBig("value of " + v.path + " too long");
    out += "<Parameter>" + Tag("ParameterPath", v.path) + Tag("Value", v.value) + "</Parameter>";
  }
  out += Close("ParameterValueList");
  return out;
}

Result<std::string> EncodePathList(std::string_view root, const std::vector<std::string>& paths,
                                   const Limits& limits) {
  std::string item;
  PathKind kind;
  if (root == "ContentPathList") {
    item = "ContentPath";
    kind = PathKind::kContent;
  } else if (root == "InstancePathList") {
    item = "InstancePath";
    kind = PathKind::kInstance;
  } else if (root == "StructurePathList") {
    item = "StructurePath";
    kind = PathKind::kStructure;
  } else if (root == "NodeAttributePathList") {
    item = "NodeAttributePath";
    kind = PathKind::kStructure;
  } else {
    return Status(Code::kInvalidArguments, "unknown path list " + std::string(root));
  }
  if (paths.size() > limits.max_items) return TooBig("too many paths");
  std::string out = Open(root);
  for (const auto& p : paths) {
    PX_RETURN_IF_ERROR(CheckPath(p, kind, limits));
    out += Tag(item, p);
  }
  return out + Close(root);
}

Result<std::string> EncodeContentPathList(const std::vector<std::string>& paths) {
  return EncodePathList("ContentPathList", paths);
}

Result<std::string> EncodeSupportedDataModels(const std::vector<SubTree>& trees) {
  std::string out = Open("SupportedDataModels");
  for (const auto& t : trees) {
    PX_RETURN_IF_ERROR(CheckPath(t.location, PathKind::kContent));
    out += "<SubTree>" + Tag("URI", t.uri) + Tag("Location", t.location) + Tag("URL", t.url) +
           Tag("Description", t.description) + "</SubTree>";
  }
  return out + Close("SupportedDataModels");
}

Result<std::string> EncodeNodeAttributeValueList(const std::vector<NodeAttributes>& nodes,
                                                 const Limits& limits) {
  static const char* kOrder[] = {"Access", "Type", "EventOnChange", "AlarmOnChange", "Version"};
  if (nodes.size() > limits.max_items) return TooBig("too many nodes");
  std::string out = Open("NodeAttributeValueList");
  for (const auto& n : nodes) {
    PX_RETURN_IF_ERROR(CheckPath(n.path, PathKind::kStructure, limits));
    out += "<Node>" + Tag("NodeAttributePath", n.path);
    for (const char* k : kOrder) {
      if (auto it = n.attributes.find(k); it != n.attributes.end()) out += Tag(k, it->second);
    }
    for (const auto& [k, v] : n.attributes) {
      bool known = false;
      for (const char* o : kOrder) known = known || k == o;
      if (known) continue;
      for (char c : k) {
        if (!IsNameChar(c) || c == ':')
          return Status(Code::kInvalidArguments, "bad attribute " + k);
      }
      out += Tag(k, v);
    }
    out += "</Node>";
  }
  return out + Close("NodeAttributeValueList");
}

Result<std::vector<ParameterValue>> DecodeParameterValueList(std::string_view text,
                                                             const Limits& limits) {
  auto doc = ParseRoot(text, "ParameterValueList", "Parameter", limits);
  if (!doc.ok()) return doc.status();
  std::vector<ParameterValue> out;
  for (const auto* p : doc->Children("Parameter")) {
    const xml::Element* path = p->Child("ParameterPath");
    if (!path) return Status(Code::kInvalidArguments, "Parameter without ParameterPath");
    std::string_view tp = Trim(path->text);
    if (tp.size() > limits.max_path) return TooBig("path too long");
    out.push_back({std::string(tp), p->ChildText("Value")});
  }
  return out;
}

Result<std::vector<std::string>> DecodePathList(std::string_view text, std::string_view root,
                                                std::string_view item, const Limits& limits) {
  auto doc = ParseRoot(text, root, item, limits);
  if (!doc.ok()) return doc.status();
  std::vector<std::string> out;
  for (const auto* c : doc->Children(item)) {
    std::string_view t = Trim(c->text);
    if (t.size() > limits.max_path) return TooBig("path too long");
    out.emplace_back(t);
  }
  return out;
}

Result<std::vector<SubTree>> DecodeSupportedDataModels(std::string_view text,
                                                       const Limits& limits) {
  auto doc = ParseRoot(text, "SupportedDataModels", "SubTree", limits);
  if (!doc.ok()) return doc.status();
  std::vector<SubTree> out;
  for (const auto* s : doc->Children("SubTree")) {
    out.push_back({std::string(Trim(s->ChildText("URI"))),
                   std::string(Trim(s->ChildText("Location"))),
                   std::string(Trim(s->ChildText("URL"))), s->ChildText("Description")});
  }
  return out;
}

Result<std::vector<NodeAttributes>> DecodeNodeAttributeValueList(std::string_view text,
                                                                 const Limits& limits) {
  auto doc = ParseRoot(text, "NodeAttributeValueList", "Node", limits);
  if (!doc.ok()) return doc.status();
  std::vector<NodeAttributes> out;
  for (const auto* n : doc->Children("Node")) {
    NodeAttributes na;
    for (const auto& c : n->children) {
      if (c.name == "NodeAttributePath") {
        na.path = std::string(Trim(c.text));
      } else {
        na.attributes[c.name] = std::string(Trim(c.text));
      }
    }
    if (na.path.empty()) return Status(Code::kInvalidArguments, "Node without NodeAttributePath");
    out.push_back(std::move(na));
  }
  return out;
}

Result<ConfigurationUpdate> ParseConfigurationUpdate(std::string_view text, const Limits& limits) {
  ConfigurationUpdate out;
  std::string_view t = Trim(text);
  size_t c1 = t.find(',');
  std::string_view ver = t.substr(0, c1);
  if (ver.empty() || ver.size() > 10) {
    return Status(Code::kInvalidArguments, "ConfigurationUpdate without version");
  }
  uint64_t v = 0;
  for (char c : ver) {
    if (c < '0' || c > '9')
      return Status(Code::kInvalidArguments, "bad ConfigurationUpdate version");
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > 0xffffffffULL)
    return Status(Code::kInvalidArguments, "ConfigurationUpdate version too big");
  out.version = static_cast<uint32_t>(v);
  if (c1 == std::string_view::npos) return out;
  std::string_view rest = t.substr(c1 + 1);
  size_t c2 = rest.find(',');
  out.timestamp = std::string(Trim(rest.substr(0, c2)));
  if (c2 == std::string_view::npos) return out;
  std::string_view list = Trim(rest.substr(c2 + 1));
  if (list.empty()) return out;
  auto values = DecodeParameterValueList(list, limits);
  if (!values.ok()) return values.status();
  out.changed = std::move(values).value();
  return out;
}

}  // namespace proxier::upnp::cms
