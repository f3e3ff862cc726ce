// ControlPoint: the LAN ingress guard. Per-address SSDP rate, caps on devices and their parts
// with eviction, identity pinning, and the (rate-limited) log of every refusal.
#include <algorithm>

#include "control_point_internal.h"
#include "gena_client.h"
#include "proxier/common/log.h"
#include "proxier/common/text.h"
#include "proxier/upnp/control_point.h"
#include "proxier/upnp/http_worker.h"
#include "proxier/upnp/ssdp.h"

namespace proxier::upnp {

namespace {

const char* RefusalName(int kind) {
  static const char* kNames[] = {"malformed or foreign SSDP", "SSDP rate over the limit",
                                 "device cap reached", "too many parts", "UDN conflict"};
  return kind >= 0 && kind < 5 ? kNames[kind] : "refused";
}

}  // namespace

void ControlPoint::Refused(Refusal kind, const std::string& from, const std::string& what) {
  switch (kind) {
    case Refusal::kMalformed:
      ++stats_.ssdp_refused;
      break;
    case Refusal::kRate:
      ++stats_.ssdp_rate_limited;
      break;
    case Refusal::kDeviceCap:
      ++stats_.devices_refused;
      break;
    case Refusal::kPartCap:
      ++stats_.parts_refused;
      break;
    case Refusal::kConflict:
      ++stats_.identity_conflicts;
      break;
  }
  uint64_t skipped = 0;
  if (refusal_log_[kind].Allow(loop_.clock().Now(), &skipped)) {
    PX_LOG(kWarning, "upnp") << RefusalName(static_cast<int>(kind)) << " from " << from << ": "
                             << text::CleanLabel(what, 200) << " (" << skipped
                             << " more of this kind since the last report)";
  }
}

bool ControlPoint::WithinRate(const std::string& from_ip) {
  if (options_.ssdp_rate == 0) return true;
  const SteadyTime now = loop_.clock().Now();
  const double burst = 4.0 * options_.ssdp_rate;
  auto it = buckets_.find(from_ip);
  if (it == buckets_.end()) {
    if (buckets_.size() >= options_.ssdp_hosts_tracked) {
      // Forget the address heard from longest ago (a full bucket again if it comes back).
      auto oldest = std::min_element(buckets_.begin(), buckets_.end(), [](auto& a, auto& b) {
        return a.second.last < b.second.last;
      });
      buckets_.erase(oldest);
    }
    it = buckets_.emplace(from_ip, Bucket{burst, now}).first;
  }
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(burst, b.tokens + elapsed * options_.ssdp_rate);
  b.last = now;
  if (b.tokens < 1.0) {
    Refused(Refusal::kRate, from_ip,
            "over " + std::to_string(options_.ssdp_rate) + " datagrams per second");
    return false;
  }
  b.tokens -= 1.0;
  return true;
}

bool ControlPoint::FailingHost(const std::string& ip) {
  auto it = failures_.find(ip);
  if (it == failures_.end()) return false;
  if (loop_.clock().Now() - it->second.since >= options_.failure_window) {
    failures_.erase(it);
    return false;
  }
  return it->second.count >= options_.max_failures_per_host;
}

bool ControlPoint::MakeRoom(const std::string& from_ip) {
  // Eviction candidates, best first: never described, then no live lease; oldest first. A
  // described device with a live lease is never evicted.
  auto pick = [&](bool same_host) -> std::string {
    const RootDevice* best = nullptr;
    for (const auto& [loc, d] : roots_) {
      if (same_host && d.source_ip != from_ip) continue;
      const bool live = d.description && d.status() == LeaseStatus::kActive;
      // A root whose description is being fetched stays until that ends: evicting it would
      // start the next fetch before the worker let go of this one (unbounded connections).
      if (live || fetching_.count(loc)) continue;
      auto rank = [](const RootDevice& r) { return r.description ? 1 : 0; };
      if (!best || rank(d) < rank(*best) ||
          (rank(d) == rank(*best) && d.last_seen < best->last_seen)) {
        best = &d;
      }
    }
    return best ? best->location : "";
  };
  auto host = per_host_.find(from_ip);
  if (host != per_host_.end() && host->second >= options_.max_devices_per_host) {
    const std::string victim = pick(true);
    if (victim.empty()) return false;
    Evict(victim, "per-address cap");
  }
  if (roots_.size() >= options_.max_devices) {
    const std::string victim = pick(false);
    if (victim.empty()) return false;
    Evict(victim, "device cap");
  }
  return true;
}

void ControlPoint::Evict(const std::string& location, const std::string& why) {
  auto it = roots_.find(location);
  if (it == roots_.end()) return;
  RootDevice d = std::move(it->second);
  roots_.erase(it);
  for (auto m = uuid_location_.begin(); m != uuid_location_.end();) {
    m = m->second == location ? uuid_location_.erase(m) : std::next(m);
  }
  if (auto f = fetching_.find(location); f != fetching_.end()) {
    http_->Cancel(f->second);
    fetching_.erase(f);
    FetchDone(d.source_ip);
  }
  fetch_after_.erase(location);
  boot_changes_.erase(location);
  checks_.erase(location);
  owner_checks_.erase(location);
  pending_updates_.erase(location);
  if (auto h = per_host_.find(d.source_ip); h != per_host_.end() && --h->second == 0) {
    per_host_.erase(h);
  }
  if (gena_ && !d.uuid.empty()) gena_->Drop(d.uuid);
  ++stats_.devices_evicted;
  uint64_t skipped = 0;
  if (evict_log_.Allow(loop_.clock().Now(), &skipped)) {
    PX_LOG(kInfo, "upnp") << "forgot " << location << (d.uuid.empty() ? "" : " (" + d.uuid + ")")
                          << ": " << why << " (" << skipped << " more since the last report)";
  }
  Notify(d, DeviceChange::kRemoved);
}

bool ControlPoint::MayClaim(const std::string& uuid, const std::string& location,
                            const std::string& from_ip) {
  auto it = uuid_location_.find(uuid);
  if (it == uuid_location_.end() || it->second == location) return true;
  auto owner = roots_.find(it->second);
  if (owner == roots_.end() || owner->second.status() != LeaseStatus::kActive) {
    return true;  // the lease there is over (byebye, expiry): a genuine move
  }
  RootDevice& o = owner->second;
  const std::string what = "UDN " + uuid + " of the device at " + o.location +
                           " (lease active) announced by " + from_ip + " at " + location;
  Refused(Refusal::kConflict, from_ip, what);
  const SteadyTime now = loop_.clock().Now();
  const std::string key = o.uuid.empty() ? uuid : o.uuid;
  auto last = conflicts_.find(key);
  if (last == conflicts_.end() || now - last->second >= options_.conflict_check) {
    conflicts_[key] = now;
    if (conflicts_.size() > options_.max_devices) conflicts_.erase(conflicts_.begin());
    for (auto* l : std::vector<Listener*>(listeners_)) l->OnConflict(key, what);
  }
  // Is the owner still there? If its description no longer answers, its lease ends.
  CheckOwner(o.location);
  return false;
}

}  // namespace proxier::upnp
