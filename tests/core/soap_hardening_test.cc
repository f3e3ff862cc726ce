// Hostile and broken envelopes: DTDs and entities, size/depth/count limits, wrong structure,
// truncation and garbage. Every case is a ParseError with the right code, never a crash.
#include <gtest/gtest.h>

#include <cstdint>

#include "soap_test_util.h"

namespace proxier::core::cwmp {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

constexpr char kEnvOpen[] =
    "<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\">";

std::string Gpv(size_t names) {
  std::string xml = "<cwmp:GetParameterValues><ParameterNames>";
  for (size_t i = 0; i < names; ++i) xml += "<string>A</string>";
  return xml + "</ParameterNames></cwmp:GetParameterValues>";
}

void ExpectCode(std::string_view body, Code code, const CodecLimits& limits = {}) {
  ParseError error = MustFailAcs(body, limits);
  EXPECT_EQ(error.status.code(), code) << error.status;
  auto cpe = ParseCpeEnvelope(body, limits);
  EXPECT_EQ(cpe.status().code(), code) << cpe.status();
}

TEST(SoapHardening, BillionLaughsIsRefused) {
  std::string doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">";
  for (int i = 1; i < 10; ++i) {
    doc += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j) doc += i == 1 ? "&lol;" : "&lol" + std::to_string(i - 1) + ";";
    doc += "\">";
  }
  doc += "]>" + AcsEnvelope(Gpv(1), "&lol9;").substr(39);  // drop the XML declaration
  ExpectCode(doc, Code::kInvalidArguments);
}

TEST(SoapHardening, ExternalEntitiesAndDtdsAreRefused) {
  const std::string envelope = AcsEnvelope(Gpv(1), "&xxe;").substr(39);
  ExpectCode("<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>" + envelope,
             Code::kInvalidArguments);
  ExpectCode("<!DOCTYPE x [<!ENTITY % p SYSTEM \"http://127.0.0.1:9/p.dtd\"> %p;]>" +
                 AcsEnvelope(Gpv(1)).substr(39),
             Code::kInvalidArguments);
  ExpectCode("<!DOCTYPE soap-env:Envelope SYSTEM \"http://127.0.0.1:9/x.dtd\">" +
                 AcsEnvelope(Gpv(1)).substr(39),
             Code::kInvalidArguments);
  // An undeclared entity reference is malformed XML.
  ExpectCode(envelope, Code::kInvalidArguments);
}

TEST(SoapHardening, EnvelopeSizeLimit) {
  std::string big = AcsEnvelope(Gpv(1));
  big.insert(big.find("A</string>"), std::string(5 * 1024 * 1024, 'A'));
  ExpectCode(big, Code::kResourcesExceeded);

  const std::string body = AcsEnvelope(Gpv(2));
  CodecLimits limits;
  limits.max_envelope_bytes = body.size();
  EXPECT_TRUE(std::holds_alternative<AcsMessage>(ParseAcsEnvelope(body, limits)));
  limits.max_envelope_bytes = body.size() - 1;
  ExpectCode(body, Code::kResourcesExceeded, limits);
}

TEST(SoapHardening, DeepNestingIsRefused) {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "<a>";
  for (int i = 0; i < 10000; ++i) deep += "</a>";
  ExpectCode(AcsEnvelope("<cwmp:Reboot><CommandKey>" + deep + "</CommandKey></cwmp:Reboot>"),
             Code::kResourcesExceeded);
  // The limit is configurable: depth 5 is envelope/body/method/array/item.
  CodecLimits limits;
  limits.max_depth = 4;
  ExpectCode(AcsEnvelope(Gpv(1)).substr(39), Code::kResourcesExceeded, limits);
  limits.max_depth = 5;
  EXPECT_TRUE(std::holds_alternative<AcsMessage>(ParseAcsEnvelope(AcsEnvelope(Gpv(1)), limits)));
}

TEST(SoapHardening, ElementAndArrayItemCounts) {
  ExpectCode(AcsEnvelope(Gpv(200001)), Code::kResourcesExceeded);  // > max_elements
  EXPECT_EQ(MustFailAcs(AcsEnvelope(Gpv(100001))).status.code(),
            Code::kResourcesExceeded);  // > max_array_items
  GetRPCMethodsResult methods;
  methods.methods.assign(100001, "A");
  auto cpe = ParseCpeEnvelope(BuildCpeResponse(Namespace::k12, {}, methods));
  EXPECT_EQ(cpe.status().code(), Code::kResourcesExceeded) << cpe.status();
  auto ok = ParseAcsEnvelope(AcsEnvelope(Gpv(100000)));
  ASSERT_TRUE(std::holds_alternative<AcsMessage>(ok));
  EXPECT_EQ(AcsRequestOf<GetParameterValues>(std::get<AcsMessage>(ok))->names.size(), 100000u);
  CodecLimits limits;
  limits.max_array_items = 3;
  ParseError error = MustFailAcs(AcsEnvelope(Gpv(4), "n1"), limits);
  EXPECT_EQ(error.status.code(), Code::kResourcesExceeded);
  EXPECT_EQ(error.id, "n1");
  EXPECT_TRUE(std::holds_alternative<AcsMessage>(ParseAcsEnvelope(AcsEnvelope(Gpv(3)), limits)));
}

TEST(SoapHardening, EnvelopeStructure) {
  const std::string header =
      "<soap-env:Header><cwmp:ID soap-env:mustUnderstand=\"1\">s1</cwmp:ID></soap-env:Header>";
  const std::string reboot = "<cwmp:Reboot><CommandKey></CommandKey></cwmp:Reboot>";
  struct Case {
    const char* what;
    std::string body;
  };
  const std::vector<Case> cases = {
      {"missing Body", std::string(kEnvOpen) + header + "</soap-env:Envelope>"},
      {"empty Body", std::string(kEnvOpen) + header + "<soap-env:Body>  </soap-env:Body>" +
                         "</soap-env:Envelope>"},
      {"two body elements", std::string(kEnvOpen) + header + "<soap-env:Body>" + reboot + reboot +
                                "</soap-env:Body></soap-env:Envelope>"},
      {"two Bodies", std::string(kEnvOpen) + header + "<soap-env:Body>" + reboot +
                         "</soap-env:Body><soap-env:Body>" + reboot +
                         "</soap-env:Body></soap-env:Envelope>"},
      {"two Headers", std::string(kEnvOpen) + header + header + "<soap-env:Body>" + reboot +
                          "</soap-env:Body></soap-env:Envelope>"},
      {"SOAP 1.2 envelope",
       "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\" "
       "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><e:Body>" +
           reboot + "</e:Body></e:Envelope>"},
      {"no namespace", "<Envelope><Body><Reboot/></Body></Envelope>"},
      {"root is not an envelope", "<cwmp:Reboot xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"/>"},
      {"body element outside cwmp", std::string(kEnvOpen) + header +
                                        "<soap-env:Body><Reboot><CommandKey/></Reboot>"
                                        "</soap-env:Body></soap-env:Envelope>"},
      {"body element in cwmp-2-0",
       std::string(kEnvOpen) + header +
           "<soap-env:Body><x:Reboot xmlns:x=\"urn:dslforum-org:cwmp-2-0\"/></soap-env:Body>"
           "</soap-env:Envelope>"},
      {"mandatory unknown header",
       std::string(kEnvOpen) +
           "<soap-env:Header><cwmp:ID soap-env:mustUnderstand=\"1\">s1</cwmp:ID>"
           "<cwmp:X_Must soap-env:mustUnderstand=\"1\">x</cwmp:X_Must></soap-env:Header>"
           "<soap-env:Body>" +
           reboot + "</soap-env:Body></soap-env:Envelope>"},
      {"HoldRequests yes",
       std::string(kEnvOpen) +
           "<soap-env:Header><cwmp:ID soap-env:mustUnderstand=\"1\">s1</cwmp:ID>"
           "<cwmp:HoldRequests soap-env:mustUnderstand=\"1\">yes</cwmp:HoldRequests>"
           "</soap-env:Header><soap-env:Body>" +
           reboot + "</soap-env:Body></soap-env:Envelope>"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    ExpectCode(c.body, Code::kInvalidArguments);
  }
  // The ID is still reported when the header was readable.
  EXPECT_EQ(MustFailAcs(cases[2].body).id, "s1");
  EXPECT_EQ(MustFailAcs(cases[10].body).id, "s1");
}

// GenieACS's reply to an unknown CPE method (fixture 23): not a valid QName, so not XML.
TEST(SoapHardening, GenieAcsBodyFaultQNameIsUnparsable) {
  const std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap-env:Envelope "
      "xmlns:soap-enc=\"http://schemas.xmlsoap.org/soap/encoding/\" "
      "xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soap-env:Header><cwmp:ID "
      "soap-env:mustUnderstand=\"1\">cpe-2</cwmp:ID></soap-env:Header><soap-env:Body>"
      "<soap-env:Body:Fault><faultcode>Server</faultcode><faultstring>CWMP fault</faultstring>"
      "<detail><cwmp:Fault><FaultCode>8000</FaultCode><FaultString>Method not supported"
      "</FaultString></cwmp:Fault></detail></soap-env:Body:Fault></soap-env:Body>"
      "</soap-env:Envelope>";
  ExpectCode(body, Code::kInvalidArguments);
}

TEST(SoapHardening, EmptyGarbageAndNonUtf8) {
  for (std::string body :
       {std::string(), std::string("   \r\n"), std::string("not xml"), std::string("<"),
        std::string("<?xml version=\"1.0\"?>"), std::string("\x00\x01\x02", 3),
        std::string("HTTP/1.1 200 OK\r\n\r\n"), std::string("<a>\xff\xfe</a>")}) {
    ExpectCode(body, Code::kInvalidArguments);
  }
}

TEST(SoapHardening, EveryTruncationFails) {
  const std::string body = AcsEnvelope(
      "<cwmp:SetParameterValues><ParameterList soap-enc:arrayType=\"cwmp:ParameterValueStruct[1]\">"
      "<ParameterValueStruct><Name>Device.A</Name><Value xsi:type=\"xsd:string\">a &amp; b</Value>"
      "</ParameterValueStruct></ParameterList><ParameterKey>k</ParameterKey>"
      "</cwmp:SetParameterValues>");
  ASSERT_TRUE(std::holds_alternative<AcsMessage>(ParseAcsEnvelope(body)));
  for (size_t n = 0; n < body.size(); ++n) {
    auto parsed = ParseAcsEnvelope(std::string_view(body).substr(0, n));
    ASSERT_TRUE(std::holds_alternative<ParseError>(parsed)) << n;
    EXPECT_EQ(std::get<ParseError>(parsed).status.code(), Code::kInvalidArguments) << n;
  }
}

// Deterministic byte mutations of valid envelopes: never a crash (ASan watches), and whatever
// still parses rebuilds into an envelope that parses again.
TEST(SoapHardening, MutationsNeverCrash) {
  std::vector<std::string> seeds = {AcsEnvelope(Gpv(3)),
                                    BuildCpeRequest(Namespace::k12, {}, Inform{}),
                                    BuildAcsResponse(Namespace::k12, {}, Fault{8000, "", {}, ""})};
  uint32_t state = 12345;
  auto next = [&state] {
    state = state * 1103515245u + 12345u;
    return state >> 8;
  };
  const char alphabet[] = "<>/:=\"'&;#x \n\x80\xff\0abcdEnvelopeBodyHeader";
  size_t accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string doc = seeds[round % seeds.size()];
    for (int edits = 1 + next() % 4; edits > 0; --edits) {
      size_t at = next() % doc.size();
      switch (next() % 3) {
        case 0:
          doc[at] = alphabet[next() % (sizeof(alphabet) - 1)];
          break;
        case 1:
          doc.erase(at, 1 + next() % 8);
          break;
        default:
          doc.insert(at, doc.substr(next() % doc.size(), next() % 16));
      }
      if (doc.empty()) doc = "<";
    }
    auto acs = ParseAcsEnvelope(doc);
    if (const auto* m = std::get_if<AcsMessage>(&acs)) {
      ++accepted;
      std::string rebuilt =
          std::holds_alternative<AcsRequest>(m->body)
              ? BuildAcsRequest(m->ns, m->header, std::get<AcsRequest>(m->body))
              : BuildAcsResponse(m->ns, m->header, std::get<AcsResponse>(m->body));
      EXPECT_TRUE(std::holds_alternative<AcsMessage>(ParseAcsEnvelope(rebuilt))) << rebuilt;
    }
    auto cpe = ParseCpeEnvelope(doc);
    if (cpe.ok()) {
      ++accepted;
      std::string rebuilt =
          std::holds_alternative<CpeRequest>(cpe->body)
              ? BuildCpeRequest(cpe->ns, cpe->header, std::get<CpeRequest>(cpe->body))
              : BuildCpeResponse(cpe->ns, cpe->header, std::get<CpeResponse>(cpe->body));
      EXPECT_TRUE(ParseCpeEnvelope(rebuilt).ok()) << rebuilt;
    }
  }
  EXPECT_GT(accepted, 0u) << "the mutations should leave some envelopes valid";
}

}  // namespace
}  // namespace proxier::core::cwmp
