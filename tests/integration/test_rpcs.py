"""proxierd against lab-acs: the CPE RPCs queued through the lab's API, and their faults."""
import unittest

from harness import IntegrationTest, event_codes

MS = "Device.ManagementServer."


def fault_of(task):
    """(code, set_faults as {name: code}) of a task that ended in a fault."""
    assert task["state"] == "fault", task
    f = task["response"]["fault"]
    return f["code"], {s["name"]: s["code"] for s in f.get("set_faults", [])}


class RpcTest(IntegrationTest):
    def setUp(self):
        super().setUp()
        self.acs, self.px, _ = self.bootstrap()

    def gpv(self, *names):
        r = self.acs.run_ok({"name": "GetParameterValues", "names": list(names)})
        return {name: value for name, value, _ in r["values"]}

    # -- SetParameterValues -------------------------------------------------------------------
    def test_spv_sets_values_and_the_parameter_key(self):
        r = self.acs.run_ok({"name": "SetParameterValues", "parameter_key": "pk-1",
                             "values": [["Device.DeviceInfo.ProvisioningCode", "PC-42"],
                                        [MS + "PeriodicInformInterval", 1800]]})
        self.assertEqual(r["status"], 0)
        values = self.gpv("Device.DeviceInfo.ProvisioningCode", MS + "PeriodicInformInterval",
                          MS + "ParameterKey")
        self.assertEqual(values, {"Device.DeviceInfo.ProvisioningCode": "PC-42",
                                  MS + "PeriodicInformInterval": "1800", MS + "ParameterKey": "pk-1"})
        # The next Inform reports the new ParameterKey and ProvisioningCode.
        self.acs.run_ok({"name": "GetRPCMethods"})
        params = self.acs.device()["last_inform"]["params"]
        self.assertEqual(params[MS + "ParameterKey"], "pk-1")
        self.assertEqual(params["Device.DeviceInfo.ProvisioningCode"], "PC-42")

    def test_spv_values_survive_a_restart(self):
        self.acs.run_ok({"name": "SetParameterValues", "parameter_key": "pk-r",
                         "values": [["Device.DeviceInfo.ProvisioningCode", "kept"]]})
        self.assertEqual(self.px.stop(), 0)
        self.px.start()
        device = self.acs.wait(informs=2)
        self.assertEqual(event_codes(device["last_inform"]), ["1 BOOT"])
        self.assertEqual(device["last_inform"]["params"]["Device.DeviceInfo.ProvisioningCode"], "kept")
        self.assertEqual(device["last_inform"]["params"][MS + "ParameterKey"], "pk-r")

    def test_spv_fault_applies_nothing_and_keeps_the_parameter_key(self):
        self.acs.run_ok({"name": "SetParameterValues", "parameter_key": "before",
                         "values": [["Device.DeviceInfo.ProvisioningCode", "old"]]})
        task = self.acs.run({"name": "SetParameterValues", "parameter_key": "after",
                             "values": [["Device.DeviceInfo.ProvisioningCode", "new"],
                                        [MS + "PeriodicInformInterval", 0],
                                        ["Device.DeviceInfo.SerialNumber", "X"],
                                        ["Device.NoSuchThing", "1"]]})
        code, set_faults = fault_of(task)
        self.assertEqual(code, 9003)
        self.assertEqual(set_faults, {MS + "PeriodicInformInterval": 9007,
                                      "Device.DeviceInfo.SerialNumber": 9008,
                                      "Device.NoSuchThing": 9005})
        values = self.gpv("Device.DeviceInfo.ProvisioningCode", MS + "ParameterKey")
        self.assertEqual(values, {"Device.DeviceInfo.ProvisioningCode": "old", MS + "ParameterKey": "before"})

    def test_spv_wrong_type_is_9006(self):
        task = self.acs.run({"name": "SetParameterValues",
                             "values": [[MS + "PeriodicInformEnable", "true", "xsd:int"]]})
        self.assertEqual(fault_of(task), (9003, {MS + "PeriodicInformEnable": 9006}))

    # -- GetParameterValues / GetParameterNames -----------------------------------------------
    def test_gpv_unknown_name_is_9005(self):
        self.assertEqual(fault_of(self.acs.run({"name": "GetParameterValues",
                                                "names": ["Device.DeviceInfo.NoSuchParam"]}))[0], 9005)
        self.assertEqual(fault_of(self.acs.run({"name": "GetParameterValues",
                                                "names": ["Device.NoSuchObject."]}))[0], 9005)

    def test_gpv_partial_path_returns_the_subtree(self):
        values = self.gpv("Device.DeviceInfo.")
        self.assertEqual(values["Device.DeviceInfo.SerialNumber"], "IT0001")
        self.assertEqual(values["Device.DeviceInfo.Manufacturer"], "Proxier")
        self.assertTrue(all(n.startswith("Device.DeviceInfo.") for n in values))

    def test_passwords_read_back_empty(self):
        values = self.gpv(MS + "ConnectionRequestPassword", MS + "Password")
        self.assertEqual(values, {MS + "ConnectionRequestPassword": "", MS + "Password": ""})

    def test_gpn_next_level_lists_children_with_writability(self):
        names = dict(map(tuple, self.acs.run_ok({"name": "GetParameterNames",
                                                 "path": "Device.", "next_level": True})["names"]))
        self.assertIn("Device.DeviceInfo.", names)
        self.assertIn("Device.ManagementServer.", names)
        self.assertIn("Device.RootDataModelVersion", names)
        self.assertTrue(all(n.count(".") == 1 or (n.count(".") == 2 and n.endswith("."))
                            for n in names if n != "Device."), names)
        leaves = dict(map(tuple, self.acs.run_ok({"name": "GetParameterNames",
                                                  "path": MS, "next_level": True})["names"]))
        self.assertIs(leaves[MS + "PeriodicInformInterval"], True)
        self.assertIs(leaves[MS + "ConnectionRequestURL"], False)

    def test_gpn_unknown_path_is_9005(self):
        task = self.acs.run({"name": "GetParameterNames", "path": "Device.Nope.", "next_level": False})
        self.assertEqual(fault_of(task)[0], 9005)

    # -- AddObject / DeleteObject ------------------------------------------------------------
    def test_add_and_delete_object_on_a_table(self):
        table = MS + "InformParameter."
        first = self.acs.run_ok({"name": "AddObject", "object": table, "parameter_key": "add-1"})
        second = self.acs.run_ok({"name": "AddObject", "object": table, "parameter_key": "add-2"})
        self.assertEqual(first["status"], 0)
        self.assertEqual(second["instance"], first["instance"] + 1)
        row = "%s%d." % (table, second["instance"])
        names = [n for n, _ in self.acs.run_ok({"name": "GetParameterNames", "path": table,
                                                 "next_level": True})["names"]]
        self.assertIn("%s%d." % (table, first["instance"]), names)
        self.assertIn(row, names)
        values = self.gpv(MS + "InformParameterNumberOfEntries", MS + "ParameterKey")
        self.assertEqual(values, {MS + "InformParameterNumberOfEntries": "2", MS + "ParameterKey": "add-2"})

        self.assertEqual(self.acs.run_ok({"name": "DeleteObject", "object": row,
                                          "parameter_key": "del-1"})["status"], 0)
        self.assertEqual(fault_of(self.acs.run({"name": "GetParameterValues", "names": [row]}))[0], 9005)
        values = self.gpv(MS + "InformParameterNumberOfEntries", MS + "ParameterKey")
        self.assertEqual(values, {MS + "InformParameterNumberOfEntries": "1", MS + "ParameterKey": "del-1"})
        # Instance numbers are never reused.
        third = self.acs.run_ok({"name": "AddObject", "object": table})
        self.assertEqual(third["instance"], second["instance"] + 1)

    def test_add_object_faults(self):
        # Not a table: 9005; a read-only table: 9001; an unknown row: 9005. ParameterKey kept.
        self.assertEqual(fault_of(self.acs.run({"name": "AddObject", "object": "Device.DeviceInfo.",
                                                "parameter_key": "x"}))[0], 9005)
        self.assertEqual(fault_of(self.acs.run({"name": "AddObject", "object": "Device.Hosts.Host.",
                                                "parameter_key": "x"}))[0], 9001)
        self.assertEqual(fault_of(self.acs.run({"name": "DeleteObject",
                                                "object": MS + "InformParameter.77.",
                                                "parameter_key": "x"}))[0], 9005)
        self.assertEqual(self.gpv(MS + "ParameterKey"), {MS + "ParameterKey": ""})

    def test_inform_parameter_table_adds_a_parameter_to_the_inform(self):
        row = self.acs.run_ok({"name": "AddObject", "object": MS + "InformParameter."})["instance"]
        prefix = "%sInformParameter.%d." % (MS, row)
        self.acs.run_ok({"name": "SetParameterValues",
                         "values": [[prefix + "ParameterName", "Device.DeviceInfo.ModelName"],
                                    [prefix + "Enable", True]]})
        self.acs.run_ok({"name": "GetRPCMethods"})
        params = self.acs.device()["last_inform"]["params"]
        self.assertEqual(params.get("Device.DeviceInfo.ModelName"), "Proxier Gateway")

    # -- Attributes and notifications ------------------------------------------------------------
    def test_spa_sets_attributes_read_back_by_gpa(self):
        self.acs.run_ok({"name": "SetParameterAttributes",
                         "attributes": [{"name": "Device.DeviceInfo.ProvisioningCode", "notification": 2,
                                         "access_list": ["Subscriber"]}]})
        r = self.acs.run_ok({"name": "GetParameterAttributes",
                             "names": ["Device.DeviceInfo.ProvisioningCode", MS + "ConnectionRequestURL"]})
        attrs = {a["name"]: (a["notification"], a["access_list"]) for a in r["attributes"]}
        self.assertEqual(attrs["Device.DeviceInfo.ProvisioningCode"], (2, ["Subscriber"]))
        self.assertEqual(attrs[MS + "ConnectionRequestURL"][0], 2)  # active by default

    def test_spa_active_on_a_volatile_parameter_is_9009(self):
        task = self.acs.run({"name": "SetParameterAttributes",
                             "attributes": [{"name": "Device.DeviceInfo.UpTime", "notification": 2}]})
        self.assertEqual(fault_of(task)[0], 9009)
        task = self.acs.run({"name": "SetParameterAttributes",
                             "attributes": [{"name": "Device.DeviceInfo.NoSuch", "notification": 1}]})
        self.assertEqual(fault_of(task)[0], 9005)

    def test_passive_notification_reported_in_the_next_inform(self):
        # UpTime counts seconds: with passive notification its change goes into the next Inform
        # (with 4 VALUE CHANGE). The next Inform is a scheduled one, at least one second later.
        self.acs.run_ok({"name": "SetParameterAttributes",
                         "attributes": [{"name": "Device.DeviceInfo.UpTime", "notification": 1}]})
        before = self.acs.device()["informs"]
        self.acs.run_ok({"name": "ScheduleInform", "delay_seconds": 1, "command_key": "tick"})
        device = self.acs.wait(informs=before + 1, timeout=20)
        inform = device["last_inform"]
        self.assertEqual(sorted(event_codes(inform)), ["3 SCHEDULED", "4 VALUE CHANGE", "M ScheduleInform/tick"])
        self.assertIn("Device.DeviceInfo.UpTime", inform["params"])

    def test_no_notification_for_changes_the_acs_made(self):
        self.acs.run_ok({"name": "SetParameterAttributes",
                         "attributes": [{"name": "Device.DeviceInfo.ProvisioningCode", "notification": 2}]})
        before = self.acs.device()["informs"]
        self.acs.run_ok({"name": "SetParameterValues",
                         "values": [["Device.DeviceInfo.ProvisioningCode", "by-acs"]]})
        self.assertEqual(self.acs.device()["informs"], before + 1)
        self.assertTrue(self.acs.no_inform_after(before + 1, within=1.5))

    # -- ScheduleInform, unknown methods -----------------------------------------------------
    def test_schedule_inform_sends_scheduled_with_the_command_key(self):
        before = self.acs.device()["informs"]
        self.acs.run_ok({"name": "ScheduleInform", "delay_seconds": 1, "command_key": "sched-7"})
        device = self.acs.wait(informs=before + 1, timeout=20)
        self.assertEqual(sorted(event_codes(device["last_inform"])), ["3 SCHEDULED", "M ScheduleInform/sched-7"])
        task = self.acs.run({"name": "ScheduleInform", "delay_seconds": 0})
        self.assertEqual(fault_of(task)[0], 9003)

    def test_unsupported_method_is_9000(self):
        task = self.acs.run({"name": "ChangeDUState", "operations": [{"op": "uninstall", "uuid": "u-1"}]})
        self.assertEqual(fault_of(task)[0], 9000)


if __name__ == "__main__":
    unittest.main()
