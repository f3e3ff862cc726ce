"""Virtual mode end to end, moving devices (issue 6): a device switched live between embedded and
virtual from the ACS (rows, mounts and clients move, nothing stale stays, instance numbers
survive), and an appliance without a valid DeviceId falling back to embedded with the reason
visible. Runs only in a private network namespace."""
import os
import signal
import unittest

from harness import GATEWAY_ID, wait_for
from test_upnp_gateway import PROFILES, in_private_namespace
from virtual_base import ED_TABLE, PLUG_RULE, PROXY, VD_TABLE, VirtualTest, rows

PD = "Device.X_02C0DE_ProxiedDevice."
MS = "Device.ManagementServer."


@unittest.skipUnless(in_private_namespace(), "UPnP tests run only in a private network namespace")
class VirtualSwitchTest(VirtualTest):
    def set_mode(self, udn, mode):
        path, _ = self.proxy_row(udn)
        r = self.acs.run_ok({"name": "SetParameterValues",
                             "values": [[path + "Mode", mode, "xsd:string"]]})
        self.assertIn(r["status"], (0, 1))

    def effective(self, udn):
        """EffectiveMode of `udn`'s X_02C0DE_Proxy row (None until the device has a row)."""
        row = self.proxy_row(udn)[1]
        return row["EffectiveMode"] if row else None

    def embedded_rows(self, udn):
        """(ProxiedDevice instance, EmbeddedDevice rows of udn, VirtualDevice rows) on the gateway."""
        gw = self.gw_values(PD, ED_TABLE, VD_TABLE)
        pd = [i for i, r in rows(gw, PD).items() if r.get("UDN") == udn]
        ed = [r for r in rows(gw, ED_TABLE).values() if r.get("ProxiedDeviceID") == udn]
        return pd, ed, list(rows(gw, VD_TABLE).values())

    def volumes(self, pd):
        """Instance numbers of the NAS's Volume table under the gateway's ProxiedDevice row."""
        values = self.gw_values("%s%d.UPnP.DM.Storage.Volume." % (PD, pd))
        return sorted({n.split("Volume.")[1].split(".")[0] for n in values})

    def test_embedded_to_virtual_and_back_from_the_acs(self):
        self.start_all()
        nas = self.udns[0]
        self.vd_id(self.udns[1])  # the plug's virtual device is up
        pd, ed, vds = wait_for(lambda: (lambda r: r if r[0] and r[1] else None)(
            self.embedded_rows(nas)), timeout=30, interval=0.3, what="NAS embedded rows")
        # A row the ACS created on the device: its instance number must survive the round trip.
        r = self.acs.run_ok({"name": "AddObject",
                             "object": "%s%d.UPnP.DM.Storage.Volume." % (PD, pd[0])})
        added = str(r["instance"])
        volumes = self.volumes(pd[0])
        self.assertIn(added, volumes)
        self.assertEqual(len(vds), 1)  # the plug

        # VirtualDeviceNumberOfEntries is notifiable: the gateway reports the new count.
        self.acs.run_ok({"name": "SetParameterAttributes", "attributes": [
            {"name": MS + "VirtualDeviceNumberOfEntries", "notification": 2}]})
        gw_informs = len(self.informs(GATEWAY_ID))
        self.set_mode(nas, "virtual")
        wait_for(lambda: self.effective(nas) == "virtual", timeout=20, interval=0.3,
                 what="NAS effective mode virtual")
        change = self.wait_inform_with(GATEWAY_ID, ["4 VALUE CHANGE"], gw_informs)
        self.assertEqual(change["params"].get(MS + "VirtualDeviceNumberOfEntries"), "2",
                         change["params"])
        vd = self.vd_id(nas)
        self.assertTrue(vd.startswith("001132-"), vd)
        self.assertIn("0 BOOTSTRAP", [e[0] for e in self.informs(vd)[0]["events"]])
        pd_now, ed_now, vds = self.embedded_rows(nas)
        self.assertEqual((pd_now, ed_now), ([], []))  # nothing stale in the gateway's tree
        self.assertEqual(len(vds), 2)
        self.assertEqual(self.gw_values(MS + "VirtualDeviceNumberOfEntries")
                         [MS + "VirtualDeviceNumberOfEntries"], "2")
        # The NAS is now read through its own CPE, with the same instance numbers.
        vd_values = self.vd_values(vd, "Device.")
        vd_volumes = sorted({n.split("Volume.")[1].split(".")[0] for n in vd_values
                             if ".Storage.Volume." in n})
        self.assertEqual(vd_volumes, volumes)

        self.set_mode(nas, "embedded")
        wait_for(lambda: self.effective(nas) == "embedded", timeout=20, interval=0.3,
                 what="NAS effective mode embedded")
        pd_back, ed_back, vds = wait_for(lambda: (lambda r: r if r[0] and r[1] else None)(
            self.embedded_rows(nas)), timeout=30, interval=0.3, what="NAS embedded again")
        self.assertEqual(len(vds), 1)
        self.assertEqual(self.volumes(pd_back[0]), volumes)
        # The virtual device's connection-request endpoint is gone with it.
        self.assertIn(self.vd_cr(vd), (404, 503))

    def test_default_mode_from_the_acs_moves_devices_without_a_setting(self):
        self.start_all()
        nas = self.udns[0]
        wait_for(lambda: self.effective(nas) == "embedded", timeout=30, interval=0.3,
                 what="NAS embedded")
        r = self.acs.run_ok({"name": "SetParameterValues",
                             "values": [[PROXY + "DefaultMode", "ignore", "xsd:string"]]})
        self.assertIn(r["status"], (0, 1))
        wait_for(lambda: self.effective(nas) == "ignore", timeout=20, interval=0.3,
                 what="NAS ignored")
        self.assertEqual(self.embedded_rows(nas)[:2], ([], []))
        # The plug's rule still wins over the default.
        self.assertEqual(self.effective(self.udns[1]), "virtual")

    def test_sighup_rereads_the_proxy_rules(self):
        self.start_all()
        nas, plug = self.udns
        wait_for(lambda: self.effective(nas) == "embedded" and self.effective(plug) == "virtual",
                 timeout=30, interval=0.3, what="NAS embedded, plug virtual")
        # The operator's new rules: the NAS virtual, the plug's rule gone.
        with open(self.px.config_path) as f:
            config = f.read()
        self.assertIn(PLUG_RULE, config)
        with open(self.px.config_path, "w") as f:
            f.write(config.replace(PLUG_RULE, '[[proxy.rule]]\nmatch = { model_name = "StorixNAS" }\n'
                                              'mode = "virtual"\n'))
        self.px.proc.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "SIGHUP: log level DEBUG, 1 proxy rules" in self.px.log(), timeout=10)
        wait_for(lambda: self.effective(nas) == "virtual" and self.effective(plug) == "embedded",
                 timeout=30, interval=0.3, what="NAS virtual, plug embedded after SIGHUP")
        self.vd_id(nas)  # the NAS's virtual device informs
        # A Mode the ACS set wins over the reloaded rules.
        self.set_mode(nas, "ignore")
        wait_for(lambda: self.effective(nas) == "ignore", timeout=20, interval=0.3)
        self.px.proc.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: self.px.log().count("1 proxy rules") == 2, timeout=10)
        self.assertEqual(self.effective(nas), "ignore")

    def test_appliance_without_valid_oui_falls_back_to_embedded(self):
        with open(os.path.join(PROFILES, "smart-plug.toml")) as f:
            profile = f.read()
        self.assertIn('oui = "00A0C6"', profile)
        profile = profile.replace('oui = "00A0C6"', 'oui = "acme"').replace(
            'value = "00A0C6"', 'value = "acme"')
        with open(self.path("bad-plug.toml"), "w") as f:
            f.write(profile)
        self.start_all(sim_profiles=["nas", self.path("bad-plug")])
        plug = self.udns[1]
        wait_for(lambda: self.effective(plug) == "embedded", timeout=30, interval=0.3,
                 what="bad plug falls back to embedded")
        path, row = self.proxy_row(plug)
        self.assertEqual(row["Mode"], "virtual")
        self.assertIn("OUI", row["Reason"])
        wait_for(lambda: self.embedded_rows(plug)[1], timeout=20, interval=0.3,
                 what="bad plug's EmbeddedDevice row")
        self.assertEqual([d["id"] for d in self.acs.devices()], [GATEWAY_ID])
        self.assertIn(plug, self.px.log())


if __name__ == "__main__":
    unittest.main()
