// Device-side SSDP.
#include "proxier/upnp/ssdp_advertiser.h"

#include <algorithm>
#include <ctime>
#include <functional>

#include "proxier/common/log.h"

namespace proxier::upnp {
namespace {

// "urn:a:service:X:2" answers a search for "urn:a:service:X:1" (UDA: lower versions too).
bool Matches(const std::string& st, const std::string& nt) {
  if (st == "ssdp:all" || st == nt) return true;
  size_t a = st.rfind(':'), b = nt.rfind(':');
  if (a == std::string::npos || b == std::string::npos || st.compare(0, a, nt, 0, b) != 0 ||
      st.rfind("urn:", 0) != 0) {
    return false;
  }
  try {
    return std::stoi(nt.substr(b + 1)) >= std::stoi(st.substr(a + 1));
  } catch (...) {
    return false;
  }
}

std::string HttpDate() {
  char buf[64];
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> AnnouncedTargets(const DeviceInfo& root) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("upnp:rootdevice", root.udn + "::upnp:rootdevice");
  std::function<void(const DeviceInfo&)> walk = [&](const DeviceInfo& d) {
    out.emplace_back(d.udn, d.udn);
    out.emplace_back(d.device_type, d.udn + "::" + d.device_type);
    for (const auto& s : d.services) {
      auto t = std::make_pair(s.service_type, d.udn + "::" + s.service_type);
      if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    }
    for (const auto& c : d.devices) walk(c);
  };
  walk(root);
  return out;
}

SsdpAdvertiser::SsdpAdvertiser(EventLoop& loop, SsdpSocket& socket, Millis max_reply_delay,
                               uint64_t seed)
    : loop_(loop), socket_(socket), max_reply_delay_(max_reply_delay), rng_(seed) {}

SsdpAdvertiser::~SsdpAdvertiser() {
  for (auto& [id, e] : devices_) {
    if (e.refresh) loop_.Cancel(e.refresh);
  }
}

int SsdpAdvertiser::Add(Device device) {
  int id = next_id_++;
  devices_[id].device = std::move(device);
  return id;
}

void SsdpAdvertiser::SendAlive(int id) {
  Entry& e = devices_.at(id);
  for (const auto& [nt, usn] : e.device.targets) {
    SsdpAnnounce a{nt,
                   usn,
                   e.device.location,
                   e.device.server,
                   e.device.max_age,
                   e.device.boot_id,
                   e.device.config_id};
    Status st = socket_.SendMulticast(FormatAlive(a));
    if (!st.ok()) PX_LOG(kWarning, "ssdp") << st;
  }
}

void SsdpAdvertiser::Announce(int id) {
  Entry& e = devices_.at(id);
  e.online = true;
  SendAlive(id);
  SendAlive(id);
  if (e.refresh) loop_.Cancel(e.refresh);
  const int64_t period = std::clamp<int64_t>(e.device.max_age / 2, 1, 900);
  e.refresh = loop_.RunEvery(Seconds(period), [this, id] {
    if (devices_.at(id).online) SendAlive(id);
  });
}

void SsdpAdvertiser::Byebye(int id) {
  Entry& e = devices_.at(id);
  e.online = false;
  ++e.generation;  // search answers still pending are dropped
  if (e.refresh) loop_.Cancel(e.refresh);
  e.refresh = 0;
  for (const auto& [nt, usn] : e.device.targets) {
    SsdpAnnounce a{nt,
                   usn,
                   e.device.location,
                   e.device.server,
                   e.device.max_age,
                   e.device.boot_id,
                   e.device.config_id};
    (void)socket_.SendMulticast(FormatByebye(a));
  }
}

void SsdpAdvertiser::OnSearch(const SsdpMessage& search, const sockaddr_in& from) {
  if (search.kind != SsdpMessage::Kind::kSearch) return;
  const std::string& st = search.Header("ST");
  if (st.empty()) return;
  int mx = 1;
  try {
    mx = std::clamp(std::stoi(search.Header("MX")), 1, 5);
  } catch (...) {
  }
  const int64_t bound = std::min<int64_t>(max_reply_delay_.count(), mx * 1000);
  for (auto& [id, e] : devices_) {
    if (!e.online) continue;
    std::vector<std::pair<std::string, std::string>> answers;  // (ST, USN)
    for (const auto& [nt, usn] : e.device.targets) {
      if (!Matches(st, nt)) continue;
      // USN with the requested type (a lower version search gets the lower version back).
      answers.emplace_back(
          st == "ssdp:all" ? nt : st,
          st == "ssdp:all" || st == nt ? usn : usn.substr(0, usn.find("::") + 2) + st);
    }
    if (answers.empty()) continue;
    int64_t delay = bound > 0 ? static_cast<int64_t>(rng_() % static_cast<uint64_t>(bound)) : 0;
    const int device = id;
    std::weak_ptr<bool> alive = alive_;
    loop_.RunAfter(Millis(delay), [this, alive, device, from, generation = e.generation,
                                   answers = std::move(answers)] {
      if (alive.expired()) return;
      auto it = devices_.find(device);
      // Went offline meanwhile (even if back since): the search is not answered.
      if (it == devices_.end() || !it->second.online || it->second.generation != generation) {
        return;
      }
      // Formatted now, not when the search came: a BOOTID changed meanwhile is the current one.
      const Device& d = it->second.device;
      const std::string date = HttpDate();
      for (const auto& [target, usn] : answers) {
        SsdpAnnounce a{target, usn, d.location, d.server, d.max_age, d.boot_id, d.config_id};
        (void)socket_.SendTo(from, FormatSearchResponse(a, date));
      }
    });
  }
}

}  // namespace proxier::upnp
