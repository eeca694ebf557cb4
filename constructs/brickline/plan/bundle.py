"""What a bundle's target adds to its stack besides jobs: the data sources its references
read (the current user, lookup variables), and its pipelines, schemas and volumes with their
permissions and grants, in the provider's names.

Sources: databricks/cli bundle/deploy/terraform/tfdyn/convert_pipeline.go (libraries ->
library, clusters -> cluster, notifications -> notification; permissions become a
databricks_permissions of the pipeline), convert_schema.go and convert_volume.go (grants
become a databricks_grants of the schema or volume), convert_grants.go;
bundle/config/mutator/resourcemutator/apply_presets.go (a pipeline's name takes the name
prefix, a schema's the prefix normalized; pipelines_development; tags).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from brickline.plan.model import Ref, ResourcePlan
from brickline.spec import bundle, localfiles
from brickline.spec.targets import Deployment

# data.databricks_current_user.current_user and data.databricks_user.current_user_details
# (spec/bundle.py CURRENT_USER, USER_DETAILS)
CURRENT_USER = "current_user"
USER_DETAILS = "current_user_details"
PIPELINE_RENAMES = {"libraries": "library", "clusters": "cluster",
                    "notifications": "notification"}
RESOURCE_TYPES = {"pipelines": "databricks_pipeline", "schemas": "databricks_schema",
                  "volumes": "databricks_volume"}
GRANT_ARGUMENT = {"schemas": "schema", "volumes": "volume"}


def data_sources(d: Deployment) -> list[ResourcePlan]:
    """The current user (for ${workspace.current_user.*} and development mode) and each
    lookup variable a reference uses."""
    out = []
    if "current_user" in d.needs:
        out.append(ResourcePlan(CURRENT_USER, {}, type="databricks_current_user"))
    if "user" in d.needs:
        user = Ref(f"data.{CURRENT_USER}", "user_name")
        out.append(ResourcePlan(USER_DETAILS, {"user_name": user}, type="databricks_user"))
    for name, lookup in sorted(d.lookups.items()):
        if f"lookup:{name}" not in d.needs or not lookup:
            continue
        kind, value = next(iter(lookup.items()))
        data_type, argument, _ = bundle.LOOKUPS.get(kind, ("", "", ""))
        if data_type and argument:
            out.append(ResourcePlan(bundle.lookup_address(name), {argument: value},
                                    type=data_type))
    return out


def resources(d: Deployment) -> list[ResourcePlan]:
    """The bundle's pipelines, schemas and volumes of this target, with their permissions
    and grants."""
    out: list[ResourcePlan] = []
    for (kind, key), raw in sorted(d.resources.items()):
        if not isinstance(raw, dict):
            continue
        address = bundle.resource_address(kind, key)
        settings = _settings(kind, raw, d)
        # lifecycle.prevent_destroy becomes the resource's Terraform lifecycle, as the CLI
        # converts it (bundle/deploy/terraform/tfdyn/lifecycle.go)
        lifecycle = raw.get("lifecycle")
        protect = isinstance(lifecycle, dict) and lifecycle.get("prevent_destroy") is True
        out.append(ResourcePlan(address, settings, type=RESOURCE_TYPES[kind], protect=protect))
        permissions = raw.get("permissions")
        if kind == "pipelines" and isinstance(permissions, list) and permissions:
            out.append(ResourcePlan(f"{address}_permissions", {
                "pipeline_id": Ref(address, "id"),
                "access_control": [
                    {k: v for k, v in p.items() if k != "level"} | {
                        "permission_level": p.get("level")}
                    for p in permissions if isinstance(p, dict)]},
                type="databricks_permissions"))
        grants = raw.get("grants")
        if kind in GRANT_ARGUMENT and isinstance(grants, list) and grants:
            out.append(ResourcePlan(f"{address}_grants", {
                GRANT_ARGUMENT[kind]: Ref(address, "id"),
                "grant": [{"principal": g.get("principal"),
                           "privileges": sorted(set(g.get("privileges") or []))}
                          for g in sorted(grants, key=lambda g: str(g.get("principal")))
                          if isinstance(g, dict)]},
                type="databricks_grants"))
    return out


def _settings(kind: str, raw: dict[str, Any], d: Deployment) -> dict[str, Any]:
    """The provider's arguments of a bundle resource (validated and normalized by
    spec/bundle.py): its keys less the bundle's own (permissions, grants, lifecycle, ...:
    spec/resources_api.py OWN_KEYS, what they become is made above)."""
    from brickline.spec.resources_api import OWN_KEYS

    own = OWN_KEYS[kind]
    if kind == "pipelines":
        settings = {PIPELINE_RENAMES.get(k, k): v for k, v in raw.items() if k not in own}
        if d.name_prefix and isinstance(settings.get("name"), str):
            settings["name"] = d.name_prefix + settings["name"]
        if d.tags:
            settings["tags"] = {**d.tags, **(settings.get("tags") or {})}
        return settings
    settings = {k: v for k, v in raw.items() if k not in own}
    if kind == "schemas" and d.name_prefix and isinstance(settings.get("name"), str):
        settings["name"] = normalized_prefix(d.name_prefix) + settings["name"]
    return settings


def normalized_prefix(prefix: str) -> str:
    """apply_presets.go normalizePrefix: '[dev jane] ' -> 'dev_jane_' (a Terraform
    expression inside the prefix is kept as it is)."""
    ends_with_bracket = prefix.rstrip().endswith("]")
    out = []
    for literal, expression in _parts(prefix.strip()):
        text = re.sub(r"[^\w]+", "_", literal.replace("[", "").replace("]", "").lower())
        out.append(text + expression)
    joined = "".join(out).strip("_")
    return joined + "_" if ends_with_bracket else joined


def _parts(text: str) -> list[tuple[str, str]]:
    """(literal text, the ${...} expression after it) pairs, braces balanced."""
    out = []
    start = 0
    while True:
        at = text.find("${", start)
        if at < 0:
            out.append((text[start:], ""))
            return out
        depth, end = 0, at + 1
        while end < len(text):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
            if depth == 0:
                break
        out.append((text[start:at], text[at:end]))
        start = end


# libs/notebook/detect.go: a source file whose first line is the notebook header is a notebook
NOTEBOOK_HEADERS = {".py": "# Databricks notebook source", ".sql": "-- Databricks notebook source",
                    ".scala": "// Databricks notebook source", ".r": "# Databricks notebook source"}


def sync(d: Deployment, uploads: dict[str, ResourcePlan]) -> None:
    """The bundle's synced files (spec/bundle.py synced_files) as workspace files and
    notebooks under workspace.file_path, read by Terraform from disk at plan (`source`);
    a file a task names is uploaded with its content already (plan/deployment.py)."""
    if not d.synced or d.files_root is None or d.file_path is None:
        return
    taken = {str(u.settings.get("path")) for u in uploads.values()}
    for rel in d.synced:
        local = Path(d.files_root) / rel
        notebook = _is_notebook(local)
        remote = f"{d.file_path}/{os.path.splitext(rel)[0] if notebook else rel}"
        if remote in taken:
            continue
        address = ("notebook_" if notebook else "file_") + re.sub(
            r"[^A-Za-z0-9]+", "_", rel).strip("_").lower()
        while address in uploads:
            address += "_"
        # the stack runs in cdktf.out/stacks/<stack>/: the project root is three folders up
        source = "../../../" + localfiles.project_path(local)
        uploads[address] = ResourcePlan(address, {"path": remote, "source": source},
                                        type="databricks_notebook" if notebook
                                        else "databricks_workspace_file")


def _is_notebook(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        return True
    header = NOTEBOOK_HEADERS.get(suffix)
    if header is None:
        return False
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            return f.readline().strip() == header
    except OSError:
        return False
