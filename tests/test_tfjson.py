"""brickline.constructs.tfjson writes what cdktf writes, judged by cdktf itself.

The same data goes to a stack twice: once as cdktf takes any element's JSON (a token that
carries it through jsii to Node, merged and written by cdktf's StackSynthesizer with
json-stable-stringify), once as a Pipeline's Fragment (merged and written in Python by the
stack's Splice). The two cdk.tf.json files must be byte-identical, for generated data that
reaches every corner the module's docstring names: None in mappings and lists, ints past
2**53 and past a double's range, floats in every notation Number#toString has, NaN and
the infinities, -0, control characters, lone and paired surrogates, keys that sort
differently by code point and by UTF-16 unit, empty objects and lists.

Then the Splice's fallback: where another element or an override of the stack also sets a
key path of a Fragment, cdktf's merge order decides, so the Splice takes cdktf's whole
JSON; the result is what cdktf alone writes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from brickline.constructs import tf, tfjson
from brickline.constructs.pipeline import Fragment, Pipeline, Splice, synthesize
from brickline.plan import plan
from brickline.spec.load import collect
from conftest import PIPELINES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz import CI

# runs on both engines (`make test-cdktn`)
pytestmark = pytest.mark.engine

# characters where JSON escaping, UTF-16 and sorting differ: controls, quote, backslash,
# DEL, U+2028, the last BMP characters, lone surrogates, astral characters
ODD = st.sampled_from(["\x00", "\x08", "\t", "\n", "\x0b", "\x1f", '"', "\\", "\x7f", "é",
                       "\u2028", "\ue000", "\uffff", "\ud800", "\udc00", "\ud83d", "\ude00",
                       "😀", "𝄞", "/", "<", "0", "9", "a", "A", "_", " ", "$", "{", "}"])
TEXT = st.lists(ODD | st.characters(), max_size=8).map("".join).filter(
    lambda s: "TfToken[" not in s)  # a cdktf token's marker: cdktf would resolve it
NUMBERS = st.one_of(
    st.integers(-(2**60), 2**60), st.integers(-(10**30), 10**30),
    st.sampled_from([2**53, 2**53 + 1, -(2**53) - 1, 2**63, 10**21, 10**22, 10**400, 0]),
    # not NaN nor the infinities: jsii sends them as NaN/Infinity, which Node's JSON.parse
    # refuses (the unit test below has them)
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1e21, 1e-7, 1e-6, 1.5e300, 5e-324, 1e16, 123456789.125,
                     0.1, 2.0**70, -1.7976931348623157e308]))
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)


class Carried(tf.TerraformElement):
    """Any element's way into the JSON: a token of the data, resolved by cdktf."""

    def __init__(self, scope: Any, id: str, data: dict[str, Any]) -> None:
        super().__init__(scope, id)
        self._token = tf.Token.as_any(data)

    def to_terraform(self) -> Any:
        return self._token


def written(tmp: Path, make: Callable[[Any], None],
            synth: Callable[[Any], None] = lambda app: app.synth()) -> str:
    app = tf.App(outdir=str(tmp))
    make(app)
    synth(app)
    return (tmp / "stacks" / "s" / "cdk.tf.json").read_text(encoding="utf-8")


def stack(app: Any) -> Any:
    made = tf.TerraformStack(app, "s")
    tf.LocalBackend(made, path="terraform.s.tfstate")
    return made


def by_cdktf(data: dict[str, Any]) -> Callable[[Any], None]:
    return lambda app: Carried(stack(app), "data", data)


def by_splice(data: dict[str, Any]) -> Callable[[Any], None]:
    def make(app: Any) -> None:
        made = stack(app)
        Fragment(made, "data", stack=made, fragment=data, metadata={})
    return make


@settings(max_examples=40 if CI else 80, deadline=None, derandomize=CI,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(VALUES, min_size=1, max_size=6), st.dictionaries(TEXT, VALUES, max_size=4))
def test_the_splice_writes_what_cdktf_writes(tmp_path_factory: Any, fallbacks: list[str],
                                             values: list[Any],
                                             mapping: dict[str, Any]) -> None:
    data = {"locals": {"values": values, "mapping": mapping, "nested": {"m": mapping}}}
    tmp = tmp_path_factory.mktemp("tfjson")
    expected = written(tmp / "cdktf", by_cdktf(data))
    assert written(tmp / "splice", by_splice(data)) == expected
    # brickline's own app synthesizes with every Fragment deferred from the start
    assert written(tmp / "app", by_splice(data), synthesize) == expected
    assert fallbacks == []  # written by tfjson, not taken from cdktf


@pytest.mark.parametrize(("value", "text"), [
    (2.0, "2"), (-0.0, "0"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
    (1e-7, "1e-7"), (1e-6, "0.000001"), (0.1, "0.1"), (1.5e300, "1.5e+300"),
    (2**53 + 1, "9007199254740992"), (-(2**63), "-9223372036854776000"),
    (10**400, "null"), (math.nan, "null"), (-math.inf, "null"), (True, "true"),
])
def test_numbers_as_javascript_writes_them(value: Any, text: str) -> None:
    """Number#toString (ECMA-262 6.1.6.1.20), as Node printed each of these."""
    assert tfjson.stringify(value) == text


def test_strings_and_keys_as_javascript_writes_them() -> None:
    assert tfjson.stringify("a\ud800b\ud83d\ude00\x7f\u2028\x01") == \
        '"a\\ud800b😀\x7f\u2028\\u0001"'
    # UTF-16 order: U+FFFF after U+1F600 (a surrogate pair, D83D DE00), unlike code points
    assert tfjson.stringify({"\uffff": 1, "😀": 2, "b": 3, "B": 4, "10": 5, "9": 6}) == (
        '{\n  "10": 5,\n  "9": 6,\n  "B": 4,\n  "b": 3,\n  "😀": 2,\n  "\uffff": 1\n}')
    assert tfjson.stringify({"a": {}, "b": [], "c": None, "d": [None, 1]}) == (
        '{\n  "a": {\n  },\n  "b": [\n  ],\n  "d": [\n    1\n  ]\n}')
    # cdktn 0.24's safe-stable-stringify: the same, but an empty object or list on one line
    # (a string's newline is escaped, so "{\n}" inside a string stays as it is)
    assert tfjson.stringify({"a": {}, "b": [[], {"c": {}}], "s": "{\n  }"},
                            compact_empty=True) == (
        '{\n  "a": {},\n  "b": [\n    [],\n    {\n      "c": {}\n    }\n  ],\n'
        '  "s": "{\\n  }"\n}')


@pytest.fixture
def fallbacks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The stacks whose Splice took cdktf's whole merge instead of splicing."""
    taken: list[str] = []
    real = Splice._from_cdktf

    def counted(self: Splice) -> Any:
        taken.append(str(self.folder))
        return real(self)

    monkeypatch.setattr(Splice, "_from_cdktf", counted)
    return taken


def _pipeline(name: str) -> Any:
    (pipeline,), _ = collect([str(PIPELINES / name)])
    return pipeline


def user_stack(typed: bool, extra: Callable[[Any, Pipeline], None]) -> Callable[[Any], None]:
    def make(app: Any) -> None:
        made = tf.TerraformStack(app, "s")
        tf.DatabricksProvider(made, "databricks")
        tf.LocalBackend(made, path="terraform.s.tfstate")
        tf.TerraformVariable(made, "warehouse_id", type="string")
        pipeline = Pipeline(made, "etl", plan=plan(_pipeline("seed_etl")), typed=typed)
        extra(made, pipeline)
    return make


def override_a_job(stack: Any, pipeline: Pipeline) -> None:
    """An override of a value the pipeline sets itself (the job's name)."""
    stack.add_override("resource.databricks_job.etl_data_extract_job.name", "renamed")


def own_moved_block(stack: Any, pipeline: Pipeline) -> None:
    """A resource of the user's, renamed: a `moved` block beside the pipeline's."""
    job = tf.DatabricksJob(stack, "mine", name="mine")
    job.move_from_id("databricks_job.old_mine")
    # the pipeline has a moved block of its own (a renamed job)
    if pipeline.terraform is not None:
        pipeline.terraform.fragment.setdefault("moved", []).append(
            {"from": "databricks_job.etl_old", "to": "databricks_job.etl_orchestrator"})


@pytest.mark.parametrize("extra", [override_a_job, own_moved_block])
def test_where_the_stack_also_sets_a_fragment_path_cdktf_merges(
        tmp_path: Path, extra: Callable[[Any, Pipeline], None], fallbacks: list[str]) -> None:
    """The Splice falls back to cdktf's own merge: an override wins over the pipeline's
    value, and the two `moved` lists are concatenated in cdktf's order."""
    def token_path(app: Any) -> None:
        user_stack(False, extra)(app)
        for made in app.node.children:  # cdktf's own synthesizer: the Lazy carries the JSON
            made.synthesizer = Splice.of(made).inner

    expected = written(tmp_path / "cdktf", token_path)
    assert written(tmp_path / "splice", user_stack(False, extra)) == expected
    assert written(tmp_path / "app", user_stack(False, extra), synthesize) == expected
    assert len(fallbacks) == 2  # the splice and the app: both took cdktf's merge
    doc = json.loads(expected)
    if extra is override_a_job:
        assert doc["resource"]["databricks_job"]["etl_data_extract_job"]["name"] == "renamed"
    else:
        assert {m["to"] for m in doc["moved"]} == {"databricks_job.mine",
                                                   "databricks_job.etl_orchestrator"}


def test_an_override_beside_the_pipelines_values_keeps_the_splice(
        tmp_path: Path, fallbacks: list[str]) -> None:
    """Overrides on paths no Fragment sets a value at (the stack's terraform block, a key
    the pipeline's job does not set) are merged by cdktf before the splice; the order of
    the merge cannot matter, so no fallback."""
    def extra(stack: Any, pipeline: Pipeline) -> None:
        stack.add_override("terraform.required_version", ">= 1.5")
        stack.add_override(
            "resource.databricks_job.etl_data_extract_job.max_concurrent_runs", 7)

    typed = written(tmp_path / "typed", user_stack(True, extra))
    assert written(tmp_path / "fast", user_stack(False, extra)) == typed
    assert fallbacks == []
    doc = json.loads(typed)
    assert doc["terraform"]["required_version"] == ">= 1.5"
    assert doc["resource"]["databricks_job"]["etl_data_extract_job"][
        "max_concurrent_runs"] == 7


def test_testing_synth_and_full_synth_see_the_fragment(tmp_path: Path) -> None:
    """Testing.synth asks the stack for its JSON (the Lazy hands it over); full_synth runs
    the stack's synthesizer (the Splice)."""
    app = tf.Testing.app()
    made = tf.TerraformStack(app, "s")
    data = {"locals": {"v": [1, {"k": "é"}]}}
    Fragment(made, "data", stack=made, fragment=data, metadata={})
    assert json.loads(tf.Testing.synth(made))["locals"] == data["locals"]
    outdir = Path(tf.Testing.full_synth(made))
    written_doc = json.loads((outdir / "stacks" / "s" / "cdk.tf.json").read_text())
    assert written_doc["locals"] == data["locals"]
