"""Virtual mode end to end (issue 6): a UPnP DM appliance presented to lab-acs as a CPE of its
own by proxierd: identity, ProxierInfo, the gateway's VirtualDevice rows, parameters read and
written, connection-request routing and 503. Runs only in a private network namespace."""
import unittest

from harness import GATEWAY_ID, wait_for
from test_upnp_gateway import in_private_namespace
from virtual_base import ED_TABLE, VD_TABLE, VirtualTest, rows

DI = "Device.DeviceInfo."
MS = "Device.ManagementServer."


@unittest.skipUnless(in_private_namespace(), "UPnP tests run only in a private network namespace")
class VirtualDeviceTest(VirtualTest):
    def test_identity_proxier_info_and_gateway_rows(self):
        acs, px = self.start_all()
        plug = self.udns[1]
        vd = self.vd_id(plug)
        serial = self.sim.command("get 1 /UPnP/DM/DeviceInfo/PhysicalDevice/DeviceID/SerialNumber")
        self.assertEqual(vd, "00A0C6-SmartPlug-" + serial)
        first = self.informs(vd)[0]
        self.assertIn("0 BOOTSTRAP", [e[0] for e in first["events"]])
        device = acs.device(vd)
        self.assertEqual(device["manufacturer"], "Acme Home Devices")
        # Only the plug is virtual: the NAS stays in the gateway's tree and is no CPE of its own.
        self.assertEqual(sorted(d["id"] for d in acs.devices()), sorted([GATEWAY_ID, vd]))

        values = self.vd_values(vd, DI, MS + "ConnectionRequestURL", MS + "URL")
        self.assertEqual(values[DI + "ProxierInfo.ManufacturerOUI"], "02C0DE")
        self.assertEqual(values[DI + "ProxierInfo.ProductClass"], "ProxierGW")
        self.assertEqual(values[DI + "ProxierInfo.SerialNumber"], "IT0001")
        self.assertEqual(values[DI + "ProxierInfo.ProxyProtocol"], "UPnP-DM")
        self.assertEqual(values[DI + "SerialNumber"], serial)
        self.assertEqual(values[DI + "ManufacturerOUI"], "00A0C6")
        self.assertEqual(values[MS + "URL"], acs.cwmp_url)  # inherited from the gateway
        self.assertRegex(values[MS + "ConnectionRequestURL"],
                         r"^http://127\.0\.0\.1:%d/vd/\d+$" % px.cr_port)

        gw = self.gw_values(MS + "VirtualDeviceNumberOfEntries", VD_TABLE, ED_TABLE)
        self.assertEqual(gw[MS + "VirtualDeviceNumberOfEntries"], "1")
        (vd_row,) = rows(gw, VD_TABLE).values()
        self.assertEqual(vd_row["ManufacturerOUI"], "00A0C6")
        self.assertEqual(vd_row["ProductClass"], "SmartPlug")
        self.assertEqual(vd_row["SerialNumber"], serial)
        self.assertEqual(vd_row["ProxyProtocol"], "UPnP-DM")
        embedded = [r["ProxiedDeviceID"] for r in rows(gw, ED_TABLE).values()]
        self.assertEqual(embedded, [self.udns[0]])  # the NAS only
        path, mode = self.proxy_row(plug)
        self.assertEqual((mode["Mode"], mode["EffectiveMode"]), ("virtual", "virtual"), mode)

    def test_parameters_read_and_written_on_the_appliance(self):
        acs, px = self.start_all()
        vd = self.vd_id(self.udns[1])
        names = self.vd_run_ok(vd, {"name": "GetParameterNames", "path": "Device.",
                                    "next_level": False})["names"]
        relay = [n for n, _ in names if n.endswith(".Power.Relay")]
        # mapping.md §2.3/§3: the native tree under the vendor prefix, the BBF tree at Device.
        self.assertEqual(relay, ["Device.X_02C0DE_UPnP.DM.Power.Relay"], names)
        self.assertIn("Device.WiFi.SSID.1.SSID", [n for n, _ in names])
        relay = relay[0]
        self.assertEqual(self.vd_values(vd, relay)[relay], "1")  # mapping.md §6: UPnP booleans
        r = self.vd_run_ok(vd, {"name": "SetParameterValues", "parameter_key": "vk1",
                                "values": [[relay, "false", "xsd:boolean"]]})
        self.assertIn(r["status"], (0, 1))
        wait_for(lambda: self.sim.command("get 1 /UPnP/DM/Power/Relay") == "0",
                 timeout=15, what="relay switched on the appliance")
        values = self.vd_values(vd, relay, MS + "ParameterKey")
        self.assertEqual(values[relay], "0")
        self.assertEqual(values[MS + "ParameterKey"], "vk1")
        # The gateway's own ParameterKey is not the virtual device's.
        self.assertNotEqual(self.gw_values(MS + "ParameterKey")[MS + "ParameterKey"], "vk1")

    def test_value_change_on_the_appliance_informs_the_virtual_device_only(self):
        acs, px = self.start_all()
        vd = self.vd_id(self.udns[1])
        names = self.vd_run_ok(vd, {"name": "GetParameterNames", "path": "Device.",
                                    "next_level": False})["names"]
        (relay,) = [n for n, _ in names if n.endswith(".Power.Relay")]
        self.vd_run_ok(vd, {"name": "SetParameterAttributes",
                            "attributes": [{"name": relay, "notification": 2}]})
        gw_informs = len(self.informs(GATEWAY_ID))
        informs = len(self.informs(vd))
        self.sim.command("set 1 /UPnP/DM/Power/Relay 0")  # changed on the appliance itself
        inform = self.wait_inform_with(vd, ["4 VALUE CHANGE"], informs)
        self.assertEqual(inform["params"].get(relay), "0", inform["params"])
        self.assertTrue(acs.no_inform_after(gw_informs, within=1.0))

    def test_connection_requests_routed_and_503_when_offline(self):
        acs, px = self.start_all()
        plug = self.udns[1]
        vd = self.vd_id(plug)
        url = acs.device(vd)["connection_request_url"]
        user = self.cr_user_of(url)
        # Wrong password, the gateway's credentials on the device's path: refused.
        self.assertEqual(acs.connection_request(url, user, "wrong"), 401)
        self.assertEqual(acs.connection_request(url, "cruser", "Cr-Secret-7f3a"), 401)
        # A CR to the virtual device opens a session of the virtual device only.
        gw_sessions = acs.device()["sessions"]
        before = acs.device(vd)["sessions"]
        self.assertEqual(self.vd_cr(vd), 200)
        acs.wait(vd, sessions_ended=before)
        last = self.informs(vd)[-1]
        self.assertIn("6 CONNECTION REQUEST", [e[0] for e in last["events"]])
        self.assertEqual(acs.device()["sessions"], gw_sessions)
        # The appliance leaves: its CR URL answers 503 until it is back, then 1 BOOT.
        informs = len(self.informs(vd))
        self.sim.command("offline 1")
        wait_for(lambda: self.vd_cr(vd) == 503, timeout=20, interval=0.3,
                 what="503 while the appliance is offline")
        self.sim.command("online 1")
        inform = self.wait_inform_with(vd, ["1 BOOT"], informs)
        self.assertNotIn("0 BOOTSTRAP", [e[0] for e in inform["events"]])
        self.assertEqual(self.vd_cr(vd), 200)


if __name__ == "__main__":
    unittest.main()
