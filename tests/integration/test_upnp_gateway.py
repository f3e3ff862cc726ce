"""proxierd's UPnP control point end to end: upnp-dm-sim devices on lo, lab-acs reads the
gateway's Device.UPnP.Discovery/Description rows with GetParameterValues.

Every UPnP process must run in a network namespace that the test made (../shared/testbed.md):
CTest runs this file under `unshare -n` with lo up and the SSDP multicast route on lo, and the
tests refuse to start (skip) when the namespace has any interface besides lo. libupnp ports are
fixed and >= 61000, which is safe because nothing else lives in the namespace.
"""
import os
import socket
import unittest

from harness import IntegrationTest, Process, program, wait_for

SIM_PORT = 61000
PROXIERD_UPNP_PORT = 61001
PROFILES = os.environ.get("PROXIER_SIM_PROFILES") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "etc", "sim")
DISCOVERY = "Device.UPnP.Discovery."
DESCRIPTION = "Device.UPnP.Description."


def in_private_namespace():
    """True when the only network interface is lo (a namespace made by unshare -n)."""
    return [name for _, name in socket.if_nameindex()] == ["lo"]


def set_upnp_section(config_path, **keys):
    """Replaces the [upnp] table of a generated proxierd configuration by `keys`."""
    with open(config_path) as f:
        lines = f.read().splitlines()
    if "[upnp]" not in lines:
        raise AssertionError("no [upnp] table in %s" % config_path)
    start = lines.index("[upnp]") + 1
    end = start
    while end < len(lines) and not lines[end].startswith("["):
        end += 1

    def toml(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v) if isinstance(v, int) else '"%s"' % v

    lines[start:end] = ["%s = %s" % (k, toml(v)) for k, v in keys.items()] + [""]
    with open(config_path, "w") as f:
        f.write("\n".join(lines) + "\n")


def rows(values, table):
    """{instance: {param: value}} of the rows of `table` ("Device.UPnP.Discovery.RootDevice.")."""
    out = {}
    for name, value in values.items():
        if not name.startswith(table):
            continue
        instance, _, param = name[len(table):].partition(".")
        if instance.isdigit() and param and "." not in param:
            out.setdefault(int(instance), {})[param] = value
    return out


class Sim:
    """upnp-dm-sim with a control socket; `command` sends one line and returns the reply."""

    def __init__(self, test, profiles, count, port):
        self.socket_path = test.path("sim.sock")
        args = [*program("upnp-dm-sim"), "--count", str(count), "--port", str(port),
                "--interface", "lo", "--ip", "127.0.0.1", "--control-socket", self.socket_path]
        for p in profiles:  # a profile name of etc/sim, or a profile file's path
            args += ["--profile", p if p.endswith(".toml") else os.path.join(PROFILES, p + ".toml")]
        self.proc = Process(args, test.path("sim.log"), ready_prefix="READY", timeout=30)
        test._processes.append(self)

    def command(self, line):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(self.socket_path)
            s.sendall((line + "\n").encode())
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        reply = reply.decode().strip()
        if not reply.startswith("OK"):
            raise AssertionError("sim command %r: %s" % (line, reply))
        return reply[2:].strip()

    def stop(self):
        return self.proc.stop()


@unittest.skipUnless(in_private_namespace(),
                     "UPnP tests run only in a private network namespace (see the ctest command)")
class UpnpGatewayTest(IntegrationTest):
    def gpv(self, acs, *names):
        r = acs.run_ok({"name": "GetParameterValues", "names": list(names)})
        return {name: value for name, value, _ in r["values"]}

    def test_discovered_devices_appear_in_the_gateway_model(self):
        sim = Sim(self, ["smart-plug", "nas"], 2, SIM_PORT)
        uuids = [sim.command("udn %d" % i) for i in range(2)]
        expected = {uuids[0]: ("Smart Plug 0", "SmartPlug", "Acme Home Devices"),
                    uuids[1]: ("Home NAS 1", "StorixNAS", "Storix")}
        acs = self.start_acs()
        px = self.make_proxierd(acs)
        set_upnp_section(px.config_path, enabled=True, interface="lo", port=PROXIERD_UPNP_PORT,
                         search_interval=300, action_timeout_ms=5000)
        px.start()
        acs.wait(sessions_ended=0)
        # The control point subscribes to a device's DM services after it has read the
        # description, so subscriptions on both devices mean both were found and described.
        wait_for(lambda: all(sim.command("sids %d" % i) for i in range(2)), timeout=30,
                 interval=0.1, what="GENA subscriptions from proxierd on both devices")

        def complete():
            values = self.gpv(acs, "Device.UPnP.")
            roots = {r.get("UUID"): r for r in rows(values, DISCOVERY + "RootDevice.").values()}
            instances = {r.get("UDN"): r for r in rows(values, DESCRIPTION + "DeviceInstance.").values()}
            if all(u in roots and u in instances for u in uuids):
                return values, roots, instances
            return None

        values, roots, instances = wait_for(complete, timeout=20, interval=0.25,
                                            what="Discovery and Description rows of both devices")
        self.assertEqual(values[DISCOVERY + "RootDeviceNumberOfEntries"], "2")
        self.assertEqual(values[DESCRIPTION + "DeviceInstanceNumberOfEntries"], "2")
        root_rows = rows(values, DISCOVERY + "RootDevice.")
        for uuid, (friendly, model, manufacturer) in expected.items():
            root = roots[uuid]
            self.assertEqual(root["Status"], "LeaseActive", root)
            self.assertTrue(root["USN"].startswith("uuid:" + uuid), root)
            self.assertTrue(root["Location"].startswith("http://127.0.0.1:%d/" % SIM_PORT), root)
            self.assertEqual(root["LeaseTime"], "1800", root)
            instance = instances[uuid]
            self.assertEqual(instance["FriendlyName"], friendly, instance)
            self.assertEqual(instance["ModelName"], model, instance)
            self.assertEqual(instance["Manufacturer"], manufacturer, instance)
            self.assertEqual(instance["ParentDevice"], "", instance)
            number = [n for n, r in root_rows.items() if r["UUID"] == uuid][0]
            self.assertEqual(instance["DiscoveryDevice"], DISCOVERY + "RootDevice.%d" % number)
        log = px.log()
        self.assertIn("UPnP control point on lo (127.0.0.1), HTTP/GENA port %d" % PROXIERD_UPNP_PORT, log)
        # SIGTERM stops the control point before the loop ends, and the daemon exits cleanly.
        self.assertEqual(px.stop(), 0)
        lines = [line.split(" ", 2)[-1] for line in px.log().splitlines()]
        order = [lines.index(text) for text in ("proxierd: signal 15: stopping",
                                                "proxierd: UPnP control point stopped",
                                                "proxierd: stopped")]
        self.assertEqual(order, sorted(order), "\n".join(lines[-10:]))

    def test_a_bad_interface_leaves_the_gateway_manageable(self):
        acs = self.start_acs()
        px = self.make_proxierd(acs)
        set_upnp_section(px.config_path, interface="nosuch0", port=PROXIERD_UPNP_PORT)
        px.start()
        acs.wait(sessions_ended=0)
        values = self.gpv(acs, "Device.DeviceInfo.SerialNumber", DISCOVERY + "RootDeviceNumberOfEntries")
        self.assertEqual(values["Device.DeviceInfo.SerialNumber"], "IT0001")
        self.assertEqual(values[DISCOVERY + "RootDeviceNumberOfEntries"], "0")
        log = px.log()
        self.assertIn("UPnP control point on 'nosuch0' not available, running without it", log)
        self.assertIn("UPnP off", log)
        self.assertEqual(px.stop(), 0)

    def test_disabled_control_point(self):
        acs = self.start_acs()
        px = self.make_proxierd(acs)
        set_upnp_section(px.config_path, enabled=False, interface="lo")
        px.start()
        acs.wait(sessions_ended=0)
        self.assertIn("UPnP off", px.log())
        self.assertNotIn("UPnP control point", px.log())
        self.assertEqual(px.stop(), 0)


if __name__ == "__main__":
    unittest.main()
