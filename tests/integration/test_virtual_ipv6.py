"""IPv6 for virtual devices (issue 11, item 2): with the ACS on ::1 and the connection-request
server dual stack ([::]), a virtual device's ConnectionRequestURL is its /vd/<n> path on the
IPv6 address used to reach the ACS, with brackets, and a connection request to it works. The
appliances stay on IPv4 UPnP (docs/UPNP.md). Runs only in a private network namespace."""
import unittest

from test_ipv6 import has_ipv6_loopback
from test_upnp_gateway import in_private_namespace
from virtual_base import VirtualTest

MS = "Device.ManagementServer."


@unittest.skipUnless(in_private_namespace(), "UPnP tests run only in a private network namespace")
@unittest.skipUnless(has_ipv6_loopback(), "no IPv6 loopback in this namespace")
class VirtualIpv6Test(VirtualTest):
    def test_virtual_device_connection_request_url_follows_ipv6(self):
        acs = self.start_acs(listen="::1")
        self.start_all(acs=acs, cr_host="[::]")
        vd = self.vd_id(self.udns[1])
        url = acs.device(vd)["connection_request_url"]
        self.assertRegex(url, r"^http://\[::1\]:%d/vd/\d+$" % self.px.cr_port)
        # vd_values wakes the virtual device with a connection request to that URL.
        values = self.vd_values(vd, MS + "ConnectionRequestURL", MS + "URL")
        self.assertEqual(values[MS + "ConnectionRequestURL"], url)
        self.assertEqual(values[MS + "URL"], acs.cwmp_url)


if __name__ == "__main__":
    unittest.main()
