#!/usr/bin/env python3
"""The demo tour (run by scripts/demo.sh after the build): lab-acs, upnp-dm-sim and proxierd on
loopback.

Each step is one function taking the shared Tour and printing what it shows; STEPS lists them in
order: the gateway's bootstrap and a GPV, the appliances in embedded mode (here), then the
virtual-mode steps (scripts/demo_virtual.py: the smart plug as a CPE of its own, read, written,
rebooted; the NAS switched from embedded to virtual by the ACS). Every process runs on 127.0.0.1
with free ports in a temporary directory and is stopped at the end, also when a step fails.
"""
import argparse
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import tomllib
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import harness  # noqa: E402  (process and lab-acs API helpers shared with the integration tests)
import demo_virtual  # noqa: E402
from demo_lib import devices_table, gpv, table, wait_bootstrapped  # noqa: E402

DEMO_GPV = [
    "Device.DeviceInfo.Manufacturer",
    "Device.DeviceInfo.ManufacturerOUI",
    "Device.DeviceInfo.ProductClass",
    "Device.DeviceInfo.SerialNumber",
    "Device.DeviceInfo.SoftwareVersion",
    "Device.DeviceInfo.UpTime",
    "Device.ManagementServer.URL",
    "Device.ManagementServer.ConnectionRequestURL",
    "Device.ManagementServer.PeriodicInformEnable",
    "Device.ManagementServer.PeriodicInformInterval",
    "Device.ManagementServer.ParameterKey",
]


def derive_config(template, overrides):
    """The text of `template` (a TOML file) with `overrides` {section: {key: toml_value}}
    applied: existing keys get the new value (their comment kept), missing ones are added at the
    end of their section (or in a new section). Everything else stays as it is."""
    key_re = re.compile(r"^(\s*)([A-Za-z0-9_]+)(\s*=\s*)(\"(?:[^\"\\]|\\.)*\"|[^#]*?)(\s*#.*)?$")
    pending = {s: dict(kv) for s, kv in overrides.items()}
    out, section = [], None

    def flush(section):
        at = len(out)
        while at > 0 and not out[at - 1].strip():
            at -= 1  # before the blank lines that end the section
        out[at:at] = ["%s = %s" % kv for kv in pending.pop(section, {}).items()]

    for line in template.splitlines():
        header = re.match(r"^\s*\[(\[?)([^\]]+)\]", line)
        if header:
            flush(section)
            section = None if header.group(1) else header.group(2).strip()  # [[arrays]] untouched
        else:
            m = key_re.match(line)
            if m and m.group(2) in pending.get(section, {}):
                line = "".join([m.group(1), m.group(2), m.group(3),
                                pending[section].pop(m.group(2)), m.group(5) or ""])
        out.append(line)
    flush(section)
    for section in list(pending):
        out.append("\n[%s]" % section)
        flush(section)
    return "\n".join(out) + "\n"


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Tour:
    def __init__(self, build_dir, workdir):
        self.build_dir = build_dir
        self.dir = workdir
        self.processes = []  # stopped in reverse order at the end
        self.acs = None
        self.px = None
        self.device_id = None
        self.config = None  # proxierd's configuration file
        self.sim_socket = os.path.join(workdir, "sim.sock")  # upnp-dm-sim's control socket
        self.sim_count = 3
        self.vds = {}  # lab id of each virtual device -> {"udn", "credentials": (user, password)}
        self.plug = None  # lab id of the smart plug
        self.acs_user, self.acs_password = "demo-acs", secrets.token_hex(8)
        self.cr_user, self.cr_password = "demo-cr", secrets.token_hex(8)

    def record_pid(self, proc):
        # demo.sh's EXIT trap stops whatever is listed here if this script dies abruptly.
        with open(os.path.join(self.dir, "pids"), "a") as f:
            f.write("%d\n" % proc.pid)

    def stop_all(self):
        codes = []
        for name, p in reversed(self.processes):
            if p.alive():
                codes.append((name, p.stop()))
        self.processes = []
        return codes


def step_lab_acs(t):
    """lab-acs: CWMP endpoint with Digest auth, JSON API, file server."""
    t.acs = harness.LabAcs(t.dir, extra_args=["--username", t.acs_user, "--password", t.acs_password,
                                              "--log-level", "info"],
                           cr_username=t.cr_user, cr_password=t.cr_password)
    t.processes.append(("lab-acs", t.acs.proc))
    t.record_pid(t.acs.proc)
    print("lab-acs   CWMP %s  API %s  (Digest user %s)" % (t.acs.cwmp_url, t.acs.api, t.acs_user))


def step_proxierd(t):
    """proxierd with a configuration derived from etc/proxierd.toml."""
    cr_port = harness.free_port()
    with open(os.path.join(ROOT, "etc", "proxierd.toml")) as f:
        template = f.read()
    hooks = {k: '""' for k in ("reboot", "factory_reset", "apply_firmware", "apply_config")}
    text = derive_config(template, {
        "acs": {"url": q(t.acs.cwmp_url), "username": q(t.acs_user), "password": q(t.acs_password)},
        "connection_request": {"listen": q("127.0.0.1:%d" % cr_port), "username": q(t.cr_user),
                               "password": q(t.cr_password), "rate_limit": "100"},
        "storage": {"path": q(os.path.join(t.dir, "store", "proxier.db"))},
        "upnp": {"interface": q("lo"), "port": "61001"},
        "hooks": hooks,  # nothing real happens on Reboot/Download in the demo
        "log": {"level": q("info")},
    })
    config = os.path.join(t.dir, "proxierd.toml")
    with open(config, "w") as f:
        f.write(text)
    check = subprocess.run([t.proxierd, "--config", config, "--check-config"],
                           capture_output=True, text=True, timeout=30)
    if check.returncode != 0:
        raise RuntimeError("generated configuration refused:\n" + check.stdout + check.stderr)
    t.config = config
    show_mode_rules(text)
    t.started = time.monotonic()
    t.px = harness.Process([t.proxierd, "--config", config, "--foreground"],
                           os.path.join(t.dir, "proxierd.log"))
    t.processes.append(("proxierd", t.px))
    t.record_pid(t.px)
    print("proxierd  pid %d, config %s (from etc/proxierd.toml: ACS = lab-acs, connection"
          " requests on 127.0.0.1:%d, store in the temporary directory, hooks off)"
          % (t.px.pid, config, cr_port))


def show_mode_rules(text):
    """The [proxy] mode rules the demo runs with (from etc/proxierd.toml), which must send at least
    one simulated appliance to virtual mode."""
    proxy = tomllib.loads(text).get("proxy", {})
    rules = ["%s -> %s" % (", ".join("%s = %s" % kv for kv in r.get("match", {}).items()),
                           r.get("mode")) for r in proxy.get("rule", [])]
    print("mode rules: default %s; %s" % (proxy.get("default_mode", "embedded"),
                                          "; ".join(rules) or "none"))
    if not any(r.get("mode") == "virtual" for r in proxy.get("rule", [])):
        raise RuntimeError("etc/proxierd.toml has no [[proxy.rule]] with mode = \"virtual\"")


def step_bootstrap(t):
    """Waits for proxierd's first session (0 BOOTSTRAP, 1 BOOT) to end."""
    device = harness.wait_for(lambda: t.acs.devices(), timeout=30, what="the first Inform")[0]
    t.device_id = device["id"]
    device = t.acs.wait(t.device_id, sessions_ended=0, timeout=30)
    t.bootstrap_s = time.monotonic() - t.started
    print("bootstrap session done %.2f s after start; proxierd RSS %s kB" %
          (t.bootstrap_s, t.px.rss_kib()))
    wait_bootstrapped(t, 2)  # the smart plug's virtual device, before the tour's first request
    print("the smart plug's virtual device bootstrapped %.2f s after start"
          % (time.monotonic() - t.started))
    step_devices(t)


def step_devices(t):
    """The lab's device list."""
    devices_table(t)


def step_gpv(t):
    """A GetParameterValues queued through the lab's API, with a connection request."""
    started = time.monotonic()
    task_id = t.acs.queue({"name": "GetParameterValues", "names": DEMO_GPV}, t.device_id,
                          connection_request=True)
    task = t.acs.result(task_id, wait=30)
    if task["state"] != "done":
        raise RuntimeError("GPV ended %s: %s" % (task["state"], task["response"]))
    print("POST %s/devices/%s/tasks?connection_request=1 -> task %d, connection request 200, "
          "answered in %.2f s" % (t.acs.api, urllib.parse.quote(t.device_id), task_id,
                                  time.monotonic() - started))
    order = {name: i for i, name in enumerate(DEMO_GPV)}
    values = sorted(task["response"]["values"], key=lambda v: order.get(v[0], len(order)))
    table(["name", "type", "value"], [[name, xsd, value] for name, value, xsd in values])
    print()
    step_devices(t)


def step_log(t):
    """proxierd's own account of the sessions."""
    lines = [l for l in t.px.text().splitlines()
             if re.search(r" (INFO|WARN|ERROR) (cwmp|cr|proxierd|proxy|vd): ", l)]
    for line in lines[-12:]:
        print("  " + line)


def step_sim(t):
    """upnp-dm-sim: three appliances (smart plug, NAS, set-top box) on lo."""
    profiles = os.path.join(ROOT, "etc", "sim")
    args = [os.path.join(t.build_dir, "apps", "upnp-dm-sim", "upnp-dm-sim"),
            "--count", str(t.sim_count), "--port", "61000", "--interface", "lo",
            "--ip", "127.0.0.1", "--control-socket", t.sim_socket]
    for name in ("smart-plug", "nas", "set-top-box"):
        args += ["--profile", os.path.join(profiles, name + ".toml")]
    proc = harness.Process(args, os.path.join(t.dir, "sim.log"), ready_prefix="READY", timeout=30)
    t.processes.append(("upnp-dm-sim", proc))
    t.record_pid(proc.proc)
    print("upnp-dm-sim: %s" % proc.ready_line)


def step_embedded(t):
    """The appliances as the ACS sees them through the gateway: modes, then an embedded NAS
    read and written with GetParameterValues / SetParameterValues."""
    def proxied():
        values = {n: v for n, v, _ in gpv(t, ["Device.X_02C0DE_Proxy.Device."])}
        rows = {}
        for n, v in values.items():
            row, _, param = n.rpartition(".")
            rows.setdefault(row, {})[param] = v
        return rows if len(rows) >= 3 else None
    rows = harness.wait_for(proxied, timeout=30, interval=0.5, what="three proxied devices")
    table(["row", "friendly name", "mode", "effective", "online"],
          [[r, v.get("FriendlyName", ""), v.get("Mode", ""), v.get("EffectiveMode", ""),
            v.get("Online", "")] for r, v in sorted(rows.items())])
    nas = [v["UDN"] for v in rows.values() if v.get("FriendlyName", "").startswith("Home NAS")][0]

    def nas_row():
        values = {n: v for n, v, _ in gpv(t, ["Device.X_02C0DE_ProxiedDevice."])}
        for n, v in values.items():
            if n.endswith(".UDN") and v == nas:
                row = n[: -len("UDN")]
                if any(k.startswith(row + "UPnP.DM.") for k in
                       (x[0] for x in gpv(t, [row]))):
                    return row
        return None
    row = harness.wait_for(nas_row, timeout=30, interval=0.5, what="the NAS's embedded subtree")
    host = row + "UPnP.DM.Configuration.Network.HostName"
    names = [host, row + "UPnP.DM.Storage.Volume.1.Name", row + "UPnP.DM.Storage.Volume.1.CapacityMB",
             row + "UPnP.DM.Storage.Volume.1.Healthy", row + "Online"]
    table(["name", "type", "value"], [[n, x, v] for n, v, x in gpv(t, names)])
    print("\nSetParameterValues %s = demo-nas" % host)
    r = t.acs.run_ok({"name": "SetParameterValues", "values": [[host, "demo-nas", "xsd:string"]]},
                     t.device_id)
    print("  status %s (accepted, delivered to the device afterwards)" % r["status"])
    ed = [n[: -len("Reference")] for n, v, _ in gpv(t, ["Device.ManagementServer.EmbeddedDevice."])
          if n.endswith(".Reference") and v == row[:-1]][0]
    harness.wait_for(lambda: {n: v for n, v, _ in gpv(t, [ed + "CommandProcessed"])}
                     [ed + "CommandProcessed"] == "Success", timeout=20, interval=0.5,
                     what="CommandProcessed Success")
    table(["name", "type", "value"],
          [[n, x, v] for n, v, x in gpv(t, [host, ed + "CommandProcessed", ed + "LastSyncTime"])])


def step_stop(t):
    """SIGTERM to both; both must exit 0."""
    codes = t.stop_all()
    print("  ".join("%s exit %s" % c for c in codes))
    bad = [c for c in codes if c[1] != 0]
    if bad:
        raise RuntimeError("unclean exit: %s" % bad)


STEPS = [
    ("start lab-acs", step_lab_acs),
    ("start upnp-dm-sim", step_sim),
    ("start proxierd", step_proxierd),
    ("bootstrap", step_bootstrap),
    ("GetParameterValues through the lab's API", step_gpv),
    ("UPnP DM appliances through the gateway (embedded mode)", step_embedded),
    ("the gateway and a virtual device: two CPEs", demo_virtual.step_two_cpes),
    ("virtual device: read", demo_virtual.step_vd_read),
    ("virtual device: write", demo_virtual.step_vd_write),
    ("virtual device: Reboot -> 1 BOOT", demo_virtual.step_vd_reboot),
    ("from embedded to virtual, from the ACS", demo_virtual.step_switch),
    ("proxierd log", step_log),
    ("stop", step_stop),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--workdir", help="temporary directory (default: a new one, removed)")
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    os.environ["PROXIER_PROXIERD"] = os.path.join(build, "apps", "proxierd", "proxierd")
    os.environ["PROXIER_LAB_ACS"] = os.path.join(build, "apps", "lab-acs", "lab-acs")
    workdir = args.workdir or __import__("tempfile").mkdtemp(prefix="proxier-demo-")
    tour = Tour(build, workdir)
    tour.proxierd = os.environ["PROXIER_PROXIERD"]
    # SIGTERM/SIGINT/SIGHUP end the tour through the finally below.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda s, f: sys.exit(128 + s))
    started = time.monotonic()
    try:
        for title, step in STEPS:
            print("\n== %s" % title)
            step(tour)
    except Exception as e:
        print("\ndemo failed in step '%s': %s" % (title, e), file=sys.stderr)
        for name in ("proxierd.log", "lab-acs.log"):
            path = os.path.join(workdir, name)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    tail = f.read().splitlines()[-25:]
                print("--- %s (tail)\n%s" % (name, "\n".join(tail)), file=sys.stderr)
        if not args.workdir:
            print("files kept in %s" % workdir, file=sys.stderr)
        return 1
    finally:
        tour.stop_all()
    print("\ndemo done in %.1f s" % (time.monotonic() - started))
    if not args.workdir:
        __import__("shutil").rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
