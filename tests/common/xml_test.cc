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
}

TEST(XmlTest, Escape) {
  EXPECT_EQ(Escape("lab-01 & <test> \"q\" 'a'"),
            "lab-01 &amp; &lt;test&gt; &quot;q&quot; &apos;a&apos;");
  EXPECT_EQ(Escape("plain"), "plain");
}

}  // namespace
}  // namespace proxier::xml
