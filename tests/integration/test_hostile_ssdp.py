"""Issue 10, findings 1-4, end to end: what one LAN host can do with SSDP and descriptions does
not break the gateway's ACS session, does not fill its tables, and cannot move a device.

Runs under `unshare -n` (CMakeLists.txt); every fake host has its own 127/8 address on lo."""
import threading
import time
import unittest

from harness import wait_for
from hostile_base import (DISCOVERY, PD, PROXY, HostileLanTest, measure_env, rss_kib)
from hostile_lan import CMS_TYPE, alive, ssdp_send
from test_upnp_gateway import in_private_namespace


@unittest.skipUnless(in_private_namespace(), "UPnP tests run only in a private network namespace")
class HostileSsdpTest(HostileLanTest):
    def test_ill_formed_bytes_never_reach_the_acs(self):
        acs, px = self.start_gateway()
        # A device whose description carries a right-to-left override, a C1 control and a
        # javascript: link.
        plug = self.fake("127.0.0.3", friendly="Plug\u202egpj.exe\u0085x",
                         model_url="javascript:alert(1)")
        plug.announce()
        # SSDP with ill-formed UTF-8 or controls in USN, LOCATION, SERVER (0xFF 0xFE, a lone
        # surrogate ED A0 80, ESC).
        loc = b"http://127.0.0.4:9/d.xml"
        ssdp_send([alive(b"uuid:\xff\xfe::upnp:rootdevice", loc, b"upnp:rootdevice"),
                   alive(b"uuid:\xed\xa0\x80::upnp:rootdevice", loc, b"upnp:rootdevice"),
                   alive(b"uuid:11111111-2222-4333-8444-555555555555::upnp:rootdevice",
                         b"http://127.0.0.4:9/\x01d.xml", b"upnp:rootdevice"),
                   alive(b"uuid:11111111-2222-4333-8444-555555555555::upnp:rootdevice", loc,
                         b"upnp:rootdevice", server=b"Bad \xff\xfe\x1b[31m \xed\xa0\x80")],
                  src="127.0.0.4")
        self.proxied_row(plug.udn)
        # Every read of the UPnP tables and of the whole model is a well-formed envelope
        # (lab-acs parses each with a strict parser; run_ok fails otherwise).
        values = self.gpv("Device.UPnP.")
        self.gpv("Device.")
        names = [v for n, v in values.items() if n.endswith(".FriendlyName")]
        self.assertIn("Pluggpj.exe x", names)  # the override removed, NEL made a space
        self.assertEqual([v for n, v in values.items() if n.endswith(".ModelURL")], [""])
        servers = [r.get("Server", "") for r in self.discovery_rows().values()]
        self.assertIn("Bad \ufffd\ufffd [31m \ufffd\ufffd\ufffd", servers)
        self.assertGreaterEqual(self.counter(DISCOVERY + "X_02C0DE_SSDPRefused"), 3)
        # And after a restart, from the store.
        informs = len(acs.informs())
        self.assertEqual(px.stop(), 0)
        px.start()
        acs.wait(informs=informs)
        acs.wait_idle()
        self.gpv("Device.")

    def test_ssdp_floods_cost_little_and_leave_nothing(self):
        acs, px = self.start_gateway()
        target = self.fake("127.0.0.5")  # a real (described) device at the flooded LOCATION
        target.announce()
        self.proxied_row(target.udn)
        # Flood 1: 5,000 fake UUIDs on that LOCATION. Flood 2: 2,000 fake LOCATIONs.
        uuids = ["%08x-0000-4000-8000-%012x" % (i, i) for i in range(5000)]
        flood1 = [alive("uuid:%s::upnp:rootdevice" % u, target.location, "upnp:rootdevice")
                  for u in uuids] * 2
        flood2 = [alive("uuid:%08x-1111-4000-8000-000000000000::upnp:rootdevice" % i,
                        "http://127.0.0.6:%d/d.xml" % (1000 + i), "upnp:rootdevice")
                  for i in range(2000)]
        rss_before = rss_kib(px.proc.pid)
        latencies = []
        stop = threading.Event()

        def probe():
            while not stop.is_set():
                latencies.append(self.timed_gpv(DISCOVERY + "RootDeviceNumberOfEntries"))

        prober = threading.Thread(target=probe)
        prober.start()
        t0 = time.monotonic()
        try:
            ssdp_send(flood1, src="127.0.0.5")
            ssdp_send(flood2, src="127.0.0.6")
            flood_s = time.monotonic() - t0
            # A real device that starts afterwards is attached promptly.
            sim = self.sim()
            udn = sim.command("udn 0")
            t1 = time.monotonic()
            self.proxied_row(udn)
            attach_s = time.monotonic() - t1
        finally:
            stop.set()
            prober.join()
        print("[measure] 12,000 datagrams in %.2f s; GPV during the flood: %d, max %.3f s; "
              "real device attached %.2f s after it started; proxierd RSS %d KiB before, %d KiB "
              "after (%s)" % (flood_s, len(latencies), max(latencies), attach_s, rss_before,
                              rss_kib(px.proc.pid), measure_env()))
        self.assertLess(max(latencies), 2.0)
        counts = self.gpv(DISCOVERY + "RootDeviceNumberOfEntries",
                          DISCOVERY + "DeviceNumberOfEntries", DISCOVERY + "ServiceNumberOfEntries")
        self.assertLessEqual(int(counts[DISCOVERY + "DeviceNumberOfEntries"]), 2)
        self.assertLessEqual(int(counts[DISCOVERY + "RootDeviceNumberOfEntries"]), 2 + 64)
        self.assertGreater(self.counter(DISCOVERY + "X_02C0DE_PartsRefused"), 0)
        # The fakes never described themselves: a restart keeps none of their rows.
        informs = len(acs.informs())
        self.assertEqual(px.stop(), 0)
        px.start()
        acs.wait(informs=informs)
        acs.wait_idle()
        roots = self.discovery_rows()
        self.assertLessEqual(len(roots), 2, roots)
        self.assertFalse([r for r in roots.values() if "127.0.0.6" in r.get("Location", "")])

    def test_a_live_device_cannot_be_taken_over(self):
        acs, px = self.start_gateway()
        sim = self.sim()
        udn = sim.command("udn 0")
        row = self.proxied_row(udn)
        name = row + "UPnP.DM.Configuration.Network.HostName"
        # Another host announces the same UDN (and serves a description claiming it).
        thief = self.fake("127.0.0.7", udn=udn)
        thief.announce()
        wait_for(lambda: self.counter(DISCOVERY + "X_02C0DE_IdentityConflicts") > 0,
                 timeout=10, what="the conflict counted")
        thief.announce()
        self.assertEqual(self.gpv(name)[name], "nas-0")
        r = self.acs.run_ok({"name": "SetParameterValues",
                             "values": [[name, "still-mine", "xsd:string"]]})
        self.assertEqual(r["status"], 1)
        wait_for(lambda: sim.command("get 0 /UPnP/DM/Configuration/Network/HostName")
                 == "still-mine", timeout=15, what="the SPV delivered to the real device")
        self.assertIn("conflict", self.proxy_row(udn)["Reason"])
        locations = [r["Location"] for r in self.discovery_rows().values() if r["UUID"] == udn]
        self.assertEqual(len(locations), 1)
        self.assertIn("127.0.0.1", locations[0])
        # A genuine move still works: the device leaves (byebye), then appears elsewhere.
        sim.command("offline 0")
        wait_for(lambda: self.proxy_row(udn)["Online"] in ("0", "false"), timeout=10,
                 what="offline after byebye")
        thief.announce()
        wait_for(lambda: any("127.0.0.7" in r["Location"] for r in self.discovery_rows().values()
                             if r["UUID"] == udn), timeout=15, what="the device moved")


if __name__ == "__main__":
    unittest.main()
