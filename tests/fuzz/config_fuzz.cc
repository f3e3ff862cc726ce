// libFuzzer target: proxierd's configuration parser (ParseConfig) on arbitrary bytes. Config
// files are written by integrators and provisioning systems: a clear error or a configuration,
// never a crash (a 100,000-character listen address once overflowed std::regex's stack).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = proxier::app::ParseConfig(text, "fuzz.toml");
  if (config.ok()) (void)proxier::app::DescribeConfig(*config);
  return 0;
}
