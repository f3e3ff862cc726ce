// text: UTF-8 well-formedness, XML characters, labels, web URLs, UUIDs; xml::Escape as the last
// line of every writer.
#include "proxier/common/text.h"

#include <gtest/gtest.h>

#include "proxier/common/xml.h"
#include "proxier/common/xml_tree.h"

namespace proxier::text {
namespace {

const std::string kReplacement = "\xEF\xBF\xBD";

TEST(TextTest, XmlTextAcceptsWellFormedUtf8OfXmlCharacters) {
  EXPECT_TRUE(IsXmlText(""));
  EXPECT_TRUE(IsXmlText("plain ASCII\twith tab\nand LF\r"));
  EXPECT_TRUE(IsXmlText("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));  // é € 😀
  EXPECT_TRUE(IsXmlText("\xEF\xBF\xBD"));                               // U+FFFD itself
}

TEST(TextTest, XmlTextRefusesIllFormedBytesAndNonXmlCharacters) {
  EXPECT_FALSE(IsXmlText("\xFF\xFE"));              // not UTF-8 at all
  EXPECT_FALSE(IsXmlText("\xED\xA0\x80"));          // a lone surrogate, U+D800
  EXPECT_FALSE(IsXmlText("\xC0\xAF"));              // overlong '/'
  EXPECT_FALSE(IsXmlText("\xE2\x82"));              // truncated
  EXPECT_FALSE(IsXmlText("\xF4\x90\x80\x80"));      // above U+10FFFF
  EXPECT_FALSE(IsXmlText(std::string("a\0b", 3)));  // NUL
  EXPECT_FALSE(IsXmlText("bell\x07"));
  EXPECT_FALSE(IsXmlText("\xEF\xBF\xBE"));  // U+FFFE
  EXPECT_FALSE(IsXmlText("\xEF\xBF\xBF"));  // U+FFFF
}

TEST(TextTest, ToXmlTextReplacesEachMaximalInvalidSubpart) {
  EXPECT_EQ(ToXmlText("ok"), "ok");
  EXPECT_EQ(ToXmlText("a\xFF\xFE"
                      "b"),
            "a" + kReplacement + kReplacement + "b");
  // ED A0 80: ED cannot be followed by A0 (a surrogate), so ED, A0 and 80 are three subparts.
  EXPECT_EQ(ToXmlText("\xED\xA0\x80"), kReplacement + kReplacement + kReplacement);
  // E2 82 then end: one truncated sequence, one replacement.
  EXPECT_EQ(ToXmlText("x\xE2\x82"), "x" + kReplacement);
  EXPECT_EQ(ToXmlText(std::string("a\0b\x01", 4)), "ab");  // C0 controls dropped
  EXPECT_EQ(ToXmlText("\xEF\xBF\xBF!"), "!");
  EXPECT_TRUE(IsXmlText(ToXmlText("\xC3\x28\xA0\xA1\xE2\x28\xA1\xF0\x28\x8C\xBC")));
}

TEST(TextTest, CleanLabelRemovesControlsAndBidiOverrides) {
  // U+202E RIGHT-TO-LEFT OVERRIDE would show "exe.txt" as "txt.exe".
  EXPECT_EQ(CleanLabel("Plug\xE2\x80\xAE"
                       "txt.exe"),
            "Plugtxt.exe");
  EXPECT_EQ(CleanLabel("a\xC2\x85"
                       "b\xC2\x9B"
                       "c"),
            "a b c");  // C1 NEL and CSI
  EXPECT_EQ(CleanLabel("  two\t\tlines\r\nhere  "), "two lines here");
  EXPECT_EQ(CleanLabel("\xE2\x81\xA6x\xE2\x81\xA9"), "x");  // isolates
  EXPECT_EQ(CleanLabel("bad\xFF"), "bad" + kReplacement);
  // Cut on a code point boundary, never inside one.
  EXPECT_EQ(CleanLabel("ab\xC3\xA9", 3), "ab");
  EXPECT_EQ(CleanLabel("ab\xC3\xA9", 4), "ab\xC3\xA9");
}

TEST(TextTest, WebUrls) {
  EXPECT_TRUE(IsWebUrl("http://vendor.example/model"));
  EXPECT_TRUE(IsWebUrl("HTTPS://10.0.0.2:8080/a?b=c#d"));
  EXPECT_FALSE(IsWebUrl("javascript:alert(1)"));
  EXPECT_FALSE(IsWebUrl("javascript://x/%0Aalert(1)"));
  EXPECT_FALSE(IsWebUrl("file:///etc/passwd"));
  EXPECT_FALSE(IsWebUrl("data:text/html,<b>"));
  EXPECT_FALSE(IsWebUrl("http://"));
  EXPECT_FALSE(IsWebUrl("http://a b/"));
  EXPECT_FALSE(IsWebUrl("http://x/\"onmouseover=1"));
  EXPECT_FALSE(IsWebUrl("http://x/\xC3\xA9"));
  EXPECT_FALSE(IsWebUrl("http://x/" + std::string(3000, 'a')));
}

TEST(TextTest, Uuids) {
  EXPECT_TRUE(IsUuid("2fac1234-31f8-11b4-a222-08002b34c003"));
  EXPECT_TRUE(IsUuid("2FAC1234-31F8-11B4-A222-08002B34C003"));
  EXPECT_FALSE(IsUuid("UUID"));
  EXPECT_FALSE(IsUuid(""));
  EXPECT_FALSE(IsUuid("2fac1234-31f8-11b4-a222-08002b34c00"));
  EXPECT_FALSE(IsUuid("2fac1234x31f8-11b4-a222-08002b34c003"));
  EXPECT_FALSE(IsUuid("gfac1234-31f8-11b4-a222-08002b34c003"));
}

// Whatever bytes a value holds, an escaped document parses.
TEST(TextTest, EscapeAlwaysMakesWellFormedXml) {
  const std::string hostile[] = {"\xFF\xFE",
                                 "\xED\xA0\x80",
                                 std::string("\0\x01\x1F", 3),
                                 "\xEF\xBF\xBE",
                                 "]]><evil/>",
                                 "\xC0\xAF&#0;",
                                 "a\xE2\x80\xAE"
                                 "b",
                                 "\xF4\x90\x80\x80"};
  for (const auto& h : hostile) {
    const std::string doc = "<v>" + xml::Escape(h) + "</v>";
    EXPECT_TRUE(IsXmlText(doc)) << h;
    auto parsed = xml::Parse(doc);
    EXPECT_TRUE(parsed.ok()) << parsed.status();
  }
  EXPECT_EQ(xml::Escape("caf\xC3\xA9 & <x>"), "caf\xC3\xA9 &amp; &lt;x&gt;");
}

}  // namespace
}  // namespace proxier::text
