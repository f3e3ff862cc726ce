#!/usr/bin/python3
"""Third-party SSDP check: browse with GSSDP (GNOME) and print every resource found.

Usage: gssdp_browse.py <target> <interface> <seconds>
Prints "FOUND <usn> <location>" per resource, then "DONE".
"""
import sys

import gi

gi.require_version("GSSDP", "1.6")
from gi.repository import GLib, GSSDP  # noqa: E402


def main():
    target, iface, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    client = GSSDP.Client.new_full(iface, None, 0, GSSDP.UDAVersion.VERSION_1_0)
    browser = GSSDP.ResourceBrowser.new(client, target)
    browser.set_mx(2)

    def available(_browser, usn, locations):
        print("FOUND", usn, locations[0] if locations else "", flush=True)

    browser.connect("resource-available", available)
    browser.set_active(True)
    loop = GLib.MainLoop()
    GLib.timeout_add(int(seconds * 1000), loop.quit)
    loop.run()
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
