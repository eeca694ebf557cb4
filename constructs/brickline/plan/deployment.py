"""What a deployment (a target) adds around the jobs: what it sets on every job, the
uploads of local files, variables, backend, notification destinations, job permissions and
the status dashboard."""

from __future__ import annotations

from typing import Any

from brickline import names
from brickline.plan.model import JobPlan, Ref, ResourcePlan, VariablePlan
from brickline.spec import localfiles
from brickline.spec.model import BACKEND_KINDS, Job
from brickline.spec.targets import Deployment

destination_address = names.destination_address


def _deployment_settings(settings: dict[str, Any], d: Deployment) -> None:
    """What a target sets on every job and the orchestrator: run_as, paused schedules."""
    if d.run_as:
        settings["run_as"] = dict(d.run_as)
    if d.paused:
        for key in ("schedule", "trigger", "continuous"):
            if key in settings:
                settings[key] = {**settings[key], "pause_status": "PAUSED"}


def _upload_local_files(job: Job, settings: dict[str, Any], d: Deployment,
                        uploads: dict[str, ResourcePlan]) -> None:
    """Each relative code path of the job (spec/localfiles.py) becomes an upload under the
    stack's workspace folder, and the task refers to the uploaded copy."""
    folder = d.file_path or \
        f"{d.metadata.workspace_dir.rstrip('/')}/{d.stack_name}/{localfiles.UPLOAD_DIR}"
    for ref in list(localfiles.local_refs(settings, tasks="task", libraries="library",
                                          environments="environment")):
        found = localfiles.matches(job, ref.value)
        if not found and d.files_root is not None:
            up = localfiles.built_upload(job, ref.value, d.artifact_path or folder,
                                         d.files_root, d.built)
            if up is None:
                continue
        elif len(found) != 1:
            continue  # validation reported it
        else:
            up = localfiles.upload(found[0], folder, ref.notebook, root=d.files_root)
        address = up.address
        while address in uploads and uploads[address].settings["path"] != up.settings["path"]:
            address += "_"  # two paths that spell the same address
        uploads[address] = ResourcePlan(address, up.settings, type=up.type)
        container: Any = settings
        for part in ref.path[:-1]:
            container = container[part]
        container[ref.path[-1]] = Ref(address, up.attribute)


def _variables(d: Deployment) -> list[VariablePlan]:
    pipeline = d.pipeline
    declared = {name: (v.description, v.default, v.sensitive)
                for name, v in pipeline.settings.variables.items()}
    if d.metadata.warehouse_id == "${var.warehouse_id}" or "warehouse_id" in d.variable_defaults:
        declared.setdefault("warehouse_id", ("SQL warehouse that runs the job_metadata "
                                             "table's DDL", None, False))
    for name, value in d.variable_defaults.items():
        description, _, sensitive = declared[name]
        declared[name] = (description, value, sensitive)
    for name, description in d.open_variables.items():
        if f"variable:{name}" in d.needs:  # a bundle variable with no value: set at deploy
            declared.setdefault(name, (description, None, False))
    return [VariablePlan(name, *declared[name]) for name in sorted(declared)]


def _backend(d: Deployment) -> tuple[str, dict[str, Any]] | None:
    if d.backend is None:
        return None
    for kind in BACKEND_KINDS:
        config = getattr(d.backend, kind)
        if config is not None:
            values = config.model_dump(exclude_none=True)
            if kind == "local":
                # relative to the project root, seen from cdktf.out/stacks/<stack>/
                values["path"] = f"../../../{values['path']}"
            return kind, values
    return None


def _destinations(d: Deployment) -> list[ResourcePlan]:
    out = []
    for name, dest in sorted(d.pipeline.settings.destinations.items()):
        config = dest.model_dump(exclude_none=True, exclude={"display_name"})
        out.append(ResourcePlan(destination_address(name), {
            "display_name": dest.display_name or f"{d.stack_name} {name}",
            "config": config,
        }))
    return out


def _permissions(d: Deployment, jobs: list[JobPlan]) -> list[ResourcePlan]:
    """databricks_permissions per job: the pipeline's and the target's grants, then the
    job's own; one entry per principal (the strongest level listed last wins). A renamed
    job's access list moves with it: deleting databricks_permissions resets the job's
    access list to its creator and admins (provider permissions/resource_permissions.go),
    so a destroy-and-create would leave the job without its grants in between."""
    models = {j.address: j for j in d.jobs}
    out = []
    for job in jobs:
        own = models[job.address].permissions or [] if job.address in models else []
        grants: dict[tuple[str, str], str] = {}
        for grant in [*d.permissions, *own]:
            for principal in grant.principals:
                grants[principal] = grant.level
        if grants:
            out.append(ResourcePlan(
                names.permission_address(job.address), type="databricks_permissions",
                moved_from=(f"databricks_permissions.{names.permission_address(job.moved_from)}"
                            if job.moved_from else None),
                settings={
                    "job_id": Ref(job.address, "id"),
                    "access_control": [{kind: principal, "permission_level": level}
                                       for (kind, principal), level in sorted(grants.items())],
                }))
    return out


def _dashboard(d: Deployment) -> ResourcePlan | None:
    board = d.pipeline.settings.dashboard
    if board is None:
        return None
    from brickline.runtime.views import dashboard_json

    meta = d.metadata
    view = f"{meta.catalog}.{meta.schema_name}.{meta.view_name}"
    return ResourcePlan(names.DASHBOARD, {
        "display_name": board.display_name or f"{d.stack_name} pipeline status",
        "warehouse_id": board.warehouse_id or meta.warehouse_id,
        "parent_path": board.parent_path,
        "serialized_dashboard": dashboard_json(meta.full_name, view, d.pipeline.name),
        "embed_credentials": False,
    })
