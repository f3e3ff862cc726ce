"""Helpers shared by the demo tour's steps (scripts/demo_tour.py, scripts/demo_virtual.py):
tables, the lab ACS's device list, reads of the gateway, tasks on a virtual device."""
import socket
import subprocess
import urllib.parse

import harness


def table(headers, rows):
    """Prints rows (lists of strings) under headers, columns padded to fit."""
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)] if rows else \
        [len(h) for h in headers]
    line = "  ".join("%-*s" % (w, h) for w, h in zip(widths, headers))
    print("  " + line.rstrip())
    print("  " + "  ".join("-" * w for w in widths))
    for row in rows:
        print("  " + "  ".join("%-*s" % (w, c) for w, c in zip(widths, row)).rstrip())


def events(inform):
    """"0 BOOTSTRAP, 1 BOOT, M Reboot demo" of an Inform in the lab's shape."""
    return ", ".join(c + (" " + k if k else "") for c, k in inform["events"])


def devices_table(t):
    """The lab ACS's CPEs: one row per DeviceId."""
    rows = []
    for d in t.acs.devices():
        rows.append([d["id"], d["oui"], d["product_class"], d["serial_number"],
                     d["connection_request_url"], str(d["informs"]), events(d["last_inform"])])
    table(["device", "OUI", "product class", "serial", "connection request URL", "informs",
           "last events"], rows)


def wait_bootstrapped(t, count, timeout=30):
    """Waits until the lab knows `count` CPEs and each has ended a session (its bootstrap).
    The tour keeps proxierd's sessions apart: lab-acs (libmicrohttpd 0.9.75) gives every client
    challenged in the same second the same Digest nonce and refuses a repeated nonce count as
    bad credentials (no stale=true), so two sessions interleaving can end in a 401."""
    def done():
        devices = t.acs.devices()
        ok = len(devices) >= count and all(d["sessions_ended"] >= 1 for d in devices)
        return devices if ok else None
    return harness.wait_for(done, timeout=timeout, interval=0.1,
                            what="%d CPEs with a finished bootstrap session" % count)


def gpv(t, names):
    """[[name, value, type]] read from the gateway (task + connection request)."""
    return t.acs.run_ok({"name": "GetParameterValues", "names": names}, t.device_id)["values"]


def rows_of(values, table_path):
    """{"<table_path><i>.": {param: value}} of the GPV values below `table_path` ("X.Y.")."""
    rows = {}
    for name, value, _ in values:
        if not name.startswith(table_path):
            continue
        instance, _, param = name[len(table_path):].partition(".")
        if instance.isdigit() and "." not in param:
            rows.setdefault(table_path + instance + ".", {})[param] = value
    return dict(sorted(rows.items(), key=lambda kv: int(kv[0][len(table_path):-1])))


def vd_password(t, udn):
    """A virtual device's connection-request password as proxierd derives it."""
    out = subprocess.run([t.proxierd, "--config", t.config, "--vd-cr-password", udn],
                         capture_output=True, text=True, timeout=10, check=True)
    return out.stdout.strip()


def vd_user(cr_url):
    """"vd<n>" from a virtual device's connection-request URL ".../vd/<n>"."""
    return "vd" + urllib.parse.urlparse(cr_url).path.rstrip("/").rsplit("/", 1)[-1]


def vd_run(t, device_id, task, credentials=None):
    """Queues `task` on a CPE, then asks the lab for a connection request: with `credentials`
    (user, password) or, when None, the lab's default for the device (the last ones the ACS set
    by SetParameterValues). Returns the task's response; raises if it did not end done."""
    quoted = urllib.parse.quote(device_id, safe="")
    t.acs.wait_idle(device_id)
    task_id = t.acs.queue(task, device_id)
    body = None if credentials is None else {"username": credentials[0],
                                              "password": credentials[1]}
    status, answer = t.acs.call("POST", "/devices/%s/connection-request" % quoted, body)
    if status != 200 or answer.get("status") != 200:
        raise RuntimeError("connection request to %s: %s %s" % (device_id, status, answer))
    result = t.acs.result(task_id, wait=30)
    if result["state"] != "done":
        raise RuntimeError("%s on %s ended %s: %s" % (task["name"], device_id, result["state"],
                                                      result["response"]))
    return result["response"]


def sim_command(t, line):
    """One command on upnp-dm-sim's control socket; returns the answer after "OK"."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(t.sim_socket)
        s.sendall(line.encode() + b"\n")
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    text = answer.decode().strip()
    if not text.startswith("OK"):
        raise RuntimeError("upnp-dm-sim: %s -> %s" % (line, text))
    return text[2:].strip()
