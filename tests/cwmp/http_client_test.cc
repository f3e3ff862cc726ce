// HttpClient on the EventLoop: bodies, headers, cookies per session, Basic/Digest auth, empty
// POSTs without Content-Type, redirects keeping POST, timeouts, size limits, downloads to files.
#include "proxier/core/http_client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "test_http_server.h"

namespace proxier::core {
namespace {

using proxier::testing::CannedResponse;
using proxier::testing::RecordedRequest;
using proxier::testing::TestHttpServer;

class HttpClientTest : public ::testing::Test {
 protected:
  Result<HttpResponse> Send(HttpSession& s, const HttpRequest& req) {
    std::optional<Result<HttpResponse>> out;
    Status st = s.Send(req, [&](Result<HttpResponse> r) { out.emplace(std::move(r)); });
    EXPECT_TRUE(st.ok()) << st;
    EXPECT_TRUE(loop_.RunUntil([&] { return out.has_value(); }, Millis(20000)));
    if (!out) return Status(Code::kInternalError, "no answer");
    return std::move(*out);
  }
  SystemClock clock_;
  EventLoop loop_{clock_};
  HttpClient client_{loop_};
};

TEST_F(HttpClientTest, PostsBodyAndReadsResponse) {
  TestHttpServer server([](const RecordedRequest& r) {
    return CannedResponse{200, "echo:" + r.body, {{"Content-Type", "text/xml"}}};
  });
  ASSERT_TRUE(server.ok());
  auto s = client_.NewSession();
  HttpRequest req;
  req.url = server.Url("/acs");
  req.body = "<x/>";
  req.headers = {"Content-Type: text/xml; charset=\"utf-8\"", "SOAPAction: \"\""};
  auto r = Send(*s, req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "echo:<x/>");
  EXPECT_EQ(r->headers["content-type"], "text/xml");
  EXPECT_EQ(r->local_ip, "127.0.0.1");
  auto seen = server.requests().at(0);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.headers["soapaction"], "\"\"");
  EXPECT_EQ(seen.headers.count("expect"), 0u);
}

TEST_F(HttpClientTest, EmptyPostCarriesNoContentType) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse{204, "", {}}; });
  auto s = client_.NewSession();
  HttpRequest req;
  req.url = server.Url();
  req.headers = {"Content-Type:"};
  auto r = Send(*s, req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 204);
  auto seen = server.requests().at(0);
  EXPECT_EQ(seen.headers.count("content-type"), 0u);
  EXPECT_EQ(seen.headers["content-length"], "0");
}

TEST_F(HttpClientTest, CookiesStayInTheirSession) {
  TestHttpServer server([](const RecordedRequest& r) {
    CannedResponse out;
    if (r.path == "/login") out.headers["Set-Cookie"] = "session=abc123";
    out.body = r.headers.count("cookie") ? r.headers.at("cookie") : "none";
    return out;
  });
  auto a = client_.NewSession();
  HttpRequest req;
  req.url = server.Url("/login");
  ASSERT_TRUE(Send(*a, req).ok());
  req.url = server.Url("/next");
  EXPECT_EQ(Send(*a, req)->body, "session=abc123");
  auto b = client_.NewSession();
  EXPECT_EQ(Send(*b, req)->body, "none");
  a->ClearCookies();
  EXPECT_EQ(Send(*a, req)->body, "none");
}

TEST_F(HttpClientTest, DigestAndBasicAuth) {
  TestHttpServer digest(
      [](const RecordedRequest&) {
        return CannedResponse{200, "in", {}};
      },
      TestHttpServer::Auth::kDigest, "acsuser", "acspass");
  auto s = client_.NewSession();
  HttpRequest req;
  req.url = digest.Url();
  req.body = "<inform/>";
  EXPECT_EQ(Send(*s, req)->status, 401);
  req.username = "acsuser";
  req.password = Secret("acspass");
  auto ok = Send(*s, req);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(digest.requests().back().body, "<inform/>");
  req.password = Secret("wrong");
  EXPECT_EQ(Send(*s, req)->status, 401);

  TestHttpServer basic(
      [](const RecordedRequest&) {
        return CannedResponse{200, "in", {}};
      },
      TestHttpServer::Auth::kBasic, "u", "p");
  auto b = client_.NewSession();
  HttpRequest breq;
  breq.url = basic.Url();
  breq.username = "u";
  breq.password = Secret("p");
  EXPECT_EQ(Send(*b, breq)->status, 200);
  breq.allow_basic = false;  // Digest only: never sends the password in clear
  auto nb = client_.NewSession();
  EXPECT_EQ(Send(*nb, breq)->status, 401);
}

// An ACS that never challenges (GenieACS's default) gets every message whole, once, even when
// Digest-only credentials are configured: no empty "probe" POST that it would take as the CPE's
// empty POST.
TEST_F(HttpClientTest, DigestOnlyCredentialsSendNoEmptyProbe) {
  TestHttpServer open([](const RecordedRequest& r) { return CannedResponse{200, r.body, {}}; });
  auto s = client_.NewSession();
  HttpRequest req;
  req.url = open.Url();
  req.username = "acsuser";
  req.password = Secret("acspass");
  req.allow_basic = false;
  for (const char* body : {"<inform/>", "<response/>"}) {
    req.body = body;
    auto r = Send(*s, req);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->body, body);
  }
  ASSERT_EQ(open.requests().size(), 2u);
  for (const auto& seen : open.requests()) {
    EXPECT_NE(seen.body, "");
    EXPECT_EQ(seen.headers.count("authorization"), 0u);
  }

  // A challenging ACS: the first message is answered after the challenge, later messages of the
  // session carry Digest at once (one request each, body never empty).
  TestHttpServer digest(
      [](const RecordedRequest& r) {
        return CannedResponse{200, r.body, {}};
      },
      TestHttpServer::Auth::kDigest, "acsuser", "acspass");
  auto d = client_.NewSession();
  req.url = digest.Url();
  req.body = "<inform/>";
  auto first = Send(*d, req);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "<inform/>");
  size_t before = digest.requests().size();
  req.body = "<next/>";
  auto next = Send(*d, req);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "<next/>");
  ASSERT_EQ(digest.requests().size(), before + 1);
  EXPECT_EQ(digest.requests().back().headers.count("authorization"), 1u);
}

TEST_F(HttpClientTest, RedirectKeepsPost) {
  TestHttpServer target([](const RecordedRequest& r) {
    return CannedResponse{200, r.method + ":" + r.body, {}};
  });
  TestHttpServer redirector([&](const RecordedRequest&) {
    return CannedResponse{302, "", {{"Location", target.Url("/new")}}};
  });
  auto s = client_.NewSession();
  HttpRequest req;
  req.url = redirector.Url("/old");
  req.body = "<b/>";
  req.follow_redirects = true;
  auto r = Send(*s, req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "POST:<b/>");
  EXPECT_EQ(r->effective_url, target.Url("/new"));
}

TEST_F(HttpClientTest, ConnectionRefusedAndTimeoutAreErrors) {
  // A port with nobody listening.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  auto s = client_.NewSession();
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/";
  auto refused = Send(*s, req);
  EXPECT_EQ(refused.status().code(), Code::kInternalError);
  // Listening but never answering: the request times out.
  ASSERT_EQ(listen(fd, 4), 0);
  req.timeout = Millis(300);
  auto timed_out = Send(*s, req);
  EXPECT_EQ(timed_out.status().code(), Code::kInternalError);
  EXPECT_NE(timed_out.status().message().find("timeout"), std::string::npos) << timed_out.status();
  close(fd);
}

TEST_F(HttpClientTest, DownloadToFileWithLimit) {
  std::string blob(100000, 'z');
  TestHttpServer server([&](const RecordedRequest&) { return CannedResponse{200, blob, {}}; });
  auto path = std::filesystem::temp_directory_path() / ("pxdl" + std::to_string(getpid()));
  auto s = client_.NewSession();
  HttpRequest req;
  req.method = "GET";
  req.url = server.Url("/fw.bin");
  req.output_path = path.string();
  auto r = Send(*s, req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->bytes, blob.size());
  EXPECT_EQ(std::filesystem::file_size(path), blob.size());
  req.max_body_bytes = 1000;
  auto big = Send(*s, req);
  EXPECT_EQ(big.status().code(), Code::kResourcesExceeded);
  std::filesystem::remove(path);
}

TEST_F(HttpClientTest, UploadsAFileWithPut) {
  TestHttpServer server([](const RecordedRequest& r) { return CannedResponse{201, r.method, {}}; });
  auto path = std::filesystem::temp_directory_path() / ("pxul" + std::to_string(getpid()));
  std::ofstream(path) << "config-data";
  auto s = client_.NewSession();
  HttpRequest req;
  req.method = "PUT";
  req.url = server.Url("/up");
  req.upload_path = path.string();
  auto r = Send(*s, req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(server.requests().at(0).body, "config-data");
  std::filesystem::remove(path);
}

TEST_F(HttpClientTest, OneRequestAtATimePerSession) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse{200, "", {}}; });
  auto s = client_.NewSession();
  HttpRequest req;
  req.url = server.Url();
  ASSERT_TRUE(s->Send(req, [](Result<HttpResponse>) {}).ok());
  EXPECT_FALSE(s->Send(req, [](Result<HttpResponse>) {}).ok());
  s.reset();  // destroying a busy session cancels without a callback
  loop_.RunOnce(Millis(10));
}

}  // namespace
}  // namespace proxier::core
