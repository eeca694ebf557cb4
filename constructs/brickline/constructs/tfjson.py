"""Terraform JSON as cdktf 0.21 and cdktn 0.24 write it, from plain Python data, without Node.

A stack's cdk.tf.json is `stringify(stack.toTerraform(), {space: 2})` of the npm package
json-stable-stringify 1.3.0 on cdktf (lib/synthesize/synthesizer.js, StackSynthesizer
`synthesize`), and `stringify(stack.toTerraform(), null, 2)` of safe-stable-stringify
2.5.0 on cdktn (the same file of cdktn 0.24.0); toTerraform is the engine's `deepMerge` of
every element's resolved JSON (lib/terraform-stack.ts `toTerraform`, lib/util.ts
`deepMerge`, the same code in both). Python data reaches that
code through jsii, which changes it on the way (checked against the real path by
tests/test_tfjson.py on generated data):
- a None value is left out, in a mapping and in a list alike (jsii passes it as
  `undefined`, and cdktf's `resolve` drops undefined keys and list items);
- a number becomes a JavaScript double: an int beyond 2**53 is rounded, and it is written
  as JavaScript's Number#toString writes it (2.0 as 2, 1e21 as 1e+21, 1e-7 as 1e-7), with
  NaN and the infinities as null (JSON.stringify);
- a str becomes UTF-16: a high and a low surrogate side by side are one character, a
  lone surrogate is written escaped (\\ud800), as JSON.stringify writes it.

Both writers sort every object's keys by UTF-16 code units (Array#sort without a
comparator) and indent by two spaces; they differ only in an empty object or list, which
json-stable-stringify writes over two lines (`{` newline, indent, `}`) and
safe-stable-stringify as `{}` (`compact_empty`; tests/test_tfjson.py holds both engines to
it).

These are pure functions over plain data; `brickline.constructs.pipeline` uses them to
write a pipeline's resources into the stack's JSON after cdktf's synth, instead of passing
megabytes through jsii.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from json.encoder import encode_basestring  # the C encoder: ensure_ascii=False
from typing import Any

MAX_SAFE = 2**53  # every int up to this is a double exactly


def js_number(value: int | float) -> str:
    """How JSON.stringify writes the JavaScript number jsii makes of `value`
    (ECMA-262 Number::toString; NaN and the infinities as null)."""
    if isinstance(value, int):
        if -MAX_SAFE <= value <= MAX_SAFE:
            return str(int(value))
        try:
            value = float(value)  # rounded as JSON.parse rounds it in Node
        except OverflowError:
            return "null"  # beyond a double's range: Infinity
    if math.isnan(value) or math.isinf(value):
        return "null"
    if value == 0:
        return "0"  # -0 too
    if value.is_integer() and abs(value) <= MAX_SAFE:
        return str(int(value))
    # the shortest digits that read back as the same double: repr's, as JavaScript's
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0")
    assert isinstance(exponent, int)
    k = len(text)
    n = exponent + len(digits)  # value = 0.<text> * 10**n
    if k <= n <= 21:
        body = text + "0" * (n - k)
    elif 0 < n <= 21:
        body = f"{text[:n]}.{text[n:]}"
    elif -6 < n <= 0:
        body = f"0.{'0' * -n}{text}"
    else:
        mantissa = text if k == 1 else f"{text[0]}.{text[1:]}"
        body = f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return f"-{body}" if sign else body


def _order(keys: list[str]) -> list[str]:
    """Array#sort's default order: by UTF-16 code units (code points differ from it only
    past U+FFFF, which UTF-16 writes as surrogates below U+E000)."""
    if all(k.isascii() for k in keys):
        return sorted(keys)
    return sorted(keys, key=lambda k: k.encode("utf-16-be", "surrogatepass"))


def stringify(value: Any, *, compact_empty: bool = False) -> str:
    """json-stable-stringify(value, {space: 2}) of the value jsii makes of `value`; with
    `compact_empty`, safe-stable-stringify(value, null, 2) of it (cdktn's writer)."""
    out: list[str] = []
    _write(value, out, "\n")
    text = "".join(out)
    if compact_empty:
        text = _EMPTY.sub(_compact, text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _SURROGATES.sub(_utf16, text)
    return text


_SURROGATES = re.compile("[\ud800-\udfff]+")
# an empty object or list as json-stable-stringify writes it: the bracket, a newline and
# the indent, the closing bracket (a string's newline is written \n, so never matches)
_EMPTY = re.compile(r"([{\[])\n *([}\]])")


def _compact(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2)


def _utf16(match: re.Match[str]) -> str:
    """A run of surrogates as JavaScript has it: pairs joined, lone ones escaped."""
    run, out, i = match.group(), [], 0
    while i < len(run):
        high, low = run[i], run[i + 1:i + 2]
        if "\ud800" <= high <= "\udbff" and "\udc00" <= low <= "\udfff":
            out.append((high + low).encode("utf-16-be", "surrogatepass").decode("utf-16-be"))
            i += 2
        else:
            out.append(f"\\u{ord(high):04x}")
            i += 1
    return "".join(out)


# what the writer works out once per key and per set of keys (bounded: a pipeline has few)
_NAMES: dict[str, str] = {}
_ORDERS: dict[tuple[str, ...], list[str]] = {}
_CACHED = 4096


def _write(value: Any, out: list[str], indent: str) -> None:
    kind = type(value)
    if kind is str:
        out.append(encode_basestring(value))
    elif kind is dict:
        _object(value, out, indent)
    elif kind is list or kind is tuple:
        inner = indent + "  "
        out.append("[")
        separator = inner
        for item in value:
            if item is None:
                continue
            out.append(separator)
            separator = "," + inner
            if type(item) is str:
                out.append(encode_basestring(item))
            else:
                _write(item, out, inner)
        out.append(indent + "]")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, (int, float)):
        out.append(js_number(value))
    elif isinstance(value, dict):
        _object(dict(value), out, indent)
    elif isinstance(value, str):
        out.append(encode_basestring(str(value)))
    else:
        raise TypeError(f"not JSON data: {type(value).__name__}")


def _object(value: dict[str, Any], out: list[str], indent: str) -> None:
    shape = tuple(value)
    keys = _ORDERS.get(shape)
    if keys is None:
        keys = _order(list(shape))
        if len(_ORDERS) < _CACHED:
            _ORDERS[shape] = keys
    inner = indent + "  "
    append = out.append
    append("{")
    separator = inner
    for key in keys:
        item = value[key]
        if item is None:
            continue
        name = _NAMES.get(key)
        if name is None:
            name = encode_basestring(key) + ": "
            if len(_NAMES) < _CACHED:
                _NAMES[key] = name
        append(separator)
        append(name)
        separator = "," + inner
        if type(item) is str:
            append(encode_basestring(item))
        else:
            _write(item, out, inner)
    append(indent + "}")


def overlaps(target: Any, source: dict[str, Any]) -> bool:
    """Whether merging `source` into `target` depends on which comes first: some key path
    holds a value (not an object) on one side and anything on the other. When it does
    not, `merge` gives what cdktf's deepMerge in any order gives."""
    if not isinstance(target, dict):
        return True
    for key, value in source.items():
        if value is None or key not in target:
            continue
        if not isinstance(value, dict) or overlaps(target[key], value):
            return True
    return False


def merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    """cdktf's deepMerge(target, resolve(source)) for data that does not `overlap`:
    objects merge key by key, anything else is set; a None is left out (resolve drops
    it)."""
    for key, value in source.items():
        if value is None:
            continue
        if isinstance(value, dict):
            inner = target.get(key)
            if not isinstance(inner, dict):
                inner = target[key] = {}
            merge(inner, value)
        else:
            target[key] = value
