// libFuzzer target: the data-model definition loader (LoadSchemaText, then Finalize) on
// arbitrary bytes. A definition file comes from an integrator or a provisioning system: any
// content must give a clear error or a schema, never a crash, a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proxier/datamodel/schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  proxier::datamodel::Schema schema;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (proxier::datamodel::LoadSchemaText(text, "fuzz.xml", &schema).ok()) {
    (void)schema.Finalize();
  }
  return 0;
}
