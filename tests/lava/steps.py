#!/usr/bin/python3
"""Prints the run steps of a LAVA job's inline test definition, one per line, as the
LAVA test shell runs them."""
import sys

import yaml

with open(sys.argv[1], encoding="utf-8") as f:
    job = yaml.safe_load(f)
tests = [a["test"] for a in job["actions"] if "test" in a]
for step in tests[-1]["definitions"][0]["repository"]["run"]["steps"]:
    print(step)
