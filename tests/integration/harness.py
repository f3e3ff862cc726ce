"""Process harness for the integration tests: lab-acs, proxierd and upnp-dm-sim on loopback.

Every process listens on 127.0.0.1 only, on free ports, and lives in the test's own temporary
directory (configuration, SQLite store, logs, file server). Every process is stopped when the test
ends, also when it fails. Nothing here sleeps to synchronise: waits are long polls on the lab ACS
API (/devices/{id}/wait, /tasks/{id}?wait=, /transfers?after=) or bounded polls of a condition
with a deadline (wait_for).

The binaries come from the environment (ctest sets them): PROXIER_PROXIERD, PROXIER_LAB_ACS,
PROXIER_UPNP_DM_SIM, and PROXIER_EMULATOR (a cross build's qemu-user, prefixed to every program
started through program()). Set PROXIER_KEEP=1 to keep every test's directory.
"""
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

GATEWAY_ID = "02C0DE-ProxierGW-IT0001"  # OUI-ProductClass-SerialNumber of the default config
CR_USER = "cruser"
CR_PASSWORD = "Cr-Secret-7f3a"


def binary(name):
    var = "PROXIER_" + name.upper().replace("-", "_")
    path = os.environ.get(var)
    if not path:
        raise unittest.SkipTest("binary path for %s not given (env %s)" % (name, var))
    return path


def _elf_machine(path):
    with open(path, "rb") as f:
        header = f.read(20)
    return header[18:20] if header[:4] == b"\x7fELF" else None


def program(name):
    """The argument list that runs binary `name` here: the binary itself, or, when it is built for
    another architecture (a cross build), under PROXIER_EMULATOR (e.g. "/usr/bin/qemu-aarch64").
    A cross build's tests may take the test peers from a native build (PROXIER_LAB_ACS,
    PROXIER_UPNP_DM_SIM): only proxierd then runs emulated."""
    path = binary(name)
    emulator = os.environ.get("PROXIER_EMULATOR", "").split()
    if emulator and _elf_machine(path) != _elf_machine(sys.executable):
        return emulator + [path]
    return [path]


def _reexec_possible():
    """proxierd reboots and factory-resets by exec'ing its own binary. Under qemu-user that works
    only when binfmt_misc knows the emulator (exec of a target binary), never by itself."""
    emulator = os.environ.get("PROXIER_EMULATOR", "").split()
    if not emulator:
        return True
    name = os.path.basename(emulator[0]).replace("-static", "")
    return os.path.exists("/proc/sys/fs/binfmt_misc/" + name)


# For the tests that make proxierd restart itself (Reboot, FactoryReset, firmware).
reexecs = unittest.skipUnless(_reexec_possible(),
                              "proxierd's re-exec needs binfmt_misc for the emulator")


def free_port():
    """A TCP port free on 127.0.0.1 right now (the caller binds it soon after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=20.0, interval=0.02, what="condition"):
    """Polls predicate() until it returns a true value (returned) or raises after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)


def parse_time(text):
    """Seconds since the epoch of an ISO 8601 time from the lab ACS ("2026-11-23T12:52:53.908Z")."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def event_codes(inform):
    """["0 BOOTSTRAP", "M Reboot/key", ...] of an Inform in the lab ACS's shape."""
    return [code + ("/" + key if key else "") for code, key in inform["events"]]


class Process:
    """A child process; stdout and stderr go to `log_path`. `ready_prefix`: a stdout line to wait
    for (the lab ACS's READY line)."""

    def __init__(self, args, log_path, ready_prefix=None, timeout=20.0):
        self.args = args
        self.log_path = log_path
        self._log = open(log_path, "ab", buffering=0)
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self._log)
        self.pid = self.proc.pid
        self.ready_line = None
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read, args=(ready_prefix,), daemon=True)
        self._reader.start()
        if ready_prefix and not self._ready.wait(timeout):
            self.stop()
            raise AssertionError("%s did not become ready; log:\n%s" % (args[0], self.tail()))

    def _read(self, ready_prefix):
        for raw in iter(self.proc.stdout.readline, b""):
            self._log.write(raw)
            line = raw.decode(errors="replace").rstrip("\n")
            if ready_prefix and line.startswith(ready_prefix) and not self._ready.is_set():
                self.ready_line = line
                self._ready.set()

    def text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def tail(self, n=80):
        return "\n".join(self.text().splitlines()[-n:])

    def alive(self):
        return self.proc.poll() is None

    def wait_exit(self, timeout=15.0):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("%s did not exit within %.0fs" % (self.args[0], timeout))

    def stop(self, sig=signal.SIGTERM, timeout=15.0):
        """Sends `sig` (if still running) and returns the exit code (negative: killed by signal)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(5)
        if self.proc.stdout and not self._reader.is_alive():
            self.proc.stdout.close()
            self._log.close()
        return self.proc.returncode

    def rss_kib(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return None


class LabAcs:
    """lab-acs on 127.0.0.1 with free ports, a files directory, and its JSON API as methods."""

    def __init__(self, workdir, name="lab-acs", extra_args=None, cwmp_port=0,
                 cr_username=CR_USER, cr_password=CR_PASSWORD, listen="127.0.0.1"):
        self.files = os.path.join(workdir, name + "-files")
        os.makedirs(self.files, exist_ok=True)
        args = [*program("lab-acs"), "--listen", listen, "--cwmp-port", str(cwmp_port),
                "--api-port", "0", "--files-dir", self.files, "--cr-username", cr_username,
                "--cr-password", cr_password] + (extra_args or [])
        self.proc = Process(args, os.path.join(workdir, name + ".log"), ready_prefix="READY")
        fields = dict(p.split("=", 1) for p in self.proc.ready_line.split()[1:])
        self.cwmp_url = fields["cwmp"]
        self.api = fields["api"].rstrip("/")
        self.files_url = self.cwmp_url.rstrip("/") + "/files/"

    def stop(self):
        return self.proc.stop()

    # -- raw API ------------------------------------------------------------------------------
    def call(self, method, path, body=None, timeout=40):
        """(HTTP status, decoded JSON) of one API call."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.api + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        try:
            return status, (json.loads(text) if text else None)
        except ValueError:
            return status, text

    def get_ok(self, path, timeout=40):
        status, body = self.call("GET", path, timeout=timeout)
        if status != 200:
            raise AssertionError("GET %s: %s %s" % (path, status, body))
        return body

    # -- devices ------------------------------------------------------------------------------
    def devices(self):
        return self.get_ok("/devices")

    def device(self, device_id=GATEWAY_ID):
        return self.get_ok("/devices/" + urllib.parse.quote(device_id, safe=""))

    def informs(self, device_id=GATEWAY_ID):
        return self.get_ok("/devices/%s/informs" % urllib.parse.quote(device_id, safe=""))

    def wait(self, device_id=GATEWAY_ID, informs=None, sessions_ended=None, timeout=30.0):
        """Long poll: the device once it has more than `informs` Informs and more than
        `sessions_ended` finished sessions. Raises on timeout."""
        query = ["timeout=%g" % timeout]
        if informs is not None:
            query.append("informs=%d" % informs)
        if sessions_ended is not None:
            query.append("sessions_ended=%d" % sessions_ended)
        path = "/devices/%s/wait?%s" % (urllib.parse.quote(device_id, safe=""), "&".join(query))
        status, body = self.call("GET", path, timeout=timeout + 10)
        if status != 200:
            raise AssertionError("device %s: no Inform > %s / ended session > %s within %gs (%s)"
                                 % (device_id, informs, sessions_ended, timeout, status))
        return body

    def no_inform_after(self, count, device_id=GATEWAY_ID, within=1.5):
        """True if the device sends no Inform beyond `count` within `within` seconds (a bounded
        long poll that is expected to time out)."""
        path = "/devices/%s/wait?informs=%d&timeout=%g" % (
            urllib.parse.quote(device_id, safe=""), count, within)
        status, _ = self.call("GET", path, timeout=within + 10)
        return status == 408

    # -- tasks --------------------------------------------------------------------------------
    def wait_idle(self, device_id=GATEWAY_ID, timeout=10.0):
        """Waits (bounded, without failing) until no session of the device is open, so that a
        task queued next goes into a session of its own rather than the end of the last one."""
        status, d = self.call("GET", "/devices/" + urllib.parse.quote(device_id, safe=""))
        if status == 200 and d["sessions"] > d["sessions_ended"]:
            path = "/devices/%s/wait?sessions_ended=%d&timeout=%g" % (
                urllib.parse.quote(device_id, safe=""), d["sessions"] - 1, timeout)
            self.call("GET", path, timeout=timeout + 10)

    def queue(self, task, device_id=GATEWAY_ID, connection_request=False):
        """Queues a task; returns its id (and checks the connection request if one was asked).
        With a connection request, first waits for the device's open session to end: the task
        then runs in the connection-request session."""
        if connection_request:
            self.wait_idle(device_id)
        path = "/devices/%s/tasks%s" % (urllib.parse.quote(device_id, safe=""),
                                        "?connection_request=1" if connection_request else "")
        status, body = self.call("POST", path, task)
        if status != 200:
            raise AssertionError("task refused: %s %s" % (status, body))
        if connection_request and body.get("connection_request", {}).get("status") != 200:
            raise AssertionError("connection request for task %s failed: %s" % (task, body))
        return body["id"]

    def result(self, task_id, wait=30):
        """The task once it is done or fault."""
        status, body = self.call("GET", "/tasks/%d?wait=%g" % (task_id, wait), timeout=wait + 10)
        if status != 200 or body.get("state") not in ("done", "fault"):
            raise AssertionError("task %s not finished within %ss: %s %s" % (task_id, wait, status, body))
        return body

    def run(self, task, device_id=GATEWAY_ID, wait=30):
        """Queues a task, sends a connection request, returns the finished task."""
        return self.result(self.queue(task, device_id, connection_request=True), wait)

    def run_ok(self, task, device_id=GATEWAY_ID, wait=30):
        """Like run() but expects state done; returns the response."""
        t = self.run(task, device_id, wait)
        if t["state"] != "done":
            raise AssertionError("task %s ended %s: %s" % (task["name"], t["state"], t["response"]))
        return t["response"]

    # -- connection requests, transfers, files, config ------------------------------------------
    def connection_request(self, url, username, password):
        """HTTP status proxierd answered to a Digest connection request (or raises)."""
        status, body = self.call("POST", "/connection-request",
                                 {"url": url, "username": username, "password": password})
        if status != 200:
            raise AssertionError("connection request not sent: %s %s" % (status, body))
        return body["status"]

    def transfers(self, after=None, wait=30):
        if after is None:
            return self.get_ok("/transfers")
        return self.get_ok("/transfers?after=%d&wait=%g" % (after, wait), timeout=wait + 10)

    def files_log(self, after=None, wait=30):
        if after is None:
            return self.get_ok("/files-log")
        return self.get_ok("/files-log?after=%d&wait=%g" % (after, wait), timeout=wait + 10)

    def config(self, **kwargs):
        status, body = self.call("POST", "/config", kwargs)
        if status != 200:
            raise AssertionError("config refused: %s %s" % (status, body))
        return body


class UpnpDmSim:
    """upnp-dm-sim: `count` simulated UPnP DM devices of `profile` (etc/sim/<profile>.toml) on lo.
    UPnP needs multicast on lo: use it only in a private network namespace (see CMakeLists.txt),
    never next to other processes' devices."""

    SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

    def __init__(self, workdir, profile="nas", count=1, name="sim", seed=None, index_base=None):
        self.port = free_port_at_least(61000)
        args = [*program("upnp-dm-sim"), "--profile",
                os.path.join(self.SOURCE_DIR, "etc", "sim", profile + ".toml"),
                "--count", str(count), "--interface", "lo", "--port", str(self.port)]
        if seed is not None:
            args += ["--uuid-seed", seed]
        if index_base is not None:
            args += ["--index-base", str(index_base)]
        self.proc = Process(args, os.path.join(workdir, name + ".log"), ready_prefix="READY")

    def stop(self):
        return self.proc.stop()


def free_port_at_least(low):
    """A TCP port >= low free on 127.0.0.1 now (libupnp 1.8 wants its HTTP port >= 61000)."""
    for port in range(low + os.getpid() % 2000, 65535):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port above %d" % low)


CONFIG = """\
# generated by tests/integration/harness.py
[device]
manufacturer = "Proxier"
oui = "02C0DE"
product_class = "ProxierGW"
serial_number = "{serial}"

[acs]
url = "{acs_url}"
username = "{acs_username}"
password = "{acs_password}"
periodic_inform_enable = {periodic}
periodic_inform_interval = {periodic_interval}
retry_min_wait = {retry_min_wait}
retry_multiplier = {retry_multiplier}
{acs_extra}

[connection_request]
listen = "{cr_host}:{cr_port}"
username = "{cr_user}"
password = "{cr_password}"
rate_limit = {rate_limit}
rate_window = {rate_window}

[storage]
path = "{db}"

[upnp]
enabled = {upnp_enabled}
interface = "lo"

[hooks]
reboot = "{hook_reboot}"
factory_reset = "{hook_factory_reset}"
apply_firmware = "{hook_apply_firmware}"
apply_config = "{hook_apply_config}"

[log]
level = "debug"
"""


def toml_escape(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


class Proxierd:
    """proxierd with a generated configuration in `workdir`; the store survives restarts.

    The UPnP control point is off by default ([upnp] enabled = false): the CWMP tests must not
    see UPnP devices that other processes announce on the loopback interface. Tests of the proxy
    turn it on with upnp_enabled="true"."""

    def __init__(self, workdir, acs_url, name="proxierd", **options):
        self.workdir = workdir
        self.name = name
        self.cr_port = options.pop("cr_port", None) or free_port()
        self.db = os.path.join(workdir, name + "-store", "proxier.db")
        self.config_path = os.path.join(workdir, name + ".toml")
        self.log_path = os.path.join(workdir, name + ".log")
        values = dict(serial="IT0001", acs_url=acs_url, acs_username="", acs_password="",
                      periodic="false", periodic_interval=3600, retry_min_wait=1,
                      retry_multiplier=2000, cr_port=self.cr_port, cr_user=CR_USER,
                      cr_password=CR_PASSWORD, rate_limit=100, rate_window=60, db=self.db,
                      hook_reboot="", hook_factory_reset="", hook_apply_firmware="",
                      hook_apply_config="", upnp_enabled="false", acs_extra="",
                      cr_host="127.0.0.1")
        unknown = set(options) - set(values)
        if unknown:
            raise TypeError("unknown proxierd options %s" % sorted(unknown))
        values.update(options)
        self.options = values
        with open(self.config_path, "w") as f:
            f.write(CONFIG.format(**{k: toml_escape(v) if isinstance(v, str) and k != "acs_extra"
                                     else v for k, v in values.items()}))
        self.cr_url = "http://127.0.0.1:%d/cr" % self.cr_port
        self.proc = None
        self.started_at = None

    def start(self):
        """Starts (or starts again on the same store)."""
        assert self.proc is None or not self.proc.alive(), "proxierd already running"
        self.started_at = time.monotonic()
        self.proc = Process([*program("proxierd"), "--config", self.config_path, "--foreground"],
                            self.log_path)
        return self

    def stop(self):
        """SIGTERM; returns the exit code."""
        return self.proc.stop() if self.proc else None

    def kill9(self):
        return self.proc.stop(signal.SIGKILL)

    def alive(self):
        return self.proc is not None and self.proc.alive()

    def log(self):
        return self.proc.text() if self.proc else ""

    def count_in_log(self, text):
        return self.log().count(text)


class IntegrationTest(unittest.TestCase):
    """Base class: a temporary directory per test and cleanup of every process started through
    it, in reverse order, whatever happens. On failure the logs' tails are printed and the
    directory is kept."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="px-it-%s-" % self._testMethodName[:40])
        self._processes = []
        self.addCleanup(self._cleanup)

    def _failed(self):
        outcome = getattr(self, "_outcome", None)
        if outcome is None:
            return False
        if hasattr(outcome, "errors"):  # Python <= 3.10
            return any(exc for _, exc in outcome.errors)
        result = outcome.result
        return any(test is self for test, _ in list(result.errors) + list(result.failures))

    def _cleanup(self):
        for p in reversed(self._processes):
            try:
                p.stop()
            except Exception as e:  # keep stopping the others
                print("stopping %s: %s" % (p, e), file=sys.stderr)
        if self._failed():
            for name in sorted(os.listdir(self.dir)):
                if name.endswith(".log"):
                    with open(os.path.join(self.dir, name), "rb") as f:
                        lines = f.read().decode(errors="replace").splitlines()[-60:]
                    print("\n----- %s (last %d lines) -----\n%s" % (name, len(lines), "\n".join(lines)),
                          file=sys.stderr)
            print("test directory kept: %s" % self.dir, file=sys.stderr)
        elif not os.environ.get("PROXIER_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def start_acs(self, **kwargs):
        acs = LabAcs(self.dir, **kwargs)
        self._processes.append(acs)
        return acs

    def start_sim(self, **kwargs):
        sim = UpnpDmSim(self.dir, **kwargs)
        self._processes.append(sim)
        return sim

    def make_proxierd(self, acs, **options):
        px = Proxierd(self.dir, acs.cwmp_url, **options)
        self._processes.append(px)
        return px

    def bootstrap(self, acs=None, **options):
        """Lab ACS + proxierd, after the bootstrap session has ended. Returns (acs, px, device)."""
        acs = acs or self.start_acs()
        px = self.make_proxierd(acs, **options).start()
        device = acs.wait(sessions_ended=0)
        return acs, px, device
