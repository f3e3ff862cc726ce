// Test helpers for the SOAP codec: fixture HTTP files, message access and masks.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <variant>

#include "proxier/core/gzip.h"
#include "proxier/core/soap_codec.h"

namespace proxier::core::cwmp::testing {

// The GenieACS capture corpus (see its INDEX.md).
inline std::filesystem::path FixtureDir() {
  return std::filesystem::path(PROXIER_SHARED_DIR) / "fixtures" / "genieacs-1.2.16";
}

#define PX_REQUIRE_FIXTURES()                                                           \
  do {                                                                                  \
    if (!std::filesystem::is_directory(::proxier::core::cwmp::testing::FixtureDir())) { \
      GTEST_SKIP() << "fixture corpus not found at "                                    \
                   << ::proxier::core::cwmp::testing::FixtureDir()                      \
                   << " (../shared is not part of a fresh clone)";                      \
    }                                                                                   \
  } while (false)

// One raw HTTP message of the corpus: start line, headers and the (gunzipped) body.
struct HttpFile {
  std::string start_line;
  std::string headers;  // raw header block, CRLF separated
  std::string body;     // decoded when Content-Encoding: gzip
  bool gzip = false;
};

inline std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline HttpFile LoadHttp(const std::filesystem::path& path) {
  HttpFile file;
  std::string raw = ReadAll(path);
  auto end = raw.find("\r\n\r\n");
  EXPECT_NE(end, std::string::npos) << path;
  if (end == std::string::npos) return file;
  std::string head = raw.substr(0, end);
  file.body = raw.substr(end + 4);
  auto eol = head.find("\r\n");
  file.start_line = head.substr(0, eol);
  file.headers = eol == std::string::npos ? "" : head.substr(eol + 2);
  file.gzip = file.headers.find("Content-Encoding: gzip") != std::string::npos;
  if (file.gzip && !file.body.empty()) {
    auto inflated = GunzipBody(file.body);
    EXPECT_TRUE(inflated.ok()) << path << ": " << inflated.status();
    if (inflated.ok()) file.body = *inflated;
  }
  return file;
}

// The fixture file of `folder` whose name starts with `prefix` ("06-").
inline std::filesystem::path FixtureFile(const std::string& folder, const std::string& prefix) {
  for (const auto& entry : std::filesystem::directory_iterator(FixtureDir() / folder)) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) return entry.path();
  }
  ADD_FAILURE() << "no fixture " << folder << "/" << prefix << "*";
  return {};
}

inline std::string FixtureBody(const std::string& folder, const std::string& prefix) {
  return LoadHttp(FixtureFile(folder, prefix)).body;
}

// Parses an ACS envelope that must be valid; fails the test otherwise.
inline AcsMessage MustParseAcs(std::string_view body) {
  auto parsed = ParseAcsEnvelope(body);
  if (auto* error = std::get_if<ParseError>(&parsed)) {
    ADD_FAILURE() << "ParseAcsEnvelope failed: " << error->status;
    return {};
  }
  return std::get<AcsMessage>(std::move(parsed));
}

inline CpeMessage MustParseCpe(std::string_view body) {
  auto parsed = ParseCpeEnvelope(body);
  if (!parsed.ok()) {
    ADD_FAILURE() << "ParseCpeEnvelope failed: " << parsed.status();
    return {};
  }
  return std::move(parsed).value();
}

// The ACS request inside a parsed message (nullptr when it is another kind).
template <typename T>
const T* AcsRequestOf(const AcsMessage& message) {
  const auto* request = std::get_if<AcsRequest>(&message.body);
  return request ? std::get_if<T>(request) : nullptr;
}
template <typename T>
const T* AcsResponseOf(const AcsMessage& message) {
  const auto* response = std::get_if<AcsResponse>(&message.body);
  return response ? std::get_if<T>(response) : nullptr;
}
template <typename T>
const T* CpeRequestOf(const CpeMessage& message) {
  const auto* request = std::get_if<CpeRequest>(&message.body);
  return request ? std::get_if<T>(request) : nullptr;
}
template <typename T>
const T* CpeResponseOf(const CpeMessage& message) {
  const auto* response = std::get_if<CpeResponse>(&message.body);
  return response ? std::get_if<T>(response) : nullptr;
}
// Not on temporaries: the pointer would dangle.
template <typename T>
const T* AcsRequestOf(const AcsMessage&&) = delete;
template <typename T>
const T* AcsResponseOf(const AcsMessage&&) = delete;
template <typename T>
const T* CpeRequestOf(const CpeMessage&&) = delete;
template <typename T>
const T* CpeResponseOf(const CpeMessage&&) = delete;

// The ParseError of a parse that must fail.
inline ParseError MustFailAcs(std::string_view body, const CodecLimits& limits = {}) {
  auto parsed = ParseAcsEnvelope(body, limits);
  if (std::holds_alternative<AcsMessage>(parsed)) {
    ADD_FAILURE() << "ParseAcsEnvelope accepted: " << body.substr(0, 300);
    return {};
  }
  return std::get<ParseError>(std::move(parsed));
}

// Replaces the volatile values listed in the corpus INDEX.md with fixed markers.
inline std::string MaskVolatile(std::string text) {
  static const std::regex time(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)");
  static const std::regex acs_id(R"(\b[0-9a-f]{15}\b)");
  text = std::regex_replace(text, time, "<TIME>");
  return std::regex_replace(text, acs_id, "<ACS-ID>");
}

// A minimal ACS envelope around `body_xml` (GenieACS's prefixes) with cwmp:ID `id`.
inline std::string AcsEnvelope(const std::string& body_xml, const std::string& id = "42",
                               const std::string& ns = "urn:dslforum-org:cwmp-1-2") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<soap-env:Envelope xmlns:soap-enc=\"http://schemas.xmlsoap.org/soap/encoding/\" "
         "xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:cwmp=\"" +
         ns + "\"><soap-env:Header><cwmp:ID soap-env:mustUnderstand=\"1\">" + id +
         "</cwmp:ID></soap-env:Header><soap-env:Body>" + body_xml +
         "</soap-env:Body></soap-env:Envelope>";
}

}  // namespace proxier::core::cwmp::testing
