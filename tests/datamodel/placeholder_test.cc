#include <gtest/gtest.h>
#include "proxier/datamodel/path.h"
TEST(PathSmoke, Valid) {
  EXPECT_TRUE(proxier::datamodel::CheckPathSyntax("Device.A.1.B", false).ok());
}
