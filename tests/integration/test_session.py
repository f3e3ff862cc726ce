"""proxierd against lab-acs: bootstrap, the first GPV, restart, ACS URL change, periodic Informs."""
import unittest

from harness import GATEWAY_ID, IntegrationTest, event_codes, parse_time


class SessionTest(IntegrationTest):
    def test_first_inform_is_bootstrap_and_boot_with_device_id(self):
        acs, px, device = self.bootstrap()
        inform = device["last_inform"]
        self.assertEqual(event_codes(inform), ["0 BOOTSTRAP", "1 BOOT"])
        self.assertEqual(inform["outcome"], "answered")
        self.assertEqual(inform["retry_count"], 0)
        self.assertEqual(inform["namespace"], "urn:dslforum-org:cwmp-1-2")
        self.assertEqual(device["id"], GATEWAY_ID)
        self.assertEqual((device["manufacturer"], device["oui"], device["product_class"],
                          device["serial_number"]), ("Proxier", "02C0DE", "ProxierGW", "IT0001"))
        self.assertEqual(device["informs"], 1)
        self.assertEqual(device["sessions_ended"], 1)

    def test_inform_carries_the_forced_parameters_and_the_real_cr_url(self):
        acs, px, device = self.bootstrap()
        params = device["last_inform"]["params"]
        self.assertEqual(params["Device.ManagementServer.ConnectionRequestURL"], px.cr_url)
        self.assertEqual(device["connection_request_url"], px.cr_url)
        self.assertEqual(params["Device.RootDataModelVersion"], "2.17")
        self.assertEqual(params["Device.DeviceInfo.HardwareVersion"], "1.0")
        self.assertIn("Device.DeviceInfo.SoftwareVersion", params)
        self.assertEqual(params["Device.ManagementServer.ParameterKey"], "")
        # The advertised URL answers (401: Digest challenge), so it really is proxierd's port.
        self.assertEqual(acs.connection_request(px.cr_url, "", ""), 401)

    def test_gpv_queued_through_the_api_returns_typed_values(self):
        acs, px, _ = self.bootstrap()
        names = ["Device.DeviceInfo.SerialNumber", "Device.DeviceInfo.ManufacturerOUI",
                 "Device.DeviceInfo.UpTime", "Device.ManagementServer.PeriodicInformEnable",
                 "Device.ManagementServer.PeriodicInformInterval",
                 "Device.ManagementServer.CWMPRetryMinimumWaitInterval",
                 "Device.Time.CurrentLocalTime"]
        response = acs.run_ok({"name": "GetParameterValues", "names": names})
        values = {name: (value, xsd) for name, value, xsd in response["values"]}
        self.assertEqual(sorted(values), sorted(names))
        self.assertEqual(values["Device.DeviceInfo.SerialNumber"], ("IT0001", "xsd:string"))
        self.assertEqual(values["Device.DeviceInfo.ManufacturerOUI"], ("02C0DE", "xsd:string"))
        self.assertEqual(values["Device.DeviceInfo.UpTime"][1], "xsd:unsignedInt")
        self.assertTrue(values["Device.DeviceInfo.UpTime"][0].isdigit())
        self.assertEqual(values["Device.ManagementServer.PeriodicInformEnable"], ("false", "xsd:boolean"))
        self.assertEqual(values["Device.ManagementServer.PeriodicInformInterval"], ("3600", "xsd:unsignedInt"))
        self.assertEqual(values["Device.ManagementServer.CWMPRetryMinimumWaitInterval"],
                         ("1", "xsd:unsignedInt"))
        self.assertEqual(values["Device.Time.CurrentLocalTime"][1], "xsd:dateTime")
        # The lab learned the values too.
        self.assertEqual(acs.device()["params"]["Device.DeviceInfo.SerialNumber"], "IT0001")

    def test_second_session_is_a_connection_request_session(self):
        acs, px, _ = self.bootstrap()
        acs.run_ok({"name": "GetRPCMethods"})
        informs = acs.informs()
        self.assertEqual(len(informs), 2)
        self.assertEqual(event_codes(informs[1]), ["6 CONNECTION REQUEST"])
        self.assertEqual(informs[1]["retry_count"], 0)

    def test_get_rpc_methods_lists_every_cpe_method(self):
        acs, px, _ = self.bootstrap()
        methods = acs.run_ok({"name": "GetRPCMethods"})["methods"]
        for m in ["GetRPCMethods", "GetParameterNames", "GetParameterValues", "SetParameterValues",
                  "GetParameterAttributes", "SetParameterAttributes", "AddObject", "DeleteObject",
                  "Reboot", "FactoryReset", "Download", "Upload", "ScheduleInform"]:
            self.assertIn(m, methods)

    def test_sigterm_exits_cleanly_and_restart_sends_boot_without_bootstrap(self):
        acs, px, _ = self.bootstrap()
        self.assertEqual(px.stop(), 0)
        self.assertIn("stopped", px.log())
        px.start()
        device = acs.wait(informs=1)
        self.assertEqual(event_codes(device["last_inform"]), ["1 BOOT"])
        self.assertEqual(px.stop(), 0)

    def test_acs_url_change_bootstraps_with_the_new_acs(self):
        acs, px, _ = self.bootstrap()
        acs2 = self.start_acs(name="lab-acs-2")
        r = acs.run_ok({"name": "SetParameterValues",
                        "values": [["Device.ManagementServer.URL", acs2.cwmp_url]]})
        self.assertEqual(r["status"], 0)
        device = acs2.wait(informs=0, sessions_ended=0)
        self.assertIn("0 BOOTSTRAP", event_codes(device["last_inform"]))
        self.assertEqual(device["last_inform"]["params"]["Device.ManagementServer.ConnectionRequestURL"],
                         px.cr_url)
        # The new URL is kept over a restart, and the new ACS is not bootstrapped again.
        self.assertEqual(px.stop(), 0)
        px.start()
        device = acs2.wait(informs=1)
        self.assertEqual(event_codes(device["last_inform"]), ["1 BOOT"])
        self.assertEqual(acs.device()["informs"], 2)  # bootstrap + the SPV session only

    def test_periodic_informs_follow_the_interval(self):
        acs, px, _ = self.bootstrap(periodic="true", periodic_interval=1)
        acs.wait(informs=3, timeout=15)
        informs = acs.informs()
        periodic = [i for i in informs if "2 PERIODIC" in event_codes(i)]
        self.assertGreaterEqual(len(periodic), 3)
        gaps = [parse_time(b["time"]) - parse_time(a["time"]) for a, b in zip(periodic, periodic[1:])]
        for gap in gaps:
            self.assertTrue(0.5 <= gap <= 1.6, gaps)


if __name__ == "__main__":
    unittest.main()
