"""The demo tour's virtual-mode steps (imported by scripts/demo_tour.py).

The SmartPlug rule of etc/proxierd.toml makes the smart plug a virtual device: a CPE of its own
in the lab ACS (DeviceId 00A0C6-SmartPlug-<serial>, connection requests at <gateway CR>/vd/<n>).
These steps show it next to the gateway, read and write it, reboot it, and move the NAS from
embedded to virtual mode from the ACS side.
"""
import re
import secrets
import time

import harness
from demo_lib import devices_table, events, gpv, rows_of, sim_command, table, vd_password, \
    vd_run, vd_user, wait_bootstrapped

MS = "Device.ManagementServer."
PROXY = "Device.X_02C0DE_Proxy.Device."
ROOTS = "Device.UPnP.Discovery.RootDevice."
NATIVE = "Device.X_02C0DE_UPnP.DM."  # a virtual device's native UPnP DM tree


def lab_id(oui, product_class, serial):
    """The lab's (and GenieACS's) id of a DeviceId: OUI-ProductClass-Serial, every character
    but [A-Za-z0-9_] written %XX."""
    return "-".join(re.sub(r"[^A-Za-z0-9_]", lambda m: "%%%02X" % ord(m.group()), s)
                    for s in (oui, product_class, serial))


def index(row):
    """"3" of "A.B.3."."""
    return row.rstrip(".").rsplit(".", 1)[-1]


def gateway_rows(t):
    """Prints the gateway's VirtualDevice, EmbeddedDevice and X_02C0DE_Proxy rows (one GPV) and
    records each virtual device (lab id -> UDN, connection-request credentials) in t.vds."""
    values = gpv(t, [MS + "VirtualDevice.", MS + "EmbeddedDevice.", PROXY, ROOTS])
    roots = rows_of(values, ROOTS)
    vds = rows_of(values, MS + "VirtualDevice.")
    rows = []
    for row, v in vds.items():
        device_id = lab_id(v["ManufacturerOUI"], v["ProductClass"], v["SerialNumber"])
        ref = v["DiscoveryProtocolReference"]
        udn = roots.get(ref + ".", {}).get("UUID", "")
        rows.append([index(row), device_id, ref, udn])
        lab = next((d for d in t.acs.devices() if d["id"] == device_id), None)
        if device_id not in t.vds and udn and lab:
            t.vds[device_id] = {"udn": udn, "credentials": (
                vd_user(lab["connection_request_url"]), vd_password(t, udn))}
    print(MS + "VirtualDevice.{i}")
    table(["{i}", "DeviceId (OUI-ProductClass-Serial)", "DiscoveryProtocolReference", "its UUID"],
          rows)
    print(MS + "EmbeddedDevice.{i}")
    table(["{i}", "ProxiedDeviceID", "Reference", "CommandProcessed"],
          [[index(r), v["ProxiedDeviceID"], v["Reference"], v["CommandProcessed"]]
           for r, v in rows_of(values, MS + "EmbeddedDevice.").items()])
    print(PROXY + "{i}")
    modes = rows_of(values, PROXY)
    table(["{i}", "FriendlyName", "UDN", "Mode", "EffectiveMode"],
          [[index(r), v["FriendlyName"], v["UDN"], v["Mode"], v["EffectiveMode"]]
           for r, v in modes.items()])
    return {"vd": vds, "ed": rows_of(values, MS + "EmbeddedDevice."), "modes": modes,
            "roots": roots}


def step_two_cpes(t):
    """The gateway and the smart plug, a virtual device, registered as two CPEs."""
    wait_bootstrapped(t, 2)
    devices_table(t)
    print()
    gateway_rows(t)
    t.plug = next((i for i in t.vds if "-SmartPlug-" in i), None)
    if not t.plug:
        raise RuntimeError("the smart plug is not a virtual device (VirtualDevice rows: %s)"
                           % sorted(t.vds))


def sim_index(t, udn):
    """upnp-dm-sim's device index of a UDN."""
    for i in range(t.sim_count):
        if sim_command(t, "udn %d" % i) == udn:
            return i
    raise RuntimeError("no simulated device has UDN %s" % udn)


def step_vd_read(t):
    """The virtual device read: its own DeviceInfo (with ProxierInfo) and the appliance's values."""
    vd = t.vds[t.plug]
    user, password = vd["credentials"]
    print("connection requests to %s: user %s, password = `proxierd --vd-cr-password %s` = %s..."
          % (t.plug, user, vd["udn"], password[:8]))
    names = ["Device.DeviceInfo.Manufacturer", "Device.DeviceInfo.ModelName",
             "Device.DeviceInfo.SoftwareVersion", "Device.DeviceInfo.ProxierInfo.ManufacturerOUI",
             "Device.DeviceInfo.ProxierInfo.ProductClass",
             "Device.DeviceInfo.ProxierInfo.SerialNumber", MS + "ConnectionRequestURL",
             MS + "ConnectionRequestUsername", "Device.WiFi.SSID.1.SSID",
             NATIVE + "DeviceInfo.FriendlyName", NATIVE + "Power.Relay", NATIVE + "Power.Voltage",
             NATIVE + "Power.EnergyWh"]
    values = vd_run(t, t.plug, {"name": "GetParameterValues", "names": names}, vd["credentials"])
    order = {n: i for i, n in enumerate(names)}
    table(["name", "type", "value"],
          [[n, x, v] for n, v, x in sorted(values["values"], key=lambda r: order[r[0]])])


def step_vd_write(t):
    """SetParameterValues on the virtual device, read back through the ACS and in the appliance;
    then the ACS sets the device's own connection-request credentials (operator practice)."""
    vd = t.vds[t.plug]
    relay, name = NATIVE + "Power.Relay", NATIVE + "DeviceInfo.FriendlyName"
    print("SetParameterValues %s = false, %s = Demo Plug" % (relay, name))
    r = vd_run(t, t.plug, {"name": "SetParameterValues",
                           "values": [[relay, False], [name, "Demo Plug"]]}, vd["credentials"])
    print("  status %s (0: applied on the appliance before the answer)" % r["status"])
    read = vd_run(t, t.plug, {"name": "GetParameterValues", "names": [relay, name]},
                  vd["credentials"])
    got = {n: v for n, v, _ in read["values"]}
    i = sim_index(t, vd["udn"])
    rows = []
    for n in (relay, name):
        path = "/UPnP/DM/" + n[len(NATIVE):].replace(".", "/")
        rows.append([n, got[n], path, sim_command(t, "get %d %s" % (i, path))])
    table(["name", "GPV through the ACS", "UPnP path", "in the appliance (upnp-dm-sim)"], rows)
    user, password = "plug-cr", secrets.token_hex(8)
    print("\nSetParameterValues %sConnectionRequestUsername/Password = %s / <new secret>"
          % (MS, user))
    r = vd_run(t, t.plug, {"name": "SetParameterValues", "values": [
        [MS + "ConnectionRequestUsername", user], [MS + "ConnectionRequestPassword", password]]},
        vd["credentials"])
    print("  status %s: from now on the lab (as GenieACS after such a provision) sends connection"
          " requests to this device with them" % r["status"])
    vd["credentials"] = (user, password)


def step_vd_reboot(t):
    """Reboot of the virtual device: proxierd reboots the appliance (UPnP BMS Reboot) after the
    session; when it is back, the virtual device informs 1 BOOT + M Reboot."""
    vd = t.vds[t.plug]
    i = sim_index(t, vd["udn"])
    before = len(t.acs.informs(t.plug))
    boot_id = sim_command(t, "bootid %d" % i)
    started = time.monotonic()
    task = t.acs.queue({"name": "Reboot", "command_key": "demo-reboot"}, t.plug,
                       connection_request=True)  # the lab's default: the credentials it set
    result = t.acs.result(task, wait=30)
    if result["state"] != "done":
        raise RuntimeError("Reboot ended %s: %s" % (result["state"], result["response"]))
    print("POST /devices/%s/tasks?connection_request=1 {Reboot, command_key demo-reboot}: done"
          % t.plug)

    def boot_inform():
        new = t.acs.informs(t.plug)[before:]
        return new if any(c == "1 BOOT" for inf in new for c, _ in inf["events"]) else None
    new = harness.wait_for(boot_inform, timeout=30, interval=0.1, what="1 BOOT after the Reboot")
    table(["Inform at", "events"], [[inf["time"], events(inf)] for inf in new])
    boot = [inf for inf in new if any(c == "1 BOOT" for c, _ in inf["events"])][0]
    if ["M Reboot", "demo-reboot"] not in [list(e) for e in boot["events"]]:
        raise RuntimeError("1 BOOT without M Reboot demo-reboot: %s" % events(boot))
    print("back with 1 BOOT + M Reboot %.2f s after the task was queued (appliance BOOTID %s -> %s)"
          % (time.monotonic() - started, boot_id, sim_command(t, "bootid %d" % i)))
    t.acs.wait_idle(t.plug)


def step_switch(t):
    """The ACS moves the NAS from embedded to virtual mode: SetParameterValues of its Mode on
    the gateway; a new CPE bootstraps; its EmbeddedDevice row is replaced by a VirtualDevice row."""
    modes = rows_of(gpv(t, [PROXY]), PROXY)
    row, nas = next((r, v) for r, v in modes.items() if v["FriendlyName"].startswith("Home NAS"))
    known = {d["id"] for d in t.acs.devices()}
    started = time.monotonic()
    r = t.acs.run_ok({"name": "SetParameterValues", "values": [[row + "Mode", "virtual"]]},
                     t.device_id)
    print("SetParameterValues %sMode = virtual on the gateway: status %s" % (row, r["status"]))

    def new_cpe():
        return [d for d in t.acs.devices() if d["id"] not in known and d["sessions_ended"] >= 1]
    new = harness.wait_for(new_cpe, timeout=30, interval=0.2, what="the NAS as a new CPE")[0]
    print("new CPE %s bootstrapped (%s) %.2f s after the SetParameterValues\n"
          % (new["id"], events(new["last_inform"]), time.monotonic() - started))
    devices_table(t)
    print()
    rows = gateway_rows(t)
    if any(v["ProxiedDeviceID"] == nas["UDN"] for v in rows["ed"].values()):
        raise RuntimeError("the NAS still has an EmbeddedDevice row")
    vd = t.vds.get(new["id"])
    if not vd or vd["udn"] != nas["UDN"]:
        raise RuntimeError("no VirtualDevice row for the NAS (%s)" % nas["UDN"])
    host = NATIVE + "Configuration.Network.HostName"
    values = vd_run(t, new["id"], {"name": "GetParameterValues", "names": [
        "Device.DeviceInfo.ProductClass", "Device.DeviceInfo.SerialNumber", host]},
        vd["credentials"])["values"]
    print("\nthe NAS read as a virtual device (%s, user %s): the HostName written through the "
          "gateway before is still there" % (new["id"], vd["credentials"][0]))
    table(["name", "type", "value"], [[n, x, v] for n, v, x in values])
