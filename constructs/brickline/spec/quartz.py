"""Quartz cron expressions and Java time zone ids, as a job's `schedule` takes them.

The Jobs API reference (create job, `schedule.quartz_cron_expression`) says "A Cron
expression using Quartz syntax", linking the Quartz 2.3 CronTrigger tutorial
(quartz-scheduler.org/documentation/quartz-2.3.0/tutorials/crontrigger.html), and
`schedule.timezone_id` "A Java timezone ID". The fields and their special characters below
are that tutorial's table; the parser accepts everything the table allows and nothing is
guessed past it (a false error is worse than a missed one).
"""

from __future__ import annotations

import functools
import re
from importlib import resources

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# (name, lowest, highest, names usable instead of numbers)
FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("seconds", 0, 59, ()),
    ("minutes", 0, 59, ()),
    ("hours", 0, 23, ()),
    ("day-of-month", 1, 31, ()),
    ("month", 1, 12, MONTHS),
    ("day-of-week", 1, 7, DAYS),
    ("year", 1970, 2099, ()),
)
EXAMPLE = "'0 0 2 * * ?' (02:00:00 every day)"
# The largest step ('/n') per field, by index: Quartz 2.3 CronExpression.checkIncrementRange
# throws "Increment > 60" past 59 for seconds and minutes, "> 24" past 23 for hours, "> 31"
# for day-of-month, "> 12" for month and "> 7" for day-of-week; the year has no bound.
MAX_STEP = (59, 59, 23, 31, 12, 7, None)


def _value(text: str, low: int, high: int, names: tuple[str, ...]) -> int | None:
    if text.upper() in names:
        return names.index(text.upper()) + low
    if text.isascii() and text.isdigit():
        number = int(text)
        return number if low <= number <= high else None
    return None


def _item(item: str, index: int) -> str | None:
    """None when one comma-separated item of field `index` is valid, else the problem."""
    name, low, high, names = FIELDS[index]
    upper = item.upper()
    if item == "?":
        return None if index in (3, 5) else f"'?' is allowed only in day-of-month and " \
                                              f"day-of-week, not in {name}"
    if index == 3 and (upper in ("L", "LW") or re.fullmatch(r"L-\d{1,2}", upper)
                       or re.fullmatch(r"\d{1,2}W", upper)):
        digits = re.sub(r"\D", "", upper)
        return None if not digits or int(digits) <= (30 if upper.startswith("L") else 31) \
            else f"bad {name} '{item}': L-n takes n from 1 to 30, nW takes n from 1 to 31"
    if index == 5:
        if upper == "L":
            return None
        special = re.fullmatch(r"(\w+)(L|#([1-5]))", upper)
        if special and _value(special.group(1), low, high, names) is not None:
            return None
    base, _, step = item.partition("/")
    if step and not (step.isascii() and step.isdigit() and int(step) >= 1):
        return f"bad step '/{step}' in {name}: give a whole number from 1"
    most = MAX_STEP[index]
    if step and most is not None and int(step) > most:
        return f"bad step '/{step}' in {name}: Quartz allows steps of 1 to {most} there"
    if base == "*":
        return None
    start, dash, end = base.partition("-")
    first = _value(start, low, high, names)
    last = _value(end, low, high, names) if dash else first
    if first is None or last is None:
        bad = (start if first is None else end) or item  # '-1' has an empty start
        range_names = f" or {names[0]}-{names[-1]}" if names else ""
        return f"bad {name} '{bad}': expected {low}-{high}{range_names}"
    return None


def cron_problem(expression: str) -> str | None:
    """None for a valid Quartz expression, else what is wrong, in a sentence."""
    # Quartz splits the fields at spaces and tabs only (CronExpression.buildExpression:
    # StringTokenizer(expression, " \t")): a newline stays inside a field and fails there
    if any(c.isspace() and c not in " \t" for c in expression.strip(" \t")):
        return ("the expression holds a line break or other whitespace than spaces and tabs "
                "(a YAML '|' block keeps a line break at its end): write it quoted on one "
                f"line. Example: {EXAMPLE}")
    parts = expression.split()
    if len(parts) not in (6, 7):
        return (f"a Quartz cron expression has 6 or 7 fields (seconds minutes hours "
                f"day-of-month month day-of-week [year]); this one has {len(parts)}. "
                f"Example: {EXAMPLE}")
    for index, part in enumerate(parts):
        for item in part.split(","):
            problem = _item(item, index) if item else f"empty item in {FIELDS[index][0]}"
            if problem:
                return f"{problem}. Example: {EXAMPLE}"
    if (parts[3] == "?") == (parts[5] == "?"):
        # the tutorial: "Support for specifying both a day-of-week and a day-of-month value
        # is not complete (you must currently use the '?' character in one of these fields)"
        return ("Quartz needs '?' in exactly one of day-of-month (4th field) and "
                f"day-of-week (6th field). Example: {EXAMPLE}")
    return None


@functools.cache
def time_zones() -> frozenset[str]:
    """IANA zone ids from the pinned tzdata package (the same on every machine), plus the
    ids Java's TimeZone knows besides: the three-letter ones (java.time.ZoneId.SHORT_IDS)."""
    try:
        text = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return frozenset()
    return frozenset(text.split()) | JAVA_SHORT_IDS


JAVA_SHORT_IDS = frozenset((
    "ACT", "AET", "AGT", "ART", "AST", "BET", "BST", "CAT", "CNT", "CST", "CTT", "EAT", "ECT",
    "EST", "HST", "IET", "IST", "JST", "MIT", "MST", "NET", "NST", "PLT", "PNT", "PRT", "PST",
    "SST", "VST", "GMT", "UTC", "UT", "Z"))
# java.util.TimeZone custom ids (GMT+h, GMT+hh:mm, GMT-hhmm) and java.time.ZoneId offsets
# (+02:00, UTC+2). java.util.TimeZone's javadoc: "Hours must be between 0 to 23 and
# Minutes must be between 00 to 59"; the hours are kept to that widest bound (ZoneOffset's
# is 18), so no valid id is refused.
CUSTOM_ZONE = re.compile(r"(?:GMT|UTC|UT)?[+-](?:[01]?\d|2[0-3])(?::?[0-5]\d(?::?[0-5]\d)?)?")


def time_zone_problem(zone: str) -> str | None:
    known = time_zones()
    if not known or zone in known or CUSTOM_ZONE.fullmatch(zone):
        return None
    lowered = {z.lower(): z for z in known}
    if zone.lower() in lowered:
        return None  # a case difference: no evidence Databricks refuses it
    from brickline.spec.diagnostics import did_you_mean

    return (f"unknown time zone {zone!r}{did_you_mean(zone, sorted(known))}: give a Java "
            "time zone id such as UTC or Europe/Berlin")
