"""TLS for virtual devices (issue 11, item 1): a virtual device's sessions go to the gateway's
ACS with the gateway's TLS settings (CA file, client certificate). Certificates are made at test
time by openssl (test_tls.Pki). Runs only in a private network namespace."""
import unittest

from harness import wait_for
from test_tls import Pki
from test_upnp_gateway import Sim, in_private_namespace, set_upnp_section
from virtual_base import PLUG_RULE, PROXIERD_UPNP_PORT, SIM_PORT, VirtualTest

MS = "Device.ManagementServer."


@unittest.skipUnless(in_private_namespace(), "UPnP tests run only in a private network namespace")
class VirtualTlsTest(VirtualTest):
    def setUp(self):
        super().setUp()
        self.pki = Pki(self.path("pki"))

    def mutual_tls_acs(self):
        p = self.pki.path
        acs = self.start_acs(extra_args=["--tls-cert", p("server.pem"), "--tls-key",
                                         p("server.key"), "--tls-client-ca", p("client-ca.pem")])
        self.assertTrue(acs.cwmp_url.startswith("https://"), acs.cwmp_url)
        return acs

    def test_a_virtual_device_uses_the_gateways_tls_settings(self):
        p = self.pki.path
        acs = self.mutual_tls_acs()
        extra = 'ca_file = "%s"\nclient_cert = "%s"\nclient_key = "%s"\n' % (
            p("ca.pem"), p("client.pem"), p("client.key"))
        self.start_all(acs=acs, acs_extra=extra)
        vd = self.vd_id(self.udns[1])  # the plug's virtual device bootstrapped over mutual TLS
        values = self.vd_values(vd, MS + "URL")
        self.assertEqual(values[MS + "URL"], acs.cwmp_url)
        # A connection request to the virtual device (plain HTTP, Digest) gives an HTTPS session.
        r = self.vd_run_ok(vd, {"name": "GetParameterValues",
                                "names": ["Device.DeviceInfo.SerialNumber"]})
        self.assertTrue(r["values"][0][1])

    def test_an_untrusted_acs_gives_the_virtual_device_no_session_either(self):
        p = self.pki.path
        acs = self.mutual_tls_acs()
        extra = 'ca_file = "%s"\nclient_cert = "%s"\nclient_key = "%s"\n' % (
            p("other-ca.pem"), p("client.pem"), p("client.key"))
        self.sim = Sim(self, ["nas", "smart-plug"], 2, SIM_PORT)
        px = self.make_proxierd(acs, acs_extra=extra)
        set_upnp_section(px.config_path, enabled=True, interface="lo", port=PROXIERD_UPNP_PORT,
                         search_interval=300, action_timeout_ms=3000)
        with open(px.config_path, "a") as f:
            f.write('\n[proxy]\ndefault_mode = "embedded"\n' + PLUG_RULE)
        px.start()
        # Both the gateway and the plug's virtual device try, fail on the certificate, retry.
        wait_for(lambda: sum(1 for line in px.log().splitlines()
                             if "session failed" in line and "local issuer" in line
                             and not line.split("cwmp: ")[1].startswith("gw:")) >= 2,
                 timeout=40, interval=0.2, what="two failed attempts of the virtual device")
        self.assertEqual(acs.devices(), [])


if __name__ == "__main__":
    unittest.main()
