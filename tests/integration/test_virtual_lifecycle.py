"""Virtual mode end to end, what a virtual device does to its appliance (issue 6): Reboot and
FactoryReset through BMS, firmware Download and ChangeDUState through SMS, IPPing diagnostics
through BMS Ping, a restart of proxierd. Runs only in a private network namespace."""
import unittest

from harness import wait_for
from test_upnp_gateway import in_private_namespace
from virtual_base import VirtualTest

PING = "Device.IP.Diagnostics.IPPing."


def codes(inform):
    return sorted(e[0] + ("/" + e[1] if e[1] else "") for e in inform["events"])


@unittest.skipUnless(in_private_namespace(), "UPnP tests run only in a private network namespace")
class VirtualLifecycleTest(VirtualTest):
    def test_reboot_through_bms_then_1_boot_and_m_reboot(self):
        self.start_all()
        vd = self.vd_id(self.udns[1])
        boot_id = int(self.sim.command("bootid 1"))
        informs = len(self.informs(vd))
        self.vd_run_ok(vd, {"name": "Reboot", "command_key": "rb-1"})
        inform = self.wait_inform_with(vd, ["1 BOOT", "M Reboot"], informs)
        self.assertEqual(codes(inform), ["1 BOOT", "M Reboot/rb-1"])
        self.assertGreater(int(self.sim.command("bootid 1")), boot_id)  # the appliance rebooted
        # One Inform only: exactly one 1 BOOT for one reboot.
        boots = [i for i in self.informs(vd)[informs:] if "1 BOOT" in [e[0] for e in i["events"]]]
        self.assertEqual(len(boots), 1, self.informs(vd)[informs:])
        self.assertIn("BMS Reboot", self.px.log())

    def test_factory_reset_through_bms_then_bootstrap(self):
        self.start_all()
        vd = self.vd_id(self.udns[1])
        self.sim.command("set 1 /UPnP/DM/DeviceInfo/FriendlyName Changed")
        informs = len(self.informs(vd))
        self.vd_run_ok(vd, {"name": "FactoryReset"})
        inform = self.wait_inform_with(vd, ["0 BOOTSTRAP"], informs)
        self.assertIn("1 BOOT", [e[0] for e in inform["events"]])
        self.assertIn("BaselineReset", self.px.log())
        # The appliance itself was reset: the value changed before is back to its default.
        self.assertEqual(self.sim.command("get 1 /UPnP/DM/DeviceInfo/FriendlyName"), "Plug 1")

    def test_firmware_download_runs_as_sms_install(self):
        self.start_all()
        vd = self.vd_id(self.udns[1])
        transfers = len(self.acs.transfers())
        r = self.vd_run_ok(vd, {"name": "Download", "command_key": "fw-2.5",
                                "url": "http://127.0.0.1:9/plug-fw-2.5.bin",
                                "file_type": "1 Firmware Upgrade Image", "file_size": 1000})
        self.assertEqual(r["status"], 1)
        done = self.acs.transfers(after=transfers, wait=30)[-1]
        self.assertEqual((done["device"], done["method"], done["command_key"]),
                         (vd, "TransferComplete", "fw-2.5"), done)
        self.assertEqual(done["fault"]["code"], 0, done)
        self.assertIn("7 TRANSFER COMPLETE", [e[0] for e in self.informs(vd)[-1]["events"]])
        # A corrupt image: the appliance's SMS error comes back as a TransferComplete fault.
        self.vd_run_ok(vd, {"name": "Download", "command_key": "fw-bad",
                            "url": "http://127.0.0.1:9/corrupt.bin",
                            "file_type": "1 Firmware Upgrade Image"})
        bad = self.acs.transfers(after=transfers + 1, wait=30)[-1]
        self.assertEqual(bad["command_key"], "fw-bad")
        self.assertNotEqual(bad["fault"]["code"], 0, bad)

    def test_change_du_state_install_update_uninstall(self):
        self.start_all()
        vd = self.vd_id(self.udns[1])
        uuid = "5c6f1a2e-0b1d-4c3a-9e7f-0a1b2c3d4e5f"
        n = len(self.acs.transfers())
        self.vd_run_ok(vd, {"name": "ChangeDUState", "command_key": "du-1", "operations": [
            {"op": "install", "url": "http://127.0.0.1:9/app.ipk", "uuid": uuid}]})
        done = self.acs.transfers(after=n, wait=30)[-1]
        self.assertEqual((done["device"], done["method"], done["command_key"]),
                         (vd, "DUStateChangeComplete", "du-1"), done)
        (result,) = done["results"]
        self.assertEqual(result["uuid"], uuid)
        self.assertEqual(result["current_state"], "Installed", result)
        self.assertEqual(result["fault"]["code"], 0, result)
        last = self.informs(vd)[-1]
        self.assertIn("11 DU STATE CHANGE COMPLETE", [e[0] for e in last["events"]])
        # The UUID stays mapped to the appliance's DUID: update then uninstall it by UUID.
        self.vd_run_ok(vd, {"name": "ChangeDUState", "command_key": "du-2", "operations": [
            {"op": "update", "uuid": uuid, "url": "http://127.0.0.1:9/app-2.ipk"},
            {"op": "uninstall", "uuid": uuid}]})
        done = self.acs.transfers(after=n + 1, wait=30)[-1]
        self.assertEqual(done["command_key"], "du-2")
        self.assertEqual([r["fault"]["code"] for r in done["results"]], [0, 0], done)
        self.assertEqual(done["results"][-1]["current_state"], "Uninstalled", done)

    def test_ipping_diagnostics_through_bms_ping(self):
        self.start_all()
        vd = self.vd_id(self.udns[1])
        informs = len(self.informs(vd))
        self.vd_run_ok(vd, {"name": "SetParameterValues", "values": [
            [PING + "Host", "192.0.2.1", "xsd:string"],
            [PING + "NumberOfRepetitions", "4", "xsd:unsignedInt"],
            [PING + "DiagnosticsState", "Requested", "xsd:string"]]})
        self.wait_inform_with(vd, ["8 DIAGNOSTICS COMPLETE"], informs)
        values = self.vd_values(vd, PING)
        self.assertEqual(values[PING + "DiagnosticsState"], "Complete")
        self.assertEqual(values[PING + "SuccessCount"], "4")
        self.assertEqual(values[PING + "FailureCount"], "0")
        # The appliance cannot resolve the host: its BMS status is the DiagnosticsState.
        informs = len(self.informs(vd))
        self.vd_run_ok(vd, {"name": "SetParameterValues", "values": [
            [PING + "Host", "nowhere.invalid", "xsd:string"],
            [PING + "DiagnosticsState", "Requested", "xsd:string"]]})
        self.wait_inform_with(vd, ["8 DIAGNOSTICS COMPLETE"], informs)
        state = self.vd_values(vd, PING + "DiagnosticsState")[PING + "DiagnosticsState"]
        self.assertEqual(state, "Error_CannotResolveHostName")

    def test_restart_keeps_identity_and_sends_boot_not_bootstrap(self):
        self.start_all()
        vd = self.vd_id(self.udns[1])
        url = self.acs.device(vd)["connection_request_url"]
        informs = len(self.informs(vd))
        self.assertEqual(self.px.stop(), 0)
        self.px.start()
        inform = self.wait_inform_with(vd, ["1 BOOT"], informs)
        self.assertNotIn("0 BOOTSTRAP", [e[0] for e in inform["events"]])
        self.assertEqual(self.acs.device(vd)["connection_request_url"], url)
        self.assertEqual(self.vd_cr(vd), 200)

    def test_restart_before_the_first_identification_still_ends_virtual(self):
        # Regression (found by test_kill9): proxierd stopped while a new appliance had never
        # answered its DeviceId read starts with the device known but offline; virtual mode
        # could not start then and the device stayed embedded after it was seen again.
        self.start_all(sim_commands=["error 1 501 100000"])
        plug = self.udns[1]
        wait_for(lambda: "reading its DeviceId" in self.px.log(), timeout=30,
                 what="virtual device attached, DeviceId unread")
        self.assertEqual(self.px.kill9(), -9)
        self.sim.command("error 1 501 0")
        self.px.start()
        vd = self.vd_id(plug)
        self.assertIn("0 BOOTSTRAP", [e[0] for e in self.informs(vd)[0]["events"]])
        path, mode = self.proxy_row(plug)
        self.assertEqual(mode["EffectiveMode"], "virtual", mode)


if __name__ == "__main__":
    unittest.main()
