// XML helpers: UTF-8 <-> UTF-16 round trip, escaping.
#include "proxier/common/xml.h"

#include <gtest/gtest.h>

namespace proxier::xml {
namespace {

TEST(XmlTest, RoundTripUtf8) {
  EnsureInitialized();
  std::string text = "Grüße, 東京 & <ok>";
  XStr wide(text);
  EXPECT_EQ(ToUtf8(wide.get()), text);
  EXPECT_EQ(ToUtf8(nullptr), "");
  // Every UTF-8 length: 1, 2, 3 and 4 bytes (a surrogate pair in UTF-16).
  const std::string all = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";  // a é € 😀 z
  XStr all_wide(all);
  EXPECT_EQ(ToUtf8(all_wide.get()), all);
  const XMLCh pair[] = {0xD83D, 0xDE00, 0};
  EXPECT_EQ(ToUtf8(pair), "\xF0\x9F\x98\x80");
  const XMLCh lone[] = {'x', 0xD83D, 'y', 0xDE00, 0};  // unpaired surrogates -> U+FFFD
  EXPECT_EQ(ToUtf8(lone), "x\xEF\xBF\xBDy\xEF\xBF\xBD");
  EXPECT_EQ(ToUtf8(pair, 1), "\xEF\xBF\xBD");  // a pair cut by the length
}

TEST(XmlTest, Escape) {
  EXPECT_EQ(Escape("lab-01 & <test> \"q\" 'a'"),
            "lab-01 &amp; &lt;test&gt; &quot;q&quot; &apos;a&apos;");
  EXPECT_EQ(Escape("plain"), "plain");
}

}  // namespace
}  // namespace proxier::xml
