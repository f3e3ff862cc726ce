"""Session conformance against lab-acs (issue 11, item 3): CWMP 1.4 version negotiation,
HTTP redirects of the ACS, the PeriodicInformTime phase, SIGHUP."""
import calendar
import signal
import time
import unittest

from harness import CR_PASSWORD, CR_USER, IntegrationTest, event_codes, wait_for

MS = "Device.ManagementServer."
NS = {v: "urn:dslforum-org:cwmp-" + v.replace(".", "-") for v in ("1.0", "1.1", "1.2")}


def lab_seconds(iso):
    """Epoch seconds (float) of a lab-acs time such as 2026-12-07T21:00:00.123Z."""
    whole, _, frac = iso.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + float("0." + (frac or "0"))


def iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


class VersionNegotiationTest(IntegrationTest):
    def gpv_session(self, acs, px):
        """A connection-request session running one GPV; returns the device record after it."""
        acs.run_ok({"name": "GetParameterValues", "names": [MS + "PeriodicInformInterval"]})
        return acs.device()

    def test_a_cwmp_1_4_acs_gets_1_4(self):
        acs, px, device = self.bootstrap()
        inform = device["last_inform"]
        self.assertEqual(inform["namespace"], NS["1.2"])  # 1.3 and 1.4 use the 1-2 namespace
        device = self.gpv_session(acs, px)
        self.assertEqual(device["last_cpe_namespace"], NS["1.2"])
        self.assertIn("CWMP 1.4 (UseCWMPVersion)", px.log())

    def test_use_cwmp_version_is_honoured_for_the_rest_of_the_session(self):
        # A 1.4 ACS that chooses 1.0: its InformResponse is in the Inform's namespace, what follows
        # in 1.0's. The CPE's answers must follow UseCWMPVersion, not the InformResponse.
        acs = self.start_acs()
        acs.config(use_cwmp_version="1.0")
        acs, px, _ = self.bootstrap(acs)
        device = self.gpv_session(acs, px)
        self.assertEqual(device["last_cpe_namespace"], NS["1.0"])
        self.assertIn("CWMP 1.0 (UseCWMPVersion)", px.log())
        # The next session negotiates again: 1.4 once the ACS offers it.
        acs.config(use_cwmp_version="")
        device = self.gpv_session(acs, px)
        self.assertEqual(device["last_cpe_namespace"], NS["1.2"])

    def test_a_version_the_cpe_did_not_offer_ends_the_session(self):
        acs = self.start_acs()
        acs.config(use_cwmp_version="2.0")
        px = self.make_proxierd(acs).start()
        wait_for(lambda: "ACS chose CWMP version '2.0', which this CPE did not offer" in px.log(),
                 timeout=20)
        self.assertEqual(acs.device()["sessions_ended"], 0)
        # Back to a version it offered: the retry bootstraps.
        acs.config(use_cwmp_version="")
        device = acs.wait(sessions_ended=0)
        self.assertIn("0 BOOTSTRAP", event_codes(device["last_inform"]))
        self.assertGreater(device["last_inform"]["retry_count"], 0)

    def test_a_legacy_acs_is_followed_in_its_namespace(self):
        acs = self.start_acs()
        acs.config(cwmp_version="1.1")
        acs, px, _ = self.bootstrap(acs)
        device = self.gpv_session(acs, px)
        self.assertEqual(device["last_cpe_namespace"], NS["1.1"])
        self.assertIn("CWMP 1.1 (ACS namespace)", px.log())


class RedirectTest(IntegrationTest):
    def test_each_redirect_status_moves_the_session_but_not_the_next_one(self):
        acs, px, _ = self.bootstrap()
        other = self.start_acs(name="lab-acs-2")
        for status in (301, 302, 307):
            before = acs.device()["informs"]
            before_other = sum(d["informs"] for d in other.devices())
            acs.wait_idle()
            acs.config(redirect_count=1, redirect_status=status, redirect_url=other.cwmp_url)
            self.assertEqual(acs.connection_request(px.cr_url, CR_USER, CR_PASSWORD), 200)
            # The whole session runs at the redirected ACS.
            device = other.wait(informs=before_other, sessions_ended=before_other)
            self.assertEqual(event_codes(device["last_inform"]), ["6 CONNECTION REQUEST"])
            self.assertEqual(acs.device()["informs"], before, "the Inform was not redirected")
            self.assertEqual(acs.config()["redirect_count"], 0)
            # The next session goes to the original URL.
            result = acs.run_ok({"name": "GetParameterValues", "names": [MS + "URL"]})
            self.assertEqual(result["values"][0][1], acs.cwmp_url, status)
            self.assertEqual(acs.device()["informs"], before + 1)

    def test_a_task_runs_at_the_redirected_acs(self):
        acs, px, _ = self.bootstrap()
        other = self.start_acs(name="lab-acs-2")
        acs.wait_idle()
        acs.config(redirect_count=1, redirect_status=307, redirect_url=other.cwmp_url)
        self.assertEqual(acs.connection_request(px.cr_url, CR_USER, CR_PASSWORD), 200)
        other.wait()
        task = other.queue({"name": "GetParameterValues", "names": [MS + "PeriodicInformInterval"]})
        # Queued while the session is open (or just ended): it runs in this session or, at the
        # latest, in the next one the other ACS gets by a connection request of its own.
        if other.device()["sessions"] == other.device()["sessions_ended"]:
            acs.config(redirect_count=1, redirect_status=307, redirect_url=other.cwmp_url)
            self.assertEqual(other.connection_request(px.cr_url, CR_USER, CR_PASSWORD), 200)
        self.assertEqual(other.result(task)["state"], "done")

    def test_more_than_five_redirects_fail_the_session_and_it_is_retried(self):
        acs, px, _ = self.bootstrap()
        acs.wait_idle()
        # The ACS redirects to itself 6 times: the CPE follows 5 and gives up.
        acs.config(redirect_count=6, redirect_status=302, redirect_url=acs.cwmp_url)
        before = acs.device()["informs"]
        self.assertEqual(acs.connection_request(px.cr_url, CR_USER, CR_PASSWORD), 200)
        wait_for(lambda: "session failed (Maximum (5) redirects followed), retry 1" in px.log(),
                 timeout=20)
        self.assertEqual(acs.config()["redirects_served"], 6)
        self.assertEqual(acs.device()["informs"], before)
        # 6 CONNECTION REQUEST is not retried (TR-069 Table 7); the next session is, and its
        # Inform counts the failed attempt.
        self.assertEqual(acs.connection_request(px.cr_url, CR_USER, CR_PASSWORD), 200)
        device = acs.wait(informs=before)
        self.assertEqual(event_codes(device["last_inform"]), ["6 CONNECTION REQUEST"])
        self.assertEqual(device["last_inform"]["retry_count"], 1)


class PeriodicPhaseTest(IntegrationTest):
    WINDOW = (-0.25, 1.5)  # an Inform may leave a little late, never early

    def periodic_informs(self, acs, after, count, timeout):
        """The lab receive times of the next `count` 2 PERIODIC Informs after Inform `after`."""
        deadline = time.monotonic() + timeout
        seen = []
        index = after
        while len(seen) < count:
            left = deadline - time.monotonic()
            self.assertGreater(left, 0, "no periodic Inform in time")
            acs.wait(informs=index, timeout=left)
            informs = acs.informs()
            for inform in informs[index:]:
                if "2 PERIODIC" in event_codes(inform):
                    seen.append(lab_seconds(inform["time"]))
            index = len(informs)
        return seen[:count], index

    def assert_phase(self, times, phase, interval):
        for t in times:
            offset = (t - phase) % interval
            if offset > interval / 2:
                offset -= interval
            self.assertTrue(self.WINDOW[0] <= offset <= self.WINDOW[1],
                            "Inform at %.3f is %.3f s off the phase %s + k*%d"
                            % (t, offset, iso(phase), interval))

    def test_informs_follow_the_phase_also_after_an_interval_change(self):
        acs, px, _ = self.bootstrap()
        # The phase half an interval away from now: informs counted from the time of the change
        # (ignoring the phase) would be 2 s off.
        interval = 4
        phase = int(time.time()) + 2 + interval * 100
        acs.run_ok({"name": "SetParameterValues", "values": [
            [MS + "PeriodicInformEnable", "true", "xsd:boolean"],
            [MS + "PeriodicInformInterval", str(interval), "xsd:unsignedInt"],
            [MS + "PeriodicInformTime", iso(phase), "xsd:dateTime"]]})
        times, index = self.periodic_informs(acs, acs.device()["informs"], 2, 30)
        self.assert_phase(times, phase, interval)
        self.assertAlmostEqual(times[1] - times[0], interval, delta=1.0)
        # A new interval keeps the phase: informs at phase + k * 6.
        acs.run_ok({"name": "SetParameterValues", "values": [
            [MS + "PeriodicInformInterval", "6", "xsd:unsignedInt"]]})
        times, _ = self.periodic_informs(acs, acs.device()["informs"], 2, 30)
        self.assert_phase(times, phase, 6)


class SighupTest(IntegrationTest):
    def test_sighup_rereads_the_log_level_and_keeps_it_on_a_bad_file(self):
        acs, px, _ = self.bootstrap()
        with open(px.config_path) as f:
            original = f.read()
        with open(px.config_path, "w") as f:
            f.write(original.replace('level = "debug"', 'level = "warning"'))
        px.proc.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "SIGHUP: log level WARN" in px.log(), timeout=10)
        mark = len(px.log())
        acs.run_ok({"name": "GetParameterValues", "names": [MS + "URL"]})
        self.assertNotIn("INFO cwmp", px.log()[mark:], "info lines after the level went to warning")
        # A broken file: a clear warning, the running settings stay.
        with open(px.config_path, "w") as f:
            f.write("[log\nlevel = ")
        px.proc.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "WARN proxierd: SIGHUP: " in px.log()[mark:], timeout=10)
        self.assertTrue(px.alive())
        with open(px.config_path, "w") as f:
            f.write(original)
        px.proc.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "SIGHUP: log level DEBUG" in px.log(), timeout=10)
        mark = len(px.log())
        acs.run_ok({"name": "GetParameterValues", "names": [MS + "URL"]})
        self.assertIn("INFO cwmp", px.log()[mark:])


if __name__ == "__main__":
    unittest.main()
