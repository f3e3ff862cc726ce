// No parameter pretends (issue 11, item 8): every writable parameter of the gateway model must
// have code that reads it. The test walks the whole model loaded from datamodel/defs and fails on
// any writable parameter that is neither in the table below nor exempt; each table entry names
// the source file that gives the setting its behaviour and a token that must still be in it, so
// removing the behaviour (or adding a setting without one) fails here.
//
// Exempt: forcedInform parameters (sent in every Inform: the ACS's own provisioning record) and
// Alias parameters (TR-069 instance aliases, kept by the data model itself).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "proxier/datamodel/schema.h"

namespace proxier::datamodel {
namespace {

struct Reader {
  const char* file;   // relative to the source tree
  const char* token;  // must appear in that file
};

const std::map<std::string, Reader>& Readers() {
  static const std::map<std::string, Reader> kReaders = {
      {"Device.ManagementServer.EnableCWMP", {"core/src/cwmp_client.cc", "\"EnableCWMP\""}},
      {"Device.ManagementServer.URL", {"core/src/cwmp_client.cc", "(kMs) + \"URL\""}},
      {"Device.ManagementServer.Username",
       {"core/src/cwmp_session.cc", "\"Device.ManagementServer.Username\""}},
      {"Device.ManagementServer.Password",
       {"core/src/cwmp_session.cc", "\"Device.ManagementServer.Password\""}},
      {"Device.ManagementServer.PeriodicInformEnable",
       {"core/src/cwmp_client.cc", "\"PeriodicInformEnable\""}},
      {"Device.ManagementServer.PeriodicInformInterval",
       {"core/src/cwmp_client.cc", "\"PeriodicInformInterval\""}},
      {"Device.ManagementServer.PeriodicInformTime",
       {"core/src/cwmp_client.cc", "\"PeriodicInformTime\""}},
      {"Device.ManagementServer.ConnectionRequestUsername",
       {"core/src/cwmp_client.cc", "\"ConnectionRequestUsername\""}},
      {"Device.ManagementServer.ConnectionRequestPassword",
       {"core/src/cwmp_client.cc", "\"ConnectionRequestPassword\""}},
      {"Device.ManagementServer.DefaultActiveNotificationThrottle",
       {"core/src/cwmp_client.cc", "\"DefaultActiveNotificationThrottle\""}},
      {"Device.ManagementServer.CWMPRetryMinimumWaitInterval",
       {"core/src/cwmp_client.cc", "\"CWMPRetryMinimumWaitInterval\""}},
      {"Device.ManagementServer.CWMPRetryIntervalMultiplier",
       {"core/src/cwmp_client.cc", "\"CWMPRetryIntervalMultiplier\""}},
      {"Device.ManagementServer.HTTPConnectionRequestEnable",
       {"core/src/cwmp_client.cc", "\"HTTPConnectionRequestEnable\""}},
      {"Device.ManagementServer.HTTPCompression",
       {"core/src/cwmp_session.cc", "\"Device.ManagementServer.HTTPCompression\""}},
      {"Device.ManagementServer.InformParameter.{i}.Enable",
       {"core/src/cwmp_session.cc", "(row + \"Enable\""}},
      {"Device.ManagementServer.InformParameter.{i}.ParameterName",
       {"core/src/cwmp_session.cc", "(row + \"ParameterName\""}},
      {"Device.ManagementServer.InformParameter.{i}.EventList",
       {"core/src/cwmp_session.cc", "(row + \"EventList\""}},
      {"Device.X_02C0DE_ProxiedDevice.{i}.Name", {"proxy/src/proxy_rows.cc", "(prow + \"Name\")"}},
      {"Device.X_02C0DE_ProxiedDevice.{i}.Reboot",
       {"proxy/src/proxy_lifecycle.cc", "client_.Reboot("}},
      {"Device.X_02C0DE_ProxiedDevice.{i}.BaselineReset",
       {"proxy/src/proxy_lifecycle.cc", "client_.BaselineReset("}},
      {"Device.X_02C0DE_Proxy.DefaultMode",
       {"proxy/src/proxy_lifecycle.cc", "\"Proxy.DefaultMode\""}},
      {"Device.X_02C0DE_Proxy.Device.{i}.Mode", {"proxy/src/proxy_lifecycle.cc", "\".Mode\""}},
  };
  return kReaders;
}

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(PROXIER_SOURCE_DIR) + "/" + relative);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(WritableParams, EveryWritableParameterOfTheGatewayModelIsReadByCode) {
  Schema s;
  Status st = LoadSchemaDir(std::string(PROXIER_SOURCE_DIR) + "/datamodel/defs", &s);
  ASSERT_TRUE(st.ok()) << st;
  size_t writable = 0, checked = 0;
  std::map<std::string, bool> seen;
  for (const auto& [path, object] : s.objects()) {
    for (const ParamDef& p : object.params) {
      if (!p.writable) continue;
      ++writable;
      const std::string name = path + p.name;
      if (p.forced_inform || p.name == "Alias") continue;
      auto it = Readers().find(name);
      if (it == Readers().end()) {
        ADD_FAILURE() << name
                      << " is writable but no code is known to read it: implement it (and add it "
                         "to this table) or remove it from datamodel/defs";
        continue;
      }
      seen[name] = true;
      const std::string source = ReadSource(it->second.file);
      EXPECT_NE(source.find(it->second.token), std::string::npos)
          << name << ": its reader '" << it->second.token << "' is no longer in "
          << it->second.file;
      ++checked;
    }
  }
  for (const auto& [name, reader] : Readers())
    EXPECT_TRUE(seen.count(name)) << name << " is in the table but not a writable parameter";
  EXPECT_GT(writable, 20u);
  EXPECT_EQ(checked, Readers().size());
}

// The settings removed because nothing stood behind them stay out of the model.
TEST(WritableParams, SettingsWithoutBehaviourAreNotModelled) {
  Schema s;
  ASSERT_TRUE(LoadSchemaDir(std::string(PROXIER_SOURCE_DIR) + "/datamodel/defs", &s).ok());
  for (const char* object :
       {"Device.ManagementServer.HeartbeatPolicy.",
        "Device.ManagementServer.AutonomousTransferCompletePolicy.",
        "Device.ManagementServer.DUStateChangeComplPolicy.",
        "Device.ManagementServer.StandbyPolicy.", "Device.ManagementServer.ManageableDevice.{i}."})
    EXPECT_EQ(s.FindObject(object), nullptr) << object;
  for (const char* param :
       {"Device.ManagementServer.ScheduleReboot", "Device.ManagementServer.DelayReboot",
        "Device.ManagementServer.STUNEnable", "Device.ManagementServer.InstanceMode",
        "Device.ManagementServer.ConnReqXMPPConnection", "Device.Time.NTPServer1",
        "Device.Time.LocalTimeZone", "Device.DeviceInfo.BootFirmwareImage"})
    EXPECT_EQ(s.FindParam(param), nullptr) << param;
}

}  // namespace
}  // namespace proxier::datamodel
