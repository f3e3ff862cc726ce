// SSDP datagram parsing (tolerant forms) and formatting round trips.
#include "proxier/upnp/ssdp.h"

#include <gtest/gtest.h>

namespace proxier::upnp {
namespace {

TEST(SsdpTest, ParsesAliveWithBootId) {
  auto m = ParseSsdp(
      "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\ncache-control: max-age = 1800\r\n"
      "LOCATION: http://10.0.0.2:61000/d.xml\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n"
      "SERVER: Linux/6 UPnP/1.1 sim/1\r\nUSN: uuid:abc::upnp:rootdevice\r\n"
      "BOOTID.UPNP.ORG: 7\r\n\r\n");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->IsAlive());
  EXPECT_EQ(m->Target(), "upnp:rootdevice");
  EXPECT_EQ(m->MaxAge(), 1800u);
  EXPECT_EQ(m->BootId(), 7u);
  EXPECT_EQ(m->ConfigId(), std::nullopt);
  EXPECT_EQ(m->Header("LOCATION"), "http://10.0.0.2:61000/d.xml");
}

TEST(SsdpTest, ToleratesLfOnlyAndMissingBlankLine) {
  auto m = ParseSsdp("HTTP/1.1 200 OK\nST: urn:x\nUSN: uuid:1::urn:x\nCACHE-CONTROL: max-age=60");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->kind, SsdpMessage::Kind::kResponse);
  EXPECT_EQ(m->Target(), "urn:x");
  EXPECT_EQ(m->MaxAge(), 60u);
}

TEST(SsdpTest, RefusesGarbage) {
  EXPECT_FALSE(ParseSsdp("").ok());
  EXPECT_FALSE(ParseSsdp("GET / HTTP/1.1\r\n\r\n").ok());
  EXPECT_FALSE(ParseSsdp("NOTIFY * HTTP/1.1\r\nno colon here\r\n").ok());
  EXPECT_FALSE(ParseSsdp(std::string(9000, 'x')).ok());
  std::string many = "NOTIFY * HTTP/1.1\r\n";
  for (int i = 0; i < 70; ++i) many += "X" + std::to_string(i) + ": y\r\n";
  EXPECT_FALSE(ParseSsdp(many).ok());
  auto bad_age = ParseSsdp("NOTIFY * HTTP/1.1\r\nCACHE-CONTROL: max-age=abc\r\n");
  ASSERT_TRUE(bad_age.ok());
  EXPECT_EQ(bad_age->MaxAge(), std::nullopt);
}

// Trust boundary: protocol fields must be ASCII (else the datagram is refused); free text is a
// clean label (finding 1 of issue 10: such bytes once reached the ACS's envelopes).
TEST(SsdpTest, RefusesNonAsciiProtocolFieldsAndCleansFreeText) {
  const std::string head = "NOTIFY * HTTP/1.1\r\nNTS: ssdp:alive\r\nNT: upnp:rootdevice\r\n";
  for (const std::string bad :
       {"USN: uuid:\xFF\xFE::upnp:rootdevice\r\n", "USN: uuid:\xED\xA0\x80::upnp:rootdevice\r\n",
        "LOCATION: http://10.0.0.2/\x01d.xml\r\n",
        "NT: upnp:root\x7F"
        "device\r\n"}) {
    EXPECT_FALSE(ParseSsdp(head + bad).ok()) << bad;
  }
  auto m = ParseSsdp(head +
                     "SERVER: Linux \xFF\xFE\x1B[31m \xE2\x80\xAE"
                     "evil\r\n" +
                     "X-VENDOR: " + std::string(600, 'v') + "\r\n");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->Header("SERVER"), "Linux \xEF\xBF\xBD\xEF\xBF\xBD [31m evil");
  EXPECT_EQ(m->Header("X-VENDOR").size(), 256u);
  EXPECT_FALSE(ParseSsdp(head + "BAD NAME: x\r\n").ok());
}

TEST(SsdpTest, UsnSplits) {
  EXPECT_EQ(ParseUsn("uuid:1234::urn:schemas-upnp-org:device:X:1")->suffix,
            "urn:schemas-upnp-org:device:X:1");
  EXPECT_EQ(ParseUsn("uuid:1234")->uuid, "1234");
  EXPECT_EQ(ParseUsn("uuid:1234")->suffix, "");
  EXPECT_FALSE(ParseUsn("1234").has_value());
  EXPECT_FALSE(ParseUsn("uuid:12 34").has_value());
  EXPECT_FALSE(ParseUsn("uuid:12\xC3\xA9").has_value());
}

TEST(SsdpTest, FormatsRoundTrip) {
  SsdpAnnounce a{"urn:schemas-upnp-org:service:ConfigurationManagement:2",
                 "uuid:u1::urn:schemas-upnp-org:service:ConfigurationManagement:2",
                 "http://127.0.0.1:61000/d.xml",
                 "Linux/6 UPnP/1.1 x/1",
                 120,
                 42,
                 1};
  auto alive = ParseSsdp(FormatAlive(a));
  ASSERT_TRUE(alive.ok());
  EXPECT_TRUE(alive->IsAlive());
  EXPECT_EQ(alive->BootId(), 42u);
  EXPECT_EQ(alive->MaxAge(), 120u);
  auto bye = ParseSsdp(FormatByebye(a));
  ASSERT_TRUE(bye.ok());
  EXPECT_TRUE(bye->IsByebye());
  auto resp = ParseSsdp(FormatSearchResponse(a, "Mon, 01 Jan 2026 00:00:00 GMT"));
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->Target(), a.nt);
  EXPECT_EQ(resp->Header("USN"), a.usn);
  auto search = ParseSsdp(FormatSearch("upnp:rootdevice", 3));
  ASSERT_TRUE(search.ok());
  EXPECT_EQ(search->kind, SsdpMessage::Kind::kSearch);
  EXPECT_EQ(search->Header("MX"), "3");
}

}  // namespace
}  // namespace proxier::upnp
