"""Shared setup of the hostile-LAN tests (issue 10): a gateway (lab-acs + proxierd with UPnP on
lo, embedded mode), fake devices from hostile_lan.py on their own 127/8 addresses, and the
ACS-side reads the tests judge by. Run only in a private network namespace."""
import os
import time

from harness import IntegrationTest, wait_for
from hostile_lan import FakeDevice
from test_upnp_gateway import Sim, set_upnp_section

SIM_PORT = 61000
PROXIERD_UPNP_PORT = 61001
PD = "Device.X_02C0DE_ProxiedDevice."
ED = "Device.ManagementServer.EmbeddedDevice."
PROXY = "Device.X_02C0DE_Proxy."
DISCOVERY = "Device.UPnP.Discovery."
ACTION_TIMEOUT_MS = 2000


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class HostileLanTest(IntegrationTest):
    def start_gateway(self, upnp=None, proxy=""):
        acs = self.start_acs()
        # Every ACS read below comes with its own connection request.
        px = self.make_proxierd(acs, rate_limit=100000)
        keys = dict(enabled=True, interface="lo", port=PROXIERD_UPNP_PORT, search_interval=300,
                    action_timeout_ms=ACTION_TIMEOUT_MS)
        keys.update(upnp or {})
        set_upnp_section(px.config_path, **keys)
        with open(px.config_path, "a") as f:
            f.write('\n[proxy]\ndefault_mode = "embedded"\nretry_base_ms = 200\n' + proxy)
        px.start()
        acs.wait(sessions_ended=0)
        self.acs, self.px = acs, px
        return acs, px

    def fake(self, ip, **kwargs):
        d = FakeDevice(ip, **kwargs)
        self.addCleanup(d.stop)
        return d

    def sim(self, profiles=("nas",), count=1):
        return Sim(self, list(profiles), count, SIM_PORT)

    # -- ACS-side reads ---------------------------------------------------------------------------
    def gpv(self, *names, wait=30):
        r = self.acs.run_ok({"name": "GetParameterValues", "names": list(names)}, wait=wait)
        return {name: value for name, value, _ in r["values"]}

    def gpn(self, path, next_level=False):
        r = self.acs.run_ok({"name": "GetParameterNames", "path": path, "next_level": next_level})
        return dict(map(tuple, r["names"]))

    def counter(self, name):
        return int(self.gpv(name)[name])

    def proxied_row(self, udn, timeout=30, synced=True):
        """The ProxiedDevice row of `udn` ("Device.X_02C0DE_ProxiedDevice.N.") once it exists
        (and its metadata sync succeeded, unless synced=False)."""
        def find():
            for name, value in self.gpv(PD).items():
                if name.endswith(".UDN") and value == udn:
                    row = name[: -len("UDN")]
                    if not synced:
                        return row
                    for n, v in self.gpv(ED).items():
                        if n.endswith(".Reference") and v == row[:-1]:
                            last = self.gpv(n[: -len("Reference")] + "LastSyncTime")
                            if not list(last.values())[0].startswith("0001"):
                                return row
            return None
        return wait_for(find, timeout=timeout, interval=0.3, what="embedded row of " + udn)

    def proxy_row(self, udn):
        """{param: value} of udn's Device.X_02C0DE_Proxy.Device.{i} row."""
        values = self.gpv(PROXY + "Device.")
        for name, value in values.items():
            if name.endswith(".UDN") and value == udn:
                prefix = name[: -len("UDN")]
                return {n[len(prefix):]: v for n, v in values.items() if n.startswith(prefix)}
        return None

    def discovery_rows(self):
        """{RootDevice instance: {param: value}}."""
        out = {}
        table = DISCOVERY + "RootDevice."
        for name, value in self.gpv(table).items():
            instance, _, param = name[len(table):].partition(".")
            if instance.isdigit():
                out.setdefault(int(instance), {})[param] = value
        return out

    def timed_gpv(self, *names):
        """Seconds from queueing a GPV (with its connection request) to its result."""
        t0 = time.monotonic()
        self.gpv(*names)
        return time.monotonic() - t0


def measure_env():
    return "load average %.2f %.2f %.2f" % os.getloadavg()
