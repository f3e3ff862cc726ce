// Hardened XML tree parser: namespaces, text, limits, DOCTYPE/entity attacks, malformed input.
#include "proxier/common/xml_tree.h"

#include <gtest/gtest.h>

namespace proxier::xml {
namespace {

TEST(XmlTreeTest, ParsesNamespacesAttributesAndText) {
  auto r = Parse(R"(<?xml version="1.0"?><a:root xmlns:a="urn:a" xmlns:b="urn:b" b:x="1">
    <child>one &amp; two</child><b:child y="2">t</b:child></a:root>)");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->ns, "urn:a");
  EXPECT_EQ(r->name, "root");
  EXPECT_EQ(*r->Attr("x", "urn:b"), "1");
  EXPECT_EQ(r->Attr("x", "urn:a"), nullptr);
  ASSERT_EQ(r->children.size(), 2u);
  EXPECT_EQ(r->ChildText("child"), "one & two");
  EXPECT_EQ(r->Child("child", "urn:b")->text, "t");
  EXPECT_EQ(*r->children[1].Attr("y"), "2");
  EXPECT_EQ(r->Children("child").size(), 2u);
  EXPECT_EQ(r->ChildText("missing", "dflt"), "dflt");
}

TEST(XmlTreeTest, WithoutDeclarationAndUtf8) {
  auto r = Parse("<r>Grüße</r>");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "Grüße");
}

TEST(XmlTreeTest, RefusesDoctypeAndEntities) {
  auto laughs = Parse(
      R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><r>&lol2;</r>)");
  EXPECT_EQ(laughs.status().code(), Code::kInvalidArguments);
  auto external = Parse(
      R"(<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>)");
  EXPECT_EQ(external.status().code(), Code::kInvalidArguments);
  auto undefined = Parse("<r>&nope;</r>");
  EXPECT_FALSE(undefined.ok());
}

TEST(XmlTreeTest, Limits) {
  Limits small;
  small.max_bytes = 10;
  EXPECT_EQ(Parse("<r>0123456789</r>", small).status().code(), Code::kResourcesExceeded);
  Limits shallow;
  shallow.max_depth = 3;
  EXPECT_TRUE(Parse("<a><b><c/></b></a>", shallow).ok());
  EXPECT_EQ(Parse("<a><b><c><d/></c></b></a>", shallow).status().code(), Code::kResourcesExceeded);
  Limits few;
  few.max_elements = 3;
  EXPECT_EQ(Parse("<a><b/><b/><b/></a>", few).status().code(), Code::kResourcesExceeded);
  Limits short_text;
  short_text.max_text_bytes = 4;
  EXPECT_EQ(Parse("<a>12345</a>", short_text).status().code(), Code::kResourcesExceeded);
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "<a>";
  EXPECT_EQ(Parse(deep).status().code(), Code::kResourcesExceeded);
}

TEST(XmlTreeTest, MalformedInputIsAnErrorNotACrash) {
  for (const char* bad :
       {"", "<", "<a>", "<a></b>", "not xml", "<a b='1' b='2'/>",
        "<soap-env:Body:Fault xmlns:soap-env='urn:x'/>", "<a/><b/>", "\xff\xfe<a/>"}) {
    auto r = Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.status().code() == Code::kInvalidArguments ||
                r.status().code() == Code::kResourcesExceeded)
        << r.status();
  }
}

}  // namespace
}  // namespace proxier::xml
