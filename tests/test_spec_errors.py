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


JOB_FILE = {"j.yml": "jobs:\n" + job()}

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
                                             "#!\n", **JOB_FILE},
     "bad schema name 'ops; drop'"),
    ("metadata_view_is_table", {"pipeline.yml": "pipeline:\n  metadata:\n    view: "
                                                "job_metadata #!\n", **JOB_FILE},
     "the status view cannot have the table's name"),
    ("metadata_relative_dir", {"pipeline.yml": "pipeline:\n  metadata:\n    workspace_dir: "
                                               "Shared/x #!\n", **JOB_FILE},
     "bad workspace folder 'Shared/x'"),
    ("recovery_unknown_key", {"pipeline.yml": "pipeline:\n  recovery:\n    skip_succeded: "
                                              "true #!\n", **JOB_FILE},
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
    # --- issue 6's corpus, continued -----------------------------------------------------
    ("binary_garbage", {"p.yml": "jobs:\n  - name: \x00\x01\x02\x7f #!\n"},
     "invalid YAML"),
    ("control_character", {"p.yml": "jobs:\n  - name: A\x07B #!\n    tasks:\n" + TASK},
     "invalid YAML"),
    ("job_cycle_2", {"p.yml": "jobs:\n" + job("A #!", "    depends_on: [B]\n")
                     .replace("A #!", "A") .replace("  - name: A\n", "  - name: A #!\n")
                     + job("B", "    depends_on: [A]\n")},
     "jobs depend on each other in a cycle: A -> B -> A"),
    ("job_cycle_10", {"p.yml": "jobs:\n" + "".join(
        job(f"J{i}", f"    depends_on: [J{(i + 1) % 10}]\n").replace(
            f"  - name: J{i}\n", f"  - name: J{i} #!\n" if i == 0 else f"  - name: J{i}\n")
        for i in range(10))},
     "jobs depend on each other in a cycle: J0 -> J9 -> J8 -> J7 -> J6 -> J5 -> J4 -> J3 -> "
     "J2 -> J1 -> J0"),
    ("task_cycle_1", {"p.yml": "jobs:\n" + job(tasks="      - task_key: t\n"
                                                   "        notebook_task: {notebook_path: /x}\n"
                                                   "        depends_on: [{task_key: t}] #!\n")},
     "tasks depend on each other in a cycle: t -> t"),
    ("task_cycle_10", {"p.yml": "jobs:\n" + job(tasks="".join(
        f"      - task_key: t{i}\n        notebook_task: {{notebook_path: /x}}\n"
        f"        depends_on: [{{task_key: t{(i + 1) % 10}}}]{' #!' if i == 0 else ''}\n"
        for i in range(10)))},
     "tasks depend on each other in a cycle: t0 -> t9 -> t8 -> t7 -> t6 -> t5 -> t4 -> t3 "
     "-> t2 -> t1 -> t0"),
    ("timeout_not_number", {"p.yml": "jobs:\n" + job(tasks=TASK + "        timeout_seconds: "
                                                            "1h #!\n")},
     "expected a number, got the string '1h'"),
    ("retries_fraction", {"p.yml": "jobs:\n" + job(tasks=TASK + "        max_retries: "
                                                          "1.5 #!\n")},
     "expected a whole number, got 1.5"),
    ("tags_not_map", {"p.yml": "jobs:\n" + job(extra="    tags: [a, b] #!\n")},
     "expected a mapping"),
    ("emails_not_list", {"p.yml": "jobs:\n" + job(extra="    email_notifications:\n"
                                                         "      on_failure: ops@x.com #!\n")},
     "expected a list"),
    ("condition_op_enum", {"p.yml": "jobs:\n" + job(tasks="      - task_key: c\n"
                                                        "        condition_task: {op: EQUALS, "
                                                        "left: a, right: b} #!\n")},
     "bad value 'EQUALS'"),
    ("queue_not_bool", {"p.yml": "jobs:\n" + job(extra="    queue: {enabled: yes} #!\n")},
     "expected true or false"),
    ("trigger_job_string", {"p.yml": "jobs:\n" + job(extra="    on_success:\n      "
                                                            "trigger_job: B #!\n")},
     "expected a list"),
    ("nested_task_unknown_cluster", {"p.yml": "jobs:\n" + job(tasks=(
        "      - task_key: loop\n        for_each_task:\n          inputs: '[1]'\n"
        "          task:\n            task_key: inner\n"
        "            notebook_task: {notebook_path: /x}\n"
        "            job_cluster_key: nope #!\n"))},
     "unknown job cluster 'nope'"),
    ("schedule_and_trigger", {"p.yml": "jobs:\n" + job(extra=(
        "    schedule: {quartz_cron_expression: '0 0 1 * * ?', timezone_id: UTC}\n"
        "    trigger: #!\n      periodic: {interval: 1, unit: HOURS}\n"))},
     "a job takes one of schedule, trigger and continuous"),
    ("duplicate_pipeline_setting_files", {"pipeline.yml": "pipeline: {name: x} #!\n",
                                          "j.yml": "pipeline: {name: y}\njobs:\n" + job()},
     "a second 'pipeline:' section; the first is in"),
    ("internal_field_as_key", {"p.yml": "jobs:\n" + job(extra="    broken_tasks: [t] #!\n")},
     "unknown key 'broken_tasks'"),
    # --- targets, alerts, permissions, backends, secrets (issue 4) ---------------------------
    ("target_unknown_key", {"pipeline.yml": "pipeline:\n  targets:\n    dev:\n      clusterz: "
                                            "{num_workers: 1} #!\n", **JOB_FILE},
     "unknown key 'clusterz' (did you mean 'clusters'?)"),
    ("target_unknown_metadata_key", {"pipeline.yml": "pipeline:\n  targets:\n    dev:\n"
                                                     "      metadata: {tabel: x} #!\n", **JOB_FILE},
     "unknown key 'tabel' (did you mean 'table'?)"),
    ("target_bad_name", {"pipeline.yml": "pipeline:\n  targets:\n    Dev Env: {} #!\n", **JOB_FILE},
     "bad target name 'Dev Env'"),
    ("target_sensitive_variable", {"pipeline.yml": "pipeline:\n  variables:\n    hook: "
                                                   "{sensitive: true}\n  targets:\n    dev:\n"
                                                   "      variables: {hook: x} #!\n", **JOB_FILE},
     "'hook' is sensitive: its value comes from TF_VAR_hook"),
    ("target_undeclared_variable", {"pipeline.yml": "pipeline:\n  targets:\n    dev:\n"
                                                    "      variables: {nope: x} #!\n", **JOB_FILE},
     "undeclared variable 'nope'"),
    ("destination_two_kinds", {"pipeline.yml": "pipeline:\n  destinations:\n    ops: #!\n"
                                               "      email: {addresses: [a@b.c]}\n"
                                               "      slack: {url: '${var.u}'}\n"
                                               "  variables: {u: {sensitive: true}}\n", **JOB_FILE},
     "a destination is exactly one of email, slack"),
    ("destination_unknown", {"pipeline.yml": "pipeline:\n  destinations:\n    ops_slack: "
                                             "{email: {addresses: [a@b.c]}}\n"
                                             "  notifications:\n    on_failure: [ops_slak] "
                                             "#!\n", **JOB_FILE},
     "unknown destination 'ops_slak' (did you mean 'ops_slack'?)"),
    ("too_many_destinations", {"pipeline.yml": "pipeline:\n  destinations:\n"
                               + "".join(f"    d{i}: {{email: {{addresses: [a@b.c]}}}}\n"
                                         for i in range(4))
                               + "  notifications:\n    on_failure: [d0, d1, d2, d3] #!\n",
                               **JOB_FILE},
     "4 destinations for on_failure; Databricks allows at most 3 per event"),
    ("recipient_twice", {"p.yml": "jobs:\n" + job(extra="    notifications:\n      on_start:"
                                                         "\n        - a@b.c\n        - a@b.c "
                                                         "#!\n")},
     "'a@b.c' is listed twice"),
    ("task_route_unknown", {"p.yml": "jobs:\n" + job(tasks=TASK + "        notifications: "
                                                           "{on_failure: [pager]} #!\n")},
     "unknown destination 'pager'"),
    ("warn_after_bad", {"p.yml": "jobs:\n" + job(extra="    warn_after: 45 minutes #!\n")},
     "expected a duration such as 45m, 1h30m or 90s, got '45 minutes'"),
    ("warn_after_zero", {"p.yml": "jobs:\n" + job(extra="    warn_after: 0 #!\n")},
     "a duration must be longer than 0 seconds"),
    ("warn_after_and_health", {"p.yml": "jobs:\n" + job(extra=(
        "    warn_after: 1h #!\n    health:\n      rules:\n        - {metric: "
        "RUN_DURATION_SECONDS, op: GREATER_THAN, value: 60}\n"))},
     "warn_after and a RUN_DURATION_SECONDS health rule say the same thing"),
    ("permission_two_principals", {"p.yml": "jobs:\n" + job(extra=(
        "    permissions:\n      - {user_name: a@b.c, group_name: g, level: CAN_VIEW} #!\n"))},
     "a grant names exactly one of user_name, group_name, service_principal_name"),
    ("permission_bad_level", {"p.yml": "jobs:\n" + job(extra=(
        "    permissions:\n      - {group_name: g, level: CAN_RUN} #!\n"))},
     "bad value 'CAN_RUN': expected one of CAN_VIEW, CAN_MANAGE_RUN, CAN_MANAGE, IS_OWNER"),
    ("group_owner", {"pipeline.yml": "pipeline:\n  permissions:\n    - {group_name: g, level: "
                                     "IS_OWNER} #!\n", **JOB_FILE},
     "a group cannot own a job"),
    ("backend_two_kinds", {"pipeline.yml": "pipeline:\n  backend: #!\n    local: {path: s}\n"
                                           "    gcs: {bucket: b}\n", **JOB_FILE},
     "a backend is exactly one of local, s3, azurerm, gcs, cloud"),
    ("backend_absolute_path", {"pipeline.yml": "pipeline:\n  backend:\n    local: {path: "
                                               "/var/state} #!\n", **JOB_FILE},
     "give a path relative to the project root"),
    ("backend_s3_missing_key", {"pipeline.yml": "pipeline:\n  backend:\n    s3: {bucket: b, "
                                                "region: r} #!\n", **JOB_FILE},
     "missing required key 'key'"),
    ("secret_slack_url", {"pipeline.yml": "pipeline:\n  destinations:\n    s:\n      slack: "
                                          "{url: 'https://hooks.slack.com/services/T0/B0/x'} "
                                          "#!\n", **JOB_FILE},
     "this looks like a Slack webhook URL, written into YAML"),
    ("secret_teams_url", {"pipeline.yml": "pipeline:\n  destinations:\n    t:\n"
                                          "      microsoft_teams: {url: 'https://acme.webhook."
                                          "office.com/webhookb2/abc'} #!\n", **JOB_FILE},
     "this looks like a Microsoft Teams webhook URL"),
    ("secret_pagerduty_key", {"pipeline.yml": "pipeline:\n  destinations:\n    pd:\n"
                                              "      pagerduty: {integration_key: "
                                              "0123456789abcdef0123456789abcdef} #!\n", **JOB_FILE},
     "this looks like an integration key"),
    ("secret_password", {"pipeline.yml": "pipeline:\n  destinations:\n    h:\n"
                                         "      generic_webhook: {url: 'https://x.example.com',"
                                         " password: hunter2} #!\n", **JOB_FILE},
     "this looks like a password"),
    ("secret_token_in_job", {"p.yml": "jobs:\n" + job(tasks=TASK.replace(
        "{notebook_path: /x}", "{notebook_path: /x, base_parameters: {token: "
        "dapi0123456789abcdef0123456789abcdef}} #!"))},
     "this looks like a Databricks access token"),
    ("sensitive_default", {"pipeline.yml": "pipeline:\n  variables:\n    hook:\n"
                                           "      sensitive: true\n      default: x #!\n",
                           **JOB_FILE},
     "'hook' is sensitive: its value comes from TF_VAR_hook or a tfvars file, never a default"),
    ("bad_merge", {"p.yml": "jobs:\n  - <<: 5 #!\n    name: A\n    tasks:\n" + TASK},
     "'<<' merges a mapping or a list of mappings"),
]


# --- what a real workspace needs (issue 13) --------------------------------------------------
CLUSTER_JOB = ("    job_clusters:\n      - job_cluster_key: c\n"
               "        new_cluster: {{node_type_id: i3{mode}}}{mark}\n"
               "    tasks:\n      - task_key: t\n        job_cluster_key: c\n"
               "        notebook_task: {{notebook_path: /x}}\n")
FOR_EACH = ("      - task_key: loop\n{outer}        for_each_task:\n          inputs: '[1, 2]'\n"
            "          task:\n            task_key: inner\n"
            "            notebook_task: {{notebook_path: /x}}\n")
CASES += [
    ("access_mode_without_uc", {"p.yml": "jobs:\n  - name: A\n" + CLUSTER_JOB.format(
        mode=", data_security_mode: NONE", mark=" #!")},
     "data_security_mode NONE cannot reach Unity Catalog"),
    ("access_mode_legacy_from_defaults",
     {"pipeline.yml": "pipeline:\n  defaults:\n    new_cluster: {data_security_mode: "
                      "LEGACY_TABLE_ACL}\n",
      "j.yml": "jobs:\n  - name: A\n" + CLUSTER_JOB.format(mode="", mark=" #!")},
     "data_security_mode LEGACY_TABLE_ACL (from pipeline.defaults.new_cluster) cannot reach"),
    ("member_job_with_schedule", {"p.yml": "jobs:\n" + job(extra=(
        "    schedule: #!\n      quartz_cron_expression: '0 0 1 * * ?'\n"
        "      timezone_id: UTC\n"))},
     "runs from the orchestrator and also by its own schedule"),
    ("member_job_continuous", {"p.yml": "jobs:\n" + job(extra="    continuous: {} #!\n")},
     "set `orchestrate: false` if the job is not part of the pipeline's run"),
    ("edge_to_unorchestrated_job", {"p.yml": "jobs:\n" + job(extra="    orchestrate: false\n")
                                    + job("B", extra="    depends_on: [A] #!\n")},
     "'A' has `orchestrate: false`: the orchestrator does not run it"),
    ("every_job_unorchestrated", {"p.yml": "jobs:\n" + job(extra="    orchestrate: false #!\n")},
     "every job has `orchestrate: false`"),
    ("for_each_outer_max_retries", {"p.yml": "jobs:\n" + job(tasks=FOR_EACH.format(
        outer="        max_retries: 3 #!\n"))},
     "max_retries on a for_each task: retries go on the task it repeats"),
    ("grants_mode", {"pipeline.yml": "pipeline:\n  metadata:\n    grants: some #!\n",
                     **JOB_FILE},
     "bad value 'some': expected one of"),
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
    assert len(CASES) >= 80


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
