"""Shared set-up of the virtual-mode tests (issue 6): upnp-dm-sim appliances, lab-acs and
proxierd with a [proxy] section, and helpers that talk to a virtual device through lab-acs with
its own derived connection-request credentials."""
import hashlib
import hmac
import re

from harness import CR_PASSWORD, GATEWAY_ID, IntegrationTest, wait_for
from test_upnp_gateway import Sim, set_upnp_section

SIM_PORT = 61000
PROXIERD_UPNP_PORT = 61001
PROXY = "Device.X_02C0DE_Proxy."
VD_TABLE = "Device.ManagementServer.VirtualDevice."
ED_TABLE = "Device.ManagementServer.EmbeddedDevice."
PLUG_RULE = '[[proxy.rule]]\nmatch = { model_name = "SmartPlug*" }\nmode = "virtual"\n'


def derived_cr_password(udn, secret=CR_PASSWORD):
    """The connection-request password proxierd derives for the virtual device of `udn`."""
    return hmac.new(secret.encode(), ("proxier-vd-cr:" + udn).encode(),
                    hashlib.sha256).hexdigest()[:32]


def rows(values, table):
    """{instance: {param: value}} of the rows of `table` in a name -> value dict."""
    out = {}
    for name, value in values.items():
        if name.startswith(table):
            instance, _, param = name[len(table):].partition(".")
            if instance.isdigit() and param and "." not in param:
                out.setdefault(int(instance), {})[param] = value
    return out


class VirtualTest(IntegrationTest):
    def start_all(self, profiles=("nas", "smart-plug"), proxy="", upnp_timeout_ms=3000,
                  sim_profiles=None, sim_commands=(), acs=None, **proxierd_options):
        """Sim with one appliance per profile (`sim_commands` sent to it first), lab-acs (or
        `acs`), proxierd (gateway bootstrapped)."""
        paths = sim_profiles or list(profiles)
        self.sim = Sim(self, paths, len(paths), SIM_PORT)
        self.udns = [self.sim.command("udn %d" % i) for i in range(len(paths))]
        for line in sim_commands:
            self.sim.command(line)
        self.acs = acs or self.start_acs()
        self.px = self.make_proxierd(self.acs, **proxierd_options)
        set_upnp_section(self.px.config_path, enabled=True, interface="lo",
                         port=PROXIERD_UPNP_PORT, search_interval=300,
                         action_timeout_ms=upnp_timeout_ms)
        with open(self.px.config_path, "a") as f:
            f.write('\n[proxy]\ndefault_mode = "embedded"\nretry_base_ms = 200\n'
                    'virtual_reboot_timeout = 30\n' + PLUG_RULE + proxy)
        self.px.start()
        self.acs.wait(sessions_ended=0)
        return self.acs, self.px

    # -- the gateway -----------------------------------------------------------------------------
    def gw_values(self, *names):
        r = self.acs.run_ok({"name": "GetParameterValues", "names": list(names)})
        return {name: value for name, value, _ in r["values"]}

    def proxy_row(self, udn):
        """(path, {param: value}) of the X_02C0DE_Proxy.Device row of `udn`."""
        for i, row in rows(self.gw_values(PROXY), PROXY + "Device.").items():
            if row.get("UDN") == udn:
                return "%sDevice.%d." % (PROXY, i), row
        return None, None

    # -- virtual devices -------------------------------------------------------------------------
    def vd_id(self, udn, timeout=30):
        """lab-acs id of the virtual device of `udn` once its first session has ended."""
        def find():
            for d in self.acs.devices():
                if d["id"] == GATEWAY_ID or not d.get("connection_request_url"):
                    continue
                if d.get("sessions_ended", 0) < 1:
                    continue
                url = d["connection_request_url"]
                if self.cr_user_of(url) and self.udn_of_vd(d["id"]) == udn:
                    return d["id"]
            return None
        return wait_for(find, timeout=timeout, interval=0.1, what="virtual device of " + udn)

    def udn_of_vd(self, device_id):
        """The UDN of a virtual device, from the X_02C0DE_Proxy rows (cached per id)."""
        cache = self.__dict__.setdefault("_vd_udns", {})
        if device_id not in cache:
            device = self.acs.device(device_id)
            serial = device["serial_number"]
            for i in range(len(self.udns)):
                if self.sim.command("get %d /UPnP/DM/DeviceInfo/PhysicalDevice/DeviceID/SerialNumber"
                                    % i) == serial:
                    cache[device_id] = self.udns[i]
        return cache.get(device_id)

    @staticmethod
    def cr_user_of(url):
        m = re.search(r"/vd/(\d+)$", url)
        return "vd" + m.group(1) if m else None

    def vd_cr(self, device_id, password=None):
        """HTTP status of a connection request to a virtual device with its own credentials."""
        d = self.acs.device(device_id)
        url = d["connection_request_url"]
        udn = self.udn_of_vd(device_id)
        return self.acs.connection_request(url, self.cr_user_of(url),
                                           password or derived_cr_password(udn))

    def vd_run(self, device_id, task, wait=30):
        """Queues `task` on a virtual device, wakes it with its own CR, returns the finished task."""
        self.acs.wait_idle(device_id)
        task_id = self.acs.queue(task, device_id)
        status = self.vd_cr(device_id)
        self.assertEqual(status, 200, "connection request to %s" % device_id)
        return self.acs.result(task_id, wait)

    def vd_run_ok(self, device_id, task, wait=30):
        t = self.vd_run(device_id, task, wait)
        self.assertEqual(t["state"], "done", t)
        return t["response"]

    def vd_values(self, device_id, *names):
        r = self.vd_run_ok(device_id, {"name": "GetParameterValues", "names": list(names)})
        return {name: value for name, value, _ in r["values"]}

    def informs(self, device_id):
        return self.acs.informs(device_id)

    def wait_inform_with(self, device_id, codes, after, timeout=40):
        """The first Inform of `device_id` after index `after` whose events include `codes`."""
        def find():
            for inform in self.informs(device_id)[after:]:
                got = {e[0] for e in inform["events"]}
                if set(codes) <= got:
                    return inform
            return None
        return wait_for(find, timeout=timeout, interval=0.2,
                        what="Inform with %s from %s" % (codes, device_id))
