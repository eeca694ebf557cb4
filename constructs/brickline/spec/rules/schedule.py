"""When a job runs: schedule (Quartz cron, time zone), trigger and continuous."""

from __future__ import annotations

from collections.abc import Callable

from brickline.spec import jobs_api as api
from brickline.spec import quartz
from brickline.spec.base import known_int
from brickline.spec.diagnostics import Diagnostic, Path
from brickline.spec.rules.context import JobContext
from brickline.spec.rules.job import git_source_problems, run_as_problems
from brickline.spec.rules.limits import MIN_TRIGGER_SECONDS


def job_triggers(ctx: JobContext) -> list[Diagnostic]:
    """schedule, trigger and continuous exclude each other (provider 1.99.0
    jobs/resource_job.go:589-591 ConflictsWith); a schedule's cron and time zone, a
    trigger's kind, run_as and git_source are each valid."""
    job = ctx.job
    out = []
    given = [k for k in ("schedule", "trigger", "continuous") if getattr(job, k)]
    if len(given) > 1:
        out.append(ctx.at((given[1],), f"a job takes one of schedule, trigger and continuous;"
                                       f" this one sets {' and '.join(given)}"))
    out += schedule_problems(job.schedule, ctx.at)
    out += trigger_problems(job.trigger, ctx.at)
    out += run_as_problems(job.run_as, ctx.at)
    raw_git = job.raw.get("git_source")
    out += git_source_problems(job.git_source, ctx.at, raw_git if isinstance(raw_git, dict) else {})
    return out


def schedule_problems(schedule: api.Schedule | None,
              error: Callable[[Path, str], Diagnostic]) -> list[Diagnostic]:
    """Quartz cron and Java time zone (brickline.spec.quartz has the sources)."""
    if schedule is None:
        return []
    out = []
    cron = schedule.quartz_cron_expression
    problem = None if "${" in cron else quartz.cron_problem(cron)
    if problem:
        out.append(error(("schedule", "quartz_cron_expression"), problem))
    zone = schedule.timezone_id
    problem = None if "${" in zone else quartz.time_zone_problem(zone)
    if problem:
        out.append(error(("schedule", "timezone_id"), problem))
    return out


def trigger_problems(trigger: api.Trigger | None,
             error: Callable[[Path, str], Diagnostic]) -> list[Diagnostic]:
    """provider 1.99.0 jobs/resource_job.go:593-602: exactly one of file_arrival,
    table_update, periodic; periodic interval >= 1 (its unit is an enum of the model);
    file_arrival url not empty; table_update at least one table."""
    if trigger is None:
        return []
    kinds = [k for k in ("file_arrival", "table_update", "periodic") if getattr(trigger, k)]
    if len(kinds) != 1:
        return [error(("trigger",), "a trigger is exactly one of file_arrival, table_update "
                                    f"and periodic; this one has {' and '.join(kinds) or 'none'}")]
    out = []
    periodic = trigger.periodic
    if periodic is not None:
        interval = known_int(periodic.interval)
        if interval is not None and interval < 1:
            out.append(error(("trigger", "periodic", "interval"),
                             f"bad value {periodic.interval}: the interval is 1 or more"))
    if trigger.file_arrival is not None and not trigger.file_arrival.url:
        out.append(error(("trigger", "file_arrival", "url"), "the url is empty: give the "
                                                             "storage location to watch"))
    if trigger.table_update is not None and not trigger.table_update.table_names:
        out.append(error(("trigger", "table_update", "table_names"),
                         "give at least one table to watch"))
    # Jobs API TableUpdateTriggerConfiguration.table_names: "The table name must be in the
    # format `catalog_name.schema_name.table_name`"; min_time_between_triggers_seconds and
    # wait_after_last_change_seconds of both triggers: "The minimum allowed value is 60
    # seconds" (databricks-sdk-py service/jobs.py; provider docs/resources/job.md)
    for i, table in enumerate(trigger.table_update.table_names
                              if trigger.table_update is not None else []):
        parts = table.split(".")
        if "${" not in table and "`" not in table and (
                len(parts) != 3 or not all(x.strip() for x in parts)):
            out.append(error(("trigger", "table_update", "table_names", i),
                             f"bad table {table!r}: give the full name "
                             "catalog.schema.table"))
    for kind in ("file_arrival", "table_update"):
        config = getattr(trigger, kind)
        for key in ("min_time_between_triggers_seconds", "wait_after_last_change_seconds"):
            value = getattr(config, key, None) if config is not None else None
            if isinstance(value, int) and value < MIN_TRIGGER_SECONDS:
                out.append(error(("trigger", kind, key),
                                 f"bad value {value}: {key} is at least "
                                 f"{MIN_TRIGGER_SECONDS} (Jobs API)"))
    return out
