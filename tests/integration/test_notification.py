"""Notifications end to end: a UPnP device appearing on the LAN changes
Device.UPnP.Discovery.RootDeviceNumberOfEntries, a change proxierd makes itself (not the ACS).

Runs in a private network namespace with only lo (CMakeLists.txt: unshare -n), with proxierd's
UPnP control point and upnp-dm-sim on lo, so no other process's UPnP devices are seen.
"""
import re
import unittest

from harness import CR_PASSWORD, CR_USER, IntegrationTest, event_codes, wait_for

MS = "Device.ManagementServer."
ROOTS = "Device.UPnP.Discovery.RootDeviceNumberOfEntries"


def session_starts(log, event):
    """Seconds of day at which proxierd's log shows sessions whose events include `event`."""
    out = []
    for m in re.finditer(r"^(\d\d):(\d\d):(\d\d\.\d+) INFO cwmp: gw: session to \S+ \[(.*)\]",
                         log, re.M):
        if event in m.group(4).split(", "):
            out.append(int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)))
    return out


class NotificationTest(IntegrationTest):
    def setUp(self):
        super().setUp()
        self.acs, self.px, _ = self.bootstrap(upnp_enabled="true")

    def set_notification(self, level):
        self.acs.run_ok({"name": "SetParameterAttributes",
                         "attributes": [{"name": ROOTS, "notification": level}]})
        return self.acs.device()["informs"]

    def test_active_notification_starts_a_value_change_session(self):
        before = self.set_notification(2)
        self.start_sim(profile="nas")
        device = self.acs.wait(informs=before, timeout=30)
        inform = device["last_inform"]
        self.assertEqual(event_codes(inform), ["4 VALUE CHANGE"])
        self.assertEqual(inform["params"][ROOTS], "1")

    def test_no_notification_without_attribute(self):
        before = self.acs.device()["informs"]
        self.start_sim(profile="nas")
        # The change is there (read through a connection-request session) ...
        wait_for(lambda: self.acs.run_ok({"name": "GetParameterValues", "names": [ROOTS]})
                 ["values"][0][1] == "1", timeout=20, interval=0.2, what="the device in the table")
        # ... and no session but the connection-request ones reported it.
        for inform in self.acs.informs()[before:]:
            self.assertEqual(event_codes(inform), ["6 CONNECTION REQUEST"])
            self.assertNotIn(ROOTS, inform["params"])

    def test_passive_notification_waits_for_the_next_session(self):
        before = self.set_notification(1)
        self.start_sim(profile="nas")

        def reported():
            # Only connection-request sessions may happen; the change rides along in one.
            for inform in self.acs.informs()[before:]:
                self.assertIn("6 CONNECTION REQUEST", event_codes(inform), inform)
                if "4 VALUE CHANGE" in event_codes(inform):
                    return inform
            count = self.acs.device()["sessions_ended"]
            self.assertEqual(self.acs.connection_request(self.px.cr_url, CR_USER, CR_PASSWORD), 200)
            self.acs.wait(sessions_ended=count)
            return None

        inform = wait_for(reported, timeout=20, interval=0.2, what="the passive change in an Inform")
        self.assertEqual(sorted(event_codes(inform)), ["4 VALUE CHANGE", "6 CONNECTION REQUEST"])
        self.assertEqual(inform["params"][ROOTS], "1")

    def test_active_notifications_are_throttled(self):
        throttle = 3
        self.acs.run_ok({"name": "SetParameterValues",
                         "values": [[MS + "DefaultActiveNotificationThrottle", throttle]]})
        before = self.set_notification(2)
        # The lab holds the first value-change Inform back for a while; the second device appears
        # meanwhile, so its change is pending when the first session ends.
        self.acs.config(inform_delay_ms=1500)
        received = self.acs.proc.text().count("recv Inform")
        self.start_sim(profile="nas", name="sim-1", seed="one")
        wait_for(lambda: self.acs.proc.text().count("recv Inform") > received, timeout=30,
                 what="the first value-change Inform at the lab")
        self.start_sim(profile="smart-plug", name="sim-2", seed="two", index_base=50)
        self.acs.config(inform_delay_ms=0)
        first = self.acs.wait(informs=before, timeout=30)["informs"]
        second = self.acs.wait(informs=first, timeout=30)["last_inform"]
        self.assertEqual(event_codes(second), ["4 VALUE CHANGE"])
        self.assertEqual(second["params"][ROOTS], "2")
        starts = session_starts(self.px.log(), "4 VALUE CHANGE")
        self.assertEqual(len(starts), 2, starts)
        # The throttle counts from the first Inform's acknowledgement (1.5 s after its start).
        self.assertGreaterEqual(starts[1] - starts[0], throttle,
                                "value-change sessions %.2fs apart" % (starts[1] - starts[0]))

if __name__ == "__main__":
    unittest.main()
