"""IPv6 towards the ACS end to end (issue 11, item 2), on ::1: an ACS URL with an IPv6 literal
(http and https), the connection-request server on one IPv6 address or on [::] (both families),
and a ConnectionRequestURL built from the address family actually used to reach the ACS, with
brackets. (UPnP DM stays IPv4: see docs/UPNP.md.)"""
import unittest

from harness import CR_PASSWORD, CR_USER, IntegrationTest, event_codes
from test_tls import Pki

MS = "Device.ManagementServer."


def has_ipv6_loopback():
    import socket
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@unittest.skipUnless(has_ipv6_loopback(), "no IPv6 loopback on this machine")
class Ipv6Test(IntegrationTest):
    def cr_url_of(self, acs):
        inform = acs.informs()[-1]
        return inform["params"][MS + "ConnectionRequestURL"]

    def check_connection_request(self, acs, url):
        sessions = acs.device()["sessions_ended"]
        self.assertEqual(acs.connection_request(url, CR_USER, CR_PASSWORD), 200)
        device = acs.wait(sessions_ended=sessions)
        self.assertEqual(event_codes(device["last_inform"]), ["6 CONNECTION REQUEST"])

    def test_acs_and_connection_requests_over_ipv6(self):
        acs = self.start_acs(listen="::1")
        self.assertTrue(acs.cwmp_url.startswith("http://[::1]:"), acs.cwmp_url)
        px = self.make_proxierd(acs, cr_host="[::1]").start()
        acs.wait(sessions_ended=0)
        url = self.cr_url_of(acs)
        self.assertEqual(url, "http://[::1]:%d/cr" % px.cr_port)
        self.check_connection_request(acs, url)

    def test_dual_stack_listener_follows_the_family_used(self):
        # IPv4 ACS: the URL is the IPv4 address the gateway used; the [::] listener takes it.
        acs4 = self.start_acs(name="acs4")
        px = self.make_proxierd(acs4, cr_host="[::]").start()
        acs4.wait(sessions_ended=0)
        url4 = self.cr_url_of(acs4)
        self.assertEqual(url4, "http://127.0.0.1:%d/cr" % px.cr_port)
        self.check_connection_request(acs4, url4)
        # IPv6 ACS, same listener: the URL is the IPv6 one, with brackets.
        acs6 = self.start_acs(name="acs6", listen="::1")
        px6 = self.make_proxierd(acs6, name="px6", cr_host="[::]").start()
        acs6.wait(sessions_ended=0)
        url6 = self.cr_url_of(acs6)
        self.assertEqual(url6, "http://[::1]:%d/cr" % px6.cr_port)
        self.check_connection_request(acs6, url6)

    def test_https_acs_over_ipv6(self):
        pki = Pki(self.path("pki"))
        pki.issue("server6", "ca", "IP:::1")
        acs = self.start_acs(listen="::1", extra_args=[
            "--tls-cert", pki.path("server6.pem"), "--tls-key", pki.path("server6.key")])
        self.assertTrue(acs.cwmp_url.startswith("https://[::1]:"), acs.cwmp_url)
        px = self.make_proxierd(acs, cr_host="[::1]",
                                acs_extra='ca_file = "%s"\n' % pki.path("ca.pem")).start()
        acs.wait(sessions_ended=0)
        self.check_connection_request(acs, self.cr_url_of(acs))


if __name__ == "__main__":
    unittest.main()
