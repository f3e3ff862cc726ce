// SimHost: process setup, device (re)registration, control commands.
#include "sim_host.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "proxier/common/log.h"
#include "proxier/upnp/description.h"

namespace proxier::sim {
namespace {

// Deterministic UUID per (seed, index): FNV-1a of both, formatted as a version-4 UUID.
std::string MakeUuid(const std::string& seed, int index) {
  uint64_t h = 1469598103934665603ULL;
  for (char c : seed + "#" + std::to_string(index)) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  uint64_t g = h * 6364136223846793005ULL + 1442695040888963407ULL;
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(h >> 32),
                static_cast<unsigned>(h & 0xffff), static_cast<unsigned>((h >> 16) & 0xfff),
                static_cast<unsigned>(g >> 52),
                static_cast<unsigned long long>(g & 0xffffffffffffULL));
  return buf;
}

std::vector<std::string> Split(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

}  // namespace

Result<std::unique_ptr<SimHost>> SimHost::Start(EventLoop& loop, const SimOptions& options,
                                                Output out) {
  std::unique_ptr<SimHost> h(new SimHost(loop, options));
  h->out_ = std::move(out);
  for (const auto& f : options.profiles) {
    auto p = LoadProfile(f);
    if (!p.ok()) return p.status();
    if (options.lease_override) p->lease_time = options.lease_override;
    for (int k = 1; k <= options.extra_params; ++k) {
      ParamSpec extra;
      extra.path = "/UPnP/DM/Extra/Param" + std::to_string(k);
      extra.value = "extra-" + std::to_string(k);
      p->params.push_back(std::move(extra));
    }
    h->profiles_.push_back(std::move(p).value());
  }
  upnp::Stack::Options so;
  so.interface = options.interface;
  so.ip = options.ip;
  so.port = options.port;
  auto stack = upnp::Stack::Start(so);
  if (!stack.ok()) return stack.status();
  h->stack_ = std::move(stack).value();
  char tmpl[] = "/tmp/upnp-dm-sim.XXXXXX";
  if (!mkdtemp(tmpl)) return Status(Code::kInternalError, "mkdtemp failed");
  h->web_root_ = tmpl;
  UpnpSetWebServerRootDir(h->web_root_.c_str());
  auto iface = upnp::ResolveInterface(options.interface, h->stack_->ip());
  if (!iface.ok()) return iface.status();
  SimHost* self = h.get();
  auto sock = upnp::SsdpSocket::Open(loop, *iface, options.ssdp_port,
                                     [self](const upnp::SsdpMessage& m, const sockaddr_in& from) {
                                       if (self->advertiser_) self->advertiser_->OnSearch(m, from);
                                     });
  if (!sock.ok()) return sock.status();
  h->ssdp_ = std::move(sock).value();
  h->advertiser_ =
      std::make_unique<upnp::SsdpAdvertiser>(loop, *h->ssdp_, Millis(options.reply_spread_ms),
                                             std::hash<std::string>{}(options.uuid_seed));
  const uint32_t boot_id = static_cast<uint32_t>(time(nullptr) & 0x7fffffff);
  for (int i = 0; i < options.count; ++i) {
    const Profile& p = h->profiles_[static_cast<size_t>(i) % h->profiles_.size()];
    const int index = options.index_base + i;
    const std::string base = "/dev" + std::to_string(i) + "/";
    Slot slot;
    slot.device = std::make_unique<SimDevice>(
        p, index, MakeUuid(options.uuid_seed, index), base, loop,
        [self, i](const std::string& udn, const std::string& sid, const upnp::Args& vars) {
          auto& host = self->slots_[static_cast<size_t>(i)].host;
          if (!host) return;
          PX_LOG(kDebug, "sim") << "notify " << udn << " " << sid << " " << vars.size();
          Status st = host->Notify(udn, sid, vars);
          if (!st.ok()) PX_LOG(kWarning, "sim") << "device " << i << ": " << st;
        });
    std::filesystem::create_directories(h->web_root_ + base);
    for (const auto& [name, content] : slot.device->Files()) {
      std::ofstream(h->web_root_ + base + name) << content;
    }
    const std::string location =
        "http://" + h->stack_->ip() + ":" + std::to_string(h->stack_->port()) + base + "desc.xml";
    auto desc = upnp::ParseDescription(slot.device->Files().at("desc.xml"), location);
    if (!desc.ok()) return desc.status();
    upnp::SsdpAdvertiser::Device ad;
    ad.location = location;
    ad.server = "Linux/6 UPnP/1.1 upnp-dm-sim/0.1";
    ad.max_age = slot.device->lease_time();
    ad.boot_id = boot_id;
    ad.targets = upnp::AnnouncedTargets(desc->root);
    slot.ssdp_id = h->advertiser_->Add(std::move(ad));
    h->slots_.push_back(std::move(slot));
  }
  for (size_t i = 0; i < h->slots_.size(); ++i) {
    SimDevice* dev = h->slots_[i].device.get();
    dev->request_reboot = [self, i] { self->Reboot(i); };
    PX_RETURN_IF_ERROR(h->Register(i));
  }
  for (auto& s : h->slots_) h->advertiser_->Announce(s.ssdp_id);
  h->WatchLines(STDIN_FILENO);
  if (!options.control_socket.empty()) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    options.control_socket.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    unlink(options.control_socket.c_str());
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        listen(fd, 4) != 0) {
      return Status(Code::kInternalError, "control socket " + options.control_socket);
    }
    h->control_fd_ = fd;
    (void)loop.WatchFd(fd, EventLoop::kReadable, [self, fd](uint32_t) {
      int c = accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (c >= 0) self->WatchLines(c);
    });
  }
  return h;
}

SimHost::~SimHost() {
  Shutdown();
  if (control_fd_ >= 0) {
    loop_.UnwatchFd(control_fd_);
    close(control_fd_);
    unlink(options_.control_socket.c_str());
  }
  for (auto& [fd, buf] : buffers_) {
    loop_.UnwatchFd(fd);
    if (fd != STDIN_FILENO) close(fd);
  }
  std::error_code ec;
  if (!web_root_.empty()) std::filesystem::remove_all(web_root_, ec);
}

void SimHost::Shutdown() {
  if (shut_) return;
  shut_ = true;
  for (size_t i = 0; i < slots_.size(); ++i) Offline(i);
  advertiser_.reset();
  ssdp_.reset();
}

Status SimHost::Register(size_t i) {
  Slot& s = slots_[i];
  SimDevice* dev = s.device.get();
  const std::string url = "http://" + stack_->ip() + ":" + std::to_string(stack_->port()) +
                          dev->base_path() + "desc.xml";
  auto host = upnp::DeviceHost::Register(
      *stack_, url, dev->ServiceTypes(),
      [dev](const upnp::DeviceAction& a) { return dev->OnAction(a); },
      [dev](const std::string&, const std::string& service_id) {
        return dev->InitialState(service_id);
      },
      options_.max_subscription_timeout_s, dev->Files().at("desc.xml"));
  if (!host.ok()) return host.status();
  s.host = std::move(host).value();
  return Status::Ok();
}

void SimHost::Offline(size_t i) {
  Slot& s = slots_[i];
  if (advertiser_ && advertiser_->online(s.ssdp_id)) advertiser_->Byebye(s.ssdp_id);
  s.host.reset();
}

void SimHost::Reboot(size_t i) {
  if (shut_) return;
  Offline(i);
  slots_[i].device->Rebooted();
  ++advertiser_->Get(slots_[i].ssdp_id).boot_id;
  loop_.RunAfter(Millis(200), [this, i] {
    if (shut_) return;
    Status st = Register(i);
    if (!st.ok()) {
      PX_LOG(kError, "sim") << st;
      return;
    }
    advertiser_->Announce(slots_[i].ssdp_id);
  });
}

void SimHost::WatchLines(int fd) {
  buffers_[fd];
  (void)loop_.WatchFd(fd, EventLoop::kReadable, [this, fd](uint32_t) {
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) {
      loop_.UnwatchFd(fd);
      if (fd != STDIN_FILENO) close(fd);
      buffers_.erase(fd);
      return;
    }
    std::string& b = buffers_[fd];
    b.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = b.find('\n')) != std::string::npos) {
      std::string line = b.substr(0, nl);
      b.erase(0, nl + 1);
      std::string reply = Command(line) + "\n";
      if (fd == STDIN_FILENO) {
        if (out_) out_(reply.substr(0, reply.size() - 1));
      } else {
        (void)!write(fd, reply.data(), reply.size());
      }
    }
  });
}

std::string SimHost::Command(const std::string& line) {
  auto w = Split(line);
  if (w.empty()) return "ERR empty";
  const std::string& cmd = w[0];
  if (cmd == "quit") {
    if (on_quit_) loop_.Post(on_quit_);
    return "OK bye";
  }
  if (w.size() < 2) return "ERR usage: <command> <device|*> ...";
  std::vector<size_t> targets;
  if (w[1] == "*") {
    for (size_t i = 0; i < slots_.size(); ++i) targets.push_back(i);
  } else {
    try {
      size_t i = std::stoul(w[1]);
      if (i >= slots_.size()) return "ERR no device " + w[1];
      targets.push_back(i);
    } catch (...) {
      return "ERR bad device " + w[1];
    }
  }
  auto arg = [&](size_t k) { return k < w.size() ? w[k] : std::string(); };
  std::string result = "OK";
  for (size_t i : targets) {
    Slot& s = slots_[i];
    try {
      if (cmd == "latency") {
        s.device->SetLatency(std::stoi(arg(2)));
      } else if (cmd == "error") {
        s.device->InjectError(std::stoi(arg(2)), std::stoi(arg(3)));
      } else if (cmd == "malformed") {
        std::string m = arg(2);
        if (m != "off" && m != "embedded" && m != "garbage") return "ERR off|embedded|garbage";
        s.device->SetMalformed(m == "off"        ? Malformed::kOff
                               : m == "embedded" ? Malformed::kEmbedded
                                                 : Malformed::kGarbage);
      } else if (cmd == "offline") {
        Offline(i);
      } else if (cmd == "online") {
        if (!s.host) {
          Status st = Register(i);
          if (!st.ok()) return "ERR " + st.message();
        }
        advertiser_->Announce(s.ssdp_id);
      } else if (cmd == "reboot") {
        Reboot(i);
      } else if (cmd == "lease") {
        uint32_t secs = static_cast<uint32_t>(std::stoul(arg(2)));
        s.device->SetLeaseTime(secs);
        advertiser_->Get(s.ssdp_id).max_age = secs;
        if (advertiser_->online(s.ssdp_id)) advertiser_->Announce(s.ssdp_id);
      } else if (cmd == "set") {
        std::string value = line.substr(line.find(arg(2)) + arg(2).size());
        while (!value.empty() && value[0] == ' ') value.erase(0, 1);
        int rc = s.device->LocalSet(arg(2), value);
        if (rc) return "ERR " + std::to_string(rc);
      } else if (cmd == "get") {
        result += " " + s.device->Get(arg(2));
      } else if (cmd == "answered") {
        result += " " + std::to_string(s.device->Answered(arg(2)));
      } else if (cmd == "udn") {
        result += " " + s.device->uuid();
      } else if (cmd == "sids") {
        if (s.host) {
          for (const auto& [service, sid] : s.host->Subscriptions()) {
            result += " " + service.substr(service.rfind(':') + 1) + "=" + sid;
          }
        }
      } else if (cmd == "newboot") {
        // A quick restart seen only through BOOTID.UPNP.ORG (no byebye in between): GENA
        // subscriptions are forgotten as in a real restart.
        ++advertiser_->Get(s.ssdp_id).boot_id;
        s.device->Rebooted();
        if (s.host) {
          s.host.reset();
          Status st = Register(i);
          if (!st.ok()) return "ERR " + st.message();
        }
        if (advertiser_->online(s.ssdp_id)) advertiser_->Announce(s.ssdp_id);
      } else if (cmd == "bootid") {
        result += " " + std::to_string(advertiser_->Get(s.ssdp_id).boot_id);
      } else {
        return "ERR unknown command " + cmd;
      }
    } catch (const std::exception& e) {
      return "ERR bad arguments for " + cmd;
    }
  }
  return result;
}

}  // namespace proxier::sim
