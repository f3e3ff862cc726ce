// Values: every CWMP type, canonical forms, 9006 for wrong types, 9007 for out-of-range values.
#include "proxier/datamodel/value.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace proxier::datamodel {
namespace {

class ValueTest : public ::testing::Test {
 protected:
  void SetUp() override { schema_ = testing::LoadTestSchema(); }
  Result<std::string> Check(const std::string& param, const std::string& value,
                            std::optional<ValueType> declared = std::nullopt) {
    const ParamDef* def = schema_.FindParam("Device.Test." + param);
    EXPECT_NE(def, nullptr) << param;
    return CheckValue("Device.Test." + param, def->syntax, value, declared);
  }
  Code CodeOf(const std::string& param, const std::string& value,
              std::optional<ValueType> declared = std::nullopt) {
    return Check(param, value, declared).status().code();
  }
  Schema schema_;
};

TEST_F(ValueTest, StringSizeLimits) {
  EXPECT_EQ(*Check("Str", "ab"), "ab");
  EXPECT_EQ(*Check("Str", "äöüßäöüß"), "äöüßäöüß");  // 8 characters, 16 bytes
  EXPECT_EQ(CodeOf("Str", "a"), Code::kInvalidParameterValue);
  EXPECT_EQ(CodeOf("Str", "123456789"), Code::kInvalidParameterValue);
}

// Nothing ill-formed is stored (issue 10, finding 1): such a string could not travel in an
// envelope as it is.
TEST_F(ValueTest, StringsMustBeUtf8TextOfXmlCharacters) {
  EXPECT_EQ(CodeOf("Str", "ab\xFF\xFE"), Code::kInvalidParameterValue);
  EXPECT_EQ(CodeOf("Str", "a\xED\xA0\x80"), Code::kInvalidParameterValue);  // lone surrogate
  EXPECT_EQ(CodeOf("Str", "ab\x01"), Code::kInvalidParameterValue);
  EXPECT_EQ(CodeOf("Str", "a\xEF\xBF\xBF"), Code::kInvalidParameterValue);  // U+FFFF
  EXPECT_TRUE(Check("Str", "a\xE2\x82\xAC").ok());                          // a €
}

TEST_F(ValueTest, ErrorMessagesNameTheParameter) {
  auto r = Check("Int", "11");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Device.Test.Int"), std::string::npos) << r.status();
  auto t = Check("Int", "eleven");
  EXPECT_NE(t.status().message().find("Device.Test.Int"), std::string::npos) << t.status();
}

TEST_F(ValueTest, IntegersAndRanges) {
  EXPECT_EQ(*Check("Int", "-10"), "-10");
  EXPECT_EQ(*Check("Int", "+7"), "7");
  EXPECT_EQ(*Check("Int", "007"), "7");
  EXPECT_EQ(CodeOf("Int", "11"), Code::kInvalidParameterValue);
  EXPECT_EQ(CodeOf("Int", "1.5"), Code::kInvalidParameterType);
  EXPECT_EQ(CodeOf("Int", ""), Code::kInvalidParameterType);
  EXPECT_EQ(*Check("UInt", "3"), "3");
  EXPECT_EQ(*Check("UInt", "150"), "150");
  EXPECT_EQ(CodeOf("UInt", "155"), Code::kInvalidParameterValue);  // step 10
  EXPECT_EQ(CodeOf("UInt", "50"), Code::kInvalidParameterValue);
  EXPECT_EQ(CodeOf("UInt", "-1"), Code::kInvalidParameterValue);
  EXPECT_EQ(*Check("Long", "-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(CodeOf("Long", "9223372036854775808"), Code::kInvalidParameterValue);
  EXPECT_EQ(*Check("ULong", "18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(CodeOf("ULong", "18446744073709551616"), Code::kInvalidParameterValue);
  EXPECT_EQ(CodeOf("ULong", "12a"), Code::kInvalidParameterType);
}

// WideInt replaces __int128 (absent on armhf): order across signs and saturation, and the step
// alignment whose distance overflows 64 bits.
TEST(WideIntTest, OrderStepsAndSaturation) {
  WideInt a, b;
  ASSERT_TRUE(WideInt::Parse("-9223372036854775808", &a));
  EXPECT_EQ(a, WideInt(INT64_MIN));
  EXPECT_EQ(a.ToString(), "-9223372036854775808");
  ASSERT_TRUE(WideInt::Parse("18446744073709551615", &b));
  EXPECT_EQ(b, WideInt::Unsigned(UINT64_MAX));
  EXPECT_LT(a, b);
  EXPECT_LT(WideInt(-2), WideInt(-1));
  EXPECT_LT(WideInt(-1), WideInt(0));
  ASSERT_TRUE(WideInt::Parse("-0", &a));
  EXPECT_EQ(a, WideInt(0));
  EXPECT_EQ(a.ToString(), "0");
  ASSERT_TRUE(WideInt::Parse("18446744073709551616", &a));  // 2^64: beyond every type
  EXPECT_TRUE(a.beyond());
  EXPECT_GT(a, WideInt::Unsigned(UINT64_MAX));
  ASSERT_TRUE(WideInt::Parse("-99999999999999999999999", &a));
  EXPECT_LT(a, WideInt(INT64_MIN));
  EXPECT_FALSE(WideInt::Parse("1234567890123456789012345678901", &a));  // 31 digits
  EXPECT_FALSE(WideInt::Parse("-", &a));
  EXPECT_TRUE(WideInt(7).AlignedTo(WideInt(-3), 5));
  EXPECT_FALSE(WideInt(8).AlignedTo(WideInt(-3), 5));
  EXPECT_TRUE(WideInt(-3).AlignedTo(WideInt(-13), 10));
  // UINT64_MAX - INT64_MIN = 2^64 + 2^63 - 1 does not fit 64 bits; 311 divides it, 3 does not.
  EXPECT_TRUE(WideInt::Unsigned(UINT64_MAX).AlignedTo(WideInt(INT64_MIN), 311));
  EXPECT_FALSE(WideInt::Unsigned(UINT64_MAX).AlignedTo(WideInt(INT64_MIN), 3));
}

TEST_F(ValueTest, BooleanAcceptsFourFormsStoresTwo) {
  EXPECT_EQ(*Check("Bool", "true"), "true");
  EXPECT_EQ(*Check("Bool", "1"), "true");
  EXPECT_EQ(*Check("Bool", "false"), "false");
  EXPECT_EQ(*Check("Bool", "0"), "false");
  EXPECT_EQ(CodeOf("Bool", "TRUE"), Code::kInvalidParameterType);
  EXPECT_EQ(CodeOf("Bool", "yes"), Code::kInvalidParameterType);
}

TEST_F(ValueTest, DateTimeForms) {
  EXPECT_EQ(*Check("Time", "2026-01-02T03:04:05Z"), "2026-01-02T03:04:05Z");
  EXPECT_EQ(*Check("Time", "2026-01-02T03:04:05.000Z"), "2026-01-02T03:04:05Z");  // GenieACS form
  EXPECT_EQ(*Check("Time", "2026-01-02T03:04:05.250Z"), "2026-01-02T03:04:05.25Z");
  EXPECT_EQ(*Check("Time", "2026-01-02T03:04:05+02:00"), "2026-01-02T01:04:05Z");
  EXPECT_EQ(*Check("Time", "2026-01-01T00:30:00-01:00"), "2026-01-01T01:30:00Z");
  EXPECT_EQ(*Check("Time", "2025-12-31T23:30:00-01:00"), "2026-01-01T00:30:00Z");
  EXPECT_EQ(*Check("Time", "2024-02-29T00:00:00"), "2024-02-29T00:00:00Z");
  EXPECT_EQ(*Check("Time", "0001-01-01T00:00:00Z"), "0001-01-01T00:00:00Z");  // Unknown Time
  EXPECT_EQ(*Check("Time", "9999-12-31T23:59:59Z"), "9999-12-31T23:59:59Z");
  for (const char* bad : {"2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01 00:00:00",
                          "2026-01-01T24:00:00Z", "2026-01-01T00:00:00+25:00", "yesterday", ""}) {
    EXPECT_EQ(CodeOf("Time", bad), Code::kInvalidParameterType) << bad;
  }
}

TEST_F(ValueTest, FormatAndEpoch) {
  WallTime t = std::chrono::system_clock::from_time_t(1767225600) + Millis(7);
  EXPECT_EQ(FormatDateTime(t), "2026-01-01T00:00:00Z");
  EXPECT_EQ(FormatDateTime(t, true), "2026-01-01T00:00:00.007Z");
  EXPECT_EQ(*DateTimeToEpoch("2026-01-01T00:00:00Z"), 1767225600);
  EXPECT_FALSE(DateTimeToEpoch(kUnknownTime).has_value());
}

TEST_F(ValueTest, Base64AndHexBinary) {
  EXPECT_EQ(*Check("B64", "AQID"), "AQID");                            // 3 bytes
  EXPECT_EQ(*Check("B64", "AQIDBA=="), "AQIDBA==");                    // 4 bytes
  EXPECT_EQ(CodeOf("B64", "AQIDBAU="), Code::kInvalidParameterValue);  // 5 bytes > 4
  EXPECT_EQ(CodeOf("B64", "AQI"), Code::kInvalidParameterType);
  EXPECT_EQ(CodeOf("B64", "A=QI"), Code::kInvalidParameterType);
  EXPECT_EQ(*Check("Hex", "BEEF"), "beef");
  EXPECT_EQ(CodeOf("Hex", "BEE"), Code::kInvalidParameterType);
  EXPECT_EQ(CodeOf("Hex", "beefbe"), Code::kInvalidParameterValue);
  EXPECT_EQ(CodeOf("Hex", "zz00"), Code::kInvalidParameterType);
}

TEST_F(ValueTest, EnumerationsAndPatterns) {
  EXPECT_EQ(*Check("Mode", "Auto"), "Auto");
  EXPECT_EQ(CodeOf("Mode", "auto"), Code::kInvalidParameterValue);
  EXPECT_EQ(*Check("Addr", "192.168.1.1"), "192.168.1.1");
  EXPECT_EQ(*Check("Addr", ""), "");  // the empty pattern allows ""
  EXPECT_EQ(CodeOf("Addr", "256.1.1.1"), Code::kInvalidParameterValue);
  EXPECT_EQ(CodeOf("Addr", "1.2.3.4.5"), Code::kInvalidParameterValue);  // also > 15? no: pattern
}

TEST_F(ValueTest, CommaSeparatedLists) {
  EXPECT_EQ(*Check("Modes", "A, B"), "A,B");
  EXPECT_EQ(*Check("Modes", ""), "");
  EXPECT_EQ(CodeOf("Modes", "A,B,C"), Code::kInvalidParameterValue);  // maxItems 2
  EXPECT_EQ(CodeOf("Modes", "A,D"), Code::kInvalidParameterValue);
  EXPECT_EQ(*Check("Ports", "80,443,8080"), "80,443,8080");
  EXPECT_EQ(CodeOf("Ports", "80,x"), Code::kInvalidParameterType);
  EXPECT_EQ(CodeOf("Ports", "80,70000"), Code::kInvalidParameterValue);
}

TEST_F(ValueTest, DeclaredTypeMustMatch) {
  EXPECT_EQ(CodeOf("UInt", "3", ValueType::kString), Code::kInvalidParameterType);
  EXPECT_EQ(CodeOf("Str", "abc", ValueType::kBoolean), Code::kInvalidParameterType);
  EXPECT_TRUE(Check("UInt", "3", ValueType::kUnsignedInt).ok());
  EXPECT_TRUE(Check("UInt", "3", ValueType::kInt).ok());  // integer types stand for each other
  EXPECT_TRUE(Check("Bool", "1", ValueType::kBoolean).ok());
}

TEST(ValueTypeTest, XsiNames) {
  EXPECT_EQ(XsiTypeName(ValueType::kUnsignedInt), "xsd:unsignedInt");
  EXPECT_EQ(*ParseXsiType("xsd:dateTime"), ValueType::kDateTime);
  EXPECT_EQ(*ParseXsiType("xs:base64"), ValueType::kBase64);
  EXPECT_EQ(*ParseXsiType("boolean"), ValueType::kBoolean);
  EXPECT_FALSE(ParseXsiType("xsd:float").has_value());
}

}  // namespace
}  // namespace proxier::datamodel
