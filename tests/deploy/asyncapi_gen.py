"""Regenerate docs/asyncapi.yaml and docs/event-contracts.lock.json (the generator is deploy/asyncapi.py).

    .venv/bin/python -m tests.deploy.asyncapi_gen          # rewrite both files
    .venv/bin/python -m tests.deploy.asyncapi_gen --check  # exit 1 if either is out of date
"""

from __future__ import annotations

import sys

from deploy.asyncapi import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
