// ControlPoint: description fetching (with identity pinning), subscriptions of described devices.
#include <algorithm>

#include "control_point_internal.h"
#include "proxier/common/log.h"
#include "proxier/common/text.h"
#include "proxier/upnp/control_point.h"
#include "proxier/upnp/http_worker.h"
#include "proxier/upnp/ssdp.h"

#include "gena_client.h"

namespace proxier::upnp {

using namespace cp_internal;  // NOLINT(build/namespaces): the module's own helpers

void ControlPoint::Fetch(const std::string& location) {
  if (fetching_.count(location)) return;
  auto after = fetch_after_.find(location);
  if (after != fetch_after_.end() && loop_.clock().Now() < after->second) return;
  auto root = roots_.find(location);
  if (root == roots_.end()) return;
  // A few descriptions at a time per address: a host announcing thousands of LOCATIONs costs
  // a bounded number of connections (the others wait, and are dropped with their root).
  FetchQueue& q = fetch_queues_[root->second.source_ip];
  if (q.in_flight >= kFetchesPerHost) {
    if (std::find(q.waiting.begin(), q.waiting.end(), location) == q.waiting.end()) {
      q.waiting.push_back(location);
    }
    return;
  }
  ++q.in_flight;
  HttpRequest req;
  req.url = location;
  req.timeout = options_.description_timeout;
  req.max_response = options_.description_limits.max_bytes;
  fetching_[location] = http_->Send(
      std::move(req), [this, location, ip = root->second.source_ip](Result<HttpResponse> r) {
        fetching_.erase(location);
        FetchDone(ip);
        if (!r.ok()) return OnDescription(location, r.status());
        if (r->status != 200) {
          return OnDescription(location,
                               Status(Code::kInternalError,
                                      "HTTP " + std::to_string(r->status) + " for " + location));
        }
        OnDescription(location, ParseDescription(r->body, location, options_.description_limits));
      });
}

void ControlPoint::FetchDone(const std::string& ip) {
  auto it = fetch_queues_.find(ip);
  if (it == fetch_queues_.end()) return;
  if (it->second.in_flight > 0) --it->second.in_flight;
  while (!it->second.waiting.empty() && it->second.in_flight < kFetchesPerHost) {
    const std::string next = it->second.waiting.front();
    it->second.waiting.pop_front();
    if (roots_.count(next)) {
      Fetch(next);
      it = fetch_queues_.find(ip);
      if (it == fetch_queues_.end()) return;
    }
  }
  if (it->second.in_flight == 0 && it->second.waiting.empty()) fetch_queues_.erase(it);
}

void ControlPoint::CheckOwner(const std::string& location) {
  const SteadyTime now = loop_.clock().Now();
  auto last = checks_.find(location);
  if (last != checks_.end() && now - last->second < options_.conflict_check) return;
  checks_[location] = now;
  owner_checks_.insert(location);
  fetch_after_.erase(location);
  Fetch(location);
}

void ControlPoint::PruneToDescription(RootDevice& d) {
  for (auto it = d.devices.begin(); it != d.devices.end();) {
    if (d.description->FindDevice(it->first)) {
      ++it;
      continue;
    }
    if (auto m = uuid_location_.find(it->first);
        m != uuid_location_.end() && m->second == d.location) {
      uuid_location_.erase(m);
    }
    ++stats_.parts_refused;
    it = d.devices.erase(it);
  }
  for (auto it = d.services.begin(); it != d.services.end();) {
    auto usn = ParseUsn(it->first);
    if (usn && d.description->FindDevice(usn->uuid)) {
      ++it;
    } else {
      ++stats_.parts_refused;
      it = d.services.erase(it);
    }
  }
}

void ControlPoint::OnDescription(const std::string& location, Result<Description> desc) {
  auto it = roots_.find(location);
  if (it == roots_.end()) return;
  RootDevice& d = it->second;
  const bool owner_check = owner_checks_.erase(location) > 0;
  const std::string root_uuid = desc.ok() ? desc->root.Uuid() : "";
  if (desc.ok() && !d.uuid.empty() && d.uuid != root_uuid && !d.provisional_uuid) {
    desc = Status(Code::kInvalidArguments,
                  "description UDN " + root_uuid + " differs from SSDP " + d.uuid);
  }
  if (desc.ok() && !MayClaim(root_uuid, location, d.source_ip)) {
    desc = Status(Code::kInvalidArguments,
                  "description UDN " + root_uuid + " belongs to a device live at another address");
  }
  if (!desc.ok()) {
    ++stats_.descriptions_failed;
    ++d.description_failures;
    {
      const SteadyTime now = loop_.clock().Now();
      Failures& f = failures_[d.source_ip];
      if (f.count == 0 || now - f.since >= options_.failure_window) f = Failures{0, now};
      ++f.count;
      if (failures_.size() > options_.ssdp_hosts_tracked) failures_.erase(failures_.begin());
    }
    d.description_error = text::CleanLabel(desc.status().message(), 256);
    fetch_after_[location] = loop_.clock().Now() + Seconds(kRefetchSeconds);
    uint64_t skipped = 0;
    if (describe_log_.Allow(loop_.clock().Now(), &skipped)) {
      PX_LOG(kWarning, "upnp") << "description " << location << " refused: " << d.description_error
                               << " (" << skipped << " more since the last report)";
    }
    if (owner_check && d.description && d.status() == LeaseStatus::kActive) {
      // Asked because another address claims this device's UDN: it no longer answers as that
      // device, so its lease ends now and the next claim is a genuine move.
      PX_LOG(kWarning, "upnp") << d.uuid << " at " << location
                               << " no longer answers its description: lease ended";
      for (auto* map : {&d.devices, &d.services}) {
        for (auto& [k, a] : *map) a.status = LeaseStatus::kExpired;
      }
      if (gena_) gena_->Drop(d.uuid);
      Notify(d, DeviceChange::kExpired);
      Search();  // the device, wherever it went, answers promptly
      return;
    }
    if (d.uuid.empty() && d.devices.size() == 1) {
      // Known from service or device USNs only: show it, with its error, under that UUID.
      d.uuid = d.devices.begin()->first;
      d.provisional_uuid = true;
      Notify(d, DeviceChange::kAdded);
    }
    Notify(d, DeviceChange::kUpdated);
    return;
  }
  // The same root UUID at a LOCATION whose lease is over: the device moved; drop the old entry.
  for (auto o = roots_.begin(); o != roots_.end(); ++o) {
    if (o->first != location && o->second.uuid == root_uuid) {
      Evict(o->first, "moved to " + location);
      break;
    }
  }
  it = roots_.find(location);
  if (it == roots_.end()) return;
  RootDevice& r = it->second;
  if (r.provisional_uuid && r.uuid != root_uuid) {
    Notify(r, DeviceChange::kRemoved);  // it was shown under an embedded device's UUID
    r.uuid.clear();
  }
  const bool was_known = !r.uuid.empty();
  r.uuid = root_uuid;
  r.provisional_uuid = false;
  for (const auto* dev : desc->AllDevices()) uuid_location_[dev->Uuid()] = location;
  r.description = std::move(desc).value();
  r.description_error.clear();
  r.description_failures = 0;
  PruneToDescription(r);
  ++stats_.descriptions_ok;
  fetch_after_[location] = loop_.clock().Now() + Seconds(kRefetchSeconds);
  if (!was_known) Notify(r, DeviceChange::kAdded);
  Notify(r, DeviceChange::kDescribed);
  if (options_.auto_subscribe && r.status() == LeaseStatus::kActive) SubscribeAll(r);
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
