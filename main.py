"""The cdktf app: `cdktf synth` / `cdktf deploy` run this (see cdktf.json).

One stack per pipeline under pipelines/ (or the folders in BRICKLINE_PIPELINES, separated
by the OS path separator). Invalid pipelines print every mistake and write nothing.
"""

from brickline.app import main

if __name__ == "__main__":
    main()
