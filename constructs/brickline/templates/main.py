"""The cdktf app: `cdktf synth` / `cdktf deploy` run this (see cdktf.json).

One stack per pipeline under pipelines/ (or the folders in BRICKLINE_PIPELINES, separated
by the OS path separator), through the installed brickline package.
"""

from brickline.app import main

if __name__ == "__main__":
    main()
