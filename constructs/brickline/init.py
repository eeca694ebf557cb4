"""`brickline init`: what a team's own repository needs to deploy pipelines with brickline
installed as a package -- cdktf.json and main.py, the pinned cdktf CLI, an example pipeline,
the two GitHub workflows, the editor schema, a README section, and the brickline wheel
itself (vendor/) when there is one. Nothing is overwritten."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from brickline.spec import schema

# the cdktf CLI that matches cdktf 0.21.0, the library brickline is built on (package.json
# of this repository pins the same; a test keeps them equal)
CDKTF_CLI = "0.21.0"
SCHEMA_FILE = ".vscode/brickline.schema.json"
# template names without a leading dot, so that packaging keeps them
RENAMES = {"gitignore": ".gitignore", "github": ".github", "vscode": ".vscode"}
README_MARKER = "<!-- brickline -->"
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Planned:
    path: str  # relative to the project folder, '/'-separated
    text: str
    append: bool = False  # a README that exists gets the section added
    source: Path | None = None  # a file copied as it is (the brickline wheel), not `text`


# Where a team's repository gets brickline from. brickline is not published on PyPI, so
# the repository keeps the wheel it was set up with (vendor/), which pip installs offline
# from any other index and which GitHub Actions' checkout brings along; the wheel's own
# dependencies (exact pins) come from PyPI as usual. A brickline installed from a package
# index is pinned from that index instead.
VENDOR = "vendor"
WHEEL_NAME = re.compile(r"^brickline-(?P<version>[^-]+)-py3-none-any\.whl$")


@dataclass(frozen=True)
class Install:
    """How the team's repository installs brickline: the requirements.txt line and the
    wheel kept beside it, if any."""

    requirement: str
    wheel: Path | None = None
    note: str | None = None  # what `init` says about it


def install_source(wheel: Path | None) -> Install:
    """The wheel given (--wheel), else the wheel file this brickline was installed from
    (pip records it: PEP 610 direct_url.json, "archive_info" with a file:// URL), else a
    pin on the package index it came from."""
    version_now = brickline_version()
    if wheel is None:
        wheel = _installed_from_wheel()
    if wheel is not None:
        match = WHEEL_NAME.match(wheel.name)
        if not match:
            raise ValueError(f"--wheel {wheel}: not a brickline wheel "
                             "(brickline-<version>-py3-none-any.whl)")
        if not wheel.is_file():
            raise ValueError(f"--wheel {wheel}: no such file")
        if match.group("version") != version_now:
            raise ValueError(f"--wheel {wheel} is brickline {match.group('version')}, but this "
                             f"is brickline {version_now}: install that wheel and run its init")
        return Install(f"# kept in this repository: to upgrade, replace the wheel in "
                       f"{VENDOR}/ and this line\n./{VENDOR}/{wheel.name}", wheel)
    return Install(
        "# from your package index (PIP_INDEX_URL or pip.conf): brickline is not on PyPI\n"
        f"brickline=={version_now}",
        note=f"requirements.txt pins brickline=={version_now} from a package index: this "
             "brickline was not installed from a wheel file. To keep brickline in the "
             "repository instead (no index needed), run init with --wheel "
             f"brickline-{version_now}-py3-none-any.whl (`pip wheel --no-deps PATH_TO_BRICKLINE` "
             "builds it)")


def _installed_from_wheel() -> Path | None:
    import json
    from importlib.metadata import distribution
    from urllib.parse import unquote, urlparse

    try:
        text = distribution("brickline").read_text("direct_url.json")
        found = json.loads(text) if text else None
    except (PackageNotFoundError, ValueError):
        return None
    if not isinstance(found, dict) or "archive_info" not in found:
        return None
    url = urlparse(str(found.get("url", "")))
    path = Path(unquote(url.path))
    return path if url.scheme == "file" and path.suffix == ".whl" and path.is_file() else None


def brickline_version() -> str:
    try:
        return version("brickline")
    except PackageNotFoundError:  # run from a source tree that is not installed
        from brickline import __version__

        return __version__


def files(folder: Path, pipeline: str, install: Install | None = None) -> list[Planned]:
    """Every file `init` writes into `folder`, in order; pure but for reading `folder`."""
    if not NAME.match(pipeline):
        raise ValueError(f"bad pipeline name {pipeline!r}: use letters, digits, '_' and '-'")
    install = install or Install(f"brickline=={brickline_version()}")
    values = {"{project}": _project_name(folder), "{version}": brickline_version(),
              "{cdktf_cli}": CDKTF_CLI, "{schema}": f"./{SCHEMA_FILE}",
              "{requirement}": install.requirement}
    out: list[Planned] = []
    root = resources.files("brickline") / "templates"
    for relative, item in sorted(_walk(root, "")):
        text = item.read_text(encoding="utf-8")
        for token, value in values.items():
            text = text.replace(token, value)
        parts = relative.split("/")
        parts[0] = RENAMES.get(parts[0], parts[0])
        if parts[:2] == ["pipelines", "example"]:
            parts[1] = pipeline
            text = text.replace("name: example", f"name: {pipeline}")
        path = "/".join(parts)
        if path == "README.md" and (folder / path).exists():
            existing = (folder / path).read_text(encoding="utf-8")
            if README_MARKER in existing:
                continue
            section = text.split("\n", 1)[1].lstrip("\n")
            text = f"\n{README_MARKER}\n## Deploying the pipelines\n\n{section}"
            out.append(Planned(path, text, append=True))
            continue
        if path == "README.md":
            text = text.replace("\n\n", f"\n\n{README_MARKER}\n", 1)
        out.append(Planned(path, text))
    out.append(Planned(SCHEMA_FILE, schema.text()))
    if install.wheel is not None:
        out.append(Planned(f"{VENDOR}/{install.wheel.name}", "", source=install.wheel))
    return out


def _walk(node: Traversable, prefix: str) -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for child in node.iterdir():
        name = f"{prefix}{child.name}"
        if child.is_dir():
            if child.name != "__pycache__":
                found += _walk(child, f"{name}/")
        else:
            found.append((name, child))
    return found


def _project_name(folder: Path) -> str:
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", folder.resolve().name).strip("-").lower()
    return name or "pipelines"


def conflicts(folder: Path, planned: list[Planned]) -> list[str]:
    return [p.path for p in planned if not p.append and (folder / p.path).exists()]


def write(folder: Path, planned: list[Planned]) -> None:
    for item in planned:
        target = folder / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if item.source is not None:
            target.write_bytes(item.source.read_bytes())
        elif item.append:
            with target.open("a", encoding="utf-8") as out:
                out.write(item.text)
        else:
            target.write_text(item.text, encoding="utf-8")
