"""SSDP flood benchmark of issue 10 (run it with scripts/bench-flood.sh, never by hand outside a
namespace): lab-acs + proxierd (UPnP on lo, embedded mode) with one described device, then

  1. 60,000 datagrams announcing 10,000 fake UUIDs on that device's LOCATION (6 each),
  2. 60,000 datagrams announcing 10,000 fake LOCATIONs of one host (6 each),

each sent at 5,000 datagrams per second (the rate seen in the report: 60,000 in 12 s), while a
second thread reads the gateway from the ACS (connection request + GPV) in a loop; then a real
upnp-dm-sim device starts. Prints, per flood: the slowest and median ACS read during it,
proxierd's CPU time, Discovery rows and stored values afterwards, the time until the real device
is attached, and RSS. Finally proxierd restarts and the rows left are counted.
"""
import os
import statistics
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

from hostile_base import DISCOVERY, HostileLanTest, rss_kib  # noqa: E402
from hostile_lan import alive, ssdp_send  # noqa: E402

N = int(os.environ.get("FLOOD_DEVICES", "10000"))
PER = 6
RATE = int(os.environ.get("FLOOD_RATE", "5000"))
PROBE = os.environ.get("FLOOD_PROBE", "1") != "0"  # 0: no ACS reads (the flood's own CPU)


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class SsdpFlood(HostileLanTest):
    def counts(self):
        names = [DISCOVERY + p for p in ("RootDeviceNumberOfEntries", "DeviceNumberOfEntries",
                                         "ServiceNumberOfEntries")]
        v = self.gpv(*names)
        return tuple(int(v[n]) for n in names)

    def flood(self, name, datagrams, src):
        pid = self.px.proc.pid
        latencies = []
        stop = threading.Event()

        def probe():
            while PROBE and not stop.is_set():
                latencies.append(self.timed_gpv("Device.DeviceInfo.UpTime"))
            if not latencies:
                latencies.append(self.timed_gpv("Device.DeviceInfo.UpTime"))

        cpu0, t0 = cpu_seconds(pid), time.monotonic()
        prober = threading.Thread(target=probe)
        prober.start()
        try:
            ssdp_send(datagrams, src=src, pace=RATE)
            sent_s = time.monotonic() - t0
        finally:
            stop.set()
            prober.join()
        cpu = cpu_seconds(pid) - cpu0
        print("%-34s %6d datagrams in %5.1f s | ACS reads: %4d, median %6.1f ms, max %6.1f ms | "
              "proxierd CPU %5.2f s (%4.1f %% of the flood) | rows root/device/service %s | "
              "RSS %d KiB" % (name, len(datagrams), sent_s, len(latencies),
                              1000 * statistics.median(latencies), 1000 * max(latencies), cpu,
                              100 * cpu / sent_s, self.counts(), rss_kib(pid)))
        return max(latencies)

    def test_flood(self):
        acs, px = self.start_gateway()
        target = self.fake("127.0.0.5")
        target.announce()
        self.proxied_row(target.udn)
        print("\nproxierd RSS %d KiB with one device; load average %.2f %.2f %.2f"
              % ((rss_kib(px.proc.pid),) + os.getloadavg()))
        uuids = ["%08x-0000-4000-8000-%012x" % (i, i) for i in range(N)]
        flood1 = [alive("uuid:%s::upnp:rootdevice" % u, target.location, "upnp:rootdevice")
                  for u in uuids for _ in range(PER)]
        self.flood("%d UUIDs on one LOCATION" % N, flood1, "127.0.0.5")
        flood2 = [alive("uuid:%08x-1111-4000-8000-%012x::upnp:rootdevice" % (i, i),
                        "http://127.0.0.6:%d/d.xml" % (1024 + i), "upnp:rootdevice")
                  for i in range(N) for _ in range(PER)]
        self.flood("%d LOCATIONs of one host" % N, flood2, "127.0.0.6")
        sim = self.sim()
        t0 = time.monotonic()
        self.proxied_row(sim.command("udn 0"))
        print("real device attached %.2f s after it started" % (time.monotonic() - t0))
        refused = self.gpv(*[DISCOVERY + "X_02C0DE_" + c for c in (
            "SSDPRefused", "SSDPRateLimited", "DevicesRefused", "DevicesEvicted", "PartsRefused",
            "DescriptionsFailed")])
        print("counters: " + ", ".join("%s %s" % (k.rsplit("_", 1)[1], v)
                                       for k, v in refused.items()))
        informs = acs.device()["informs"]  # (acs.informs() keeps only the latest ones)
        self.assertEqual(px.stop(), 0)
        px.start()
        acs.wait(informs=informs)
        acs.wait_idle()
        print("after a restart: rows root/device/service %s" % (self.counts(),))
        print("load average %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    unittest.main(verbosity=0)
