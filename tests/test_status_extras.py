"""The status program's optional error texts: one task's refusal never costs another task's
text (a mutant that stopped at the first refusal survived tests/test_runtime_eval.py)."""

from __future__ import annotations

from typing import Any

from brickline.runtime import status


class Output:
    def __init__(self, data: dict[str, str]) -> None:
        self.data = data

    def as_dict(self) -> dict[str, str]:
        return self.data


class Jobs:
    def get_run_output(self, run_id: int) -> Output:
        if run_id == 1:
            raise RuntimeError("403: no permission on this run")
        return Output({"error": f"ValueError: run {run_id}"})


class Client:
    jobs = Jobs()


def failed(key: str, run_id: str) -> Any:
    return status.parse_outcome("\t".join([key, "failed", "", run_id]))


def test_a_refused_output_leaves_the_next_tasks_text() -> None:
    texts = status.error_texts(Client(), [failed("a", "1"), failed("b", "2"),
                                          failed("c", "3")])
    assert texts == {"b": "ValueError: run 2", "c": "ValueError: run 3"}
