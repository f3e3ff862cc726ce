// libFuzzer target: ParseAcsEnvelope, ParseCpeEnvelope and GunzipBody on arbitrary bytes. Besides
// crashes and sanitizer reports, it checks that whatever parses rebuilds into an envelope that
// parses again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proxier/core/gzip.h"
#include "proxier/core/soap_codec.h"

namespace {

using namespace proxier::core::cwmp;  // NOLINT(google-build-using-namespace)

void Check(bool condition) {
  if (!condition) std::abort();
}

void Parse(std::string_view input) {
  auto acs = ParseAcsEnvelope(input);
  if (const auto* m = std::get_if<AcsMessage>(&acs)) {
    const std::string rebuilt =
        std::holds_alternative<AcsRequest>(m->body)
            ? BuildAcsRequest(m->ns, m->header, std::get<AcsRequest>(m->body))
            : BuildAcsResponse(m->ns, m->header, std::get<AcsResponse>(m->body));
    Check(std::holds_alternative<AcsMessage>(ParseAcsEnvelope(rebuilt)));
  } else {
    const auto code = std::get<ParseError>(acs).status.code();
    Check(code == proxier::Code::kInvalidArguments || code == proxier::Code::kResourcesExceeded ||
          code == proxier::Code::kMethodNotSupported);
  }
  auto cpe = ParseCpeEnvelope(input);
  if (cpe.ok()) {
    const std::string rebuilt =
        std::holds_alternative<CpeRequest>(cpe->body)
            ? BuildCpeRequest(cpe->ns, cpe->header, std::get<CpeRequest>(cpe->body))
            : BuildCpeResponse(cpe->ns, cpe->header, std::get<CpeResponse>(cpe->body));
    Check(ParseCpeEnvelope(rebuilt).ok());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Parse(input);
  auto inflated = proxier::core::GunzipBody(input, 1 << 20);
  if (inflated.ok()) {
    Check(inflated->size() <= (1 << 20));
    Parse(*inflated);
  }
  return 0;
}
