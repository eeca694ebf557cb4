"""`brickline init`: what a team's own repository needs to deploy pipelines with brickline
installed as a package -- cdktf.json and main.py, the pinned cdktf CLI, an example pipeline,
the two GitHub workflows, the editor schema, a README section. Nothing is overwritten."""

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


def brickline_version() -> str:
    try:
        return version("brickline")
    except PackageNotFoundError:  # run from a source tree that is not installed
        from brickline import __version__

        return __version__


def files(folder: Path, pipeline: str) -> list[Planned]:
    """Every file `init` writes into `folder`, in order; pure but for reading `folder`."""
    if not NAME.match(pipeline):
        raise ValueError(f"bad pipeline name {pipeline!r}: use letters, digits, '_' and '-'")
    values = {"{project}": _project_name(folder), "{version}": brickline_version(),
              "{cdktf_cli}": CDKTF_CLI, "{schema}": f"./{SCHEMA_FILE}"}
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
        if item.append:
            with target.open("a", encoding="utf-8") as out:
                out.write(item.text)
        else:
            target.write_text(item.text, encoding="utf-8")
