"""Malformed pipelines: each must give a located error with the expected message.

A case is one or more files; the line the error must point at carries a trailing `#!`
comment (or, where a comment cannot stand, the expected line is given). Every case is also
run through the CLI in test_cli.py's corpus test to prove exit 1 and no traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from brickline.spec.load import collect

TASK = """      - task_key: t
        notebook_task: {notebook_path: /x}
"""


def job(name: str = "A", extra: str = "", tasks: str = TASK) -> str:
    return f"  - name: {name}\n{extra}    tasks:\n{tasks}"


CASES: list[tuple[str, dict[str, str], str]] = [
    ("yaml_syntax", {"p.yml": "jobs:\n  - name: [A\n    tasks: x #!\n"}, "invalid YAML"),
    ("yes_is_a_string", {"p.yml": "jobs:\n" + job(tasks=TASK + "        run_if: no #!\n")},
     "bad value 'no': expected one of"),
    ("tab_indent", {"p.yml": "jobs:\n\t- name: A #!\n"}, "tabs"),
    ("duplicate_key", {"p.yml": "jobs:\n  - name: A\n    name: B #!\n    tasks: []\n"},
     "duplicate key 'name' (first at line 2)"),
    ("empty_file", {"p.yml": ""}, "the file is empty"),
    ("whitespace_only", {"p.yml": "   \n\n  \n"}, "the file is empty"),
    ("top_level_list", {"p.yml": "- a #!\n"}, "expected a mapping with 'jobs:'"),
    ("top_level_scalar", {"p.yml": "hello #!\n"}, "expected a mapping with 'jobs:'"),
    ("unknown_top_key", {"p.yml": "job: #!\n  - name: A\n"},
     "unknown key 'job' (did you mean 'jobs'?)"),
    ("jobs_not_list", {"p.yml": "jobs: {name: A} #!\n"}, "expected a list of jobs, got a mapping"),
    ("unknown_job_key", {"p.yml": "jobs:\n  - name: A\n    taks: [] #!\n    tasks:\n" + TASK},
     "unknown key 'taks' (did you mean 'tasks'?)"),
    ("unknown_task_key", {"p.yml": "jobs:\n" + job(tasks="      - task_key: t\n"
                                                   "        notebok_task: {} #!\n")},
     "unknown key 'notebok_task' (did you mean 'notebook_task'?)"),
    ("missing_tasks", {"p.yml": "jobs:\n  - name: A #!\n"}, "missing required key 'tasks'"),
    ("missing_name", {"p.yml": "jobs:\n  - tasks: #!\n" + TASK}, "missing required key 'name'"),
    ("name_not_string", {"p.yml": "jobs:\n  - name: 5 #!\n    tasks:\n" + TASK},
     "expected a string, got the number 5 (quote it"),
    ("run_if_enum", {"p.yml": "jobs:\n" + job(tasks=TASK + "        run_if: ALWAYS #!\n")},
     "bad value 'ALWAYS': expected one of ALL_SUCCESS"),
    ("run_if_case", {"p.yml": "jobs:\n" + job(tasks=TASK + "        run_if: all_done #!\n")},
     "(did you mean 'ALL_DONE'?)"),
    ("health_op", {"p.yml": "jobs:\n" + job(extra="    health:\n      rules:\n        - "
                                                 "{metric: RUN_DURATION_SECONDS, op: "
                                                 "LESS_THAN, value: 9} #!\n")},
     "bad value 'LESS_THAN': expected one of GREATER_THAN"),
    ("pause_status", {"p.yml": "jobs:\n" + job(extra="    schedule:\n      "
                                                    "quartz_cron_expression: '0 0 1 * * ?'\n"
                                                    "      timezone_id: UTC\n"
                                                    "      pause_status: STOPPED #!\n")},
     "bad value 'STOPPED': expected one of PAUSED, UNPAUSED"),
    ("retries_not_number", {"p.yml": "jobs:\n" + job(tasks=TASK + "        max_retries: "
                                                                  "three #!\n")},
     "expected a number, got the string 'three'"),
    ("bool_not_bool", {"p.yml": "jobs:\n" + job(tasks=TASK + "        retry_on_timeout: "
                                                             "maybe #!\n")},
     "expected true or false, got the string 'maybe'"),
    ("task_dep_unknown", {"p.yml": "jobs:\n" + job(tasks="      - task_key: Extract\n"
                                                       "        notebook_task: {notebook_path: "
                                                       "/x}\n      - task_key: Load\n"
                                                       "        notebook_task: {notebook_path: "
                                                       "/y}\n        depends_on:\n"
                                                       "          - task_key: Extrct #!\n")},
     "unknown task 'Extrct' (did you mean 'Extract'?)"),
    ("trigger_typo", {"p.yml": "jobs:\n" + job(extra="    on_success:\n      trigger_job:\n"
                                                    "        job_name: Data_Lod #!\n")
                      + job("Data_Load")},
     "unknown job 'Data_Lod' (did you mean 'Data_Load'?)"),
    ("trigger_unknown", {"p.yml": "jobs:\n" + job(extra="    on_success:\n      trigger_job:\n"
                                                       "        job_name: Bee #!\n")
                         + job("B")},
     "unknown job 'Bee'"),
    ("depends_unknown_job", {"p.yml": "jobs:\n" + job(extra="    depends_on: [Extract] #!\n")},
     "unknown job 'Extract'"),
    ("task_cycle_2", {"p.yml": "jobs:\n" + job(tasks="      - task_key: a\n"
                                                   "        notebook_task: {notebook_path: /x}"
                                                   "\n        depends_on: [{task_key: b}] #!\n"
                                                   "      - task_key: b\n"
                                                   "        notebook_task: {notebook_path: /x}"
                                                   "\n        depends_on: [{task_key: a}]\n")},
     "tasks depend on each other in a cycle: a -> b -> a"),
    ("job_cycle_1", {"p.yml": "jobs:\n  - name: A #!\n    depends_on: [A]\n    tasks:\n" + TASK},
     "jobs depend on each other in a cycle: A -> A"),
    ("job_cycle_3", {"p.yml": "jobs:\n  - name: A #!\n    depends_on: [C]\n    tasks:\n" + TASK
                     + job("B", "    depends_on: [A]\n") + job("C", "    depends_on: [B]\n")},
     "jobs depend on each other in a cycle: A -> B -> C -> A"),
    ("no_task_type", {"p.yml": "jobs:\n" + job(tasks="      - task_key: t #!\n")},
     "the task has no task type"),
    ("two_task_types", {"p.yml": "jobs:\n" + job(tasks=TASK + "        spark_python_task: "
                                                             "{python_file: /y} #!\n")},
     "exactly one task type; this one has notebook_task and spark_python_task"),
    ("undefined_job_cluster", {"p.yml": "jobs:\n" + job(tasks=TASK + "        job_cluster_key:"
                                                                    " big #!\n")},
     "unknown job cluster 'big'"),
    ("undefined_environment", {"p.yml": "jobs:\n" + job(tasks=TASK + "        environment_key:"
                                                                    " py #!\n")},
     "unknown environment 'py'"),
    ("cluster_no_node_type", {"p.yml": "jobs:\n" + job(extra="    job_clusters:\n"
                                                            "      - job_cluster_key: c\n"
                                                            "        new_cluster: #!\n"
                                                            "          spark_version: '15.4'\n"
                                                            "          num_workers: 2\n")},
     "new_cluster needs node_type_id, instance_pool_id or policy_id"),
    ("outcome_not_condition", {"p.yml": "jobs:\n" + job(tasks="      - task_key: a\n"
                                                            "        notebook_task: "
                                                            "{notebook_path: /x}\n"
                                                            "      - task_key: b\n"
                                                            "        notebook_task: "
                                                            "{notebook_path: /x}\n"
                                                            "        depends_on:\n"
                                                            "          - task_key: a\n"
                                                            "            outcome: 'true' #!\n")},
     "'outcome' applies only to a condition_task"),
    ("sql_no_warehouse", {"p.yml": "jobs:\n" + job(tasks="      - task_key: q\n"
                                                       "        sql_task: #!\n"
                                                       "          query: {query_id: abc}\n")},
     "missing required key 'warehouse_id'"),
    ("python_tag", {"p.yml": "jobs: !!python/object/apply:os.system ['echo hi'] #!\n"},
     "the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
    ("custom_tag", {"p.yml": "jobs:\n" + job(extra="    description: !Ref x #!\n")},
     "the tag '!Ref' is not allowed"),
    ("alias_bomb", {"p.yml": "a: &a [x, x, x, x, x, x, x, x, x, x] #!\n"
                    + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n"
                              for p, c in zip("abcdefg", "bcdefgh", strict=True))},
     "expands to more than"),
    ("duplicate_job_across_files", {"a.yml": "jobs:\n" + job(),
                                    "b.yml": "jobs:\n  - name: A #!\n    tasks:\n" + TASK},
     "duplicate job name 'A' (first at"),
    ("duplicate_task_key", {"p.yml": "jobs:\n" + job(tasks=TASK + "      - task_key: t #!\n"
                                                           "        notebook_task: "
                                                           "{notebook_path: /y}\n")},
     "duplicate task_key 't'"),
    ("duplicate_cluster_key", {"p.yml": "jobs:\n" + job(extra="    job_clusters:\n"
                                                             "      - job_cluster_key: c\n"
                                                             "        new_cluster: "
                                                             "{node_type_id: i3}\n"
                                                             "      - job_cluster_key: c #!\n"
                                                             "        new_cluster: "
                                                             "{node_type_id: i3}\n")},
     "duplicate job_cluster_key 'c'"),
    ("schedule_and_continuous", {"p.yml": "jobs:\n" + job(extra="    schedule: "
                                                               "{quartz_cron_expression: x, "
                                                               "timezone_id: UTC}\n"
                                                               "    continuous: {} #!\n")},
     "a job takes one of schedule, trigger and continuous"),
    ("undeclared_variable", {"p.yml": "jobs:\n" + job(extra="    description: "
                                                           "'${var.nope}' #!\n")},
     "undeclared variable 'nope'"),
    ("bad_template", {"p.yml": "jobs:\n" + job(extra="    description: 'cost ${x}' #!\n")},
     "'${' starts a Terraform expression"),
    ("directive_template", {"p.yml": "jobs:\n" + job(extra="    description: '%{if x}' #!\n")},
     "'%{' starts a Terraform expression"),
    ("settings_unknown_key", {"pipeline.yml": "pipeline:\n  defaults:\n    max_retry: 3 #!\n",
                              "j.yml": "jobs:\n" + job()},
     "unknown key 'max_retry' (did you mean 'max_retries'?)"),
    ("settings_negative", {"pipeline.yml": "pipeline:\n  defaults:\n    max_retries: -5 #!\n",
                           "j.yml": "jobs:\n" + job()},
     "bad value -5: input should be greater than or equal to -1"),
    ("two_pipeline_sections", {"a.yml": "pipeline: {name: x}\njobs:\n" + job(),
                               "b.yml": "pipeline: {name: y} #!\n"},
     "a second 'pipeline:' section"),
    ("non_utf8", {"p.yml": b"jobs:\n  - name: \xff\xfe #!\n".decode("latin-1")},
     "not UTF-8 text (byte 0xff)"),
    ("orchestrator_schedule_and_trigger",
     {"pipeline.yml": "pipeline:\n  orchestrator:\n    schedule: {quartz_cron_expression: x, "
                      "timezone_id: UTC}\n    trigger: {periodic: {interval: 1, unit: HOURS}}"
                      " #!\n",
      "j.yml": "jobs:\n" + job()},
     "the orchestrator takes one of schedule, trigger and continuous"),
    ("two_computes", {"p.yml": "jobs:\n" + job(tasks=TASK + "        existing_cluster_id: x\n"
                                                           "        environment_key: e #!\n",
                                               extra="    environments:\n"
                                                     "      - environment_key: e\n"
                                                     "        spec: {client: '1'}\n")},
     "a task runs on one compute; this one sets existing_cluster_id and environment_key"),
    ("bad_pipeline_name", {"pipeline.yml": "pipeline:\n  name: my pipeline #!\n",
                           "j.yml": "jobs:\n" + job()},
     "bad pipeline name 'my pipeline'"),
    ("reserved_key", {"p.yml": "jobs:\n  - name: A\n    key: orchestrator #!\n    tasks:\n"
                      + TASK},
     "the key 'orchestrator' is reserved"),
    ("reserved_key_metadata", {"p.yml": "jobs:\n  - name: Job Metadata #!\n    tasks:\n"
                               + TASK},
     "the key 'job_metadata' is reserved for the job_metadata table"),
    ("reserved_task_key", {"p.yml": "jobs:\n" + job(tasks="      - task_key: brickline_end #!\n"
                                                        "        notebook_task: {notebook_path: "
                                                        "/x}\n")},
     "task keys starting with 'brickline_' are brickline's own"),
    ("rollback_bad_table", {"p.yml": "jobs:\n" + job(extra="    rollback:\n      tables:\n"
                                                           "        - orders #!\n")},
     "bad table name 'orders': write catalog.schema.table"),
    ("rollback_not_list", {"p.yml": "jobs:\n" + job(extra="    rollback: {tables: x} #!\n")},
     "expected a list"),
    ("metadata_bad_schema", {"pipeline.yml": "pipeline:\n  metadata:\n    schema: ops; drop "
                                             "#!\n", "j.yml": "jobs:\n" + job()},
     "bad schema name 'ops; drop'"),
    ("metadata_view_is_table", {"pipeline.yml": "pipeline:\n  metadata:\n    view: "
                                                "job_metadata #!\n", "j.yml": "jobs:\n" + job()},
     "the status view cannot have the table's name"),
    ("metadata_relative_dir", {"pipeline.yml": "pipeline:\n  metadata:\n    workspace_dir: "
                                               "Shared/x #!\n", "j.yml": "jobs:\n" + job()},
     "bad workspace folder 'Shared/x'"),
    ("recovery_unknown_key", {"pipeline.yml": "pipeline:\n  recovery:\n    skip_succeded: "
                                              "true #!\n", "j.yml": "jobs:\n" + job()},
     "unknown key 'skip_succeded' (did you mean 'skip_succeeded'?)"),
    ("variable_named_like_a_job", {"pipeline.yml": "pipeline:\n  variables:\n    a: #!\n"
                                                   "      default: x\n",
                                   "j.yml": "jobs:\n" + job()},
     "the variable name 'a' is the key of job 'A'"),
    ("renamed_from_with_key", {"p.yml": "jobs:\n  - name: B\n    key: b\n    renamed_from: "
                               "A #!\n    tasks:\n" + TASK},
     "a job with 'key:' keeps its address through a rename: drop renamed_from"),
    ("renamed_from_taken", {"p.yml": "jobs:\n" + job("A") + "  - name: B\n    renamed_from: "
                            "A #!\n    tasks:\n" + TASK},
     "'A' has the address 'a', which another job or resource uses now"),
    ("same_key_two_jobs", {"p.yml": "jobs:\n" + job("Load Job") + "  - name: load-job #!\n"
                           "    tasks:\n" + TASK},
     "job key 'load_job' is also the key of 'Load Job'"),
    ("bad_key_format", {"p.yml": "jobs:\n  - name: A\n    key: 9lives #!\n    tasks:\n"
                        + TASK},
     "bad key '9lives'"),
    ("bad_task_key", {"p.yml": "jobs:\n" + job(tasks="      - task_key: a b #!\n"
                                                   "        notebook_task: {notebook_path: "
                                                   "/x}\n")},
     "bad task_key 'a b'"),
    ("empty_tasks", {"p.yml": "jobs:\n  - name: A\n    tasks: [] #!\n"},
     "a job needs at least one task"),
    ("tasks_not_list", {"p.yml": "jobs:\n  - name: A\n    tasks: {task_key: t} #!\n"},
     "expected a list, got a mapping"),
    ("non_string_map_value", {"p.yml": "jobs:\n" + job(extra="    tags:\n      team: 7 #!\n")},
     "expected a string, got the number 7"),
    ("bad_merge", {"p.yml": "jobs:\n  - <<: 5 #!\n    name: A\n    tasks:\n" + TASK},
     "'<<' merges a mapping or a list of mappings"),
]


def _write(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "pipe"
    folder.mkdir()
    for name, text in files.items():
        data = text.encode("latin-1") if "\xff" in text else text.encode("utf-8")
        (folder / name).write_bytes(data)
    return folder


def _expected_line(files: dict[str, str]) -> tuple[str, int] | None:
    for name, text in files.items():
        for number, line in enumerate(text.splitlines(), start=1):
            if line.rstrip().endswith("#!"):
                return name, number
    return None


@pytest.mark.parametrize(("files", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_pipeline_is_located(tmp_path: Path, files: dict[str, str],
                                       message: str) -> None:
    folder = _write(tmp_path, files)
    _, diagnostics = collect([str(folder)])
    matching = [d for d in diagnostics if message in d.message]
    assert matching, "\n".join(d.render() for d in diagnostics) or "no diagnostics"
    expected = _expected_line(files)
    found = matching[0]
    if expected is not None:
        name, line = expected
        assert Path(found.location.file).name == name
        assert found.location.line == line, found.render()
    else:
        assert found.location.line == 1


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


def test_errors_carry_key_paths(tmp_path: Path) -> None:
    folder = _write(tmp_path, {"p.yml": "jobs:\n" + job(tasks=TASK + "        run_if: NO\n")})
    _, diagnostics = collect([str(folder)])
    assert [d.key_path for d in diagnostics] == ["jobs[0].tasks[0].run_if"]
    assert diagnostics[0].location.column == 17


def test_every_mistake_in_one_run(tmp_path: Path) -> None:
    """A bad task does not hide the job's other mistakes, nor another file's."""
    folder = _write(tmp_path, {
        "a.yml": "jobs:\n" + job(extra="    depends_on: [Nope]\n",
                                 tasks=TASK + "        run_if: NO\n"
                                 "      - task_key: u\n"
                                 "        notebook_task: {notebook_path: /x}\n"
                                 "        job_cluster_key: missing\n"),
        "b.yml": "jobs:\n  - name: B\n    tasks: []\n",
    })
    _, diagnostics = collect([str(folder)])
    messages = sorted(d.message.split(" (")[0].split(":")[0] for d in diagnostics)
    assert messages == [
        "a job needs at least one task",
        "bad value 'NO'",
        "unknown job 'Nope'",
        "unknown job cluster 'missing'",
    ]


def test_references_to_a_broken_task_are_not_called_unknown(tmp_path: Path) -> None:
    folder = _write(tmp_path, {"p.yml": "jobs:\n" + job(
        tasks="      - task_key: a\n        notebook_task: {notebook_path: 5}\n"
              "      - task_key: b\n        notebook_task: {notebook_path: /x}\n"
              "        depends_on: [{task_key: a}]\n")})
    _, diagnostics = collect([str(folder)])
    assert [d.message for d in diagnostics] == [
        "expected a string, got the number 5 (quote it to make it a string)"]
