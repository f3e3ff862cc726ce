"""Reboot, FactoryReset and kill -9: the events a restart must (re)send."""
import os
import sys
import unittest

from harness import IntegrationTest, event_codes, reexecs, wait_for

MS = "Device.ManagementServer."


def config_hook(path, api, **config):
    """Writes a hook script that POSTs `config` to the lab ACS's /config; returns its command."""
    with open(path, "w") as f:
        f.write("import json, urllib.request as u\n"
                "u.urlopen(u.Request(%r, data=json.dumps(%r).encode(), method='POST'), timeout=10)\n"
                % (api + "/config", config))
    return "%s %s" % (sys.executable, path)


class RestartTest(IntegrationTest):
    def wait_lab_received(self, acs, count, text="recv Inform"):
        """Bounded poll of the lab's log: it received `count` Informs (also ones it holds back)."""
        wait_for(lambda: acs.proc.text().count(text) >= count, timeout=20,
                 what="%d x '%s' in the lab's log" % (count, text))

    @reexecs
    def test_reboot_restarts_the_process_and_sends_boot_and_m_reboot(self):
        marker = self.path("rebooted")
        acs, px, _ = self.bootstrap(hook_reboot="touch %s" % marker)
        pid = px.proc.pid
        self.assertEqual(acs.run_ok({"name": "Reboot", "command_key": "rb-1"}), {})
        device = acs.wait(informs=2, sessions_ended=2)
        self.assertEqual(sorted(event_codes(device["last_inform"])), ["1 BOOT", "M Reboot/rb-1"])
        self.assertTrue(os.path.exists(marker), "the reboot hook did not run")
        self.assertTrue(px.alive())
        self.assertEqual(px.proc.pid, pid)  # the same process, re-executed
        self.assertIn("restarting", px.log())
        # M Reboot is delivered once only.
        acs.run_ok({"name": "GetRPCMethods"})
        self.assertEqual(event_codes(acs.informs()[-1]), ["6 CONNECTION REQUEST"])

    @reexecs
    def test_factory_reset_wipes_the_store_and_bootstraps_again(self):
        marker = self.path("reset")
        acs, px, _ = self.bootstrap(hook_factory_reset="touch %s" % marker)
        acs.run_ok({"name": "SetParameterValues", "parameter_key": "pk-fr",
                    "values": [["Device.DeviceInfo.ProvisioningCode", "before-reset"]]})
        self.assertEqual(acs.run_ok({"name": "FactoryReset"}), {})
        device = acs.wait(informs=3)  # bootstrap, SPV session, FactoryReset session, then
        inform = device["last_inform"]
        self.assertEqual(event_codes(inform), ["0 BOOTSTRAP", "1 BOOT"])
        self.assertEqual(inform["params"]["Device.DeviceInfo.ProvisioningCode"], "")
        self.assertEqual(inform["params"][MS + "ParameterKey"], "")
        self.assertTrue(os.path.exists(marker), "the factory_reset hook did not run")

    def test_kill9_while_the_bootstrap_inform_waits_for_its_answer_resends_bootstrap(self):
        acs = self.start_acs()
        acs.config(inform_delay_ms=60000)
        px = self.make_proxierd(acs).start()
        self.wait_lab_received(acs, 1)
        self.assertEqual(px.kill9(), -9)
        acs.config(inform_delay_ms=0)
        px.start()
        device = acs.wait(sessions_ended=0)
        # The held-back Inform is never recorded before the lab stops: this is the restarted one.
        self.assertEqual(device["informs"], 1)
        self.assertEqual(event_codes(device["last_inform"]), ["0 BOOTSTRAP", "1 BOOT"])

    @reexecs
    def test_kill9_before_m_reboot_was_acknowledged_resends_it(self):
        acs, px, _ = self.bootstrap()
        # The reboot hook makes the lab hold back the next InformResponse (the 1 BOOT + M Reboot
        # one); proxierd is killed while it waits for it.
        hook = config_hook(self.path("reboot-hook.py"), acs.api, inform_delay_ms=60000)
        px.stop()
        px2 = self.make_proxierd(acs, cr_port=px.cr_port, hook_reboot=hook).start()
        acs.wait(sessions_ended=1)
        acs.run_ok({"name": "Reboot", "command_key": "rb-kill"})
        self.wait_lab_received(acs, 4)  # bootstrap, boot, reboot session, held back
        self.assertEqual(px2.kill9(), -9)
        self.assertEqual(len(acs.informs()), 3)  # the held-back one is not recorded yet
        acs.config(inform_delay_ms=0)
        px2.start()
        device = acs.wait(informs=3)
        self.assertEqual(sorted(event_codes(device["last_inform"])), ["1 BOOT", "M Reboot/rb-kill"])

    def test_kill9_before_transfer_complete_was_acknowledged_resends_it(self):
        acs = self.start_acs()
        # The apply hook makes the lab hold back the next InformResponse (the 7 TRANSFER
        # COMPLETE one); proxierd is killed while it waits for it.
        hook = config_hook(self.path("apply-hook.py"), acs.api, inform_delay_ms=60000)
        acs, px, _ = self.bootstrap(acs, hook_apply_config=hook)
        with open(os.path.join(acs.files, "a.cfg"), "w") as f:
            f.write("config")
        acs.run_ok({"name": "Download", "url": acs.files_url + "a.cfg",
                    "file_type": "3 Vendor Configuration File", "command_key": "dl-kill"})
        self.wait_lab_received(acs, 3)  # bootstrap, Download session, held back
        self.assertEqual(px.kill9(), -9)
        self.assertEqual(len(acs.informs()), 2)  # the held-back one is not recorded yet
        self.assertEqual(acs.transfers(), [])
        acs.config(inform_delay_ms=0)
        px.start()
        tc = acs.transfers(after=0)[0]
        self.assertEqual((tc["command_key"], tc["fault"]["code"]), ("dl-kill", 0), tc)
        inform = acs.informs()[-1]
        self.assertEqual(sorted(event_codes(inform)), ["1 BOOT", "7 TRANSFER COMPLETE", "M Download/dl-kill"])

    def test_kill9_between_sessions_keeps_the_store(self):
        acs, px, _ = self.bootstrap()
        acs.run_ok({"name": "SetParameterValues", "parameter_key": "pk-9",
                    "values": [["Device.DeviceInfo.ProvisioningCode", "durable"]]})
        self.assertEqual(px.kill9(), -9)
        px.start()
        device = acs.wait(informs=2)
        self.assertEqual(event_codes(device["last_inform"]), ["1 BOOT"])
        self.assertEqual(device["last_inform"]["params"]["Device.DeviceInfo.ProvisioningCode"], "durable")
        self.assertEqual(device["last_inform"]["params"][MS + "ParameterKey"], "pk-9")


if __name__ == "__main__":
    unittest.main()
