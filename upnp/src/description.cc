// Device description parsing with limits and the same-host rule for every URL.
#include "proxier/upnp/description.h"

#include <algorithm>
#include <functional>
#include <set>

#include "proxier/common/text.h"
#include "proxier/common/xml_tree.h"
#include "proxier/upnp/url.h"

namespace proxier::upnp {
namespace {

constexpr char kDeviceNs[] = "urn:schemas-upnp-org:device-1-0";

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// A URN or identifier (deviceType, serviceType, serviceId): printable ASCII, no blanks.
bool IsToken(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

std::string Trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

class Parser {
 public:
  Parser(const Url& base, const Url& location, const DescriptionLimits& limits)
      : base_(base), location_(location), limits_(limits) {}

  Status Device(const xml::Element& e, DeviceInfo* out, size_t level) {
    if (++devices_ > limits_.max_devices) {
      return Status(Code::kResourcesExceeded,
                    "description lists over " + std::to_string(limits_.max_devices) + " devices");
    }
    if (level > 8) return Status(Code::kInvalidArguments, "embedded devices nested too deep");
    std::string* fields[] = {&out->udn,
                             &out->device_type,
                             &out->friendly_name,
                             &out->manufacturer,
                             &out->manufacturer_url,
                             &out->model_description,
                             &out->model_name,
                             &out->model_number,
                             &out->model_url,
                             &out->serial_number,
                             &out->upc};
    const char* names[] = {"UDN",
                           "deviceType",
                           "friendlyName",
                           "manufacturer",
                           "manufacturerURL",
                           "modelDescription",
                           "modelName",
                           "modelNumber",
                           "modelURL",
                           "serialNumber",
                           "UPC"};
    for (size_t i = 0; i < std::size(names); ++i) {
      PX_RETURN_IF_ERROR(Field(e, names[i], fields[i]));
    }
    // Identity: a real UUID, once per description (placeholders such as "uuid:UUID" or a
    // copied UDN would make one device another's).
    if (!StartsWith(out->udn, "uuid:") || !text::IsUuid(out->udn.substr(5))) {
      return Status(Code::kInvalidArguments,
                    "UDN '" + text::CleanLabel(out->udn, 64) + "' is not uuid:<UUID>");
    }
    if (!udns_.insert(out->Uuid()).second) {
      return Status(Code::kInvalidArguments, "UDN " + out->udn + " appears twice");
    }
    if (out->device_type.empty() || !IsToken(out->device_type)) {
      return Status(Code::kInvalidArguments, "device without a valid deviceType");
    }
    // Labels reach the ACS and operators' screens: clean text only.
    for (std::string* label :
         {&out->friendly_name, &out->manufacturer, &out->model_description, &out->model_name,
          &out->model_number, &out->serial_number, &out->upc}) {
      *label = text::CleanLabel(*label, limits_.max_field);
    }
    // Links an operator may click: web URLs only ("javascript:", "file:", ... are dropped).
    for (std::string* link : {&out->manufacturer_url, &out->model_url}) {
      if (!link->empty() && !text::IsWebUrl(*link)) link->clear();
    }
    std::string pres;
    PX_RETURN_IF_ERROR(Field(e, "presentationURL", &pres));
    if (!pres.empty()) {
      // Presentation pages may legitimately live elsewhere; keep it only when it resolves.
      auto u = ResolveUrl(base_, pres);
      if (u.ok() && text::IsWebUrl(u->ToString())) out->presentation_url = u->ToString();
    }
    if (const auto* list = e.Child("serviceList")) {
      for (const auto* s : list->Children("service")) {
        if (++services_ > limits_.max_services) {
          return Status(
              Code::kResourcesExceeded,
              "description lists over " + std::to_string(limits_.max_services) + " services");
        }
        ServiceInfo si;
        PX_RETURN_IF_ERROR(Field(*s, "serviceType", &si.service_type));
        PX_RETURN_IF_ERROR(Field(*s, "serviceId", &si.service_id));
        PX_RETURN_IF_ERROR(LocalUrl(*s, "SCPDURL", true, &si.scpd_url));
        PX_RETURN_IF_ERROR(LocalUrl(*s, "controlURL", true, &si.control_url));
        PX_RETURN_IF_ERROR(LocalUrl(*s, "eventSubURL", false, &si.event_sub_url));
        if (!IsToken(si.service_type) || !IsToken(si.service_id)) {
          return Status(Code::kInvalidArguments, "service without a valid serviceType/serviceId");
        }
        out->services.push_back(std::move(si));
      }
    }
    if (const auto* list = e.Child("deviceList")) {
      for (const auto* d : list->Children("device")) {
        DeviceInfo child;
        PX_RETURN_IF_ERROR(Device(*d, &child, level + 1));
        out->devices.push_back(std::move(child));
      }
    }
    return Status::Ok();
  }

 private:
  Status Field(const xml::Element& e, const char* name, std::string* out) {
    *out = Trimmed(e.ChildText(name));
    if (out->size() > limits_.max_field) {
      return Status(Code::kResourcesExceeded, std::string(name) + " too long");
    }
    return Status::Ok();
  }

  Status LocalUrl(const xml::Element& e, const char* name, bool required, std::string* out) {
    std::string text;
    PX_RETURN_IF_ERROR(Field(e, name, &text));
    if (text.empty()) {
      if (required) return Status(Code::kInvalidArguments, std::string("service without ") + name);
      return Status::Ok();
    }
    auto u = ResolveUrl(base_, text);
    if (!u.ok()) return u.status();
    if (u->host != location_.host) {
      return Status(Code::kInvalidArguments, std::string(name) + " " + u->ToString() +
                                                 " points at another host than " + location_.host +
                                                 " (foreign control URL)");
    }
    *out = u->ToString();
    return Status::Ok();
  }

  Url base_;
  Url location_;
  const DescriptionLimits& limits_;
  size_t devices_ = 0;
  size_t services_ = 0;
  std::set<std::string> udns_;
};

}  // namespace

DmService ClassifyService(std::string_view t) {
  auto versioned = [&](std::string_view prefix) {
    return StartsWith(t, prefix) &&
           (t.substr(prefix.size()) == "1" || t.substr(prefix.size()) == "2");
  };
  if (versioned(kCmsType)) return DmService::kCms;
  if (versioned(kBmsType)) return DmService::kBms;
  if (versioned(kSmsType)) return DmService::kSms;
  return DmService::kNone;
}

std::string DeviceInfo::Uuid() const { return StartsWith(udn, "uuid:") ? udn.substr(5) : udn; }

std::vector<const DeviceInfo*> Description::AllDevices() const {
  std::vector<const DeviceInfo*> out;
  std::function<void(const DeviceInfo&)> walk = [&](const DeviceInfo& d) {
    out.push_back(&d);
    for (const auto& c : d.devices) walk(c);
  };
  walk(root);
  return out;
}

const DeviceInfo* Description::FindDevice(std::string_view uuid) const {
  for (const auto* d : AllDevices()) {
    if (d->Uuid() == uuid) return d;
  }
  return nullptr;
}

bool Description::IsDmCapable() const {
  for (const auto* d : AllDevices()) {
    for (const auto& s : d->services) {
      if (ClassifyService(s.service_type) != DmService::kNone) return true;
    }
  }
  return false;
}

const ServiceInfo* Description::FindService(DmService kind, const DeviceInfo** device) const {
  for (const auto* d : AllDevices()) {
    for (const auto& s : d->services) {
      if (ClassifyService(s.service_type) == kind) {
        if (device) *device = d;
        return &s;
      }
    }
  }
  return nullptr;
}

Result<Description> ParseDescription(std::string_view text, std::string_view location,
                                     const DescriptionLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Status(Code::kResourcesExceeded,
                  "description over " + std::to_string(limits.max_bytes) + " bytes");
  }
  auto loc = ParseUrl(location);
  if (!loc.ok()) return loc.status();
  xml::Limits xl;
  xl.max_bytes = limits.max_bytes;
  xl.max_depth = limits.max_depth;
  xl.max_elements = 20000;
  xl.max_text_bytes = 64 * 1024;
  auto doc = xml::Parse(text, xl);
  if (!doc.ok()) return doc.status();
  if (doc->name != "root" || (doc->ns != kDeviceNs && !doc->ns.empty())) {
    return Status(Code::kInvalidArguments,
                  "not a UPnP device description (root element " + doc->name + ")");
  }
  Description out;
  Url base = *loc;
  std::string url_base = Trimmed(doc->ChildText("URLBase"));
  if (!url_base.empty()) {
    auto b = ParseUrl(url_base);
    if (!b.ok()) return b.status();
    if (b->host != loc->host) {
      return Status(Code::kInvalidArguments,
                    "URLBase " + b->ToString() + " points at another host than " + loc->host);
    }
    base = *b;
  }
  out.url_base = base.ToString();
  if (const auto* sv = doc->Child("specVersion")) {
    std::string major = Trimmed(sv->ChildText("major", "1"));
    std::string minor = Trimmed(sv->ChildText("minor", "0"));
    auto digits = [](const std::string& s) {
      return !s.empty() && s.size() < 6 && s.find_first_not_of("0123456789") == std::string::npos;
    };
    if (!digits(major) || !digits(minor)) return Status(Code::kInvalidArguments, "bad specVersion");
    out.spec_version = major + "." + minor;
  } else {
    out.spec_version = "1.0";
  }
  const xml::Element* dev = doc->Child("device");
  if (!dev) return Status(Code::kInvalidArguments, "description without a root device");
  Parser p(base, *loc, limits);
  PX_RETURN_IF_ERROR(p.Device(*dev, &out.root, 0));
  return out;
}

}  // namespace proxier::upnp
