// ControlPoint: SSDP registry (leases, byebye, BOOTID), description fetching, lifecycle.
#include "proxier/upnp/control_point.h"

#include <arpa/inet.h>

#include <algorithm>

#include "gena_client.h"
#include "proxier/common/log.h"
#include "proxier/upnp/http_worker.h"
#include "proxier/upnp/net.h"
#include "proxier/upnp/ssdp_socket.h"
#include "proxier/upnp/url.h"

namespace proxier::upnp {
namespace {

bool IsServiceSuffix(const std::string& s) { return s.find(":service:") != std::string::npos; }
bool IsDeviceSuffix(const std::string& s) { return s.find(":device:") != std::string::npos; }

// Preference of a USN form for the Discovery tables: device type > rootdevice > bare uuid.
int UsnRank(const std::string& suffix) {
  if (IsDeviceSuffix(suffix)) return 3;
  if (suffix == "upnp:rootdevice") return 2;
  return 1;
}

// "uuid:X::urn:a:service:Name:2" -> "uuid:X::urn:a:service:Name".
std::string ServiceKey(const std::string& usn) {
  size_t c = usn.rfind(':');
  if (c == std::string::npos || c + 1 >= usn.size() ||
      usn.find_first_not_of("0123456789", c + 1) != std::string::npos) {
    return usn;
  }
  return usn.substr(0, c);
}

int Version(const std::string& usn) {
  size_t c = usn.rfind(':');
  if (c == std::string::npos || c + 1 >= usn.size() || usn.size() - c > 6 ||
      usn.find_first_not_of("0123456789", c + 1) != std::string::npos) {
    return 0;
  }
  return std::stoi(usn.substr(c + 1));
}

std::vector<std::string> DefaultTargets() {
  std::vector<std::string> out;
  for (const char* t : {kCmsType, kBmsType, kSmsType}) {
    out.push_back(std::string(t) + "2");
    out.push_back(std::string(t) + "1");
  }
  return out;
}

}  // namespace

const char* LeaseStatusName(LeaseStatus status) {
  switch (status) {
    case LeaseStatus::kActive:
      return "LeaseActive";
    case LeaseStatus::kExpired:
      return "LeaseExpired";
    case LeaseStatus::kByebye:
      return "ByebyeReceived";
  }
  return "LeaseExpired";
}

const Advertisement* RootDevice::root() const {
  if (uuid.empty()) return nullptr;
  auto it = devices.find(uuid);
  return it == devices.end() ? nullptr : &it->second;
}

LeaseStatus RootDevice::status() const {
  const Advertisement* r = root();
  return r ? r->status : LeaseStatus::kActive;
}

ControlPoint::ControlPoint(EventLoop& loop, ControlPointOptions options)
    : loop_(loop), options_(std::move(options)) {
  if (options_.search_targets.empty()) options_.search_targets = DefaultTargets();
}

Result<std::unique_ptr<ControlPoint>> ControlPoint::Create(EventLoop& loop,
                                                           ControlPointOptions options) {
  std::unique_ptr<ControlPoint> cp(new ControlPoint(loop, std::move(options)));
  auto iface = ResolveInterface(cp->options_.interface, cp->options_.ip);
  if (!iface.ok()) return iface.status();
  cp->options_.interface = iface->name;
  cp->options_.ip = iface->ip;
  cp->http_ = std::make_unique<HttpWorker>(loop, iface->ip);
  return cp;
}

ControlPoint::~ControlPoint() {
  Stop();
  gena_.reset();
  http_.reset();
}

const std::string& ControlPoint::ip() const { return options_.ip; }
uint16_t ControlPoint::http_port() const { return gena_ ? gena_->port() : 0; }
bool ControlPoint::GenaIdle() const { return !gena_ || gena_->Idle(); }

std::string ControlPoint::GenaCallback(const std::string& uuid, DmService service) const {
  const RootDevice* d = Find(uuid);
  const ServiceInfo* s = d && d->description ? d->description->FindService(service) : nullptr;
  return s && gena_ ? gena_->CallbackOf(s->event_sub_url) : "";
}
ControlPoint::Stats ControlPoint::stats() const { return stats_; }

Status ControlPoint::Start() {
  if (started_) return Status::Ok();
  auto iface = ResolveInterface(options_.interface, options_.ip);
  if (!iface.ok()) return iface.status();
  auto sock = SsdpSocket::Open(loop_, *iface, options_.ssdp_port,
                               [this](const SsdpMessage& m, const sockaddr_in& from) {
                                 char ip[INET_ADDRSTRLEN] = {};
                                 inet_ntop(AF_INET, &from.sin_addr, ip, sizeof(ip));
                                 OnSsdp(m, ip);
                               });
  if (!sock.ok()) return sock.status();
  ssdp_ = std::move(sock).value();
  GenaClient::Callbacks cb;
  cb.on_event = [this](const std::string& uuid, DmService svc, const Args& vars) {
    for (auto* l : std::vector<Listener*>(listeners_)) l->OnEvent(uuid, svc, vars);
  };
  cb.on_resync = [this](const std::string& uuid, DmService svc, const std::string& why) {
    for (auto* l : std::vector<Listener*>(listeners_)) l->OnResync(uuid, svc, why);
  };
  cb.on_refused = [this](GenaRefusal why, const std::string& from, const std::string& detail) {
    uint64_t skipped = 0;
    if (gena_log_.Allow(loop_.clock().Now(), &skipped)) {
      PX_LOG(kWarning, "gena") << "NOTIFY from " << from << " refused: " << GenaRefusalName(why)
                               << (detail.empty() ? "" : " (" + detail + ")") << "; " << skipped
                               << " more refused since the last report";
    }
  };
  if (!gena_) {
    GenaOptions go;
    go.timeout_s = options_.subscription_timeout_s;
    go.request_timeout = options_.gena_timeout;
    go.server.ip = options_.ip;
    go.server.port = options_.port;
    go.server.max_body = options_.max_event_bytes;
    go.server.max_connections = options_.gena_max_connections;
    go.server.per_ip_connections = options_.gena_per_host_connections;
    gena_ = std::make_unique<GenaClient>(loop_, *http_, go, std::move(cb), &stats_);
    PX_RETURN_IF_ERROR(gena_->Start());
  }
  started_ = true;
  timers_.push_back(loop_.RunEvery(Seconds(1), [this] { Sweep(); }));
  timers_.push_back(loop_.RunEvery(options_.search_interval, [this] { Search(); }));
  Search();
  return Status::Ok();
}

void ControlPoint::Stop() {
  if (!started_) return;
  started_ = false;
  for (auto id : timers_) loop_.Cancel(id);
  timers_.clear();
  if (gena_) gena_->UnsubscribeAll();
  ssdp_.reset();
}

void ControlPoint::Search() {
  if (!ssdp_) return;
  for (const auto& t : options_.search_targets) {
    Status st = ssdp_->SendMulticast(FormatSearch(t, options_.search_mx));
    if (!st.ok()) PX_LOG(kWarning, "upnp") << st;
  }
  // UDP may drop one: search a second time shortly after.
  timers_.push_back(loop_.RunAfter(Millis(100), [this] {
    if (!ssdp_) return;
    for (const auto& t : options_.search_targets) {
      (void)ssdp_->SendMulticast(FormatSearch(t, options_.search_mx));
    }
  }));
}

void ControlPoint::AddListener(Listener* l) { listeners_.push_back(l); }
void ControlPoint::RemoveListener(Listener* l) {
  listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), l), listeners_.end());
}

RootDevice* ControlPoint::ByUuid(const std::string& uuid) {
  auto it = uuid_location_.find(uuid);
  if (it == uuid_location_.end()) return nullptr;
  auto r = roots_.find(it->second);
  return r == roots_.end() ? nullptr : &r->second;
}

const RootDevice* ControlPoint::Find(const std::string& uuid) const {
  auto it = uuid_location_.find(uuid);
  if (it == uuid_location_.end()) return nullptr;
  auto r = roots_.find(it->second);
  if (r == roots_.end() || r->second.uuid != uuid) return nullptr;
  return &r->second;
}

std::vector<const RootDevice*> ControlPoint::Devices() const {
  std::vector<const RootDevice*> out;
  for (const auto& [loc, r] : roots_) {
    if (!r.uuid.empty()) out.push_back(&r);
  }
  return out;
}

void ControlPoint::Notify(const RootDevice& d, DeviceChange change) {
  if (d.uuid.empty()) return;  // not reportable before the root UUID is known
  for (auto* l : std::vector<Listener*>(listeners_)) l->OnDevice(d, change);
}

void ControlPoint::OnSsdp(const SsdpMessage& m, const std::string& from_ip) {
  ++stats_.ssdp_messages;
  if (m.kind == SsdpMessage::Kind::kSearch) return;  // we are no device
  if (m.IsByebye()) return OnByebye(m);
  if (m.kind == SsdpMessage::Kind::kResponse || m.IsAlive()) return OnAlive(m, from_ip);
}

void ControlPoint::OnAlive(const SsdpMessage& m, const std::string& from_ip) {
  auto usn = ParseUsn(m.Header("USN"));
  const std::string& location = m.Header("LOCATION");
  auto loc = ParseUrl(location);
  if (!usn || !loc.ok() || loc->host != from_ip) {
    // A LOCATION on another host than the sender could make us fetch from anywhere.
    ++stats_.ssdp_refused;
    return;
  }
  auto it = roots_.find(location);
  bool added = false;
  if (it == roots_.end()) {
    if (roots_.size() >= options_.max_devices) {
      ++stats_.ssdp_refused;
      return;
    }
    it = roots_.emplace(location, RootDevice{}).first;
    it->second.location = location;
    it->second.source_ip = from_ip;
    added = true;
  }
  RootDevice& d = it->second;
  const SteadyTime now = loop_.clock().Now();
  if (auto bc = boot_changes_.find(location); bc != boot_changes_.end()) {
    // Devices answer a search after a random delay of up to MX seconds: an answer queued
    // before a BOOTID change may arrive after it and must not turn the BOOTID back.
    if (now >= bc->second.until) {
      boot_changes_.erase(bc);
    } else if (m.kind == SsdpMessage::Kind::kResponse && m.BootId() == bc->second.previous) {
      ++stats_.ssdp_stale;
      return;
    }
  }
  const bool was_known = !d.uuid.empty();
  const LeaseStatus before = d.status();
  if (usn->suffix == "upnp:rootdevice" && d.uuid.empty()) d.uuid = usn->uuid;
  uuid_location_[usn->uuid] = location;

  const uint32_t max_age = m.MaxAge().value_or(1800);
  auto refresh = [&](Advertisement& a, const std::string& usn_text) {
    a.usn = usn_text;
    a.status = LeaseStatus::kActive;
    a.lease_time = max_age;
    a.location = location;
    a.server = m.Header("SERVER");
    a.last_update = loop_.clock().WallNow();
    a.expires = now + Seconds(max_age);
  };
  bool new_part = false;
  if (IsServiceSuffix(usn->suffix)) {
    // One entry per service whatever version a search asked for: a CMS:2 answers a CMS:1
    // search with a ":1" USN; keep the highest version seen.
    const std::string& full = m.Header("USN");
    auto [sit, inserted] = d.services.try_emplace(ServiceKey(full));
    new_part = inserted;
    std::string keep = full;
    if (!inserted && Version(sit->second.usn) > Version(full)) keep = sit->second.usn;
    refresh(sit->second, keep);
  }
  {
    auto [dit, inserted] = d.devices.try_emplace(usn->uuid);
    new_part = new_part || inserted;
    std::string best = dit->second.usn;
    auto old = ParseUsn(best);
    if (!IsServiceSuffix(usn->suffix) &&
        (best.empty() || !old || UsnRank(usn->suffix) >= UsnRank(old->suffix))) {
      best = m.Header("USN");
    } else if (best.empty()) {
      best = "uuid:" + usn->uuid;
    }
    refresh(dit->second, best);
  }

  bool rebooted = false;
  if (auto boot = m.BootId()) {
    rebooted = d.boot_id && *d.boot_id != *boot;
    if (rebooted) {
      boot_changes_[location] = {*d.boot_id, now + Seconds(options_.search_mx) + Seconds(1)};
    }
    d.boot_id = boot;
  }
  if (auto cfg = m.ConfigId()) d.config_id = cfg;
  const bool returned = was_known && before != LeaseStatus::kActive;

  if (rebooted || returned) {
    // The device restarted: its description and subscriptions are stale.
    fetch_after_.erase(location);
    if (gena_ && !d.uuid.empty()) gena_->Drop(d.uuid);
    // Parts that were not re-announced yet go back to active with the root.
    for (auto& [k, a] : d.devices) {
      if (a.status != LeaseStatus::kActive) refresh(a, a.usn);
    }
    for (auto& [k, a] : d.services) {
      if (a.status != LeaseStatus::kActive) refresh(a, a.usn);
    }
  }
  if (!d.description || rebooted || returned) Fetch(location);
  if (added || (!was_known && !d.uuid.empty())) {
    Notify(d, DeviceChange::kAdded);
  } else if (rebooted) {
    Notify(d, DeviceChange::kRebooted);
  } else if (returned) {
    Notify(d, DeviceChange::kReturned);
  } else {
    (void)new_part;
    Notify(d, DeviceChange::kUpdated);
  }
}

void ControlPoint::OnByebye(const SsdpMessage& m) {
  auto usn = ParseUsn(m.Header("USN"));
  if (!usn) return;
  RootDevice* d = ByUuid(usn->uuid);
  if (!d) return;
  const bool whole = usn->uuid == d->uuid && !IsServiceSuffix(usn->suffix);
  if (whole) {
    if (d->status() == LeaseStatus::kByebye) return;
    for (auto& [k, a] : d->devices) a.status = LeaseStatus::kByebye;
    for (auto& [k, a] : d->services) a.status = LeaseStatus::kByebye;
    if (auto b = m.BootId()) d->boot_id = b;
    if (gena_) gena_->Drop(d->uuid);
    Notify(*d, DeviceChange::kByebye);
    return;
  }
  bool changed = false;
  if (IsServiceSuffix(usn->suffix)) {
    auto it = d->services.find(ServiceKey(m.Header("USN")));
    if (it != d->services.end() && it->second.status != LeaseStatus::kByebye) {
      it->second.status = LeaseStatus::kByebye;
      changed = true;
    }
  } else if (auto it = d->devices.find(usn->uuid);
             it != d->devices.end() && it->second.status != LeaseStatus::kByebye) {
    it->second.status = LeaseStatus::kByebye;
    changed = true;
  }
  if (changed) Notify(*d, DeviceChange::kUpdated);
}

void ControlPoint::Sweep() {
  const SteadyTime now = loop_.clock().Now();
  for (auto& [loc, d] : roots_) {
    bool changed = false;
    for (auto* map : {&d.devices, &d.services}) {
      for (auto& [k, a] : *map) {
        if (a.status == LeaseStatus::kActive && a.expires <= now) {
          a.status = LeaseStatus::kExpired;
          changed = true;
        }
      }
    }
    if (!changed) continue;
    if (d.root() && d.status() == LeaseStatus::kExpired) {
      if (gena_) gena_->Drop(d.uuid);
      Notify(d, DeviceChange::kExpired);
    } else {
      Notify(d, DeviceChange::kUpdated);
    }
  }
}

void ControlPoint::Fetch(const std::string& location) {
  if (fetching_[location]) return;
  auto after = fetch_after_.find(location);
  if (after != fetch_after_.end() && loop_.clock().Now() < after->second) return;
  fetching_[location] = true;
  HttpRequest req;
  req.url = location;
  req.timeout = options_.description_timeout;
  req.max_response = options_.description_limits.max_bytes;
  http_->Send(std::move(req), [this, location](Result<HttpResponse> r) {
    fetching_[location] = false;
    if (!r.ok()) return OnDescription(location, r.status());
    if (r->status != 200) {
      return OnDescription(
          location,
          Status(Code::kInternalError, "HTTP " + std::to_string(r->status) + " for " + location));
    }
    OnDescription(location, ParseDescription(r->body, location, options_.description_limits));
  });
}

void ControlPoint::OnDescription(const std::string& location, Result<Description> desc) {
  auto it = roots_.find(location);
  if (it == roots_.end()) return;
  RootDevice& d = it->second;
  if (!desc.ok()) {
    ++stats_.descriptions_failed;
    d.description_error = desc.status().message();
    fetch_after_[location] = loop_.clock().Now() + Seconds(30);
    PX_LOG(kWarning, "upnp") << "description " << location << " refused: " << desc.status();
    Notify(d, DeviceChange::kUpdated);
    return;
  }
  const std::string root_uuid = desc->root.Uuid();
  if (!d.uuid.empty() && d.uuid != root_uuid) {
    ++stats_.descriptions_failed;
    d.description_error = "description UDN " + root_uuid + " differs from SSDP " + d.uuid;
    fetch_after_[location] = loop_.clock().Now() + Seconds(30);
    return;
  }
  // The same root UUID at a new LOCATION: the device moved; drop the old entry.
  for (auto o = roots_.begin(); o != roots_.end(); ++o) {
    if (o->first != location && o->second.uuid == root_uuid) {
      if (gena_) gena_->Drop(root_uuid);
      roots_.erase(o);
      break;
    }
  }
  const bool was_known = !d.uuid.empty();
  d.uuid = root_uuid;
  for (const auto* dev : desc->AllDevices()) uuid_location_[dev->Uuid()] = location;
  d.description = std::move(desc).value();
  d.description_error.clear();
  ++stats_.descriptions_ok;
  fetch_after_[location] = loop_.clock().Now() + Seconds(30);
  if (!was_known) Notify(d, DeviceChange::kAdded);
  Notify(d, DeviceChange::kDescribed);
  if (options_.auto_subscribe && d.status() == LeaseStatus::kActive) SubscribeAll(d);
}

void ControlPoint::SubscribeAll(RootDevice& d) {
  if (!gena_ || !d.description) return;
  for (DmService kind : {DmService::kCms, DmService::kBms, DmService::kSms}) {
    const ServiceInfo* s = d.description->FindService(kind);
    if (s && !s->event_sub_url.empty()) gena_->Subscribe(d.uuid, kind, s->event_sub_url);
  }
}

void ControlPoint::Resubscribe(const std::string& uuid) {
  if (gena_) gena_->Restart(uuid);
  if (RootDevice* d = ByUuid(uuid)) SubscribeAll(*d);
}

}  // namespace proxier::upnp
