// VirtualDevice: Device.IP.Diagnostics.IPPing. served locally and run as a BMS Ping on the
// appliance (mapping.md §4), then "8 DIAGNOSTICS COMPLETE".
#include "proxier/common/log.h"
#include "virtual_device.h"

namespace proxier::virtual_devices {

namespace {
constexpr char kPing[] = "Device.IP.Diagnostics.IPPing.";
constexpr Seconds kPingMargin{30};

datamodel::Syntax UintSyntax(uint32_t min, uint32_t max) {
  datamodel::Syntax s;
  s.type = datamodel::ValueType::kUnsignedInt;
  s.ranges.push_back({min, max, 1});
  return s;
}
}  // namespace

void VirtualDevice::BuildDiagnostics() {
  using datamodel::ComputedProvider;
  using datamodel::ValueType;
  diag_ = std::make_unique<ComputedProvider>();
  const std::string p = kPing;
  LoadPing();  // settings, state and results of an earlier run (a Requested test is resumed)

  ComputedProvider::Param state;
  state.get = [this] { return ping_.state; };
  state.syntax.enumerations = {"Requested", "Canceled"};  // what the ACS may write
  state.set = [this](const std::string& v) {
    ++ping_.run;
    ping_.test.reset();
    ping_.result = {};
    if (v == "Canceled") {
      ping_.state = "None";
      SavePing();
      return Status::Ok();
    }
    ping_.state = "Requested";
    SavePing();  // in the SetParameterValues' commit: owed once its answer leaves
    // After the SetParameterValues (its other items, its commit): then the BMS Ping.
    ctx_.loop.Post([this, alive = Alive(), run = ping_.run] {
      if (!alive() || ping_.run != run) return;
      WhenDescribed([this, run] {
        if (ping_.run == run) StartPing();
      });
    });
    return Status::Ok();
  };
  diag_->Add(p + "DiagnosticsState", std::move(state));

  // Writing a test parameter while a test runs stops it (TR-181).
  auto written = [this] {
    if (!ping_.test) return;
    ++ping_.run;
    ping_.test.reset();
    ping_.state = "None";
  };
  ComputedProvider::Param host;
  host.get = [this] { return ping_.host; };
  host.syntax.max_length = 256;
  host.set = [this, written](const std::string& v) {
    written();
    ping_.host = v;
    SavePing();
    return Status::Ok();
  };
  diag_->Add(p + "Host", std::move(host));

  const std::tuple<const char*, uint32_t PingState::*, uint32_t, uint32_t> settings[] = {
      {"NumberOfRepetitions", &PingState::repetitions, 1, UINT32_MAX},
      {"Timeout", &PingState::timeout_ms, 1, UINT32_MAX},
      {"DataBlockSize", &PingState::block, 1, 65535},
      {"DSCP", &PingState::dscp, 0, 63},
  };
  for (const auto& [name, field, min, max] : settings) {
    ComputedProvider::Param param;
    param.type = ValueType::kUnsignedInt;
    param.syntax = UintSyntax(min, max);
    param.get = [this, field] { return std::to_string(ping_.*field); };
    param.set = [this, field, written](const std::string& v) {
      written();
      ping_.*field = static_cast<uint32_t>(std::stoul(v));
      SavePing();
      return Status::Ok();
    };
    diag_->Add(p + name, std::move(param));
  }

  const std::pair<const char*, uint32_t upnp::PingResult::*> results[] = {
      {"SuccessCount", &upnp::PingResult::success_count},
      {"FailureCount", &upnp::PingResult::failure_count},
      {"AverageResponseTime", &upnp::PingResult::average_ms},
      {"MinimumResponseTime", &upnp::PingResult::minimum_ms},
      {"MaximumResponseTime", &upnp::PingResult::maximum_ms},
  };
  for (const auto& [name, field] : results) {
    ComputedProvider::Param param;
    param.type = ValueType::kUnsignedInt;
    param.get = [this, field] { return std::to_string(ping_.result.*field); };
    diag_->Add(p + name, std::move(param));
  }
  model_->MountComputed(diag_.get());
}

void VirtualDevice::StartPing() {
  const upnp::RootDevice* root =
      ctx_.options.find_device ? ctx_.options.find_device(md_.udn) : md_.device;
  if (root && root->description && !root->description->FindService(upnp::DmService::kBms)) {
    return FinishPing("Error_Internal");
  }
  if (ping_.host.empty()) return FinishPing("Error_CannotResolveHostName");
  upnp::PingRequest request{ping_.host, ping_.repetitions, ping_.timeout_ms,
                            static_cast<uint16_t>(ping_.block), static_cast<uint8_t>(ping_.dscp)};
  PX_LOG(kInfo, "vd") << ns_ << ": BMS Ping " << ping_.host;
  const uint64_t run = ping_.run;
  ctx_.actions.Ping(md_.udn, request, [this, alive = Alive(), run](Result<uint32_t> test) {
    if (!alive() || ping_.run != run) return;
    if (!test.ok() && !online_) {  // gone meanwhile: run when it is back
      return WhenDescribed([this, run] {
        if (ping_.run == run) StartPing();
      });
    }
    if (!test.ok()) {
      PX_LOG(kWarning, "vd") << ns_ << ": BMS Ping: " << test.status().message();
      return FinishPing("Error_Internal");
    }
    ping_.test = *test;
    SavePing();  // a restart polls this test again instead of starting another
    const uint64_t budget_ms = uint64_t{ping_.timeout_ms} * ping_.repetitions;
    ping_.deadline = ctx_.loop.clock().Now() + Millis(budget_ms) + kPingMargin;
    if (ping_timer_) ctx_.loop.Cancel(*ping_timer_);
    ping_timer_ = ctx_.loop.RunAfter(ctx_.options.sms_poll, [this] {
      ping_timer_.reset();
      PollPing();
    });
  });
}

void VirtualDevice::PollPing() {
  if (!ping_.test) return;
  const uint64_t run = ping_.run;
  ctx_.actions.GetPingResult(
      md_.udn, *ping_.test,
      [this, alive = Alive(), run](Result<std::optional<upnp::PingResult>> r) {
        if (!alive() || ping_.run != run || !ping_.test) return;
        if (r.ok() && *r) {
          ping_.result = **r;
          const std::string& s = ping_.result.status;
          if (s == "Success") return FinishPing("Complete");
          const bool known =
              s == "Error_CannotResolveHostName" || s == "Error_Internal" || s == "Error_Other";
          return FinishPing(known ? s : "Error_Other");
        }
        if (ctx_.loop.clock().Now() >= ping_.deadline) {
          return FinishPing(r.ok() ? "Error_Other" : "Error_Internal");
        }
        if (!ping_timer_) {
          ping_timer_ = ctx_.loop.RunAfter(ctx_.options.sms_poll, [this] {
            ping_timer_.reset();
            PollPing();
          });
        }
      });
}

void VirtualDevice::FinishPing(const std::string& state) {
  ping_.test.reset();
  ping_.state = state;
  PX_LOG(kInfo, "vd") << ns_ << ": IPPing " << state;
  if (!client_ || !client_->running()) {
    SavePing();
    PX_LOG(kError, "vd") << ns_ << ": 8 DIAGNOSTICS COMPLETE not queued: no client";
    return;
  }
  {
    // The outcome and its event in one commit: a crash leaves the test Requested (run again)
    // or its event queued.
    ScopedCommit commit(ctx_.db, "a finished IPPing");
    SavePing();
    Status st = client_->events().Add("8 DIAGNOSTICS COMPLETE");
    if (!st.ok()) PX_LOG(kError, "vd") << ns_ << ": 8 DIAGNOSTICS COMPLETE not queued: " << st;
  }
  client_->Trigger("8 DIAGNOSTICS COMPLETE");  // queued already: starts the session
}

}  // namespace proxier::virtual_devices
