// proxierd configuration: defaults, every [upnp] and [proxy] key, and the errors for bad values.
#include "config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace proxier::app {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("pxconfig" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<DaemonConfig> Load(const std::string& text) {
    std::string path = (dir_ / "proxierd.toml").string();
    std::ofstream(path, std::ios::trunc) << text;
    return LoadConfig(path);
  }
  // The error message of a config that must be refused.
  std::string Error(const std::string& text) {
    auto c = Load(text);
    EXPECT_FALSE(c.ok()) << text;
    if (c.ok()) return "";
    EXPECT_EQ(c.status().code(), Code::kInvalidArguments);
    return c.status().message();
  }

  std::filesystem::path dir_;
};

TEST_F(ConfigTest, EmptyFileGivesDefaults) {
  auto c = Load("");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->upnp_enabled);
  EXPECT_EQ(c->upnp_interface, "br-lan");
  EXPECT_EQ(c->upnp_ip, "");
  EXPECT_EQ(c->upnp_port, 0);
  EXPECT_EQ(c->upnp_search_interval, 300u);
  EXPECT_EQ(c->upnp_action_timeout_ms, 10000u);
  EXPECT_EQ(c->default_mode, "embedded");
  EXPECT_EQ(c->purge_after, 86400u);
  EXPECT_TRUE(c->rules.empty());
  EXPECT_TRUE(c->warnings.empty());
}

TEST_F(ConfigTest, ShippedExampleIsValid) {
  auto c = LoadConfig(std::string(PROXIER_SOURCE_DIR) + "/etc/proxierd.toml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->warnings.empty()) << c->warnings.front();
  EXPECT_EQ(c->upnp_interface, "br-lan");
  ASSERT_EQ(c->rules.size(), 1u);
  EXPECT_EQ(c->rules[0].mode, "virtual");
}

TEST_F(ConfigTest, UpnpKeys) {
  auto c = Load(R"([upnp]
enabled = false
interface = "lan0"
ip = "192.168.1.1"
port = 61234
search_interval = 60
action_timeout_ms = 2500
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->upnp_enabled);
  EXPECT_EQ(c->upnp_interface, "lan0");
  EXPECT_EQ(c->upnp_ip, "192.168.1.1");
  EXPECT_EQ(c->upnp_port, 61234);
  EXPECT_EQ(c->upnp_search_interval, 60u);
  EXPECT_EQ(c->upnp_action_timeout_ms, 2500u);
  EXPECT_TRUE(c->warnings.empty());
  EXPECT_NE(DescribeConfig(*c).find("upnp        disabled"), std::string::npos);
  c->upnp_enabled = true;
  EXPECT_NE(DescribeConfig(*c).find("interface lan0 (192.168.1.1), port 61234"), std::string::npos)
      << DescribeConfig(*c);
}

TEST_F(ConfigTest, UpnpBadValues) {
  EXPECT_NE(Error("[upnp]\nenabled = 1\n").find("[upnp] enabled must be true or false"),
            std::string::npos);
  EXPECT_NE(Error("[upnp]\nport = 61000.5\n").find("[upnp] port"), std::string::npos);
  EXPECT_NE(Error("[upnp]\nport = 70000\n").find("[upnp] port"), std::string::npos);
  EXPECT_NE(Error("[upnp]\nport = -1\n").find("[upnp] port"), std::string::npos);
  EXPECT_NE(Error("[upnp]\nsearch_interval = 5\n").find("search_interval"), std::string::npos);
  EXPECT_NE(Error("[upnp]\naction_timeout_ms = 0\n").find("action_timeout_ms"), std::string::npos);
  EXPECT_NE(Error("[upnp]\nip = \"::1\"\n").find("[upnp] ip must be an IPv4"), std::string::npos);
  EXPECT_NE(Error("[upnp]\nip = \"300.1.1.1\"\n").find("[upnp] ip"), std::string::npos);
  EXPECT_NE(Error("[upnp]\ninterface = \"\"\n").find("[upnp] interface"), std::string::npos);
  EXPECT_NE(Error("[upnp]\ninterface = \"a-very-long-interface-name\"\n").find("interface"),
            std::string::npos);
  EXPECT_NE(Error("[upnp]\ninterface = 3\n").find("must be a string"), std::string::npos);
  // A disabled control point is not checked further.
  auto off = Load("[upnp]\nenabled = false\ninterface = \"\"\n");
  EXPECT_TRUE(off.ok()) << off.status();
}

// Config files come from integrators and provisioning systems: a clear error, never a crash
// (issue 11: a 100,000-character listen overflowed std::regex's stack).
TEST_F(ConfigTest, HugeOrOddValuesAreClearErrors) {
  const std::string huge(100000, 'a');
  EXPECT_NE(Error("[connection_request]\nlisten = \"" + huge + ":7547\"\n").find("listen"),
            std::string::npos);
  EXPECT_NE(Error("[connection_request]\nlisten = \"[" + std::string(100000, ':') + "]:1\"\n")
                .find("listen"),
            std::string::npos);
  EXPECT_NE(Error("[device]\noui = \"" + huge + "\"\n").find("oui"), std::string::npos);
  EXPECT_NE(Error("[connection_request]\nlisten = \"host:99999\"\n").find("listen"),
            std::string::npos);
  auto v6 = Load("[connection_request]\nlisten = \"[::]:7547\"\n");
  EXPECT_TRUE(v6.ok()) << v6.status();
  EXPECT_FALSE(ParseConfig(std::string(2 * 1024 * 1024, '#'), "big.toml").ok());
}

TEST_F(ConfigTest, UpnpWarnings) {
  // The GENA event server is ours (libmicrohttpd): any port is fine, no libupnp mapping.
  auto c = Load("[upnp]\nport = 8080\nmystery = 1\n");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->warnings.size(), 1u);
  EXPECT_NE(c->warnings[0].find("unknown key [upnp] mystery"), std::string::npos);
  EXPECT_EQ(c->upnp_port, 8080);
}

TEST_F(ConfigTest, ProxyKeysAndRules) {
  auto c = Load(R"([proxy]
default_mode = "virtual"
purge_after = 0
[[proxy.rule]]
match = { model_name = "SmartPlug*", manufacturer = "Acme" }
mode = "ignore"
[[proxy.rule]]
match = { udn = "1234*", friendly_name = "Living*", device_type = "urn:*:MediaRenderer:*" }
mode = "embedded"
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->default_mode, "virtual");
  EXPECT_EQ(c->purge_after, 0u);
  ASSERT_EQ(c->rules.size(), 2u);
  EXPECT_EQ(c->rules[0].mode, "ignore");
  EXPECT_EQ(c->rules[0].match.at("model_name"), "SmartPlug*");
  EXPECT_EQ(c->rules[0].match.at("manufacturer"), "Acme");
  EXPECT_EQ(c->rules[1].match.at("udn"), "1234*");
  EXPECT_EQ(c->rules[1].match.at("friendly_name"), "Living*");
  EXPECT_EQ(c->rules[1].match.at("device_type"), "urn:*:MediaRenderer:*");
  EXPECT_EQ(c->rules[1].mode, "embedded");
}

TEST_F(ConfigTest, ProxyBadValues) {
  EXPECT_NE(Error("[proxy]\ndefault_mode = \"both\"\n").find("default_mode"), std::string::npos);
  EXPECT_NE(Error("[proxy]\npurge_after = -5\n").find("purge_after"), std::string::npos);
  EXPECT_NE(Error("[[proxy.rule]]\nmatch = { model_name = \"X\" }\nmode = \"other\"\n")
                .find("#1 needs match"),
            std::string::npos);
  EXPECT_NE(Error("[[proxy.rule]]\nmode = \"virtual\"\n").find("#1 needs match"),
            std::string::npos);
  EXPECT_NE(Error("[[proxy.rule]]\nmatch = { serial = \"X\" }\nmode = \"virtual\"\n")
                .find("cannot match on 'serial'"),
            std::string::npos);
  EXPECT_NE(Error("[[proxy.rule]]\nmatch = { udn = 5 }\nmode = \"virtual\"\n")
                .find("match values must be strings"),
            std::string::npos);
  EXPECT_NE(Error("[proxy]\nrule = 3\n").find("array of tables"), std::string::npos);
}

TEST_F(ConfigTest, SyntaxErrorNamesTheLine) {
  std::string e = Error("[upnp]\ninterface = \"lo\"\nport = = 3\n");
  EXPECT_NE(e.find("proxierd.toml:3:"), std::string::npos) << e;
}

}  // namespace
}  // namespace proxier::app
