"""The typed path: a pipeline's blocks built with the provider's own classes.

One jsii object per resource and per struct, so slow for a large pipeline, but every value
goes through the generated provider bindings: it is the reference the fast path
(`blocks.render`) must match byte for byte (tests/test_equivalence.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from brickline.constructs.blocks import Addresses, Block, key
from brickline.constructs.structs import struct_kwargs
from brickline.constructs.tf import Construct, TerraformResourceLifecycle, Token, classes_of
from brickline.plan import Ref


def build(scope: Construct, all_blocks: list[Block], *, prefix: str = "") -> dict[str, Any]:
    """Create every block in `scope` under its (prefixed) address; returns them by plan key."""
    names = Addresses(all_blocks, prefix)
    made: dict[str, Any] = {}
    resolve = _resolver(made)
    for block in all_blocks:
        cls = classes_of(block.kind)[block.type]
        element = cls(scope, names.name(block), **struct_kwargs(cls, block.settings, resolve),
                      depends_on=[made[a] for a in block.depends_on] or None,
                      # re-creating a managed Delta table loses every row: Terraform must
                      # refuse
                      lifecycle=TerraformResourceLifecycle(prevent_destroy=True)
                      if block.protect else None)
        # a logical id of its own, not the hashed path a nested construct would get
        element.override_logical_id(names.name(block))
        moved = names.moved_from(block)
        if moved is not None:
            # a renamed resource keeps its identity: `moved` instead of destroy and create
            element.move_from_id(moved)
        if block.import_id is not None:
            # an existing object adopted in place on the first apply, not created beside it
            element.import_from(block.import_id)
        made[key(block)] = element
    return made


def _resolver(made: dict[str, Any]) -> Callable[[Any], Any]:
    """Plan references (Ref) to tokens of the resources built so far."""
    def resolve(value: Any) -> Any:
        if isinstance(value, Ref):
            token = getattr(made[value.address], value.attribute)
            return Token.as_number(token) if value.number else token
        return value

    return resolve
