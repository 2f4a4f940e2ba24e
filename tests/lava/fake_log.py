#!/usr/bin/python3
"""Turns the output of a job's test shell into the job log lavacli prints: `jobs logs
ID --raw` (the server's YAML, one flow mapping per line) or, with --plain, the coloured
text `jobs logs ID` prints. Kernel messages are mixed in, and the first sample line 7 is
damaged (one bit), as a serial console would."""
import sys

import yaml

plain = "--plain" in sys.argv
src = [a for a in sys.argv[1:] if a != "--plain"][0]
entries = []
with open(src, encoding="utf-8", errors="replace") as f:
    for i, text in enumerate(f.read().splitlines()):
        if text.startswith("s 7 "):
            text = text[:4] + chr(ord(text[4]) ^ 1) + text[5:]
        dt = "2026-12-01T10:%02d:%02d.%06d" % ((i // 60) % 60, i % 60, i)
        entries.append({"dt": dt, "lvl": "target", "msg": text})
        if i % 97 == 5:
            entries.append({"dt": dt, "lvl": "target",
                            "msg": "[   12.345678] usb 1-1: new high-speed USB device"})
for e in entries:
    if plain:
        print("\033[1;30m" + e["dt"].split(".")[0] + "\033[0m \033[1;32m" + e["msg"] + "\033[0m")
    else:
        print("- " + yaml.dump(e, default_flow_style=True, default_style='"', width=10**6)[:-1])
