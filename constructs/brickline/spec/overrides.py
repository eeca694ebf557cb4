"""A target's job override (`pipeline.targets.<t>.jobs.<job>`), checked before it is merged:
plain functions from the job as written and the override to diagnostics, and the part of
the override that can still be merged and validated, so that every mistake of an override
block shows in one run.

- A key a target may not change (targets.FIXED_JOB_KEYS) is an error at that key; the rest
  of the override is still checked.
- An item of a keyed list (tasks by task_key, job_clusters by job_cluster_key, parameters by
  name, environments by environment_key: targets.KEYED_LISTS, as bundles merge them) whose
  key no item of the job has is added by the merge, not merged. When the key is a near
  miss of one the job has, that is almost always a typo (`publish_to_b` for
  `publish_to_bi`): an error with the did-you-mean, and the item is left out of the merge
  (it would only add a second, incomplete item). Otherwise the item is added, and a
  warning says so, so that adding by override is never silent.
"""

from __future__ import annotations

import difflib
from typing import Any

from brickline.spec import targets
from brickline.spec.diagnostics import Diagnostic, Path, did_you_mean, format_path
from brickline.spec.yamlsource import Source

# Keys people write for a target's setting under another name, and the setting's key: a
# hint where did-you-mean finds nothing close. `schedule_paused`/`pause_status`: the
# target's `paused` pauses every schedule, trigger and continuous run.
MISNAMED = {"schedule_paused": "paused", "pause_status": "paused", "pause": "paused",
            "paused_schedules": "paused"}
# how close a new key must be to an existing one to be taken for a typo of it (difflib's
# ratio, as did_you_mean uses it)
NEAR = 0.6


def hint(name: str, candidates: list[str]) -> str:
    """' (the key is 'paused')' for a known misnomer whose key is among `candidates`."""
    meant = MISNAMED.get(name)
    return f" (the key is '{meant}')" if meant in candidates else ""


def check_job(raw: dict[str, Any], override: dict[str, Any], source: Source, path: Path,
              job_name: str) -> tuple[list[Diagnostic], dict[str, Any]]:
    """Mistakes of one job override, and the override less what they concern (to merge
    and validate the rest)."""
    out: list[Diagnostic] = []
    usable = dict(override)
    for key in targets.FIXED_JOB_KEYS:
        if key in override:
            out.append(source.error(
                (*path, key), f"a target cannot change a job's '{key}': the jobs and their "
                "edges are the same in every target", key=True))
            usable.pop(key)
    for key, value in override.items():
        if key not in targets.KEYED_LISTS or not isinstance(value, list):
            continue
        field = targets.KEYED_LISTS[key]
        # the job may spell the list the other way (tasks / task, ...)
        spellings = next(((plural, one) for plural, one in targets.SPELLINGS.items()
                          if key in (plural, one)), (key,))
        base = next((raw[k] for k in spellings if k in raw), None)
        known = [str(item.get(field)) for item in base or []
                 if isinstance(item, dict) and item.get(field) is not None]
        kept = []
        for index, item in enumerate(value):
            name = item.get(field) if isinstance(item, dict) else None
            if not isinstance(name, str) or name in known:
                kept.append(item)
                continue
            where: Path = (*path, key, index, field)
            close = difflib.get_close_matches(name, known, n=1, cutoff=NEAR)
            if close:
                out.append(source.error(
                    where, f"no {_what(field)} '{name}' in job '{job_name}'"
                    f"{did_you_mean(name, known)}: an override item whose {field} matches "
                    f"none adds a new one"))
                continue
            out.append(Diagnostic(
                source.where(where), format_path(where),
                f"adds {_what(field)} '{name}' to job '{job_name}' in this target (no "
                f"{_what(field)} of the job has this {field}; "
                + (f"its {_plural(field)}: {', '.join(sorted(known))})" if known else
                   f"the job has no {_plural(field)})"), severity="warning"))
            kept.append(item)
        usable[key] = kept
    return out, usable


def _what(field: str) -> str:
    return {"task_key": "task", "job_cluster_key": "job cluster", "name": "job parameter",
            "environment_key": "environment"}[field]


def _plural(field: str) -> str:
    return {"task_key": "tasks", "job_cluster_key": "job clusters", "name": "parameters",
            "environment_key": "environments"}[field]
