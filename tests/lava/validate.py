#!/usr/bin/python3
"""Validates LAVA job definitions with lava-common's own job schema (the check a LAVA
server makes when a job is submitted). Exit status 0 when every file is valid."""
import sys

import yaml
from lava_common.schemas import validate

failed = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        job = yaml.safe_load(f)
    try:
        validate(job, strict=True)
        print(f"{path}: valid")
    except Exception as e:  # voluptuous.Invalid and friends: the message says where
        print(f"{path}: invalid: {e}", file=sys.stderr)
        failed = 1
sys.exit(failed)
