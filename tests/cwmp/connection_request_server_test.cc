// ConnectionRequestServer: Digest (MD5, qop=auth) per endpoint, 401/404/503, rate limit, callbacks.
#include "proxier/core/connection_request_server.h"

#include <gtest/gtest.h>

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
    server_->AddEndpoint({"/cr/gw", "cruser", Secret("crpass"), [this] { ++gw_requests_; }, {}});
    server_->AddEndpoint({"/cr/vd/1", "vd1", Secret("vdpass"), [this] { ++vd_requests_; },
                          [this] { return vd_online_; }});
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
  SystemClock clock_;
  EventLoop loop_{clock_};
  HttpClient client_{loop_};
  std::unique_ptr<ConnectionRequestServer> server_;
  int gw_requests_ = 0, vd_requests_ = 0;
  bool vd_online_ = true;
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
