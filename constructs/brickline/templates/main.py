"""The cdktf app: `cdktf synth` / `cdktf deploy` run this (see cdktf.json: the project's own
interpreter, .venv/bin/python, else python3).

One stack per pipeline under pipelines/ (or the folders in BRICKLINE_PIPELINES, separated
by the OS path separator), through the installed brickline package.
"""

import sys

try:
    from brickline.app import main
except ModuleNotFoundError as missing:
    if missing.name != "brickline":
        raise
    sys.exit(f"brickline is not installed for {sys.executable}: set up the project's "
             "virtual environment first (python3 -m venv .venv && .venv/bin/pip install -r "
             "requirements.txt); cdktf.json runs .venv/bin/python when it exists")

if __name__ == "__main__":
    main()
