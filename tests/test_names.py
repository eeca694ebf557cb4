"""The one registry of Terraform names (brickline/names.py): what the plan, the constructs
and the review ask it, and the collisions the spec reports from it."""

from __future__ import annotations

from brickline import names


def test_a_job_name_becomes_one_address() -> None:
    assert names.address_from_name("Data_Extract_Job") == "data_extract_job"
    assert names.address_from_name("Load Job") == names.address_from_name("load-job")
    assert names.address_from_name("9 lives") == "job_9_lives"
    # beyond ASCII: the ASCII part and a hash of the whole name, distinct and stable
    assert names.address_from_name("データ") == "job_16773842"
    assert names.address_from_name("処理") != names.address_from_name("データ")
    assert names.address_from_name("Zürich") == names.address_from_name("Zürich") != \
        names.address_from_name("Zurich") == "zurich"


def test_outputs_moves_and_references_of_a_job() -> None:
    assert names.job_outputs("load") == ("load_job_id", "load_job_url")
    assert names.job_resource("load") == "databricks_job.load"
    assert names.job_from_reference("${databricks_job.load.id}") == "load"
    assert names.permission_address("load") == "perm_load"


def test_destination_addresses_are_ascii() -> None:
    assert names.destination_address("ops-slack") == "dest_ops_slack"
    assert names.destination_address("équipe") == "dest__quipe"


def test_claims_show_a_job_taking_another_jobs_output() -> None:
    claimed = names.claims(jobs=["load", "load_job_id"])
    owners = [owner for name, owner, _ in claimed if name == "load_job_id"]
    assert owners == [("job", "load", 0), ("job", "load_job_id", 1)]


def test_claims_cover_every_construct_of_a_stack() -> None:
    claimed = {name for name, _, _ in names.claims(
        jobs=["a"], destinations=["ops"], variables=["wh"], permissions=["a"],
        grants=["grant_view_g"], dashboard=True)}
    assert claimed == {"orchestrator", "orchestrator_job_id", "orchestrator_job_url",
                       "job_metadata", "job_status", "brickline_status", "metadata_schema",
                       "brickline_pipeline_start",
                       "dashboard", "databricks", "backend", "a", "a_job_id", "a_job_url",
                       "perm_a", "dest_ops", "wh", "grant_view_g"}


def test_grant_slugs_stay_apart_when_principals_look_alike() -> None:
    slugs = names.grant_slugs(["a.b@x.com", "a_b@x.com"])
    assert len(set(slugs.values())) == 2
    assert names.grant_slugs(["data"]) == {"data": "data"}
