// CWMP micro-benchmarks: parse + answer a GetParameterValues of the gateway's whole tree, and a
// 1,000-parameter SetParameterValues (parse, validate, one transaction, response).
#include <benchmark/benchmark.h>

#include "proxier/common/clock.h"
#include "proxier/common/log.h"
#include "proxier/core/gateway_model.h"
#include "proxier/core/soap_codec.h"
#include "proxier/datamodel/schema.h"

namespace {

using namespace proxier;
namespace cwmp = proxier::core::cwmp;

struct Gateway {
  datamodel::Schema schema;
  std::unique_ptr<Db> db;
  SystemClock clock;
  std::unique_ptr<core::GatewayModel> gw;
  explicit Gateway(const std::string& db_path = ":memory:") {
    (void)datamodel::LoadSchemaDir(std::string(PROXIER_SOURCE_DIR) + "/datamodel/defs", &schema);
    db = std::move(Db::Open(db_path)).value();
    gw = std::move(core::GatewayModel::Create(*db, schema, "gw",
                                              {"Proxier", "02C0DE", "GW", "S1", "M", "D", "1", "1"},
                                              clock))
             .value();
  }
};

void BM_ParseAndAnswerGpvWholeTree(benchmark::State& state) {
  Gateway g;
  cwmp::Header h;
  h.id = "1a2b";
  std::string request =
      cwmp::BuildAcsRequest(cwmp::Namespace::k12, h, cwmp::GetParameterValues{{"Device."}});
  size_t bytes = 0;
  for (auto _ : state) {
    auto parsed = cwmp::ParseAcsEnvelope(request);
    auto& msg = std::get<cwmp::AcsMessage>(parsed);
    const auto& gpv = std::get<cwmp::GetParameterValues>(std::get<cwmp::AcsRequest>(msg.body));
    g.gw->model().GetValues(gpv.names, [&](Result<std::vector<datamodel::ParamValue>> r) {
      std::string out = cwmp::BuildCpeResponse(
          msg.ns, msg.header, cwmp::GetParameterValuesResult{std::move(r).value()});
      bytes = out.size();
    });
  }
  state.counters["response_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ParseAndAnswerGpvWholeTree)->Unit(benchmark::kMicrosecond);

void RunSpv(benchmark::State& state, Gateway& g) {
  std::vector<datamodel::SetItem> items;
  for (int i = 0; i < 1000; ++i) {
    auto row = g.gw->model().AddRowInternal("Device.ManagementServer.InformParameter.");
    items.push_back({"Device.ManagementServer.InformParameter." + std::to_string(row->instance) +
                         ".ParameterName",
                     "Device.DeviceInfo.UpTime", datamodel::ValueType::kString});
  }
  cwmp::Header h;
  h.id = "spv";
  std::string request =
      cwmp::BuildAcsRequest(cwmp::Namespace::k12, h, cwmp::SetParameterValues{items, "k"});
  for (auto _ : state) {
    auto parsed = cwmp::ParseAcsEnvelope(request);
    auto& msg = std::get<cwmp::AcsMessage>(parsed);
    const auto& spv = std::get<cwmp::SetParameterValues>(std::get<cwmp::AcsRequest>(msg.body));
    g.gw->model().SetValues(
        spv.params, "acs",
        [&] {
          return g.gw->store().SetInternal("Device.ManagementServer.ParameterKey",
                                           spv.parameter_key);
        },
        [&](datamodel::SetResult r) {
          if (!r.status.ok()) state.SkipWithError("SPV failed");
          benchmark::DoNotOptimize(cwmp::BuildCpeResponse(
              msg.ns, msg.header, cwmp::SetParameterValuesResult{r.apply_status}));
        });
  }
  state.counters["request_bytes"] = static_cast<double>(request.size());
}

void BM_ParseAndApplySpv1000InMemory(benchmark::State& state) {
  Gateway g;
  RunSpv(state, g);
}
BENCHMARK(BM_ParseAndApplySpv1000InMemory)->Unit(benchmark::kMillisecond);

void BM_ParseAndApplySpv1000OnDisk(benchmark::State& state) {
  std::string path = "/tmp/proxier-bench-" + std::to_string(getpid()) + ".db";
  {
    Gateway g(path);
    RunSpv(state, g);
  }
  for (const char* s : {"", "-wal", "-shm"}) std::remove((path + s).c_str());
}
BENCHMARK(BM_ParseAndApplySpv1000OnDisk)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  log::SetLevel(log::Level::kError);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
