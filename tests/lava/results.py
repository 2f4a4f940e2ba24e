#!/usr/bin/python3
"""Rewrites results (YAML as the stand-in lava-test-case wrote them) the way `lavacli
results ID --yaml` prints them (yaml.dump, default_flow_style=None), or with --json as
`lavacli results ID --json` does."""
import json
import sys

import yaml

src = [a for a in sys.argv[1:] if a != "--json"][0]
with open(src, encoding="utf-8") as f:
    results = yaml.safe_load(f)
if "--json" in sys.argv:
    print(json.dumps(results))
else:
    print(yaml.dump(results, default_flow_style=None).rstrip("\n"))
