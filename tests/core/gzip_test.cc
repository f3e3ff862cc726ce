// GunzipBody/GzipBody: the corpus' gzip bodies, round trips, zip bombs and corrupt input.
#include <gtest/gtest.h>

#include "soap_test_util.h"

namespace proxier::core {
namespace {

using namespace cwmp::testing;  // NOLINT(google-build-using-namespace)

// Every body of case 27b is gzip on the wire (except the 204); each inflates into an envelope.
TEST(Gzip, CorpusBodiesInflate) {
  PX_REQUIRE_FIXTURES();
  int inflated = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(FixtureDir() / "27b-content-encoding-gzip")) {
    if (entry.path().extension() != ".http") continue;
    SCOPED_TRACE(entry.path().string());
    std::string raw = ReadAll(entry.path());
    auto split = raw.find("\r\n\r\n");
    ASSERT_NE(split, std::string::npos);
    std::string head = raw.substr(0, split);
    std::string body = raw.substr(split + 4);
    if (head.find("Content-Encoding: gzip") == std::string::npos) {
      EXPECT_TRUE(body.empty());  // the 204
      continue;
    }
    ASSERT_GE(body.size(), 2u);
    EXPECT_EQ(static_cast<unsigned char>(body[0]), 0x1f);
    EXPECT_EQ(static_cast<unsigned char>(body[1]), 0x8b);
    auto plain = GunzipBody(body);
    ASSERT_TRUE(plain.ok()) << plain.status();
    if (entry.path().filename().string().find("-empty") != std::string::npos) {
      EXPECT_TRUE(plain->empty());  // the empty POST, gzip-compressed
    } else {
      EXPECT_EQ(plain->rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap-env:Envelope", 0),
                0u);
      ++inflated;
    }
  }
  EXPECT_EQ(inflated, 4);  // Inform, InformResponse, GPV, GPV response
}

TEST(Gzip, RoundTrip) {
  for (std::string data : {std::string(), std::string("x"), std::string(100000, 'a'),
                           cwmp::BuildCpeRequest(cwmp::Namespace::k12, {}, cwmp::Inform{})}) {
    std::string packed = GzipBody(data);
    ASSERT_GE(packed.size(), 18u);  // gzip header + trailer
    EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f);
    auto back = GunzipBody(packed);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, data);
  }
}

TEST(Gzip, ConcatenatedMembersAreJoined) {
  auto back = GunzipBody(GzipBody("abc") + GzipBody("def"));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, "abcdef");
}

TEST(Gzip, BombsStopAtTheLimit) {
  const std::string bomb = GzipBody(std::string(kMaxGunzipBytes + 1, '\0'));
  EXPECT_LT(bomb.size(), 10000u);
  EXPECT_EQ(GunzipBody(bomb).status().code(), Code::kResourcesExceeded);
  const std::string fits = GzipBody(std::string(kMaxGunzipBytes, '\0'));
  auto ok = GunzipBody(fits);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->size(), kMaxGunzipBytes);
  EXPECT_EQ(GunzipBody(GzipBody(std::string(1000, 'z')), 999).status().code(),
            Code::kResourcesExceeded);
}

TEST(Gzip, CorruptAndTruncatedInput) {
  const std::string good = GzipBody("hello, gzip world");
  EXPECT_EQ(GunzipBody("").status().code(), Code::kInvalidArguments);
  EXPECT_EQ(GunzipBody("plain text").status().code(), Code::kInvalidArguments);
  for (size_t n = 1; n < good.size(); ++n) {
    EXPECT_EQ(GunzipBody(good.substr(0, n)).status().code(), Code::kInvalidArguments) << n;
  }
  std::string flipped = good;
  flipped[good.size() - 6] ^= 0x55;  // CRC32 of the trailer
  EXPECT_EQ(GunzipBody(flipped).status().code(), Code::kInvalidArguments);
  EXPECT_EQ(GunzipBody(good + "trailing garbage").status().code(), Code::kInvalidArguments);
}

}  // namespace
}  // namespace proxier::core
