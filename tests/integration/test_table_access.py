"""Exact object semantics of proxied tables (issue 11, item 7): a table's Writable in
GetParameterNames, AddObject and DeleteObject follow the access the appliance publishes (CMS
GetAttributes on "…/#/"), never the parameters below it; a fixed table faults 9005 before the
appliance is asked (the simulator counts the CreateInstance/DeleteInstance it receives); an
appliance that publishes no table access shows its tables not writable and decides AddObject
itself (an accepted one makes the table writable). Embedded and virtual mode. Runs only in a
private network namespace."""
import os
import unittest

import test_embedded
from harness import IntegrationTest
from test_upnp_gateway import PROFILES, in_private_namespace
from virtual_base import VirtualTest

NAS_NET = "UPnP.DM.Configuration.Network."
NAS_VOL = "UPnP.DM.Storage.Volume."


def quiet_profile(test, name):
    """A copy of etc/sim/<name>.toml whose appliance publishes no table access."""
    with open(os.path.join(PROFILES, name + ".toml")) as f:
        text = f.read()
    path = test.path(name + "-quiet.toml")
    with open(path, "w") as f:
        f.write(text.replace("[device]\n", "[device]\npublish_table_access = false\n", 1))
    return path


def fault_code(task):
    assert task["state"] == "fault", task
    return task["response"]["fault"]["code"]


def instance_of(response):
    return response["instance_number"] if "instance_number" in response else response["instance"]


@unittest.skipUnless(in_private_namespace(), "UPnP tests run only in a private network namespace")
class EmbeddedTableAccessTest(IntegrationTest):
    start_all = test_embedded.EmbeddedTest.start_all
    row_of = test_embedded.EmbeddedTest.row_of
    gpv = test_embedded.EmbeddedTest.gpv

    def gpn(self, path, next_level=False):
        r = self.acs.run_ok({"name": "GetParameterNames", "path": path, "next_level": next_level})
        return dict(map(tuple, r["names"]))

    def answered(self, device, action):
        return int(self.sim.command("answered %d %s" % (device, action)))

    def test_published_access_fixed_and_writable_tables(self):
        self.start_all(count=1, profiles=("nas",))
        row = self.row_of(self.uuids[0])
        # IPInterface is fixed although IPv4.IPAddress below it is writable.
        names = self.gpn(row + NAS_NET)
        table = row + NAS_NET + "IPInterface."
        self.assertIs(names[table], False, names)
        self.assertIs(names[table + "1."], False, names)
        self.assertIs(names[table + "1.IPv4.IPAddress"], True, names)
        r = self.acs.run({"name": "AddObject", "object": table})
        self.assertEqual(fault_code(r), 9005, r)
        r = self.acs.run({"name": "DeleteObject", "object": table + "1."})
        self.assertEqual(fault_code(r), 9005, r)
        self.assertEqual(self.answered(0, "CreateInstance"), 0)
        self.assertEqual(self.answered(0, "DeleteInstance"), 0)
        # Storage.Volume is readWrite: Writable, and AddObject + DeleteObject work end to end.
        volumes = row + NAS_VOL
        names = self.gpn(volumes)
        self.assertIs(names[volumes], True, names)
        self.assertIs(names[volumes + "1."], True, names)
        n = instance_of(self.acs.run_ok({"name": "AddObject", "object": volumes}))
        self.assertEqual(self.answered(0, "CreateInstance"), 1)
        self.assertIn(volumes + "%d.Name" % n, self.gpv(self.acs, volumes))
        self.acs.run_ok({"name": "DeleteObject", "object": volumes + "%d." % n})
        self.assertEqual(self.answered(0, "DeleteInstance"), 1)
        self.assertNotIn(volumes + "%d.Name" % n, self.gpv(self.acs, volumes))

    def test_unpublished_access_is_decided_by_the_device(self):
        self.start_all(count=1, profiles=(quiet_profile(self, "nas"),))
        row = self.row_of(self.uuids[0])
        table = row + NAS_NET + "IPInterface."
        volumes = row + NAS_VOL
        self.assertIs(self.gpn(table)[table], False)
        self.assertIs(self.gpn(volumes)[volumes], False)  # not known writable yet
        # The appliance is asked and refuses (706 -> 9001, mapping.md §7).
        r = self.acs.run({"name": "AddObject", "object": table})
        self.assertEqual(fault_code(r), 9001, r)
        self.assertEqual(self.answered(0, "CreateInstance"), 1)
        self.assertIs(self.gpn(table)[table], False)
        # It accepts: the table is writable from then on.
        n = instance_of(self.acs.run_ok({"name": "AddObject", "object": volumes}))
        self.assertEqual(self.answered(0, "CreateInstance"), 2)
        names = self.gpn(volumes)
        self.assertIs(names[volumes], True, names)
        self.assertIs(names[volumes + "%d." % n], True, names)
        self.acs.run_ok({"name": "DeleteObject", "object": volumes + "%d." % n})
        self.assertEqual(self.answered(0, "DeleteInstance"), 1)


@unittest.skipUnless(in_private_namespace(), "UPnP tests run only in a private network namespace")
class VirtualTableAccessTest(VirtualTest):
    def test_virtual_device_follows_the_published_access(self):
        self.start_all(profiles=("smart-plug",))
        vd = self.vd_id(self.udns[0])
        # Device.WiFi.SSID. (/BBF/WiFi/SSID/#/) is fixed; the native Schedule.Rule is readWrite.
        names = dict(map(tuple, self.vd_run_ok(vd, {"name": "GetParameterNames",
                                                    "path": "Device.WiFi.",
                                                    "next_level": False})["names"]))
        self.assertIs(names["Device.WiFi.SSID."], False, names)
        self.assertIs(names["Device.WiFi.SSID.1."], False, names)
        r = self.vd_run(vd, {"name": "AddObject", "object": "Device.WiFi.SSID."})
        self.assertEqual(fault_code(r), 9005, r)
        r = self.vd_run(vd, {"name": "DeleteObject", "object": "Device.WiFi.SSID.1."})
        self.assertEqual(fault_code(r), 9005, r)
        self.assertEqual(self.sim.command("answered 0 CreateInstance"), "0")
        self.assertEqual(self.sim.command("answered 0 DeleteInstance"), "0")
        rules = "Device.X_02C0DE_UPnP.DM.Schedule.Rule."
        names = dict(map(tuple, self.vd_run_ok(vd, {"name": "GetParameterNames", "path": rules,
                                                    "next_level": True})["names"]))
        self.assertTrue(names and all(names.values()), names)
        n = instance_of(self.vd_run_ok(vd, {"name": "AddObject", "object": rules}))
        self.vd_run_ok(vd, {"name": "DeleteObject", "object": rules + "%d." % n})
        self.assertEqual(self.sim.command("answered 0 CreateInstance"), "1")
        self.assertEqual(self.sim.command("answered 0 DeleteInstance"), "1")


if __name__ == "__main__":
    unittest.main()
