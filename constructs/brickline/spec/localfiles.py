"""Code files a task names by a path relative to its YAML file: found, checked, and planned
as uploads (the stack provisions them; the task points at the uploaded copy).

Which paths count as local: a task's notebook_task.notebook_path, spark_python_task.
python_file and sql_task.file.path whose `source` is WORKSPACE -- empty means GIT when the
job has a git_source and WORKSPACE otherwise (databricks-sdk-py, databricks/sdk/service/
jobs.py NotebookTask.source) -- a library's whl, jar or requirements file, and a serverless
environment's dependency that starts with '.' (./dist/x.whl); each only when it is relative
(no leading '/', no scheme such as dbfs:/ or s3://, no ${...} or {{...}}). These are the
paths a bundle uploads too (databricks/cli bundle/config/mutator/paths/job_paths_visitor.go,
job_libraries_paths_visitor.go, bundle/libraries/local_path.go). A glob (../dist/*.whl)
names the one file it matches: brickline uploads files, it does not build them.
"""

from __future__ import annotations

import base64
import fnmatch
import glob
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path as FsPath
from pathlib import PurePosixPath
from typing import Any

from brickline.spec.diagnostics import Diagnostic, Path, format_path
from brickline.spec.model import Job

# databricks_notebook: content_base64 needs a language; .ipynb is imported as JUPYTER
# (terraform-provider-databricks workspace/resource_notebook.go extMap and schema)
NOTEBOOK_LANGUAGES = {".py": "PYTHON", ".sql": "SQL", ".scala": "SCALA", ".r": "R"}
NOTEBOOK_SUFFIXES = (*NOTEBOOK_LANGUAGES, ".ipynb")
UPLOAD_DIR = "files"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _is_glob(value: str) -> bool:
    return any(c in value for c in "*?[")


@dataclass(frozen=True)
class LocalRef:
    """One relative path in a job: where it is (in the names the walk was given), what it
    says, and whether it is a notebook."""

    path: Path  # key path inside the job's data
    value: str
    notebook: bool
    kind: str = "file"  # "library" for a library or an environment's dependency


def is_local(value: Any) -> bool:
    return (isinstance(value, str) and bool(value) and not value.startswith("/")
            and not _SCHEME.match(value) and "${" not in value and "{{" not in value)


def local_refs(job: dict[str, Any], *, tasks: str, libraries: str,
               environments: str) -> Iterator[LocalRef]:
    """Relative code paths in a job's data, whose lists are named `tasks`, `libraries` and
    `environments` (the Jobs API's names in the model, the provider's in a plan)."""
    has_git = bool(job.get("git_source"))
    for i, task in enumerate(job.get(tasks) or []):
        yield from _task_refs(task, (tasks, i), has_git, libraries)
    for i, environment in enumerate(job.get(environments) or []):
        for j, dependency in enumerate((environment.get("spec") or {}).get("dependencies")
                                       or []):
            if isinstance(dependency, str) and dependency.startswith(".") and \
                    is_local(dependency):
                yield LocalRef((environments, i, "spec", "dependencies", j), dependency, False,
                               "library")


def _task_refs(task: dict[str, Any], at: Path, has_git: bool,
               libraries: str) -> Iterator[LocalRef]:
    def from_workspace(block: dict[str, Any]) -> bool:
        return block.get("source") == "WORKSPACE" or (not has_git and not block.get("source"))

    notebook = task.get("notebook_task")
    if notebook and from_workspace(notebook) and is_local(notebook.get("notebook_path")):
        yield LocalRef((*at, "notebook_task", "notebook_path"), notebook["notebook_path"], True)
    python = task.get("spark_python_task")
    if python and from_workspace(python) and is_local(python.get("python_file")):
        yield LocalRef((*at, "spark_python_task", "python_file"), python["python_file"], False)
    sql_file = (task.get("sql_task") or {}).get("file")
    if sql_file and from_workspace(sql_file) and is_local(sql_file.get("path")):
        yield LocalRef((*at, "sql_task", "file", "path"), sql_file["path"], False)
    for j, library in enumerate(task.get(libraries) or []):
        for kind in ("whl", "jar", "requirements"):
            if is_local(library.get(kind)):
                yield LocalRef((*at, libraries, j, kind), library[kind], False, "library")
    nested = (task.get("for_each_task") or {}).get("task")
    if nested:
        yield from _task_refs(nested, (*at, "for_each_task", "task"), has_git, libraries)


def matches(job: Job, value: str) -> list[FsPath]:
    """The files a relative path (or glob) names: relative to the YAML file that names it."""
    path = os.path.normpath(FsPath(job.source.file).parent / value)
    if _is_glob(value):
        return [FsPath(p) for p in sorted(glob.glob(path)) if os.path.isfile(p)]
    return [FsPath(path)] if os.path.isfile(path) else []


def project_path(file: FsPath, root: str | None = None) -> str:
    """The file relative to the project root (the folder synth runs in, or a bundle's
    root), '/'-separated: the same on every machine, and the upload's place under the
    pipeline's folder."""
    return PurePosixPath(*FsPath(os.path.relpath(file, root or os.curdir)).parts).as_posix()


def check(job: Job, root: str | None = None,
          built: dict[str, str] | None = None) -> list[Diagnostic]:
    """A relative path that names no file, or a file outside the project (or the bundle's
    root), is an error. `built`: a bundle's artifacts (name -> the folder it builds in,
    relative to the root): a wheel path into one of their dist/ folders names a file the
    build makes at deploy, as the Databricks CLI builds it (bundle/artifacts/prepare.go)."""
    out = []
    data = job.model_dump(exclude_none=True)
    for ref in local_refs(data, tasks="tasks", libraries="libraries",
                          environments="environments"):
        where = (*job.path, *_spelled(job.raw, ref.path))
        found = matches(job, ref.value)
        file = found[0] if found else FsPath(
            os.path.normpath(FsPath(job.source.file).parent / ref.value))
        artifact = built_by(file, root, built) if not found else None
        if artifact is not None:
            out.append(Diagnostic(
                job.source.where(where), format_path(where),
                f"'{ref.value}' is built by the artifact '{artifact}' at deploy: run "
                "`brickline build` before `terraform plan` (synth stays offline and does "
                "not build)", severity="note"))
        elif not found and built is not None and _is_glob(ref.value) and ref.kind == "library":
            # a bundle's library glob is read when the Databricks CLI deploys
            # (bundle/libraries/expand_glob_references.go); Terraform reads it at plan
            out.append(Diagnostic(
                job.source.where(where), format_path(where),
                f"'{ref.value}' matches no file yet: `terraform plan` fails until it does, "
                "as the Databricks CLI fails at deploy", severity="warning"))
        elif _is_glob(ref.value) and len(found) != 1:
            out.append(job.source.error(
                where, f"'{ref.value}' matches {len(found) or 'no'} file"
                f"{'s' * (len(found) > 1)}" + (
                    f" ({', '.join(project_path(f) for f in found)}): name one"
                    if found else ": brickline uploads files, it does not build them; "
                    "build it before validate and synth")))
        elif not found:
            hint = ""
            if ref.notebook and not file.suffix:
                candidates = [s for s in NOTEBOOK_SUFFIXES if file.with_suffix(s).is_file()]
                hint = f" (did you mean '{ref.value}{candidates[0]}'?)" if candidates else ""
            out.append(job.source.error(
                where, f"no such file: '{ref.value}' (a path relative to this YAML file: "
                f"{project_path(file)}){hint}; give the path of an existing file, or an "
                "absolute /Workspace/... path"))
        elif project_path(file, root).startswith("../"):
            out.append(job.source.error(
                where, f"'{ref.value}' is outside the project folder "
                f"({os.path.abspath(root or os.curdir)}): keep the code in the repository, or "
                "give an absolute /Workspace/... path"))
        elif ref.notebook and file.suffix.lower() not in NOTEBOOK_SUFFIXES:
            out.append(job.source.error(
                where, f"'{ref.value}' is not a notebook: a notebook file ends in "
                f"{', '.join(NOTEBOOK_SUFFIXES)}"))
    return out


def built_by(file: FsPath, root: str | None, built: dict[str, str] | None) -> str | None:
    """The artifact whose build makes `file` (or, for a glob, files it matches), if any:
    `built` maps each artifact to the globs of what it makes (spec/bundle.py artifacts)."""
    if not built or root is None:
        return None
    where = project_path(file, root)
    for name, globs in sorted(built.items()):
        for pattern in globs.split("|"):
            if fnmatch.fnmatch(where, pattern) or fnmatch.fnmatch(pattern, where) or (
                    _is_glob(where) and os.path.dirname(where) == os.path.dirname(pattern)):
                return name
    return None


def _spelled(raw: dict[str, Any], path: Path) -> Path:
    """A model path in the spelling the YAML uses (tasks or task, libraries or library)."""
    out: list[str | int] = []
    data: Any = raw
    for part in path:
        if isinstance(data, dict) and part not in data:
            other = {"tasks": "task", "libraries": "library",
                     "environments": "environment"}.get(str(part), "")
            part = other if other in data else part
        out.append(part)
        data = data.get(part) if isinstance(data, dict) else (
            data[part] if isinstance(data, list) and isinstance(part, int)
            and part < len(data) else None)
    return tuple(out)


@dataclass(frozen=True)
class Upload:
    """One local file as a resource: a databricks_notebook or a databricks_workspace_file."""

    address: str
    type: str
    settings: dict[str, Any]
    attribute: str  # what the task refers to: the notebook's path, the file's workspace_path


def upload(file: FsPath, folder: str, notebook: bool, root: str | None = None) -> Upload:
    """The upload of `file` under the workspace folder `folder`. Its address and path come
    from the file's place in the project (or under `root`, a bundle's root, as the
    Databricks CLI's sync lays it out), its content is inline: a change of content changes
    this resource only, and the task's reference to the path stays the same."""
    relative = project_path(file, root)
    content = file.read_bytes()
    address = ("notebook_" if notebook else "file_") + re.sub(
        r"[^A-Za-z0-9]+", "_", relative).strip("_").lower()
    encoded = base64.b64encode(content).decode("ascii")
    if not notebook:
        return Upload(address, "databricks_workspace_file", {
            "path": f"{folder}/{relative}", "content_base64": encoded}, "workspace_path")
    suffix = file.suffix.lower()
    # a notebook in the workspace has no extension
    path = f"{folder}/{relative[: -len(suffix)]}"
    if suffix == ".ipynb":
        settings = {"path": path, "content_base64": encoded, "format": "JUPYTER",
                    "language": _jupyter_language(content)}
    else:
        settings = {"path": path, "content_base64": encoded,
                    "language": NOTEBOOK_LANGUAGES[suffix]}
    return Upload(address, "databricks_notebook", settings, "path")


def built_upload(job: Job, value: str, folder: str, root: str | None,
                 built: dict[str, str]) -> Upload | None:
    """See deferred_upload; None unless an artifact builds the file or it is a glob."""
    path = os.path.normpath(FsPath(job.source.file).parent / value)
    if built_by(FsPath(path), root, built) is None and not _is_glob(value):
        return None
    return deferred_upload(job, value, folder, root)


def deferred_upload(job: Job, value: str, folder: str, root: str | None) -> Upload:
    """The upload of a wheel an artifact builds at deploy (`../dist/*.whl`): Terraform finds
    the file when it plans (fileset), so synth needs no build. It goes where the Databricks
    CLI puts it, <artifact_path>/.internal/<file name> (bundle/libraries/remote_path.go)."""
    path = os.path.normpath(FsPath(job.source.file).parent / value)
    directory, pattern = os.path.split(path)
    # the stack runs in cdktf.out/stacks/<stack>/: the project root is three folders up
    local = "../../../" + project_path(FsPath(directory))
    relative = project_path(FsPath(path), root)
    address = "file_" + re.sub(r"[^A-Za-z0-9]+", "_", relative).strip("_").lower()
    if not _is_glob(pattern):
        return Upload(address, "databricks_workspace_file", {
            "path": f"{folder}/.internal/{pattern}", "source": f"{local}/{pattern}"},
            "workspace_path")
    files = f'sort(tolist(fileset("{local}", "{pattern}")))'
    last = f"element({files}, length({files}) - 1)"
    return Upload(address, "databricks_workspace_file", {
        "path": f"{folder}/.internal/${{{last}}}", "source": f"{local}/${{{last}}}"},
        "workspace_path")


def _jupyter_language(content: bytes) -> str:
    try:
        meta = json.loads(content).get("metadata", {})
        name = str((meta.get("kernelspec") or {}).get("language")
                   or (meta.get("language_info") or {}).get("name") or "python")
    except (ValueError, AttributeError):
        name = "python"
    return {"python": "PYTHON", "sql": "SQL", "scala": "SCALA", "r": "R"}.get(
        name.lower(), "PYTHON")
