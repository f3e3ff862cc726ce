// ConnectionRequestServer: Digest (MD5, qop=auth) per endpoint, 401/404/503, rate limit, callbacks.
#include "proxier/core/connection_request_server.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "proxier/core/digest.h"
#include "proxier/core/http_client.h"

namespace proxier::core {
namespace {

class CrServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(3, Seconds(60)); }
  void Start(uint32_t limit, Seconds window) {
    server_.reset();
    ConnectionRequestOptions o;
    o.listen_host = "127.0.0.1";
    o.port = 0;
    o.rate_limit = limit;
    o.rate_window = window;
    auto s = ConnectionRequestServer::Start(loop_, o);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(s).value();
    server_->AddEndpoint({"/cr/gw",
                          "cruser",
                          Secret("crpass"),
                          [this] { ++gw_requests_; },
                          {},
                          [this] { return gw_busy_; }});
    server_->AddEndpoint({"/cr/vd/1",
                          "vd1",
                          Secret("vdpass"),
                          [this] { ++vd_requests_; },
                          [this] { return vd_online_; },
                          {}});
  }
  Result<HttpResponse> Get(const std::string& path, const std::string& user,
                           const std::string& pass) {
    auto s = client_.NewSession();
    HttpRequest req;
    req.method = "GET";
    req.url = ConnectionRequestUrl("127.0.0.1", server_->port(), path);
    req.username = user;
    req.password = Secret(pass);
    req.allow_basic = false;
    std::optional<Result<HttpResponse>> out;
    EXPECT_TRUE(s->Send(req, [&](Result<HttpResponse> r) { out.emplace(std::move(r)); }).ok());
    EXPECT_TRUE(loop_.RunUntil([&] { return out.has_value(); }, Millis(10000)));
    loop_.RunUntilIdle();  // posted on_request callbacks
    return out ? std::move(*out) : Result<HttpResponse>(Code::kInternalError, "no answer");
  }
  // HTTP status of a GET with this Authorization header, sent as is (no challenge first).
  long RawGet(const std::string& path, const std::string& authorization) {
    auto s = client_.NewSession();
    HttpRequest req;
    req.method = "GET";
    req.url = ConnectionRequestUrl("127.0.0.1", server_->port(), path);
    req.headers = {"Authorization: " + authorization};
    std::optional<Result<HttpResponse>> out;
    EXPECT_TRUE(s->Send(req, [&](Result<HttpResponse> r) { out.emplace(std::move(r)); }).ok());
    EXPECT_TRUE(loop_.RunUntil([&] { return out.has_value(); }, Millis(10000)));
    loop_.RunUntilIdle();
    return out && out->ok() ? (*out)->status : -1;
  }
  SystemClock clock_;
  EventLoop loop_{clock_};
  HttpClient client_{loop_};
  std::unique_ptr<ConnectionRequestServer> server_;
  int gw_requests_ = 0, vd_requests_ = 0;
  bool vd_online_ = true;
  bool gw_busy_ = false;
};

TEST_F(CrServerTest, ChallengesWithDigestMd5QopAuth) {
  auto r = Get("/cr/gw", "", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  const std::string& challenge = r->headers["www-authenticate"];
  EXPECT_NE(challenge.find("Digest realm=\"Proxier\""), std::string::npos) << challenge;
  EXPECT_NE(challenge.find("qop=\"auth\""), std::string::npos) << challenge;
  // RFC 2617: no algorithm means MD5; libmicrohttpd writes "algorithm=md5".
  std::string lower = challenge;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  EXPECT_TRUE(lower.find("algorithm=") == std::string::npos ||
              lower.find("algorithm=md5") != std::string::npos)
      << challenge;
  EXPECT_NE(challenge.find("opaque="), std::string::npos) << challenge;
  EXPECT_EQ(gw_requests_, 0);
}

TEST_F(CrServerTest, RightCredentialsAccepted) {
  auto r = Get("/cr/gw", "cruser", "crpass");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.empty());
  EXPECT_EQ(gw_requests_, 1);
  EXPECT_EQ(vd_requests_, 0);
}

TEST_F(CrServerTest, WrongCredentialsRejected) {
  EXPECT_EQ(Get("/cr/gw", "cruser", "nope")->status, 401);
  EXPECT_EQ(Get("/cr/gw", "someone", "crpass")->status, 401);
  EXPECT_EQ(Get("/cr/gw", "vd1", "vdpass")->status, 401) << "another endpoint's credentials";
  EXPECT_EQ(gw_requests_, 0);
  EXPECT_EQ(server_->stats().unauthorized, 6u);  // each attempt: challenge + failed answer
}

TEST_F(CrServerTest, EachEndpointHasItsOwnPathAndCredentials) {
  EXPECT_EQ(Get("/cr/vd/1", "vd1", "vdpass")->status, 200);
  EXPECT_EQ(vd_requests_, 1);
  EXPECT_EQ(gw_requests_, 0);
  EXPECT_EQ(Get("/cr/vd/2", "vd1", "vdpass")->status, 404);
  server_->SetCredentials("/cr/vd/1", "vd1", Secret("changed"));
  EXPECT_EQ(Get("/cr/vd/1", "vd1", "vdpass")->status, 401);
  EXPECT_EQ(Get("/cr/vd/1", "vd1", "changed")->status, 200);
}

TEST_F(CrServerTest, UnavailableEndpointAnswers503) {
  vd_online_ = false;
  EXPECT_EQ(Get("/cr/vd/1", "vd1", "vdpass")->status, 503);
  EXPECT_EQ(vd_requests_, 0);
  EXPECT_EQ(Get("/cr/vd/1", "vd1", "")->status, 401) << "credentials are checked first";
}

TEST_F(CrServerTest, RateLimitAnswers503) {
  std::vector<long> codes;
  for (int i = 0; i < 6; ++i) codes.push_back(Get("/cr/gw", "cruser", "crpass")->status);
  EXPECT_EQ(codes, (std::vector<long>{200, 200, 200, 503, 503, 503}));
  EXPECT_EQ(gw_requests_, 3);
  EXPECT_EQ(server_->stats().throttled, 3u);
  EXPECT_EQ(Get("/cr/vd/1", "vd1", "vdpass")->status, 200) << "limits are per endpoint";
}

// GenieACS sends one connection request per task: those that come while a session is open or
// about to start are folded into it, answered 200 and never counted (issue 11, item 4).
TEST_F(CrServerTest, RequestsDuringASessionAreFoldedAndNotCounted) {
  gw_busy_ = true;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Get("/cr/gw", "cruser", "crpass")->status, 200);
  EXPECT_EQ(server_->stats().coalesced, 10u);
  EXPECT_EQ(gw_requests_, 3) << "follow-ups asked while the bucket (3) allowed";
  gw_busy_ = false;
  EXPECT_EQ(Get("/cr/gw", "cruser", "crpass")->status, 503) << "no session: the limit holds";
}

TEST_F(CrServerTest, WrongCredentialsAreCountedAndLogged) {
  std::string log;
  log::CaptureTo(&log);
  EXPECT_EQ(Get("/cr/gw", "cruser", "wrong")->status, 401);
  log::CaptureTo(nullptr);
  EXPECT_EQ(server_->stats().bad_credentials, 1u);
  EXPECT_NE(log.find("connection request from 127.0.0.1 refused: 401, wrong credentials"),
            std::string::npos)
      << log;
  EXPECT_EQ(Get("/cr/gw", "cruser", "crpass")->status, 200);
  EXPECT_EQ(server_->stats().bad_credentials, 1u) << "the Digest challenge itself is no refusal";
}

TEST_F(CrServerTest, RateWindowSlides) {
  Start(1, Seconds(1));
  EXPECT_EQ(Get("/cr/gw", "cruser", "crpass")->status, 200);
  EXPECT_EQ(Get("/cr/gw", "cruser", "crpass")->status, 503);
  // Accepted again once the window has passed (bounded wait for a time-based rule).
  long status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (status != 200 && std::chrono::steady_clock::now() < deadline) {
    status = Get("/cr/gw", "cruser", "crpass")->status;
    if (status != 200) loop_.RunOnce(Millis(100));
  }
  EXPECT_EQ(status, 200);
}

// An ACS often sends connection requests to several devices behind one gateway at once (or
// twice to one): every one with the right credentials is accepted. libmicrohttpd 0.9.75's Digest
// check failed most of them (nonces made from the second and the URI, kept in a table indexed by
// a weak hash: concurrent challenges overwrote each other, or were the same nonce and the second
// answer looked like a replay).
TEST_F(CrServerTest, ConcurrentRequestsAreAllAccepted) {
  Start(1000, Seconds(60));
  for (int e = 2; e <= 10; ++e) {
    server_->AddEndpoint({"/cr/vd/" + std::to_string(e),
                          "vd" + std::to_string(e),
                          Secret("pw" + std::to_string(e)),
                          [this] { ++vd_requests_; },
                          {},
                          {}});
  }
  std::vector<std::unique_ptr<HttpSession>> sessions;
  std::vector<long> codes;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 20; ++i) {
      const int e = 1 + i % 10;  // each endpoint twice per round
      sessions.push_back(client_.NewSession());
      HttpRequest req;
      req.method = "GET";
      req.url = ConnectionRequestUrl("127.0.0.1", server_->port(), "/cr/vd/" + std::to_string(e));
      req.username = "vd" + std::to_string(e);
      req.password = Secret(e == 1 ? "vdpass" : "pw" + std::to_string(e));
      req.allow_basic = false;
      ASSERT_TRUE(
          sessions.back()
              ->Send(req,
                     [&codes](Result<HttpResponse> r) { codes.push_back(r.ok() ? r->status : -1); })
              .ok());
    }
  }
  ASSERT_TRUE(loop_.RunUntil([&] { return codes.size() == 60; }, Millis(20000)));
  EXPECT_EQ(std::count(codes.begin(), codes.end(), 200L), 60);
  loop_.RunUntilIdle();
  EXPECT_EQ(vd_requests_, 60);
}

// A nonce is good for one use of each nc value (a replayed answer is refused), for
// nonce_timeout, and only for the URI it answers.
TEST_F(CrServerTest, ReplayedOrForeignAnswersRejected) {
  auto challenge = Get("/cr/gw", "", "");
  ASSERT_TRUE(challenge.ok());
  const std::string www = challenge->headers["www-authenticate"];
  auto field = [&](const std::string& name) {
    auto at = www.find(name + "=\"");
    if (at == std::string::npos) return std::string();
    at += name.size() + 2;
    return www.substr(at, www.find('"', at) - at);
  };
  const std::string nonce = field("nonce"), opaque = field("opaque");
  ASSERT_EQ(nonce.size(), 32u) << www;
  auto answer = [&](const std::string& path, const std::string& uri, const std::string& nc,
                    const std::string& password) {
    const std::string ha1 = Md5Hex("cruser:Proxier:" + password);
    const std::string ha2 = Md5Hex("GET:" + uri);
    const std::string response = Md5Hex(ha1 + ":" + nonce + ":" + nc + ":abcdef:auth:" + ha2);
    return RawGet(path, "Digest username=\"cruser\", realm=\"Proxier\", nonce=\"" + nonce +
                            "\", uri=\"" + uri + "\", algorithm=MD5, response=\"" + response +
                            "\", opaque=\"" + opaque + "\", qop=auth, nc=" + nc +
                            ", cnonce=\"abcdef\"");
  };
  EXPECT_EQ(answer("/cr/gw", "/cr/gw", "00000001", "crpass"), 200);
  EXPECT_EQ(answer("/cr/gw", "/cr/gw", "00000001", "crpass"), 401) << "replay";
  EXPECT_EQ(answer("/cr/gw", "/cr/gw", "00000002", "crpass"), 200) << "next nc";
  EXPECT_EQ(answer("/cr/gw", "/cr/gw", "00000003", "wrong"), 401);
  EXPECT_EQ(answer("/cr/gw", "/cr/vd/1", "00000004", "crpass"), 401) << "answer for another URI";
  EXPECT_EQ(gw_requests_, 2);
}

TEST(DigestTest, Md5KnownAnswers) {  // RFC 1321 A.5
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5Hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(Md5Hex("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(Md5Hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            "d174ab98d277d9f5a5611c2c9f419d9f");
  EXPECT_EQ(Md5Hex("1234567890123456789012345678901234567890123456789012345678901234567890123456"
                   "7890"),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(DigestTest, ParsesAuthorization) {
  auto d = ParseDigestAuthorization(
      "Digest username=\"Mufasa\",realm=\"testrealm@host.com\", nonce=\"dcd98b\", "
      "uri=\"/dir/index.html\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
      "response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc\", x=\"a\\\"b\"");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ((*d)["username"], "Mufasa");
  EXPECT_EQ((*d)["realm"], "testrealm@host.com");
  EXPECT_EQ((*d)["qop"], "auth");
  EXPECT_EQ((*d)["nc"], "00000001");
  EXPECT_EQ((*d)["x"], "a\"b");
  EXPECT_TRUE(ParseDigestAuthorization("digest USERNAME=x").has_value());
  EXPECT_EQ((*ParseDigestAuthorization("digest USERNAME=x"))["username"], "x");
  for (const char* bad : {"", "Basic abc", "Digest", "Digest username", "Digest a=\"open",
                          "Digest =x", "Digest a=b,,", "Digest a=b c=d"}) {
    EXPECT_FALSE(ParseDigestAuthorization(bad).has_value()) << bad;
  }
}

TEST(DigestTest, Rfc2617Example) {  // RFC 2617 section 3.5
  const std::string ha1 = Md5Hex("Mufasa:testrealm@host.com:Circle Of Life");
  const std::string ha2 = Md5Hex("GET:/dir/index.html");
  EXPECT_EQ(Md5Hex(ha1 + ":dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:0a4f113b:auth:" + ha2),
            "6629fae49393a05397450978507c4ef1");
}

TEST(CrUrlTest, Formats) {
  EXPECT_EQ(ConnectionRequestUrl("10.0.0.2", 7547, "/cr/gw"), "http://10.0.0.2:7547/cr/gw");
  EXPECT_EQ(ConnectionRequestUrl("fe80::1", 7547, "/cr"), "http://[fe80::1]:7547/cr");
}

TEST(CrServerStartTest, BadAddressIsAnError) {
  SystemClock clock;
  EventLoop loop(clock);
  ConnectionRequestOptions o;
  o.listen_host = "not-an-ip";
  EXPECT_FALSE(ConnectionRequestServer::Start(loop, o).ok());
}

}  // namespace
}  // namespace proxier::core
