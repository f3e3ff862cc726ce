#!/usr/bin/env python3
"""proxierd's footprint (issue 12, item 7): stripped binary size per architecture, package size,
the shared libraries it needs (and their sizes), and its memory at idle after the bootstrap
session (RSS, PSS and USS from /proc/PID/smaps_rollup), natively and under qemu-user.

Usage: bench/footprint.py BUILD_DIR[:ARCH] ...   e.g. build build-arm64 build-armhf
Each BUILD_DIR is a native or cross build (scripts/cross-build.sh); its packages/ directory, if
any (scripts/package.sh), gives the package size. The memory run uses the first directory's
lab-acs (a native build) as the ACS, on 127.0.0.1 free ports. Under qemu-user the figures are
those of the emulator process (qemu's own code, its translation cache and the guest's memory):
indicative only, an upper bound of what the target would show.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
import harness  # noqa: E402


def cache_value(build, key):
    with open(os.path.join(build, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith(key + ":"):
                return line.split("=", 1)[1].strip()
    return ""


def arch_of(build):
    toolchain = cache_value(build, "CMAKE_TOOLCHAIN_FILE")  # cmake/<triplet>.cmake
    triplet = os.path.basename(toolchain)[:-len(".cmake")] if toolchain else "x86_64-linux-gnu"
    return {"x86_64-linux-gnu": "amd64", "aarch64-linux-gnu": "arm64",
            "arm-linux-gnueabihf": "armhf"}.get(triplet, triplet), triplet


def stripped_size(build, triplet):
    binary = os.path.join(build, "apps", "proxierd", "proxierd")
    strip = (triplet + "-strip") if shutil.which(triplet + "-strip") else "strip"
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "proxierd")
        subprocess.run([strip, "-o", out, binary], check=True)
        return os.path.getsize(binary), os.path.getsize(out)


def needed_libs(build, triplet):
    binary = os.path.join(build, "apps", "proxierd", "proxierd")
    text = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True,
                          check=True).stdout
    libs = []
    for name in re.findall(r"\(NEEDED\).*\[(.*)\]", text):
        path = None
        for d in ("/usr/lib/" + triplet, "/lib/" + triplet):
            if os.path.exists(os.path.join(d, name)):
                path = os.path.realpath(os.path.join(d, name))
                break
        libs.append((name, os.path.getsize(path) if path else None))
    return libs


def memory(build, acs_build, emulator):
    """RSS/PSS/USS (KiB) of proxierd at idle after its bootstrap session."""
    os.environ["PROXIER_PROXIERD"] = os.path.join(build, "apps", "proxierd", "proxierd")
    os.environ["PROXIER_LAB_ACS"] = os.path.join(acs_build, "apps", "lab-acs", "lab-acs")
    os.environ["PROXIER_EMULATOR"] = emulator
    with tempfile.TemporaryDirectory() as work:
        acs = harness.LabAcs(work)
        px = harness.Proxierd(work, acs.cwmp_url).start()
        try:
            acs.wait(informs=0, sessions_ended=0, timeout=120)
            acs.wait_idle(timeout=30)
            fields = {}
            with open("/proc/%d/smaps_rollup" % px.proc.pid) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) >= 2 and parts[0].endswith(":"):
                        fields[parts[0][:-1]] = int(parts[1])
            uss = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
            return fields.get("Rss"), fields.get("Pss"), uss
        finally:
            px.stop()
            acs.stop()


def main():
    builds = sys.argv[1:] or ["build"]
    acs_build = builds[0]
    load = os.getloadavg()[0]
    print("load average %.2f on %d cores" % (load, os.cpu_count()))
    for build in builds:
        arch, triplet = arch_of(build)
        size, stripped = stripped_size(build, triplet)
        print("\n[%s] %s" % (arch, build))
        print("  proxierd: %d bytes as built, %d bytes stripped" % (size, stripped))
        for deb in sorted(glob.glob(os.path.join(build, "packages", "*.deb"))):
            installed = subprocess.run(["dpkg-deb", "-f", deb, "Installed-Size"],
                                       capture_output=True, text=True).stdout.strip()
            print("  package %s: %d bytes, Installed-Size %s KiB" %
                  (os.path.basename(deb), os.path.getsize(deb), installed))
        libs = needed_libs(build, triplet)
        total = sum(s for _, s in libs if s)
        print("  shared libraries (%d, %d KiB): %s" % (len(libs), total // 1024, ", ".join(
            "%s %s" % (n, "%d KiB" % (s // 1024) if s else "?") for n, s in libs)))
        emulator = cache_value(build, "PROXIER_QEMU_PROGRAM") if triplet != "x86_64-linux-gnu" \
            else ""
        rss, pss, uss = memory(os.path.abspath(build), os.path.abspath(acs_build), emulator)
        print("  idle after bootstrap%s: RSS %d KiB, PSS %d KiB, USS %d KiB" %
              (" (under %s: indicative)" % os.path.basename(emulator) if emulator else "",
               rss, pss, uss))


if __name__ == "__main__":
    main()
