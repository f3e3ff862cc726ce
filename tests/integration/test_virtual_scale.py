"""Virtual mode at scale (issue 6): 100 UPnP DM appliances (one `upnp-dm-sim --count 100`) in one
proxierd, each a CWMP device of its own in lab-acs.

- all 100 complete BOOTSTRAP, and the gateway counts them (VirtualDeviceNumberOfEntries);
- a connection request to any of them reaches that one and no other (its values come back, its
  credentials are its own);
- one slow and one dead appliance delay no other device;
- and the figures of docs/BENCHMARKS.md ("Virtual devices at scale") as `[measure]` lines: time
  until all 100 have bootstrapped, proxierd's RSS before and after (per-device cost), its CPU
  while idle.

A long test (ctest label `long`, about a minute). Runs only in a private network namespace (CTest
runs it under `unshare -n`, see CMakeLists.txt); libupnp ports are fixed and >= 61000.
"""
import hashlib
import hmac
import os
import random
import subprocess
import threading
import time
import unittest

from harness import (CR_PASSWORD, GATEWAY_ID, IntegrationTest, event_codes, parse_time, program,
                     wait_for)
from test_upnp_gateway import Sim, in_private_namespace, set_upnp_section

N = 100
SIM_PORT = 61000
PROXIERD_UPNP_PORT = 61001
ACTION_TIMEOUT_MS = 2000  # a dead or slow appliance costs at most this per action
BOOTSTRAP_TIMEOUT = 90  # seconds for all 100 (about 5-15 s on the 2-core CI machine)
NATIVE = "Device.X_02C0DE_UPnP.DM."  # a virtual device's /UPnP/DM/ subtree (mapping.md §3)
MS = "Device.ManagementServer."
IDLE_WINDOW = 10.0  # seconds of the idle CPU measurement


def device_id(i):
    """lab-acs DeviceId of simulated smart plug i: OUI-ProductClass-SerialNumber."""
    return "00A0C6-SmartPlug-SP%06d" % i


def derived_cr_password(udn, secret=CR_PASSWORD):
    """A virtual device's connection-request password (virtual_devices/identity.h)."""
    return hmac.new(secret.encode(), ("proxier-vd-cr:" + udn).encode(),
                    hashlib.sha256).hexdigest()[:32]


def cpu_seconds(pid):
    """utime + stime of a process, in seconds (/proc/<pid>/stat fields 14 and 15)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(text):
    print("[measure] " + text, flush=True)


def load_average():
    return "load average %.2f %.2f %.2f" % os.getloadavg()


@unittest.skipUnless(in_private_namespace(),
                     "UPnP tests run only in a private network namespace (see the ctest command)")
class VirtualScaleTest(IntegrationTest):
    # -- setup ------------------------------------------------------------------------------------
    def make_gateway(self):
        """lab-acs and a proxierd (not started) that runs every appliance as a virtual device."""
        acs = self.start_acs()
        # The CR rate limit is per endpoint; the gateway's /cr gets one CR per GPV below.
        px = self.make_proxierd(acs, rate_limit=1000)
        # One simulator process serves all N appliances from 127.0.0.1: more than the default
        # per-address cap of root devices (64) a real LAN needs.
        set_upnp_section(px.config_path, enabled=True, interface="lo", port=PROXIERD_UPNP_PORT,
                         search_interval=300, action_timeout_ms=ACTION_TIMEOUT_MS,
                         max_devices_per_host=4 * N)
        with open(px.config_path) as f:
            text = f.read()
        # Info, as a deployment would log: debug lines for 100 devices would weigh on the figures.
        with open(px.config_path, "w") as f:
            f.write(text.replace('level = "debug"', 'level = "info"')
                    + '\n[proxy]\ndefault_mode = "virtual"\n')
        self.acs, self.px = acs, px
        return acs, px

    def start_sim(self):
        self.sim = Sim(self, ["smart-plug"], N, SIM_PORT)
        self.sim_ready_at = time.monotonic()
        self.udns = [self.sim.command("udn %d" % i) for i in range(N)]
        self.assertEqual(len(set(self.udns)), N)
        return self.sim

    def vd_devices(self):
        """{device id: lab-acs device} of the virtual devices lab-acs knows."""
        return {d["id"]: d for d in self.acs.devices() if d["id"] != GATEWAY_ID}

    def wait_all_bootstrapped(self):
        """Waits until lab-acs has an ended session of each of the N virtual devices; returns the
        moment (monotonic) that was first seen, and the devices."""
        ids = {device_id(i) for i in range(N)}

        def done():
            devices = self.vd_devices()
            ended = {i for i, d in devices.items() if d["sessions_ended"] >= 1}
            if ids <= ended:
                return time.monotonic(), devices
            self._progress = "%d of %d known, %d with an ended session" % (
                len(devices), N, len(ended & ids))
            return None

        self._progress = "nothing yet"
        try:
            return wait_for(done, timeout=BOOTSTRAP_TIMEOUT, interval=0.1,
                            what="an ended session of each of %d virtual devices" % N)
        except AssertionError as e:
            raise AssertionError("%s (%s)" % (e, self._progress))

    def check_bootstraps(self, devices):
        """Each virtual device's first Inform was a BOOTSTRAP, with its own CR URL; lab-acs knows
        no device besides the gateway and the N. Returns the times of those Informs."""
        self.assertEqual(set(devices), {device_id(i) for i in range(N)})
        urls = set()
        times = []
        for i in range(N):
            first = self.acs.informs(device_id(i))[0]
            times.append(parse_time(first["time"]))
            self.assertIn("0 BOOTSTRAP", event_codes(first), (i, first))
            url = first["params"][MS + "ConnectionRequestURL"]
            self.assertRegex(url, r"^http://127\.0\.0\.1:%d/vd/\d+$" % self.px.cr_port)
            self.assertEqual(devices[device_id(i)]["connection_request_url"], url)
            urls.add(url)
        self.assertEqual(len(urls), N, "connection-request URLs are not all different")
        return times

    def wait_settled(self):
        """Every session ended and every appliance's three DM services subscribed by proxierd."""
        def settled():
            devices = self.vd_devices()
            if any(d["sessions"] != d["sessions_ended"] for d in devices.values()):
                return False
            return self.sim.command("sids *").count("=") >= 3 * N
        wait_for(settled, timeout=30, interval=0.2, what="no open session, 3 GENA subscriptions each")

    def creds(self, i, devices):
        """(CR URL, username, password) of virtual device i."""
        url = devices[device_id(i)]["connection_request_url"]
        return url, "vd" + url.rsplit("/", 1)[1], derived_cr_password(self.udns[i])

    def sessions(self):
        return {i: d["sessions"] for i, d in self.vd_devices().items()}

    def gpv_via_cr(self, i, devices, names):
        """GPV task for virtual device i, then a CR with its own credentials: (task, seconds from
        the CR to the task's end)."""
        task = self.acs.queue({"name": "GetParameterValues", "names": names}, device_id(i))
        start = time.monotonic()
        status = self.acs.connection_request(*self.creds(i, devices))
        self.assertEqual(status, 200, "CR to %s" % device_id(i))
        result = self.acs.result(task, wait=30)
        return result, time.monotonic() - start

    # -- tests ------------------------------------------------------------------------------------
    def test_100_devices_bootstrap_and_crs_reach_the_right_one(self):
        acs, px = self.make_gateway()
        px.start()
        acs.wait(sessions_ended=0)
        rss_before = px.proc.rss_kib()
        self.start_sim()
        at, devices = self.wait_all_bootstrapped()
        measure("%d virtual devices bootstrapped %.2f s after the simulator was ready "
                "(%.2f s after proxierd started; %s)"
                % (N, at - self.sim_ready_at, at - px.started_at, load_average()))
        times = self.check_bootstraps(devices)
        measure("BOOTSTRAP Informs of the %d devices spread over %.2f s"
                % (N, max(times) - min(times)))

        # The gateway counts them, with one VirtualDevice row per appliance.
        values = {n: v for n, v, _ in acs.run_ok(
            {"name": "GetParameterValues",
             "names": [MS + "VirtualDeviceNumberOfEntries", MS + "VirtualDevice."]})["values"]}
        self.assertEqual(values[MS + "VirtualDeviceNumberOfEntries"], str(N))
        serials = sorted(v for n, v in values.items()
                         if n.startswith(MS + "VirtualDevice.") and n.endswith(".SerialNumber"))
        self.assertEqual(serials, ["SP%06d" % i for i in range(N)])

        # Memory and idle CPU once everything has settled.
        self.wait_settled()
        rss_after = px.proc.rss_kib()
        measure("proxierd RSS %d KiB with no device, %d KiB with %d virtual devices: "
                "%.1f KiB per device" % (rss_before, rss_after, N, (rss_after - rss_before) / N))
        store = sum(os.path.getsize(px.db + ext) for ext in ("", "-wal")
                    if os.path.exists(px.db + ext))
        measure("proxierd store %.1f MiB (database + WAL) with %d virtual devices"
                % (store / 1048576, N))
        sessions = self.sessions()
        cpu0, t0 = cpu_seconds(px.proc.pid), time.monotonic()
        time.sleep(IDLE_WINDOW)  # a measurement window, not a synchronisation
        cpu1, t1 = cpu_seconds(px.proc.pid), time.monotonic()
        measure("proxierd CPU while idle with %d virtual devices: %.2f%% of one core over %.0f s "
                "(%s)" % (N, 100 * (cpu1 - cpu0) / (t1 - t0), t1 - t0, load_average()))
        self.assertEqual(self.sessions(), sessions, "sessions while idle")

        # The CLI derives the same CR password as the test.
        out = subprocess.run([*program("proxierd"), "--config", px.config_path, "--vd-cr-password",
                              self.udns[0]], capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(derived_cr_password(self.udns[0]), out.stdout)

        # CRs to a sample reach the right device: its own appliance's values come back, and no
        # other device gets a session.
        sample = [0, N - 1] + random.Random(os.getpid()).sample(range(1, N - 1), 10)
        times = []
        for i in sample:
            before = self.sessions()
            result, seconds = self.gpv_via_cr(
                i, devices, ["Device.DeviceInfo.SerialNumber", MS + "ConnectionRequestURL",
                             NATIVE + "DeviceInfo.FriendlyName", "Device.WiFi.SSID.1.SSID"])
            times.append(seconds)
            self.assertEqual(result["state"], "done", result)
            got = {n: v for n, v, _ in result["response"]["values"]}
            self.assertEqual(got, {
                "Device.DeviceInfo.SerialNumber": "SP%06d" % i,
                MS + "ConnectionRequestURL": devices[device_id(i)]["connection_request_url"],
                NATIVE + "DeviceInfo.FriendlyName": "Plug %d" % i,
                "Device.WiFi.SSID.1.SSID": "plug-%d" % i}, device_id(i))
            acs.wait(device_id(i), sessions_ended=devices[device_id(i)]["sessions_ended"])
            after = self.sessions()
            changed = {d for d in after if after[d] != before.get(d)}
            self.assertEqual(changed, {device_id(i)}, "sessions after a CR to %s" % device_id(i))
            self.assertEqual(after[device_id(i)], before[device_id(i)] + 1)
            devices[device_id(i)] = acs.device(device_id(i))
        times.sort()
        measure("CR + GPV of 4 values (2 read live from the appliance) on %d of the devices: "
                "median %.0f ms, max %.0f ms" % (len(times), 1000 * times[len(times) // 2],
                                                 1000 * times[-1]))

        # Another device's credentials do not open a device.
        url, user, _ = self.creds(sample[2], devices)
        _, _, other = self.creds(sample[3], devices)
        before = self.sessions()
        self.assertEqual(acs.connection_request(url, user, other), 401)
        _, other_user, other = self.creds(sample[3], devices)
        self.assertEqual(acs.connection_request(url, other_user, other), 401)
        self.assertEqual(self.sessions(), before)
        self.assertTrue(px.alive())

    def test_a_slow_and_a_dead_appliance_delay_no_other(self):
        # Appliances first: proxierd finds all 100 at start (cold start of a loaded gateway).
        self.start_sim()
        acs, px = self.make_gateway()
        px.start()
        acs.wait(sessions_ended=0)
        at, devices = self.wait_all_bootstrapped()
        measure("%d virtual devices bootstrapped %.2f s after proxierd started with the appliances "
                "already on the LAN (%s)" % (N, at - px.started_at, load_average()))
        self.check_bootstraps(devices)
        self.wait_settled()

        slow, dead = 17, 42
        others = [i for i in random.Random(os.getpid()).sample(range(N), 12)
                  if i not in (slow, dead)][:8]
        # Dead: the appliance says byebye; its virtual device answers CRs 503 (no session).
        self.sim.command("offline %d" % dead)
        wait_for(lambda: acs.connection_request(*self.creds(dead, devices)) == 503, timeout=15,
                 interval=0.1, what="CR 503 from the virtual device of the dead appliance")
        # Slow: every action takes 5 s, more than proxierd's action timeout.
        self.sim.command("latency %d 5000" % slow)
        slow_task = acs.queue({"name": "GetParameterValues",
                               "names": [NATIVE + "DeviceInfo.FriendlyName"]}, device_id(slow))
        slow_start = time.monotonic()
        self.assertEqual(acs.connection_request(*self.creds(slow, devices)), 200)
        # "sent": the GPV is at proxierd, which now waits for the appliance.
        wait_for(lambda: acs.get_ok("/tasks/%d" % slow_task)["state"] == "sent", timeout=10,
                 interval=0.01, what="GPV sent to the slow device")
        sent_at = time.monotonic()

        # Meanwhile, the other devices and the gateway answer at once, all in parallel.
        results = {}

        def one(i):
            try:
                results[i] = self.gpv_via_cr(i, devices, [NATIVE + "DeviceInfo.FriendlyName"])
            except Exception as e:  # reported below
                results[i] = e

        def gateway():
            start = time.monotonic()
            try:
                acs.run_ok({"name": "GetParameterValues", "names": ["Device.DeviceInfo.UpTime"]})
                results["gateway"] = (None, time.monotonic() - start)
            except Exception as e:
                results["gateway"] = e

        threads = [threading.Thread(target=one, args=(i,)) for i in others]
        threads.append(threading.Thread(target=gateway))
        for t in threads:
            t.start()
        dead_start = time.monotonic()
        self.assertEqual(acs.connection_request(*self.creds(dead, devices)), 503)
        dead_seconds = time.monotonic() - dead_start
        for t in threads:
            t.join(60)
        all_done = time.monotonic()
        slow_state = acs.get_ok("/tasks/%d" % slow_task)["state"]
        for key, r in results.items():
            self.assertNotIsInstance(r, Exception, key)
        for i in others:
            task, seconds = results[i]
            self.assertEqual(task["state"], "done", task)
            self.assertEqual(task["response"]["values"][0][1], "Plug %d" % i)
            self.assertLess(seconds, 1.5, "GPV via CR on %s while %s was slow"
                            % (device_id(i), device_id(slow)))
        self.assertLess(results["gateway"][1], 1.5, "gateway GPV while a device was slow")
        self.assertLess(dead_seconds, 1.0, "CR to the dead device")
        # They all finished while the slow device's GPV was still waiting for its appliance.
        self.assertEqual(slow_state, "sent", "slow GPV ended before the others (%.2f s)"
                         % (all_done - sent_at))
        worst = max(s for _, s in results.values())
        measure("while one appliance was slow: GPV via CR on %d other devices (in parallel) and "
                "the gateway in at most %.0f ms; CR to the dead one answered 503 in %.0f ms"
                % (len(others), 1000 * worst, 1000 * dead_seconds))

        # The slow device's GPV fails after the action timeout, with a fault rather than a hang.
        r = acs.result(slow_task, wait=30)
        slow_seconds = time.monotonic() - slow_start
        self.assertEqual(r["state"], "fault", r)
        self.assertGreaterEqual(slow_seconds, ACTION_TIMEOUT_MS / 1000.0)
        self.assertLess(slow_seconds, ACTION_TIMEOUT_MS / 1000.0 + 5)
        measure("GPV on the slow device: fault %s after %.2f s (action timeout %d ms)"
                % (r["response"]["fault"]["code"], slow_seconds, ACTION_TIMEOUT_MS))

        # Both come back: the slow one answers again (once the appliance has finished the 5 s
        # action it was still sleeping in: it runs one action at a time), the dead one informs
        # "1 BOOT".
        self.sim.command("latency %d 0" % slow)

        def slow_answers():
            acs.wait_idle(device_id(slow))
            result, _ = self.gpv_via_cr(slow, devices, [NATIVE + "DeviceInfo.FriendlyName"])
            return result["state"] == "done" and result["response"]["values"][0][1] == (
                "Plug %d" % slow)
        wait_for(slow_answers, timeout=20, interval=0.1, what="GPV on the slow device once fast")
        informs = acs.device(device_id(dead))["informs"]
        self.sim.command("online %d" % dead)
        back = acs.wait(device_id(dead), informs=informs, timeout=30)
        self.assertIn("1 BOOT", event_codes(back["last_inform"]))
        self.assertTrue(px.alive())


if __name__ == "__main__":
    unittest.main()
