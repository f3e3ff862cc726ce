// Status / Result: codes are CWMP fault codes, messages survive, errors cannot be mistaken for
// values.
#include "proxier/common/status.h"

#include <gtest/gtest.h>

namespace proxier {
namespace {

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.fault_code(), 0);
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CarriesFaultCodeAndMessage) {
  Status s(Code::kInvalidParameterName, "Device.Foo");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.fault_code(), 9005);
  EXPECT_EQ(s.ToString(), "9005 Invalid parameter name: Device.Foo");
}

TEST(StatusTest, EveryCpeFaultCodeHasAName) {
  for (int c = 9000; c <= 9032; ++c) {
    EXPECT_NE(CodeName(static_cast<Code>(c)), "Fault") << c;
  }
  EXPECT_EQ(CodeName(static_cast<Code>(9850)), "Fault");  // vendor code passes through
}

TEST(StatusTest, ClientFaults) {
  EXPECT_TRUE(IsClientFault(Code::kInvalidArguments));
  EXPECT_TRUE(IsClientFault(Code::kNonWritableParameter));
  EXPECT_FALSE(IsClientFault(Code::kInternalError));
  EXPECT_FALSE(IsClientFault(Code::kMethodNotSupported));
}

TEST(ResultTest, ValueOrError) {
  Result<int> good(7);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad(Code::kResourcesExceeded, "full");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kResourcesExceeded);
  EXPECT_EQ(bad.value_or(3), 3);
}

TEST(ResultTest, OkStatusIsNotAValue) {
  Result<int> r{Status::Ok()};
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInternalError);
}

Status FailsAt(int step) {
  PX_RETURN_IF_ERROR(step == 1 ? Status(Code::kInternalError, "one") : Status::Ok());
  PX_RETURN_IF_ERROR(step == 2 ? Status(Code::kInvalidArguments, "two") : Status::Ok());
  return Status::Ok();
}

TEST(StatusTest, ReturnIfError) {
  EXPECT_EQ(FailsAt(1).code(), Code::kInternalError);
  EXPECT_EQ(FailsAt(2).code(), Code::kInvalidArguments);
  EXPECT_TRUE(FailsAt(3).ok());
}

}  // namespace
}  // namespace proxier
