// Data-model micro-benchmarks: schema loading, whole-tree GetParameterValues, SetParameterValues.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>

#include "proxier/common/clock.h"
#include "proxier/common/log.h"
#include "proxier/core/gateway_model.h"
#include "proxier/datamodel/schema.h"

namespace {

using namespace proxier;
using namespace proxier::datamodel;

const std::string kDefs = std::string(PROXIER_SOURCE_DIR) + "/datamodel/defs";
const std::string kOfficial =
    std::string(PROXIER_SOURCE_DIR) + "/../shared/bbf/tr-181-2-17-0-cwmp-full.xml";

void BM_LoadGatewayDefs(benchmark::State& state) {
  for (auto _ : state) {
    Schema s;
    if (!LoadSchemaDir(kDefs, &s).ok()) state.SkipWithError("defs");
    benchmark::DoNotOptimize(s.param_count());
  }
}
BENCHMARK(BM_LoadGatewayDefs)->Unit(benchmark::kMillisecond);

void BM_LoadOfficialTr181(benchmark::State& state) {
  if (!std::filesystem::exists(kOfficial)) {
    state.SkipWithError("official TR-181 file not present");
    return;
  }
  for (auto _ : state) {
    Schema s;
    if (!LoadSchemaFile(kOfficial, &s).ok() || !s.Finalize().ok()) state.SkipWithError("load");
    benchmark::DoNotOptimize(s.param_count());
  }
}
BENCHMARK(BM_LoadOfficialTr181)->Unit(benchmark::kMillisecond);

struct Gateway {
  Schema schema;
  std::unique_ptr<Db> db;
  SystemClock clock;
  std::unique_ptr<core::GatewayModel> gw;
  Gateway() {
    (void)LoadSchemaDir(kDefs, &schema);
    db = std::move(Db::Open(":memory:")).value();
    gw = std::move(core::GatewayModel::Create(*db, schema, "gw",
                                              {"Proxier", "02C0DE", "GW", "S1", "M", "D", "1", "1"},
                                              clock))
             .value();
  }
};

void BM_GetWholeGatewayTree(benchmark::State& state) {
  Gateway g;
  for (int i = 0; i < 5; ++i)
    (void)g.gw->model().AddRowInternal("Device.ManagementServer.InformParameter.");
  size_t n = 0;
  for (auto _ : state) {
    g.gw->model().GetValues({"Device."}, [&](Result<std::vector<ParamValue>> r) { n = r->size(); });
  }
  state.counters["params"] = static_cast<double>(n);
}
BENCHMARK(BM_GetWholeGatewayTree)->Unit(benchmark::kMicrosecond);

void BM_Set100Params(benchmark::State& state) {
  Gateway g;
  std::vector<SetItem> items;
  for (int i = 0; i < 100; ++i) {
    auto row = g.gw->model().AddRowInternal("Device.ManagementServer.InformParameter.");
    items.push_back({"Device.ManagementServer.InformParameter." + std::to_string(row->instance) +
                         ".ParameterName",
                     "Device.DeviceInfo.UpTime", std::nullopt});
  }
  for (auto _ : state) {
    g.gw->model().SetValues(items, "acs", {}, [&](SetResult r) {
      if (!r.status.ok()) state.SkipWithError("set failed");
    });
  }
}
BENCHMARK(BM_Set100Params)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  log::SetLevel(log::Level::kError);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
