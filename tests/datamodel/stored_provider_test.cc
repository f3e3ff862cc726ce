// StoredProvider through the DataModel: values, defaults, GetParameterNames semantics, rows.
#include <gtest/gtest.h>

#include <set>

#include "test_util.h"

namespace proxier::datamodel {
namespace {

using testing::ModelFixture;

std::vector<std::string> NamesOf(const Result<std::vector<ParamInfo>>& r) {
  std::vector<std::string> out;
  if (r.ok()) {
    for (const auto& i : *r) out.push_back(i.name + (i.writable ? "(w)" : ""));
  }
  return out;
}

class StoredTest : public ModelFixture {};

TEST_F(StoredTest, DefaultsAndTypeZeroes) {
  EXPECT_EQ(Value("Device.Test.Str"), "dflt");
  EXPECT_EQ(Value("Device.Test.Bool"), "true");
  EXPECT_EQ(Value("Device.Test.Int"), "0");
  EXPECT_EQ(Value("Device.Test.Time"), "0001-01-01T00:00:00Z");
  EXPECT_EQ(Value("Device.Test.ReadOnly"), "fixed");
  EXPECT_EQ(Value("Device.DeviceInfo.UpTime"), "42");  // computed provider wins over stored
}

TEST_F(StoredTest, UnknownNamesAre9005) {
  for (const char* bad : {"Device.Test.Nope", "Device.Nope.", "Device.Test.Table.1.Name",
                          "Device.Test.Gone", "Device.Test.Table.abc."}) {
    auto r = Get({bad});
    EXPECT_EQ(r.status().code(), Code::kInvalidParameterName) << bad;
  }
}

TEST_F(StoredTest, PartialPathReturnsAllBelowIncludingRows) {
  ASSERT_TRUE(Add("Device.Test.Table.").ok());
  ASSERT_TRUE(Add("Device.Test.Table.1.Sub.").ok());
  auto r = Get({"Device.Test.Table."});
  ASSERT_TRUE(r.ok()) << r.status();
  std::set<std::string> names;
  for (const auto& v : *r) names.insert(v.name);
  EXPECT_EQ(names, (std::set<std::string>{
                       "Device.Test.Table.1.Alias", "Device.Test.Table.1.Name",
                       "Device.Test.Table.1.Enable", "Device.Test.Table.1.SubNumberOfEntries",
                       "Device.Test.Table.1.Stats.Packets", "Device.Test.Table.1.Sub.1.Value"}));
  auto all = Get({""});
  ASSERT_TRUE(all.ok());
  EXPECT_GT(all->size(), 20u);
  EXPECT_EQ(Value("Device.Test.Table.1.Enable"), "false");
}

TEST_F(StoredTest, SecuredReadsEmpty) {
  ASSERT_TRUE(Set({{"Device.Test.Secret", "s3cret", {}}}).status.ok());
  EXPECT_EQ(Value("Device.Test.Secret"), "");
  auto stored = store_->Get("Device.Test.Secret");
  EXPECT_EQ(*stored, "");  // not readable through the provider either
  EXPECT_EQ(*store_->GetSecret("Device.Test.Secret"), "s3cret");  // the daemon can read it
  EXPECT_EQ(store_->GetSecret("Device.Test.Nope").status().code(), Code::kInvalidParameterName);
}

TEST_F(StoredTest, NamesRootNextLevel) {
  EXPECT_EQ(NamesOf(Names("", true)), (std::vector<std::string>{"Device."}));
  auto all = Names("", false);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->front().name, "Device.");
  EXPECT_EQ(NamesOf(Names("Device.", true)),
            (std::vector<std::string>{"Device.RootDataModelVersion", "Device.DeviceInfo.",
                                      "Device.Test."}));
}

TEST_F(StoredTest, NamesObjectNextLevelTrueAndFalse) {
  ASSERT_TRUE(Add("Device.Test.Table.").ok());
  auto direct = NamesOf(Names("Device.Test.", true));
  EXPECT_NE(std::find(direct.begin(), direct.end(), "Device.Test.Str(w)"), direct.end());
  EXPECT_NE(std::find(direct.begin(), direct.end(), "Device.Test.ReadOnly"), direct.end());
  EXPECT_NE(std::find(direct.begin(), direct.end(), "Device.Test.Table.(w)"), direct.end());
  EXPECT_NE(std::find(direct.begin(), direct.end(), "Device.Test.Fixed."), direct.end());
  EXPECT_EQ(std::find(direct.begin(), direct.end(), "Device.Test.Table.1.(w)"), direct.end())
      << "NextLevel true lists only direct children";
  EXPECT_EQ(NamesOf(Names("Device.Test.Table.", true)),
            (std::vector<std::string>{"Device.Test.Table.1.(w)"}));
  EXPECT_EQ(NamesOf(Names("Device.Test.Table.1.", false)),
            (std::vector<std::string>{
                "Device.Test.Table.1.(w)", "Device.Test.Table.1.Alias(w)",
                "Device.Test.Table.1.Name(w)", "Device.Test.Table.1.Enable(w)",
                "Device.Test.Table.1.SubNumberOfEntries", "Device.Test.Table.1.Stats.",
                "Device.Test.Table.1.Stats.Packets", "Device.Test.Table.1.Sub.(w)"}));
}

TEST_F(StoredTest, NamesOfAParameter) {
  EXPECT_EQ(NamesOf(Names("Device.Test.Int", false)),
            (std::vector<std::string>{"Device.Test.Int(w)"}));
  EXPECT_EQ(Names("Device.Test.Int", true).status().code(), Code::kInvalidArguments);
  EXPECT_EQ(Names("Device.Test.Nope", false).status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Names("Device.Test.Table.7.", false).status().code(), Code::kInvalidParameterName);
}

TEST_F(StoredTest, RowNumbersAreNeverReusedAndPersist) {
  EXPECT_EQ(Add("Device.Test.Table.")->instance, 1u);
  EXPECT_EQ(Add("Device.Test.Table.")->instance, 2u);
  ASSERT_TRUE(Delete("Device.Test.Table.2.").ok());
  EXPECT_EQ(Add("Device.Test.Table.")->instance, 3u);
  ASSERT_TRUE(Delete("Device.Test.Table.3.").ok());
  Rebuild();  // a fresh provider on the same database (a restart)
  EXPECT_EQ(Add("Device.Test.Table.")->instance, 4u);
  EXPECT_EQ(*store_->Rows("Device.Test.Table."), (std::vector<uint32_t>{1, 4}));
}

TEST_F(StoredTest, NumberOfEntriesFollowsRows) {
  EXPECT_EQ(Value("Device.Test.TableNumberOfEntries"), "0");
  auto a = Add("Device.Test.Table.");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->side_changes.size(), 1u);
  EXPECT_EQ(a->side_changes[0].name, "Device.Test.TableNumberOfEntries");
  EXPECT_EQ(a->side_changes[0].value, "1");
  ASSERT_TRUE(Add("Device.Test.Table.").ok());
  ASSERT_TRUE(Add("Device.Test.Table.2.Sub.").ok());
  EXPECT_EQ(Value("Device.Test.TableNumberOfEntries"), "2");
  EXPECT_EQ(Value("Device.Test.Table.2.SubNumberOfEntries"), "1");
  EXPECT_EQ(Value("Device.Test.Table.1.SubNumberOfEntries"), "0");
  auto d = Delete("Device.Test.Table.1.");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->side_changes[0].value, "1");
  EXPECT_EQ(Value("Device.Test.TableNumberOfEntries"), "1");
  auto set = Set({{"Device.Test.TableNumberOfEntries", "5", {}}});
  EXPECT_EQ(set.faults.at(0).status.code(), Code::kNonWritableParameter);
}

TEST_F(StoredTest, DeleteRemovesTheWholeSubtree) {
  ASSERT_TRUE(Add("Device.Test.Table.").ok());
  ASSERT_TRUE(Add("Device.Test.Table.1.Sub.").ok());
  ASSERT_TRUE(
      Set({{"Device.Test.Table.1.Name", "one", {}}, {"Device.Test.Table.1.Sub.1.Value", "5", {}}})
          .status.ok());
  ASSERT_TRUE(Delete("Device.Test.Table.1.").ok());
  EXPECT_EQ(Get({"Device.Test.Table.1.Sub.1.Value"}).status().code(), Code::kInvalidParameterName);
  // A new row starts clean: no value of the old row's subtree survives.
  ASSERT_EQ(Add("Device.Test.Table.")->instance, 2u);
  EXPECT_EQ(Value("Device.Test.Table.2.Name"), "");
  auto count =
      db_->Prepare("SELECT COUNT(*) FROM dm_value WHERE path LIKE 'Device.Test.Table.1.%'");
  ASSERT_TRUE(*count->Step());
  EXPECT_EQ(count->ColumnInt(0), 0);
  auto rows = db_->Prepare("SELECT COUNT(*) FROM dm_row WHERE tbl LIKE 'Device.Test.Table.1.%'");
  ASSERT_TRUE(*rows->Step());
  EXPECT_EQ(rows->ColumnInt(0), 0);
}

TEST_F(StoredTest, AddDeleteErrors) {
  EXPECT_EQ(Add("Device.Test.").status().code(), Code::kInvalidParameterName);  // not a table
  EXPECT_EQ(Add("Device.Test.Nope.").status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Add("Device.Test.Table").status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Add("Device.Test.Fixed.").status().code(), Code::kRequestDenied);  // read-only table
  EXPECT_EQ(Add("Device.Test.Table.9.Sub.").status().code(), Code::kInvalidParameterName);
  ASSERT_TRUE(Add("Device.Test.Small.").ok());
  ASSERT_TRUE(Add("Device.Test.Small.").ok());
  EXPECT_EQ(Add("Device.Test.Small.").status().code(), Code::kResourcesExceeded);
  EXPECT_EQ(Delete("Device.Test.Small.").status().code(), Code::kInvalidParameterName);
  EXPECT_EQ(Delete("Device.Test.Small.7.").status().code(), Code::kInvalidParameterName);
  // The daemon may add rows to read-only tables.
  auto fixed = model_->AddRowInternal("Device.Test.Fixed.");
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  EXPECT_EQ(Delete("Device.Test.Fixed.1.").status().code(), Code::kRequestDenied);
  EXPECT_TRUE(model_->DeleteRowInternal("Device.Test.Fixed.1.").ok());
}

TEST_F(StoredTest, InternalWritesBypassWritabilityButNotTypes) {
  EXPECT_TRUE(model_->SetInternal("Device.Test.ReadOnly", "changed").ok());
  EXPECT_EQ(Value("Device.Test.ReadOnly"), "changed");
  EXPECT_EQ(model_->SetInternal("Device.Test.Int", "99").code(), Code::kInvalidParameterValue);
  auto wanted = model_->AddRowInternal("Device.Test.Fixed.", 7);
  ASSERT_TRUE(wanted.ok());
  EXPECT_EQ(wanted->instance, 7u);
  EXPECT_FALSE(model_->AddRowInternal("Device.Test.Fixed.", 7).ok());
  EXPECT_EQ(model_->AddRowInternal("Device.Test.Fixed.")->instance, 8u);
}

}  // namespace
}  // namespace proxier::datamodel
