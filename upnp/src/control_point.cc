// ControlPoint: SSDP registry (leases, byebye, BOOTID), description fetching, lifecycle.
#include "proxier/upnp/control_point.h"

#include <arpa/inet.h>

#include <algorithm>

#include "control_point_internal.h"
#include "gena_client.h"
#include "proxier/common/log.h"
#include "proxier/common/text.h"
#include "proxier/upnp/http_worker.h"
#include "proxier/upnp/net.h"
#include "proxier/upnp/ssdp_socket.h"
#include "proxier/upnp/url.h"

namespace proxier::upnp {

using namespace cp_internal;  // NOLINT(build/namespaces): the file's own helpers

namespace {

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
ControlPoint::Stats ControlPoint::stats() const {
  Stats out = stats_;
  if (ssdp_) out.ssdp_malformed = ssdp_->dropped();
  return out;
}

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
  if (update_timer_) loop_.Cancel(*update_timer_);
  update_timer_.reset();
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
  if (d.uuid.empty()) return;  // not reportable before a UUID is known
  // Listeners read the whole root: a pending lease refresh of it is covered by this call.
  if (change != DeviceChange::kUpdated) pending_updates_.erase(d.location);
  for (auto* l : std::vector<Listener*>(listeners_)) l->OnDevice(d, change);
}

void ControlPoint::NotifyLater(const std::string& location) {
  pending_updates_.insert(location);
  if (update_timer_) return;
  update_timer_ = loop_.RunAfter(options_.update_coalesce, [this] {
    update_timer_.reset();
    FlushUpdates();
  });
}

void ControlPoint::FlushUpdates() {
  std::set<std::string> due;
  due.swap(pending_updates_);
  for (const auto& location : due) {
    auto it = roots_.find(location);
    if (it != roots_.end()) Notify(it->second, DeviceChange::kUpdated);
  }
}

void ControlPoint::OnSsdp(const SsdpMessage& m, const std::string& from_ip) {
  ++stats_.ssdp_messages;
  if (m.kind == SsdpMessage::Kind::kSearch) return;  // we are no device
  if (!WithinRate(from_ip)) return;
  if (m.IsByebye()) return OnByebye(m, from_ip);
  if (m.kind == SsdpMessage::Kind::kResponse || m.IsAlive()) return OnAlive(m, from_ip);
}

void ControlPoint::OnAlive(const SsdpMessage& m, const std::string& from_ip) {
  auto usn = ParseUsn(m.Header("USN"));
  const std::string& location = m.Header("LOCATION");
  auto loc = ParseUrl(location);
  if (!usn) return Refused(Refusal::kMalformed, from_ip, "USN missing or malformed");
  if (!text::IsUuid(usn->uuid)) {
    return Refused(Refusal::kMalformed, from_ip, "USN uuid '" + usn->uuid + "' is not a UUID");
  }
  if (!loc.ok() || loc->host != from_ip || location.size() > 512) {
    // A LOCATION on another host than the sender could make us fetch from anywhere.
    return Refused(Refusal::kMalformed, from_ip,
                   "LOCATION '" + location.substr(0, 80) + "' is not an http URL on the sender");
  }
  if (!MayClaim(usn->uuid, location, from_ip)) return;
  auto it = roots_.find(location);
  bool added = false;
  if (it == roots_.end()) {
    if (FailingHost(from_ip)) {
      return Refused(Refusal::kDeviceCap, from_ip,
                     "its descriptions keep failing; new device " + location + " not taken");
    }
    if (!MakeRoom(from_ip)) return Refused(Refusal::kDeviceCap, from_ip, location);
    it = roots_.emplace(location, RootDevice{}).first;
    it->second.location = location;
    it->second.source_ip = from_ip;
    ++per_host_[from_ip];
    added = true;
  }
  RootDevice& d = it->second;
  const std::string& full = m.Header("USN");
  const bool service = IsServiceSuffix(usn->suffix);
  if (d.description && !d.description->FindDevice(usn->uuid)) {
    // A described device announces only what its description lists.
    return Refused(Refusal::kPartCap, from_ip,
                   "UUID " + usn->uuid + " not in the description of " + location);
  }
  const size_t new_parts =
      (d.devices.count(usn->uuid) ? 0 : 1) + (service && !d.services.count(ServiceKey(full)));
  if (new_parts &&
      d.devices.size() + d.services.size() + new_parts > options_.max_parts_per_device) {
    return Refused(Refusal::kPartCap, from_ip,
                   "over " + std::to_string(options_.max_parts_per_device) +
                       " UUIDs and services at " + location);
  }
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
  d.last_seen = now;
  const bool was_known = !d.uuid.empty();
  const LeaseStatus before = d.status();
  if (usn->suffix == "upnp:rootdevice" && d.provisional_uuid && d.uuid != usn->uuid) {
    Notify(d, DeviceChange::kRemoved);  // it was known under an embedded device's UUID
    d.uuid.clear();
  }
  if (usn->suffix == "upnp:rootdevice" && (d.uuid.empty() || d.provisional_uuid)) {
    d.uuid = usn->uuid;
    d.provisional_uuid = false;
  } else if (d.uuid.empty()) {
    // Only service or device USNs so far (a device that answers the DM searches only).
    d.uuid = usn->uuid;
    d.provisional_uuid = true;
  }
  uuid_location_[usn->uuid] = location;

  const uint32_t max_age = std::min<uint32_t>(m.MaxAge().value_or(1800), kMaxLease);
  auto refresh = [&](Advertisement& a, const std::string& usn_text) {
    a.usn = usn_text;
    a.status = LeaseStatus::kActive;
    a.lease_time = max_age;
    a.location = location;
    a.server = m.Header("SERVER");
    a.last_update = loop_.clock().WallNow();
    a.expires = now + Seconds(max_age);
  };
  if (service) {
    // One entry per service whatever version a search asked for: a CMS:2 answers a CMS:1
    // search with a ":1" USN; keep the highest version seen.
    auto [sit, inserted] = d.services.try_emplace(ServiceKey(full));
    std::string keep = full;
    if (!inserted && Version(sit->second.usn) > Version(full)) keep = sit->second.usn;
    refresh(sit->second, keep);
  }
  {
    auto [dit, inserted] = d.devices.try_emplace(usn->uuid);
    std::string best = dit->second.usn;
    auto old = ParseUsn(best);
    if (!service && (best.empty() || !old || UsnRank(usn->suffix) >= UsnRank(old->suffix))) {
      best = full;
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
    NotifyLater(location);
  }
}

void ControlPoint::OnByebye(const SsdpMessage& m, const std::string& from_ip) {
  auto usn = ParseUsn(m.Header("USN"));
  if (!usn) return;
  RootDevice* d = ByUuid(usn->uuid);
  if (!d) return;
  if (d->source_ip != from_ip) {
    // Anyone could otherwise take any device offline.
    return Refused(Refusal::kMalformed, from_ip, "byebye for " + usn->uuid + " of " + d->source_ip);
  }
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
  if (changed) NotifyLater(d->location);
}

void ControlPoint::Sweep() {
  const SteadyTime now = loop_.clock().Now();
  std::vector<std::string> gone;
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
    if (!d.description && d.status() != LeaseStatus::kActive) {
      gone.push_back(loc);  // never described and its lease is over: nothing to keep
    } else if (d.root() && d.status() == LeaseStatus::kExpired) {
      if (gena_) gena_->Drop(d.uuid);
      Notify(d, DeviceChange::kExpired);
    } else {
      NotifyLater(loc);
    }
  }
  for (const auto& loc : gone) Evict(loc, "lease over, never described");
}

}  // namespace proxier::upnp
