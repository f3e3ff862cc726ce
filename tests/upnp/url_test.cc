// URL parsing and resolution against LOCATION / URLBase.
#include "proxier/upnp/url.h"

#include <gtest/gtest.h>

namespace proxier::upnp {
namespace {

TEST(UrlTest, ParsesHostPortPath) {
  auto u = ParseUrl("http://192.168.1.7:49152/desc.xml?x=1");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "192.168.1.7");
  EXPECT_EQ(u->port, 49152);
  EXPECT_EQ(u->path, "/desc.xml?x=1");
  EXPECT_EQ(ParseUrl("HTTP://Host")->ToString(), "http://host:80/");
}

TEST(UrlTest, RefusesOtherSchemesAndJunk) {
  for (const char* bad : {"https://a/", "ftp://a/", "http://", "http://a:0/", "http://a:99999/",
                          "http://u:p@a/", "http://a b/", "file:///etc/passwd", "/rel"}) {
    EXPECT_FALSE(ParseUrl(bad).ok()) << bad;
  }
}

TEST(UrlTest, ResolvesRelativeReferences) {
  auto base = *ParseUrl("http://10.0.0.2:5000/dev/1/desc.xml");
  EXPECT_EQ(ResolveUrl(base, "cms/control")->ToString(), "http://10.0.0.2:5000/dev/1/cms/control");
  EXPECT_EQ(ResolveUrl(base, "/ctl")->ToString(), "http://10.0.0.2:5000/ctl");
  EXPECT_EQ(ResolveUrl(base, "../x")->ToString(), "http://10.0.0.2:5000/dev/x");
  EXPECT_EQ(ResolveUrl(base, "../../../../x")->ToString(), "http://10.0.0.2:5000/x");
  EXPECT_EQ(ResolveUrl(base, "http://10.0.0.3/y")->ToString(), "http://10.0.0.3:80/y");
  EXPECT_EQ(ResolveUrl(base, "?q=1")->ToString(), "http://10.0.0.2:5000/dev/1/desc.xml?q=1");
  EXPECT_FALSE(ResolveUrl(base, "//evil/x").ok());
  EXPECT_FALSE(ResolveUrl(base, "https://x/").ok());
}

}  // namespace
}  // namespace proxier::upnp
