"""Nothing the ACS was told is forgotten (issue 11, item 5): proxierd with the gateway and one
virtual device (an upnp-dm-sim smart plug) is killed with SIGKILL at a random point while an
operation is under way, restarted, and the completion owed to the ACS must arrive.

Each round queues at lab-acs one of Reboot, FactoryReset, Download (gateway) or Reboot, Download,
ChangeDUState, IPPing (virtual device), kills proxierd at a random point (a random delay after the
task was queued, right after lab-acs received the response, or a random delay after that), starts
it again and waits for what is owed: M Reboot with the CommandKey, 0 BOOTSTRAP after a
FactoryReset, TransferComplete, DUStateChangeComplete, 8 DIAGNOSTICS COMPLETE. A task whose
response never reached lab-acs before the kill is sent again by lab-acs after the restart, so
every round ends with an acknowledged task and something owed.

PROXIER_KILL9_ROUNDS (default 30) sets the number of kills, PROXIER_KILL9_SEED the seed (printed),
PROXIER_KILL9_OPS a comma-separated subset of OPS ("vd Download,vd IPPing").
Runs only in a private network namespace (the simulator is a UPnP process)."""
import os
import random
import sys
import time
import unittest
import urllib.parse

from harness import CR_PASSWORD, CR_USER, GATEWAY_ID
from test_upnp_gateway import in_private_namespace
from virtual_base import VirtualTest

PING = "Device.IP.Diagnostics.IPPing."
OPS = ["gw Reboot", "gw FactoryReset", "gw Download",
       "vd Reboot", "vd Download", "vd ChangeDUState", "vd IPPing"]
MODES = ["random delay", "response received", "response received + delay"]
OWED_TIMEOUT = float(os.environ.get("PROXIER_KILL9_OWED_TIMEOUT", "90"))  # seconds


def log(text):
    print("[kill9] " + text, file=sys.stderr, flush=True)


@unittest.skipUnless(in_private_namespace(), "UPnP tests run only in a private network namespace")
class Kill9Test(VirtualTest):
    def test_random_kill9_loses_no_owed_completion(self):
        rounds = int(os.environ.get("PROXIER_KILL9_ROUNDS", "30"))
        seed = int(os.environ.get("PROXIER_KILL9_SEED") or random.SystemRandom().randrange(1 << 32))
        log("seed %d (PROXIER_KILL9_SEED), %d rounds (PROXIER_KILL9_ROUNDS)" % (seed, rounds))
        rng = random.Random(seed)
        ops = [o.strip() for o in os.environ.get("PROXIER_KILL9_OPS", "").split(",") if o.strip()]
        self.assertTrue(set(ops) <= set(OPS), "PROXIER_KILL9_OPS: unknown %s" % (set(ops) - set(OPS)))
        ops = ops or OPS
        started = time.monotonic()
        self.start_all(profiles=("smart-plug",))
        self.plug = self.udns[0]
        self.vd = self.vd_id(self.plug)
        with open(os.path.join(self.acs.files, "k9.cfg"), "w") as f:
            f.write("config")
        kills = {op: 0 for op in OPS}
        modes = {m: 0 for m in MODES}
        lost, refused, faulted = [], [], []
        for n in range(rounds):
            op, mode = rng.choice(ops), rng.choice(MODES)
            outcome = self.one_round(n, op, mode, rng)
            kills[op] += 1
            modes[mode] += 1
            if outcome == "lost":
                lost.append((n, op, mode))
            elif outcome.startswith("completed with"):
                faulted.append((n, op, mode, outcome))
            elif outcome != "ok":
                refused.append((n, op, mode, outcome))
        elapsed = time.monotonic() - started
        log("seed %d: %d kills in %.0f s; per operation %s; per kill point %s; refused %s; "
            "completed with a fault %s; lost %d %s" % (seed, rounds, elapsed, kills, modes,
                                                      refused, faulted, len(lost), lost))
        self.assertEqual(lost, [], "owed completions lost (seed %d)" % seed)

    # -- one round ----------------------------------------------------------------------------
    def one_round(self, n, op, mode, rng):
        who, name = op.split(" ", 1)
        device = GATEWAY_ID if who == "gw" else self.vd
        key = "k9-%d" % n
        informs = self.acs.device(device)["informs"]  # total (lab-acs keeps the last 1000)
        transfers = len(self.acs.transfers())
        task = self.task(device, name, key, n)
        # Widens the windows in which an SMS operation or a test runs on the appliance.
        self.sim.command("latency 0 %d" % rng.choice((0, 0, 50, 200)))
        if name == "IPPing":
            task_id = self.acs.queue(task[0], device)
            ping_id = self.acs.queue(task[1], device)
        else:
            task_id = ping_id = self.acs.queue(task, device)
        self.assertTrue(self.wake(device), "%s: no connection request answered" % op)
        if mode == "random delay":
            delay = rng.uniform(0, 1.2)
        else:
            self.acs.result(ping_id, wait=60)
            delay = 0 if mode == "response received" else rng.uniform(0, 0.6)
        if delay:
            time.sleep(delay)  # where the kill falls, not a synchronisation
        self.assertEqual(self.px.kill9(), -9)
        self.px.start()
        # A task lab-acs sent and got no answer to is sent again in the next session.
        self.wake(device)
        result = self.acs.result(ping_id, wait=90)
        if result["state"] != "done":
            log("round %d: %s refused: %s" % (n, op, result["response"]))
            return "fault %s" % result["response"].get("fault", {}).get("code")
        first = self.acs.result(task_id, wait=5)
        if first["state"] != "done":
            return "fault (settings) %s" % first["response"]
        found = self.owed(device, name, key, informs, transfers)
        outcome = "lost" if found is None else "ok"
        if found and found is not True:  # a TransferComplete or DUStateChangeComplete
            codes = [r["fault"]["code"] for r in found.get("results", [found])]
            if any(codes):
                outcome = "completed with faults %s" % codes
        log("round %d: %-18s killed at %-27s %s" % (n, op, mode, outcome.upper()
                                                     if outcome == "lost" else outcome))
        return outcome

    def task(self, device, name, key, n):
        if name in ("Reboot", "FactoryReset"):
            return {"name": name, "command_key": key} if name == "Reboot" else {"name": name}
        if name == "Download":
            if device == GATEWAY_ID:
                url, file_type = self.acs.files_url + "k9.cfg", "3 Vendor Configuration File"
            else:
                url, file_type = "http://127.0.0.1:9/fw-%d.bin" % n, "1 Firmware Upgrade Image"
            return {"name": "Download", "command_key": key, "url": url, "file_type": file_type}
        if name == "ChangeDUState":
            uuid = "6b1e0c2a-0d3f-4e5a-8b7c-%012d" % n
            return {"name": "ChangeDUState", "command_key": key, "operations": [
                {"op": "install", "url": "http://127.0.0.1:9/app-%d.ipk" % n, "uuid": uuid},
                {"op": "uninstall", "uuid": uuid}]}
        host = "192.0.2.%d" % (n % 250 + 1) if n % 5 else "nowhere.invalid"
        return ({"name": "SetParameterValues", "values": [
                    [PING + "Host", host, "xsd:string"],
                    [PING + "NumberOfRepetitions", "3", "xsd:unsignedInt"]]},
                {"name": "SetParameterValues", "values": [
                    [PING + "DiagnosticsState", "Requested", "xsd:string"]]})

    # -- waiting ------------------------------------------------------------------------------
    # (No wait for the device's session to end before queueing: a killed session never ends at
    # lab-acs, and a task queued during a session runs in it or, after the connection request,
    # in the next one.)
    def wake(self, device, timeout=60):
        """A connection request to `device`, repeated until one is answered 200 (after a restart
        its endpoint comes back; a rebooting virtual device answers 503). Bounded; without an
        answer the device's boot session takes the task anyway."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.cr(device) == 200:
                return True
            self.acs.call("GET", "/devices/%s/wait?informs=%d&timeout=0.3" % (
                self.quoted(device), self.acs.device(device)["informs"]), timeout=10)
        return False

    def cr(self, device):
        try:
            if device != GATEWAY_ID:
                return self.vd_cr(device)
            url = self.acs.device()["connection_request_url"]
            return self.acs.connection_request(url, CR_USER, CR_PASSWORD)
        except AssertionError:
            return None

    @staticmethod
    def quoted(device):
        return urllib.parse.quote(device, safe="")

    def owed(self, device, name, key, informs, transfers):
        """What `name` owes once it arrives at lab-acs (the transfer entry, or True for an
        event), None if it does not within OWED_TIMEOUT."""
        if name in ("Download", "ChangeDUState"):
            method = "TransferComplete" if name == "Download" else "DUStateChangeComplete"
            deadline = time.monotonic() + OWED_TIMEOUT
            while time.monotonic() < deadline:
                entries = self.acs.get_ok("/transfers")
                for t in entries[transfers:]:
                    if (t["device"], t["method"], t["command_key"]) == (device, method, key):
                        return t
                self.acs.call("GET", "/transfers?after=%d&wait=5" % len(entries), timeout=20)
            return None
        wanted = {"Reboot": ("M Reboot", key), "FactoryReset": ("0 BOOTSTRAP", ""),
                  "IPPing": ("8 DIAGNOSTICS COMPLETE", "")}[name]
        deadline = time.monotonic() + OWED_TIMEOUT
        while time.monotonic() < deadline:
            total, recent = self.informs_since(device, informs)
            for inform in recent:
                if tuple(wanted) in {(e[0], e[1]) for e in inform["events"]}:
                    return True
            self.acs.call("GET", "/devices/%s/wait?informs=%d&timeout=5" % (
                self.quoted(device), total), timeout=20)
        return None

    def informs_since(self, device, count):
        """(total, the Informs received after the first `count`): lab-acs lists only the last
        1000, so they are counted from its total, read before and after the list."""
        while True:
            total = self.acs.device(device)["informs"]
            listed = self.informs(device)
            if self.acs.device(device)["informs"] == total:
                new = total - count
                return total, (listed[len(listed) - new:] if new > 0 else [])


if __name__ == "__main__":
    unittest.main()
