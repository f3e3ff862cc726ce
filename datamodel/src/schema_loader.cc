// Streaming (SAX2) loader for BBF DM XML files (cwmp-datamodel-1-x.xsd "dm:document").
#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/sax2/Attributes.hpp>
#include <xercesc/sax2/DefaultHandler.hpp>
#include <xercesc/sax2/SAX2XMLReader.hpp>
#include <xercesc/sax2/XMLReaderFactory.hpp>
#include <xercesc/util/XMLString.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <unordered_map>

#include "proxier/common/xml.h"
#include "proxier/datamodel/path.h"
#include "proxier/datamodel/schema.h"
#include "syntax_bounds.h"

namespace proxier::datamodel {

namespace {

using xercesc::Attributes;
using xercesc::SAXParseException;
using xml::ToUtf8;

// A decimal number that fits `max`; false (nothing thrown) for anything else.
bool ParseCount(const std::string& text, uint64_t max, uint64_t* out) {
  if (text.empty() || text.size() > 20 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  uint64_t v = 0;
  for (char c : text) {
    if (v > (max - static_cast<uint64_t>(c - '0')) / 10) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

// Which facet kinds a (derived) definition has set itself, so the first one replaces the
// inherited values instead of adding to them.
struct FacetsSeen {
  bool size = false, range = false, enumeration = false, pattern = false;
};

class DmHandler : public xercesc::DefaultHandler {
 public:
  DmHandler(Schema* schema, std::string_view vendor_prefix)
      : schema_(schema), vendor_prefix_(vendor_prefix) {}

  const std::string& error() const { return error_; }

  void startElement(const XMLCh* /*uri*/, const XMLCh* localname, const XMLCh* /*qname*/,
                    const Attributes& attrs) override {
    if (!error_.empty()) return;
    if (skip_depth_ > 0) {
      ++skip_depth_;
      return;
    }
    std::string name = ToUtf8(localname);
    auto attr = [&](const char* key) -> std::string { return ToUtf8(attrs.getValue(Key(key))); };
    if (name == "description" || name == "profile" || name == "component" || name == "import" ||
        name == "units" || name == "bibliography" || name == "template" || name == "glossary" ||
        name == "abbreviations" || name == "pathRef" || name == "instanceRef" ||
        name == "enumerationRef" || name == "annotation") {
      skip_depth_ = 1;
      return;
    }
    if (attr("status") == "deleted") {
      skip_depth_ = 1;
      return;
    }
    // Each element only where the DM schema puts it: anything else is a clear error (a
    // definition file comes from an integrator or a provisioning system, not from us).
    const std::string parent = stack_.empty() ? "" : stack_.back();
    auto misplaced = [&](bool ok) {
      if (!ok) error_ = "<" + name + "> inside <" + (parent.empty() ? "(root)" : parent) + ">";
      return !ok;
    };
    if (name == "object" && misplaced(parent == "model")) return;
    if (name == "parameter" && misplaced(parent == "object" || parent == "uniqueKey")) return;
    if (name == "uniqueKey" && misplaced(parent == "object")) return;
    if (name == "syntax" && misplaced(parent == "parameter" || parent == "dataType")) return;
    if (name == "model" && misplaced(parent == "document")) return;
    if (in_unique_key_ && name != "parameter" && misplaced(false)) return;
    if (stack_.size() >= kMaxDepth) {
      error_ = "elements nested deeper than " + std::to_string(kMaxDepth);
      return;
    }
    stack_.push_back(name);
    if (name == "dataType" && !in_syntax_) {
      StartDataTypeDef(attr("name"), attr("base"));
    } else if (name == "object") {
      StartObject(attr);
    } else if (name == "parameter") {
      if (in_unique_key_) {
        if (object_ && !object_->unique_keys.empty()) {
          object_->unique_keys.back().push_back(Vendor(attr("ref")));
        }
      } else if (object_) {
        StartParam(attr);
      } else {
        skip_depth_ = 1;
      }
    } else if (name == "uniqueKey") {
      if (object_) {
        object_->unique_keys.emplace_back();
        in_unique_key_ = true;
      }
    } else if (name == "syntax") {
      if (param_) {
        in_syntax_ = true;
        syntax_ = &param_->syntax;
        seen_ = {};
        syntax_->hidden = attr("hidden") == "true";
        syntax_->secured = attr("secured") == "true";
        syntax_->command = attr("command") == "true";
      }
    } else if (syntax_) {
      SyntaxElement(name, attr);
    }
  }

  void endElement(const XMLCh* /*uri*/, const XMLCh* localname, const XMLCh* /*qname*/) override {
    if (!error_.empty()) return;
    if (skip_depth_ > 0) {
      --skip_depth_;
      return;
    }
    std::string name = ToUtf8(localname);
    if (!stack_.empty()) stack_.pop_back();
    if (name == "dataType" && datatype_def_) {
      schema_->AddDataType(datatype_name_, std::move(*datatype_def_));
      datatype_def_.reset();
      syntax_ = nullptr;
    } else if (name == "object" && object_) {
      schema_->AddObject(std::move(*object_));
      object_.reset();
    } else if (name == "parameter" && param_ && !in_unique_key_) {
      if (object_) object_->params.push_back(std::move(*param_));
      param_.reset();
    } else if (name == "uniqueKey") {
      in_unique_key_ = false;
    } else if (name == "syntax" && in_syntax_) {
      in_syntax_ = false;
      syntax_ = nullptr;
    } else if (name == "list") {
      in_list_ = false;
    }
  }

  void error(const SAXParseException& e) override { Fail(e); }
  void fatalError(const SAXParseException& e) override { Fail(e); }

 private:
  template <typename Attr>
  void StartObject(const Attr& attr) {
    ObjectDef def;
    def.path = attr("name");
    if (def.path.empty()) def.path = attr("base");  // extends an object defined earlier
    def.path = Vendor(def.path);
    if (def.path.empty() || def.path.back() != '.') {
      error_ = "object name '" + def.path + "' must end with '.'";
      return;
    }
    std::string access = attr("access");
    def.multi = def.path.size() >= 5 && def.path.compare(def.path.size() - 5, 5, ".{i}.") == 0;
    def.writable = access == "readWrite" || access == "createDelete";
    std::string min = attr("minEntries"), max = attr("maxEntries");
    uint64_t n = 1;
    if (!min.empty() && !ParseCount(min, UINT32_MAX, &n)) {
      error_ = "bad minEntries '" + min.substr(0, 32) + "' of " + def.path;
      return;
    }
    def.min_entries = static_cast<uint32_t>(n);
    if (max == "unbounded") {
      def.max_entries.reset();
    } else {
      n = 1;
      if (!max.empty() && !ParseCount(max, UINT32_MAX, &n)) {
        error_ = "bad maxEntries '" + max.substr(0, 32) + "' of " + def.path;
        return;
      }
      def.max_entries = static_cast<uint32_t>(n);
    }
    def.num_entries_param = Vendor(attr("numEntriesParameter"));
    object_ = std::move(def);
  }

  template <typename Attr>
  void StartParam(const Attr& attr) {
    ParamDef def;
    def.name = Vendor(attr("name"));
    if (!IsValidNameSegment(def.name)) {
      error_ = "bad parameter name '" + def.name + "' in " + object_->path;
      return;
    }
    std::string access = attr("access");
    def.writable = access == "readWrite" || access == "writeOnceReadOnly";
    std::string notify = attr("activeNotify");
    if (notify == "canDeny")
      def.active_notify = ActiveNotify::kCanDeny;
    else if (notify == "forceEnabled")
      def.active_notify = ActiveNotify::kForceEnabled;
    else if (notify == "forceDefaultEnabled")
      def.active_notify = ActiveNotify::kForceDefaultEnabled;
    def.forced_inform = attr("forcedInform") == "true";
    param_ = std::move(def);
  }

  void StartDataTypeDef(const std::string& name, const std::string& base) {
    datatype_name_ = name;
    datatype_def_ = Syntax{};
    if (!base.empty()) {
      const Syntax* b = schema_->FindDataType(base);
      if (!b) {
        error_ = "dataType " + name + " derives from unknown dataType " + base;
        return;
      }
      *datatype_def_ = *b;
      datatype_def_->data_type = base;
    }
    syntax_ = &*datatype_def_;
    seen_ = {};
  }

  template <typename Attr>
  void SyntaxElement(const std::string& name, const Attr& attr) {
    if (name == "list") {
      syntax_->is_list = true;
      in_list_ = true;
      std::string min = attr("minItems"), max = attr("maxItems");
      if (!min.empty()) syntax_->list_min_items = Count(min, "minItems");
      if (!max.empty()) syntax_->list_max_items = Count(max, "maxItems");
      return;
    }
    if (name == "size") {
      std::string min = attr("minLength"), max = attr("maxLength");
      if (in_list_) {
        if (!max.empty()) syntax_->list_max_length = Count(max, "maxLength");
        return;
      }
      if (!seen_.size) {
        syntax_->min_length.reset();
        syntax_->max_length.reset();
        seen_.size = true;
      }
      if (!min.empty()) syntax_->min_length = Count(min, "minLength");
      if (!max.empty()) syntax_->max_length = Count(max, "maxLength");
      return;
    }
    if (name == "range") {
      if (!seen_.range) {
        syntax_->ranges.clear();
        syntax_->decimal_ranges.clear();
        seen_.range = true;
      }
      std::string min = attr("minInclusive"), max = attr("maxInclusive"), step = attr("step");
      if (syntax_->type == ValueType::kDecimal) {
        syntax_->decimal_ranges.push_back(min + ":" + max);
        return;
      }
      IntRange r{TypeMin(syntax_->type), TypeMax(syntax_->type), 1};
      if (!WideInt::Parse(min, &r.min) && !min.empty()) error_ = "bad minInclusive '" + min + "'";
      if (!WideInt::Parse(max, &r.max) && !max.empty()) error_ = "bad maxInclusive '" + max + "'";
      if (!step.empty()) r.step = std::max<int64_t>(1, static_cast<int64_t>(Count(step, "step")));
      syntax_->ranges.push_back(r);
      return;
    }
    if (name == "enumeration") {
      if (!seen_.enumeration) {
        syntax_->enumerations.clear();
        seen_.enumeration = true;
      }
      syntax_->enumerations.push_back(attr("value"));
      return;
    }
    if (name == "pattern") {
      if (!seen_.pattern) {
        syntax_->patterns.clear();
        seen_.pattern = true;
      }
      syntax_->patterns.push_back(attr("value"));
      return;
    }
    if (name == "default") {
      std::string type = attr("type");
      if (param_ && (type == "object" || type == "factory")) param_->default_value = attr("value");
      return;
    }
    if (name == "dataType") {  // <dataType ref="X"/> (or an anonymous base="X") inside a syntax
      std::string ref = attr("ref");
      if (ref.empty()) ref = attr("base");
      const Syntax* base = schema_->FindDataType(ref);
      if (!base) {
        error_ = "unknown dataType '" + ref + "'";
        return;
      }
      bool hidden = syntax_->hidden, secured = syntax_->secured, command = syntax_->command;
      bool is_list = syntax_->is_list;
      auto lmin = syntax_->list_min_items, lmax = syntax_->list_max_items;
      auto llen = syntax_->list_max_length;
      *syntax_ = *base;
      syntax_->data_type = ref;
      syntax_->hidden = hidden;
      syntax_->secured = secured;
      syntax_->command = command;
      if (is_list) {
        syntax_->is_list = true;
        syntax_->list_min_items = lmin;
        syntax_->list_max_items = lmax;
        syntax_->list_max_length = llen;
      }
      seen_ = {};
      return;
    }
    if (auto type = ParseTypeElement(name)) {
      syntax_->type = *type;
      return;
    }
    // Anything else (e.g. <units>, <pathRef>) carries no constraint we enforce.
  }

  // A facet's number; a bad one is an error (0 meanwhile).
  uint32_t Count(const std::string& text, const char* what) {
    uint64_t v = 0;
    if (!ParseCount(text, UINT32_MAX, &v) && error_.empty()) {
      error_ = std::string("bad ") + what + " '" + text.substr(0, 32) + "'";
    }
    return static_cast<uint32_t>(v);
  }

  // A name with the definition files' vendor prefix replaced by the build's.
  std::string Vendor(const std::string& name) const {
    if (vendor_prefix_ == kDefsVendorPrefix || name.find(kDefsVendorPrefix) == std::string::npos)
      return name;
    return ReplaceSegmentPrefix(name, kDefsVendorPrefix, vendor_prefix_);
  }

  // Attribute names as XMLCh, transcoded once per handler.
  const XMLCh* Key(const char* key) {
    auto it = keys_.find(key);
    if (it == keys_.end()) it = keys_.emplace(key, std::make_unique<xml::XStr>(key)).first;
    return it->second->get();
  }

  void Fail(const SAXParseException& e) {
    if (!error_.empty()) return;
    error_ = "line " + std::to_string(e.getLineNumber()) + ": " + ToUtf8(e.getMessage());
  }

  Schema* schema_;
  std::string vendor_prefix_;
  std::string error_;
  int skip_depth_ = 0;
  std::optional<ObjectDef> object_;
  std::optional<ParamDef> param_;
  std::optional<Syntax> datatype_def_;
  std::string datatype_name_;
  Syntax* syntax_ = nullptr;
  bool in_syntax_ = false;
  bool in_list_ = false;
  bool in_unique_key_ = false;
  std::vector<std::string> stack_;  // open elements (local names), skipped subtrees excluded
  static constexpr size_t kMaxDepth = 64;
  FacetsSeen seen_;
  std::unordered_map<std::string_view, std::unique_ptr<xml::XStr>> keys_;
};

}  // namespace

Status LoadSchemaText(std::string_view text, const std::string& name, Schema* schema,
                      std::string_view vendor_prefix) {
  xml::EnsureInitialized();
  if (text.size() > kMaxSchemaBytes) {
    return Status(Code::kInternalError,
                  name + ": over " + std::to_string(kMaxSchemaBytes) + " bytes");
  }
  std::unique_ptr<xercesc::SAX2XMLReader> reader(xercesc::XMLReaderFactory::createXMLReader());
  reader->setFeature(xercesc::XMLUni::fgSAX2CoreNameSpaces, true);
  reader->setFeature(xercesc::XMLUni::fgSAX2CoreValidation, false);
  reader->setFeature(xercesc::XMLUni::fgXercesLoadExternalDTD, false);
  reader->setFeature(xercesc::XMLUni::fgXercesSchema, false);
  reader->setFeature(xercesc::XMLUni::fgXercesDisableDefaultEntityResolution, true);
  DmHandler handler(schema, vendor_prefix);
  reader->setContentHandler(&handler);
  reader->setErrorHandler(&handler);
  try {
    xercesc::MemBufInputSource source(reinterpret_cast<const XMLByte*>(text.data()), text.size(),
                                      "definitions");
    reader->parse(source);
  } catch (const xercesc::XMLException& e) {
    return Status(Code::kInternalError, name + ": " + ToUtf8(e.getMessage()));
  } catch (const SAXParseException& e) {
    return Status(Code::kInternalError, name + ": " + ToUtf8(e.getMessage()));
  } catch (const std::exception& e) {
    return Status(Code::kInternalError, name + ": " + e.what());
  }
  if (!handler.error().empty()) return Status(Code::kInternalError, name + ": " + handler.error());
  return Status::Ok();
}

Status LoadSchemaFile(const std::string& path, Schema* schema, std::string_view vendor_prefix) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kInternalError, "data-model file " + path + " cannot be read");
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxSchemaBytes) {
      return Status(Code::kInternalError,
                    path + ": over " + std::to_string(kMaxSchemaBytes) + " bytes");
    }
  }
  return LoadSchemaText(text, path, schema, vendor_prefix);
}

Status LoadSchemaDir(const std::string& dir, Schema* schema, std::string_view vendor_prefix) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".xml") files.push_back(entry.path().string());
  }
  if (ec)
    return Status(Code::kInternalError,
                  "cannot read data-model directory " + dir + ": " + ec.message());
  if (files.empty()) return Status(Code::kInternalError, "no data-model files (*.xml) in " + dir);
  std::sort(files.begin(), files.end());
  for (const auto& f : files) PX_RETURN_IF_ERROR(LoadSchemaFile(f, schema, vendor_prefix));
  return schema->Finalize();
}

}  // namespace proxier::datamodel
