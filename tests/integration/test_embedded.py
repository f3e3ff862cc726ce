"""Embedded mode end to end: upnp-dm-sim devices grafted into the gateway's data model, read and
written by lab-acs through the gateway (issue 5). Runs only in a private network namespace."""
import unittest

from harness import IntegrationTest, wait_for
from test_upnp_gateway import Sim, in_private_namespace, set_upnp_section

SIM_PORT = 61000
PROXIERD_UPNP_PORT = 61001
PD = "Device.X_02C0DE_ProxiedDevice."
ED = "Device.ManagementServer.EmbeddedDevice."


@unittest.skipUnless(in_private_namespace(), "UPnP tests run only in a private network namespace")
class EmbeddedTest(IntegrationTest):
    def gpv(self, acs, *names):
        r = acs.run_ok({"name": "GetParameterValues", "names": list(names)})
        return {name: (value, t) for name, value, t in r["values"]}

    def start_all(self, count=2, profiles=("nas", "smart-plug"), proxy_extra=None,
                  sim_commands=()):
        self.sim = Sim(self, list(profiles), count, SIM_PORT)
        self.uuids = [self.sim.command("udn %d" % i) for i in range(count)]
        for command in sim_commands:  # before proxierd sees the devices
            self.sim.command(command)
        acs = self.start_acs()
        px = self.make_proxierd(acs)
        set_upnp_section(px.config_path, enabled=True, interface="lo", port=PROXIERD_UPNP_PORT,
                         search_interval=300, action_timeout_ms=3000)
        with open(px.config_path, "a") as f:
            f.write("\n[proxy]\ndefault_mode = \"embedded\"\nretry_base_ms = 200\n")
            if proxy_extra:
                f.write(proxy_extra)
        px.start()
        acs.wait(sessions_ended=0)
        self.acs, self.px = acs, px
        return acs, px

    def row_of(self, uuid):
        """The ProxiedDevice row of `uuid` once its subtree is mounted and synced."""
        def find():
            values = self.gpv(self.acs, PD)
            for name, (value, _) in values.items():
                if name.endswith(".UDN") and value == uuid:
                    row = name[: -len("UDN")]
                    last = self.gpv(self.acs, ED)
                    synced = [n for n, (v, _) in last.items()
                              if n.endswith("LastSyncTime") and not v.startswith("0001")]
                    if synced:
                        return row
            return None
        return wait_for(find, timeout=30, interval=0.3, what="embedded row of " + uuid)

    def test_rows_and_gpv_of_an_embedded_device(self):
        acs, px = self.start_all()
        row = self.row_of(self.uuids[0])
        values = self.gpv(acs, row + "UPnP.DM.Configuration.Network.HostName",
                          row + "UPnP.DM.Storage.Volume.")
        self.assertEqual(values[row + "UPnP.DM.Configuration.Network.HostName"][0], "nas-0")
        vols = [n for n in values if n.endswith(".CapacityMB")]
        self.assertEqual(len(vols), 2, values)
        self.assertEqual(values[vols[0]][1], "xsd:unsignedLong")
        healthy = [v for n, v in values.items() if n.endswith(".Healthy")]
        self.assertEqual(healthy[0][1], "xsd:boolean")
        ed = self.gpv(acs, ED)
        refs = {v for n, (v, _) in ed.items() if n.endswith(".Reference")}
        self.assertIn(row[:-1], refs)
        protos = {v for n, (v, _) in ed.items() if n.endswith(".ProxyProtocol")}
        self.assertEqual(protos, {"UPnP-DM"})
        mode = self.gpv(acs, "Device.X_02C0DE_Proxy.")
        self.assertIn("embedded", {v for n, (v, _) in mode.items() if n.endswith("EffectiveMode")})

    def test_spv_reaches_the_device_and_command_processed(self):
        acs, px = self.start_all()
        row = self.row_of(self.uuids[0])
        r = acs.run_ok({"name": "SetParameterValues", "parameter_key": "k1",
                        "values": [[row + "UPnP.DM.Configuration.Network.HostName", "renamed",
                                    "xsd:string"]]})
        self.assertEqual(r["status"], 1)
        wait_for(lambda: self.sim.command("get 0 /UPnP/DM/Configuration/Network/HostName")
                 == "renamed", timeout=15, what="value on the device")
        ed_row = [n[: -len("Reference")] for n, (v, _) in self.gpv(acs, ED).items()
                  if n.endswith(".Reference") and v == row[:-1]][0]
        wait_for(lambda: self.gpv(acs, ed_row + "CommandProcessed")[ed_row + "CommandProcessed"][0]
                 == "Success", timeout=15, what="CommandProcessed Success")

    def ed_row(self, row):
        return [n[: -len("Reference")] for n, (v, _) in self.gpv(self.acs, ED).items()
                if n.endswith(".Reference") and v == row[:-1]][0]

    def command_state(self, ed_row):
        v = self.gpv(self.acs, ed_row + "CommandProcessed", ed_row + "CommandProcessingErrMsg")
        return v[ed_row + "CommandProcessed"][0], v[ed_row + "CommandProcessingErrMsg"][0]

    def spv_hostname(self, row, value):
        r = self.acs.run_ok({"name": "SetParameterValues",
                             "values": [[row + "UPnP.DM.Configuration.Network.HostName", value,
                                         "xsd:string"]]})
        self.assertEqual(r["status"], 1)

    def test_708_then_success_and_5x708_error(self):
        acs, px = self.start_all()
        row = self.row_of(self.uuids[0])
        ed = self.ed_row(row)
        self.sim.command("error 0 708 1")
        self.spv_hostname(row, "after-one-708")
        wait_for(lambda: self.sim.command("get 0 /UPnP/DM/Configuration/Network/HostName")
                 == "after-one-708", timeout=20, what="delivery after one 708")
        wait_for(lambda: self.command_state(ed)[0] == "Success", timeout=15, interval=0.3,
                 what="Success")
        self.assertIn("delivery 1 failed", px.log())
        self.sim.command("error 0 708 5")
        self.spv_hostname(row, "never")
        wait_for(lambda: self.command_state(ed)[0] == "Error", timeout=30, interval=0.5,
                 what="Error after 5x708")
        self.assertIn("708", self.command_state(ed)[1])
        self.assertNotEqual(self.sim.command("get 0 /UPnP/DM/Configuration/Network/HostName"),
                            "never")

    def test_offline_device_cached_gpv_and_queued_spv(self):
        acs, px = self.start_all()
        row = self.row_of(self.uuids[0])
        name = row + "UPnP.DM.Configuration.Network.HostName"
        self.assertEqual(self.gpv(acs, name)[name][0], "nas-0")
        self.sim.command("offline 0")
        wait_for(lambda: self.gpv(acs, row + "Online")[row + "Online"][0] in ("0", "false"),
                 timeout=20, what="Online false after byebye")
        self.assertEqual(self.gpv(acs, name)[name][0], "nas-0")  # from the cache
        self.spv_hostname(row, "queued-while-away")
        ed = self.ed_row(row)
        self.assertIn(self.command_state(ed)[0], ("Pending", "Retrying"))
        self.sim.command("online 0")
        wait_for(lambda: self.sim.command("get 0 /UPnP/DM/Configuration/Network/HostName")
                 == "queued-while-away", timeout=30, what="queued SPV delivered on return")
        wait_for(lambda: self.command_state(ed)[0] == "Success", timeout=15, interval=0.3,
                 what="Success")

    def test_cached_values_survive_a_restart_while_the_device_is_away(self):
        acs, px = self.start_all()
        row = self.row_of(self.uuids[0])
        name = row + "UPnP.DM.Configuration.Network.HostName"
        self.assertEqual(self.gpv(acs, name)[name][0], "nas-0")
        informs = len(acs.informs())
        self.assertEqual(px.stop(), 0)
        self.sim.command("offline 0")
        px.start()
        acs.wait(informs=informs)  # the restarted gateway's 1 BOOT
        acs.wait_idle()
        self.assertIn(self.gpv(acs, row + "Online")[row + "Online"][0], ("0", "false"))
        self.assertEqual(self.gpv(acs, name)[name][0], "nas-0")  # from the stored cache

    def test_a_failed_first_sync_is_retried(self):
        # The device's first answers fail (501): without the metadata sync nothing of it can be
        # read, so the sync is tried again until it succeeds. Six failures: the discovery of its
        # data models takes at most two actions per try (GetSupportedDataModels, then
        # GetSupportedParameters of /BBF/), so at least one metadata sync fails whatever the order.
        acs, px = self.start_all(count=1, profiles=("nas",), sim_commands=["error 0 501 6"])
        row = self.row_of(self.uuids[0])
        name = row + "UPnP.DM.Configuration.Network.HostName"
        self.assertEqual(self.gpv(acs, name)[name][0], "nas-0")
        self.assertIn("sync: ", px.log())

    def test_configuration_update_becomes_value_change(self):
        acs, px = self.start_all()
        row = self.row_of(self.uuids[0])
        name = row + "UPnP.DM.Configuration.Network.HostName"
        acs.run_ok({"name": "SetParameterAttributes",
                    "attributes": [{"name": name, "notification": 2}]})
        informs = len(acs.informs())
        self.sim.command("set 0 /UPnP/DM/Configuration/Network/HostName changed-locally")
        def value_change():
            for inform in acs.informs()[informs:]:
                codes = [e[0] for e in inform["events"]]
                if "4 VALUE CHANGE" in codes and inform["params"].get(name) == "changed-locally":
                    return True
            return False
        wait_for(value_change, timeout=30, interval=0.2, what="4 VALUE CHANGE Inform")

    def test_add_delete_and_numbers_stable_across_restart(self):
        acs, px = self.start_all()
        row = self.row_of(self.uuids[0])
        table = row + "UPnP.DM.Storage.Volume."
        r = acs.run_ok({"name": "AddObject", "object": table})
        n = r["instance_number"] if "instance_number" in r else r["instance"]
        self.assertGreaterEqual(n, 3)
        names = self.gpv(acs, table)
        self.assertTrue(any(k.startswith(table + "%d." % n) for k in names), names)
        before = sorted(k for k in names if k.endswith(".Name"))
        informs = len(acs.informs())
        self.assertEqual(px.stop(), 0)
        px.start()
        acs.wait(informs=informs)
        row2 = self.row_of(self.uuids[0])
        self.assertEqual(row2, row)
        after = sorted(k for k in self.gpv(acs, table) if k.endswith(".Name"))
        self.assertEqual(after, before)
        acs.run_ok({"name": "DeleteObject", "object": table + "%d." % n})
        names = self.gpv(acs, table)
        self.assertFalse(any(k.startswith(table + "%d." % n) for k in names), names)
        r = acs.run_ok({"name": "AddObject", "object": table})
        n2 = r["instance_number"] if "instance_number" in r else r["instance"]
        self.assertNotEqual(n2, n)

    def test_two_devices_with_the_same_names_are_not_mixed(self):
        acs, px = self.start_all(count=2, profiles=("nas",))
        rows = [self.row_of(u) for u in self.uuids]
        self.assertNotEqual(rows[0], rows[1])
        values = self.gpv(acs, *[r + "UPnP.DM.Configuration.Network.HostName" for r in rows])
        self.assertEqual(values[rows[0] + "UPnP.DM.Configuration.Network.HostName"][0], "nas-0")
        self.assertEqual(values[rows[1] + "UPnP.DM.Configuration.Network.HostName"][0], "nas-1")

    def test_dm_device_embedded_in_a_non_dm_root_has_its_discovery_reference(self):
        # The set-top box: a MediaRenderer root with the DM services on an embedded device. The
        # control point searches for DM services only, yet the root gets its Discovery row.
        acs, px = self.start_all(count=1, profiles=("set-top-box",))
        row = self.row_of(self.uuids[0])
        ed = self.gpv(acs, ED)
        (ref,) = [v for n, (v, _) in ed.items() if n.endswith(".DiscoveryProtocolReference")]
        self.assertRegex(ref, r"^Device\.UPnP\.Discovery\.RootDevice\.\d+$")
        root = self.gpv(acs, ref + ".UUID", ref + ".Status")
        self.assertEqual(root[ref + ".UUID"][0], self.uuids[0])
        self.assertEqual(root[ref + ".Status"][0], "LeaseActive")
        self.assertIn(row[:-1], [v for n, (v, _) in ed.items() if n.endswith(".Reference")])

    def test_switch_to_ignore_removes_the_device_cleanly(self):
        acs, px = self.start_all()
        row = self.row_of(self.uuids[0])
        proxy = self.gpv(acs, "Device.X_02C0DE_Proxy.Device.")
        prow = [n[: -len("UDN")] for n, (v, _) in proxy.items()
                if n.endswith(".UDN") and v == self.uuids[0]][0]
        acs.run_ok({"name": "SetParameterValues",
                    "values": [[prow + "Mode", "ignore", "xsd:string"]]})
        def gone():
            values = self.gpv(acs, PD, ED)
            return not any(v == self.uuids[0] for n, (v, _) in values.items()
                           if n.endswith(".UDN") or n.endswith(".ProxiedDeviceID"))
        wait_for(gone, timeout=15, what="rows of the ignored device removed")
        r = acs.run({"name": "GetParameterValues", "names": [row + "UPnP.DM."]})
        self.assertEqual(r["state"], "fault", r)
        eff = self.gpv(acs, prow + "EffectiveMode")[prow + "EffectiveMode"][0]
        self.assertEqual(eff, "ignore")
        # Back to embedded: same row number again.
        acs.run_ok({"name": "SetParameterValues",
                    "values": [[prow + "Mode", "embedded", "xsd:string"]]})
        self.assertEqual(self.row_of(self.uuids[0]), row)

    def test_read_only_and_unknown_faults(self):
        acs, px = self.start_all()
        row = self.row_of(self.uuids[0])
        r = acs.run({"name": "SetParameterValues",
                     "values": [[row + "UPnP.DM.Storage.Volume.1.CapacityMB", "1", "xsd:unsignedLong"]]})
        self.assertEqual(r["state"], "fault", r)
        self.assertIn("9008", str(r["response"]))
        r = acs.run({"name": "GetParameterValues", "names": [row + "UPnP.DM.NoSuchThing"]})
        self.assertEqual(r["state"], "fault", r)
        self.assertIn("9005", str(r["response"]))


if __name__ == "__main__":
    unittest.main()
