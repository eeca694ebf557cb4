"""The one registry of Terraform names: how a job key becomes an address, an output, a
moved block; the names brickline's own resources take; and which names may not be used.

Pure Python (no cdktf): the spec asks it for collisions, the plan, the constructs and the
review ask it for names. Every construct of a stack is a child of the stack's scope, and
construct ids must be unique among siblings (constructs library, `Node.addChild`: "There is
already a Construct with name ..."), so resources, outputs, variables, the provider and the
backend all share one namespace here, whatever their Terraform type.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

# brickline's own resources of every stack, by address (= construct id)
ORCHESTRATOR = "orchestrator"
METADATA_TABLE = "job_metadata"
STATUS_VIEW = "job_status"
STATUS_FILE = "brickline_status"
PIPELINE_START_FILE = "brickline_pipeline_start"
# the status log's schema: a databricks_schema resource, or data source when it is only read
METADATA_SCHEMA = "metadata_schema"
DASHBOARD = "dashboard"
PROVIDER = "databricks"
# cdktf gives every backend the construct id "backend" (cdktf TerraformBackend)
BACKEND = "backend"

RESERVED: dict[str, str] = {
    ORCHESTRATOR: "the orchestrator job",
    METADATA_TABLE: "the job_metadata table",
    STATUS_VIEW: "the job_status view",
    STATUS_FILE: "the status program's notebook",
    PIPELINE_START_FILE: "the orchestrator's first task's SQL file",
    METADATA_SCHEMA: "the metadata schema",
    DASHBOARD: "the dashboard",
    PROVIDER: "the provider",
    BACKEND: "the state backend",
}

# Terraform refuses these as variable names ("The variable name ... is reserved due to its
# special meaning inside module blocks"): developer.hashicorp.com/terraform/language/values/
# variables, "Declaring an Input Variable"; hashicorp/terraform internal/configs/named_values.go
# hashicorp/terraform v1.11.4 internal/configs/named_values.go:81-103 (with
# module_call.go): names reserved for module blocks' meta-arguments
TERRAFORM_RESERVED_VARIABLES = ("_", "count", "depends_on", "for_each", "lifecycle",
                                "locals", "provider", "providers", "source", "version")

# What brickline writes as a Terraform name: ASCII letters, digits, '_' and '-', starting
# with a letter or '_' (hclsyntax.ValidIdentifier allows more; this is the safe subset).
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
JOB_TYPE = "databricks_job"
OUTPUT_SUFFIXES = ("_job_id", "_job_url")


def address_from_name(name: str) -> str:
    """Data_Extract_Job -> data_extract_job; a Terraform name and a task key at once. A
    name with letters beyond ASCII (データ取込, Lieferung_Zürich) keeps its ASCII part and
    gets a short hash of the whole name, so two such names never share an address and the
    same name always gets the same one (the Jobs API's task keys are ASCII words)."""
    key = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if not name.isascii() and any(c.isalnum() and not c.isascii() for c in name):
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
        key = f"{key}_{digest}" if key else digest
    return key if key[:1].isalpha() else f"job_{key}"


def job_outputs(address: str) -> tuple[str, str]:
    """The outputs of a job: its id and its URL."""
    return f"{address}_job_id", f"{address}_job_url"


def job_resource(address: str) -> str:
    """The job's full Terraform address, as a moved block or a reference names it."""
    return f"{JOB_TYPE}.{address}"


def job_from_reference(text: str) -> str:
    """'${databricks_job.load.id}' -> 'load' (the text itself when it is no such reference)."""
    return text.removeprefix("${" + JOB_TYPE + ".").removesuffix(".id}")


def destination_address(name: str) -> str:
    return "dest_" + "".join(c if c.isascii() and c.isalnum() else "_" for c in name)


def permission_address(job_address: str) -> str:
    return f"perm_{job_address}"


def grant_address(securable: str, slug: str) -> str:
    """A databricks_grant of brickline's: on the table, view, schema or catalog."""
    return f"grant_{securable}_{slug}"


def grant_slugs(principals: list[str]) -> dict[str, str]:
    """A Terraform name part per principal: readable, and unique within the stack."""
    def slug(p: str) -> str:
        return "".join(c if c.isalnum() else "_" for c in p.lower()).strip("_") or "principal"

    slugs: dict[str, set[str]] = {}
    for p in principals:
        slugs.setdefault(slug(p), set()).add(p)
    return {p: slug(p) if len(slugs[slug(p)]) == 1
            else f"{slug(p)}_{hashlib.sha256(p.encode()).hexdigest()[:8]}"
            for p in principals}


def stack_name(pipeline: str, target: str | None) -> str:
    return f"{pipeline}-{target}" if target else pipeline


# (kind, name, position): ("job", address, 3) is the 4th job given; ("variable", name, 0)
Owner = tuple[str, str, int]


def claims(*, jobs: Iterable[str], destinations: Iterable[str] = (),
           variables: Iterable[str] = (), permissions: Iterable[str] = (),
           grants: Iterable[str] = (), dashboard: bool = False,
           orchestrator: bool = True) -> list[tuple[str, Owner, str]]:
    """Every construct id a stack creates in its scope, in creation order, as
    (id, owner, what): brickline's own first, then the jobs (address, then outputs), the
    permissions, the destinations and the variables. `jobs` and `permissions` are job
    addresses; `destinations` are destination names as written; `variables` are names;
    `grants` are the addresses of brickline's databricks_grant resources (grant_address).
    An id listed twice is a collision: cdktf stops the synth on it."""
    out: list[tuple[str, Owner, str]] = []
    for name, what in RESERVED.items():
        if (name != DASHBOARD or dashboard) and (name != ORCHESTRATOR or orchestrator):
            out.append((name, ("reserved", name, 0), what))
    # orchestrator=False: no job runs from it (every job has orchestrate: false), no such job
    for output in job_outputs(ORCHESTRATOR) if orchestrator else []:
        out.append((output, ("reserved", ORCHESTRATOR, 0), "the orchestrator's output"))
    for i, job in enumerate(jobs):
        out.append((job, ("job", job, i), "a job's address"))
        for output in job_outputs(job):
            out.append((output, ("job", job, i), "a job's output"))
    for i, job in enumerate(permissions):
        out.append((permission_address(job), ("permissions", job, i), "a job's permissions"))
    for i, dest in enumerate(destinations):
        out.append((destination_address(dest), ("destination", dest, i), "a destination"))
    for i, var in enumerate(variables):
        out.append((var, ("variable", var, i), "a variable"))
    for grant in grants:
        out.append((grant, ("reserved", grant, 0), "a Unity Catalog grant"))
    return out
