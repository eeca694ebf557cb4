"""Quartz cron expressions and Java time zone ids, as a job's `schedule` takes them.

The Jobs API reference (create job, `schedule.quartz_cron_expression`) says "A Cron
expression using Quartz syntax", linking the Quartz 2.3.0 documentation, and
`schedule.timezone_id` "A Java timezone ID".

`cron_problem` is a port of the parsing half of Quartz 2.3.0's `org.quartz.CronExpression`
(quartz-core/src/main/java/org/quartz/CronExpression.java at tag quartz-2.3.0; the file is
the same at v2.3.1 and v2.3.2): the constructor, `buildExpression`, `storeExpressionVals`,
`checkNext`, `checkIncrementRange`, `addToSet`, `getValue`, `getNumericValue`,
`skipWhiteSpace`/`findNextWhiteSpace` and the month and day name maps. It refuses exactly
what that constructor throws on and accepts everything else, including what Quartz reads
leniently (`MONDAY` is read as `MON`, an 8th field is ignored, `1,,2` is `1,2`, `0/0` is
`0`, a year of 1900 never fires): it is not our job to refuse what Quartz takes. Fire times
are not computed. `L123` in a comment is the line at that tag. Besides the expression, the
parse reads one thing: the clock's year, which bounds a year `N/step` (MAX_YEAR, L257).

Two things Quartz does are not modelled: a range whose loop never ends in Java (an end of
2147483647) and one too large for the JVM's memory (a year range of billions) are taken as
valid. The text of a Java StringIndexOutOfBoundsException differs between JVMs, so only its
class name is quoted.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field
from importlib import resources

EXAMPLE = "'0 0 2 * * ?' (02:00:00 every day)"
FIELD_NAMES = ("seconds", "minutes", "hours", "day-of-month", "month", "day-of-week", "year")
# L203-209: the field indexes
SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR = range(7)
# L210-211: the markers '*' and '?' put in a field's set (a number 99 or 98 typed in the
# expression passes addToSet's range checks as these markers do)
ALL_SPEC_INT = 99
NO_SPEC_INT = 98
# L215-238: monthMap (JAN=0, so storeExpressionVals adds 1) and dayMap (SUN=1)
MONTH_MAP = {name: number for number, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"))}
DAY_MAP = {name: number for number, name in enumerate(
    ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class _Refused(Exception):
    """Quartz's ParseException: its message, and ours beside it."""

    def __init__(self, reason: str, plain: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.plain = plain


class _JavaError(Exception):
    """An unchecked Java exception; buildExpression (L517-519) turns it into
    ParseException("Illegal cron expression format (" + e.toString() + ")")."""

    def __init__(self, java_class: str, detail: str | None = None, plain: str = "") -> None:
        super().__init__(java_class)
        self.java_class = java_class
        self.detail = detail
        self.plain = plain  # our words, where the place that throws knows better

    def __str__(self) -> str:  # Throwable.toString()
        return self.java_class if self.detail is None else f"{self.java_class}: {self.detail}"


def _out_of_bounds() -> _JavaError:
    return _JavaError("java.lang.StringIndexOutOfBoundsException")


def _char_at(s: str, i: int) -> str:
    """String.charAt."""
    if not 0 <= i < len(s):
        raise _out_of_bounds()
    return s[i]


def _substring(s: str, begin: int, end: int | None = None) -> str:
    """String.substring."""
    stop = len(s) if end is None else end
    if begin < 0 or stop > len(s) or begin > stop:
        raise _out_of_bounds()
    return s[begin:stop]


def _parse_int(s: str) -> int:
    """Integer.parseInt(s): an optional sign, then digits of any script (Character.digit
    takes every Unicode decimal digit), within the range of a Java int."""
    def bad() -> _JavaError:
        return _JavaError("java.lang.NumberFormatException", f'For input string: "{_shown(s)}"')

    digits = s[1:] if s[:1] in ("+", "-") else s
    if not digits or not all(c.isdecimal() for c in digits):
        raise bad()
    value = int("".join(str(int(c)) for c in digits))
    value = -value if s[:1] == "-" else value
    if not INT_MIN <= value <= INT_MAX:
        raise bad()
    return value


def _is_digit(c: str) -> bool:  # the parser's own test: c >= '0' && c <= '9' (ASCII only)
    return "0" <= c <= "9"


def _java_string(text: str) -> str:
    """The expression as Java holds it: `toUpperCase(Locale.US)` (L274), in UTF-16 code units
    (a character outside the BMP counts as two, as String.length() counts it)."""
    units = text.upper().encode("utf-16-le", "surrogatepass")
    return "".join(chr(int.from_bytes(units[k:k + 2], "little")) for k in range(0, len(units), 2))


def _shown(java: str) -> str:
    """A Java string (UTF-16 code units) back as text for a message."""
    return java.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _trim(s: str) -> str:
    """String.trim(): drops characters up to U+0020 at both ends."""
    start, end = 0, len(s)
    while start < end and s[start] <= " ":
        start += 1
    while end > start and s[end - 1] <= " ":
        end -= 1
    return s[start:end]


def _max_year() -> int:
    """L257: MAX_YEAR = Calendar.getInstance().get(Calendar.YEAR) + 100, read from the
    clock like the JVM that parses; it only bounds a year `N/step` (addToSet L1055-1057)."""
    return datetime.datetime.now(datetime.UTC).year + 100


@dataclass
class _Set:
    """The TreeSet<Integer> of a day field, kept as ranges (a range may be long when a
    typed 98 or 99 passes the checks): only `contains` and `last` are asked of it."""

    parts: list[range] = field(default_factory=list)

    def add(self, value: int) -> None:
        self.parts.append(range(value, value + 1))

    def contains(self, value: int) -> bool:
        return any(value in part for part in self.parts)

    def last(self) -> int:
        """TreeSet.last(): NoSuchElementException when empty."""
        ends = [part[-1] for part in self.parts if part]
        if not ends:
            raise _JavaError("java.util.NoSuchElementException")
        return max(ends)


@dataclass
class _Parser:
    """The state CronExpression keeps while it parses (L242-255): what later checks read."""

    max_year: int
    sets: dict[int, _Set] = field(default_factory=lambda: {DAY_OF_MONTH: _Set(),
                                                           DAY_OF_WEEK: _Set()})
    lastday_of_month: bool = False
    at_field: int = SECOND  # where the parse is, for our words
    at_item: str = ""

    def build_expression(self, expression: str) -> None:
        """buildExpression (L437-521)."""
        expr_on = SECOND
        # L466-467: StringTokenizer(expression, " \t", false); L469: fields past the year
        # are never read
        tokens = [t for t in re.split(r"[ \t]+", expression) if t]
        for token in tokens[:YEAR + 1]:
            expr = _trim(token)  # L470
            self.at_field, self.at_item = expr_on, expr
            # L472-475
            if expr_on == DAY_OF_MONTH and "L" in expr and len(expr) > 1 and "," in expr:
                raise _Refused(
                    "Support for specifying 'L' and 'LW' with other days of the month is not "
                    "implemented",
                    f"bad day-of-month '{_shown(expr)}': L, LW and L-n must stand alone, not "
                    "in a list with other days")
            # L476-479
            if expr_on == DAY_OF_WEEK and "L" in expr and len(expr) > 1 and "," in expr:
                raise _Refused(
                    "Support for specifying 'L' with other days of the week is not implemented",
                    f"bad day-of-week '{_shown(expr)}': L and nL (the last weekday n of the "
                    "month) must stand alone, not in a list with other days")
            # L480-482
            if expr_on == DAY_OF_WEEK and expr.count("#") > 1:
                raise _Refused(
                    'Support for specifying multiple "nth" days is not implemented.',
                    f"bad day-of-week '{_shown(expr)}': only one n#k (the k-th weekday n of "
                    "the month) is allowed")
            # L484-488: StringTokenizer(expr, ","), so empty items are skipped
            for item in (v for v in expr.split(",") if v):
                self.at_item = item
                self.store_expression_vals(0, item, expr_on)
            expr_on += 1
        # L493-496
        if expr_on <= DAY_OF_WEEK:
            raise _Refused(
                "Unexpected end of expression.",
                "a Quartz cron expression has 6 or 7 fields (seconds minutes hours "
                "day-of-month month day-of-week [year]); this one has "
                f"{len(tokens)}")
        # L498-500
        if expr_on <= YEAR:
            self.at_field, self.at_item = YEAR, "*"
            self.store_expression_vals(0, "*", YEAR)
        # L502-514
        day_of_m_spec = not self.sets[DAY_OF_MONTH].contains(NO_SPEC_INT)
        day_of_w_spec = not self.sets[DAY_OF_WEEK].contains(NO_SPEC_INT)
        if (not day_of_m_spec or day_of_w_spec) and (not day_of_w_spec or day_of_m_spec):
            raise _Refused(
                "Support for specifying both a day-of-week AND a day-of-month parameter is "
                "not implemented.", BOTH_DAYS)

    def store_expression_vals(self, pos: int, s: str, kind: int) -> int:
        """storeExpressionVals (L523-701)."""
        name = FIELD_NAMES[kind]
        shown = _shown(s)
        incr = 0
        i = _skip_white_space(pos, s)
        if i >= len(s):
            return i
        c = s[i]
        # L532: a name (month, day), unless the item is L, LW or L-n[W]
        if "A" <= c <= "Z" and s not in ("L", "LW") and not re.fullmatch(r"L-[0-9]*W?", s):
            sub = _substring(s, i, i + 3)
            sval = -1
            eval_ = -1
            if kind == MONTH:  # L536-551
                sval = MONTH_MAP.get(sub, -1) + 1
                if sval <= 0:
                    raise _Refused(f"Invalid Month value: '{_shown(sub)}'",
                                   f"bad month '{shown}': month names are JAN-DEC")
                if len(s) > i + 3:
                    c = s[i + 3]
                    if c == "-":
                        i += 4
                        sub = _substring(s, i, i + 3)
                        eval_ = MONTH_MAP.get(sub, -1) + 1
                        if eval_ <= 0:
                            raise _Refused(f"Invalid Month value: '{_shown(sub)}'",
                                           f"bad month '{shown}': month names are JAN-DEC")
            elif kind == DAY_OF_WEEK:  # L552-585
                sval = DAY_MAP.get(sub, -1)
                if sval < 0:
                    raise _Refused(f"Invalid Day-of-Week value: '{_shown(sub)}'",
                                   f"bad day-of-week '{shown}': day names are SUN-SAT")
                if len(s) > i + 3:
                    c = s[i + 3]
                    if c == "-":
                        i += 4
                        sub = _substring(s, i, i + 3)
                        eval_ = DAY_MAP.get(sub, -1)
                        if eval_ < 0:
                            raise _Refused(f"Invalid Day-of-Week value: '{_shown(sub)}'",
                                           f"bad day-of-week '{shown}': day names are SUN-SAT")
                    elif c == "#":
                        i += 4
                        self.nth_day_of_week(s, i, shown)
                    elif c == "L":
                        i += 1
            else:  # L587-590
                raise _Refused(
                    f"Illegal characters for this position: '{_shown(sub)}'",
                    f"bad {name} '{shown}': "
                    + ("letters are allowed here only as L, LW, L-n and L-nW"
                       if kind == DAY_OF_MONTH else f"{name} takes numbers, not names"))
            if eval_ != -1:
                incr = 1
            self.add_to_set(sval, eval_, incr, kind)
            return i + 3
        if c == "?":  # L599-622
            i += 1
            # L602: the item holds no space or tab, so this is "anything after the '?' but
            # one character"
            if i + 1 < len(s) and s[i] != " " and s[i + 1] != "\t":
                raise _Refused(f"Illegal character after '?': {_shown(s[i])}",
                               f"bad {name} '{shown}': '?' must stand alone")
            if kind not in (DAY_OF_WEEK, DAY_OF_MONTH):
                raise _Refused("'?' can only be specified for Day-of-Month or Day-of-Week.",
                               f"'?' is allowed only in day-of-month and day-of-week, not in "
                               f"{name}")
            if (kind == DAY_OF_WEEK and not self.lastday_of_month
                    and self.sets[DAY_OF_MONTH].last() == NO_SPEC_INT):
                raise _Refused("'?' can only be specified for Day-of-Month -OR- Day-of-Week.",
                               BOTH_DAYS)
            self.add_to_set(NO_SPEC_INT, -1, 0, kind)
            return i
        if c in ("*", "/"):  # L624-654
            if c == "*" and i + 1 >= len(s):
                self.add_to_set(ALL_SPEC_INT, -1, incr, kind)
                return i + 1
            if c == "/" and (i + 1 >= len(s) or s[i + 1] in (" ", "\t")):
                raise _Refused("'/' must be followed by an integer.", _no_step(name, shown))
            if c == "*":
                i += 1
            c = _char_at(s, i)
            if c == "/":
                i += 1
                if i >= len(s):
                    raise _Refused("Unexpected end of string.", _no_step(name, shown))
                incr = _get_numeric_value(s, i)
                i += 1
                if incr > 10:
                    i += 1
                _check_increment_range(incr, kind, shown)
            else:
                incr = 1
            self.add_to_set(ALL_SPEC_INT, -1, incr, kind)
            return i
        if c == "L":  # L655-680
            i += 1
            if kind == DAY_OF_MONTH:
                self.lastday_of_month = True
            if kind == DAY_OF_WEEK:
                self.add_to_set(7, 7, 0, kind)
            if kind == DAY_OF_MONTH and len(s) > i:
                c = s[i]
                if c == "-":
                    offset, position = _get_value(0, s, i + 1)
                    if offset > 30:
                        raise _Refused("Offset from last day must be <= 30",
                                       f"bad day-of-month '{shown}': L-n takes n up to 30")
                    i = position
                if len(s) > i:
                    c = s[i]
                    if c == "W":
                        i += 1
            return i
        if _is_digit(c):  # L681-695
            val = int(c)
            i += 1
            if i >= len(s):
                self.add_to_set(val, -1, -1, kind)
            else:
                c = s[i]
                if _is_digit(c):
                    val, i = _get_value(val, s, i)
                return self.check_next(i, s, val, kind)
            return i
        # L696-698
        raise _Refused(f"Unexpected character: {_shown(c)}",
                       f"bad {name} '{shown}': a value cannot start with '{_shown(c)}'")

    def nth_day_of_week(self, s: str, i: int, shown: str) -> None:
        """The n of `day#n` (L570-580, L762-771): any exception becomes the ParseException."""
        try:
            nth = _parse_int(_substring(s, i))
        except _JavaError:
            nth = 0
        if not 1 <= nth <= 5:
            raise _Refused("A numeric value between 1 and 5 must follow the '#' option",
                           f"bad day-of-week '{shown}': after '#' give which week of the "
                           "month, 1 to 5")

    def check_next(self, pos: int, s: str, val: int, kind: int) -> int:
        """checkNext (L717-852)."""
        name = FIELD_NAMES[kind]
        shown = _shown(s)
        end = -1
        i = pos
        if i >= len(s):
            self.add_to_set(val, end, -1, kind)
            return i
        c = s[pos]
        if c == "L":  # L730-742
            if kind != DAY_OF_WEEK:
                raise _Refused(f"'L' option is not valid here. (pos={i})",
                               f"bad {name} '{shown}': nL (the last weekday n of the month) "
                               "is allowed only in day-of-week"
                               + ("; in day-of-month write L, LW or L-n"
                                  if kind == DAY_OF_MONTH else ""))
            if not 1 <= val <= 7:
                raise _Refused("Day-of-Week values must be between 1 and 7",
                               f"bad day-of-week '{shown}': expected 1-7 or SUN-SAT")
            self.sets[kind].add(val)
            return i + 1
        if c == "W":  # L744-756
            if kind != DAY_OF_MONTH:
                raise _Refused(f"'W' option is not valid here. (pos={i})",
                               f"bad {name} '{shown}': nW (the weekday nearest day n) is "
                               "allowed only in day-of-month")
            if val > 31:
                raise _Refused(
                    "The 'W' option does not make sense with values larger than 31 (max "
                    "number of days in a month)",
                    f"bad day-of-month '{shown}': nW takes n up to 31")
            self.sets[kind].add(val)
            return i + 1
        if c == "#":  # L758-777
            if kind != DAY_OF_WEEK:
                raise _Refused(f"'#' option is not valid here. (pos={i})",
                               f"bad {name} '{shown}': n#k (the k-th weekday n of the month) "
                               "is allowed only in day-of-week")
            i += 1
            self.nth_day_of_week(s, i, shown)
            self.sets[kind].add(val)
            return i + 1
        if c == "-":  # L780-820
            i += 1
            c = _char_at(s, i)
            v = _parse_int(c)
            end = v
            i += 1
            if i >= len(s):
                self.add_to_set(val, end, 1, kind)
                return i
            c = s[i]
            if _is_digit(c):
                end, i = _get_value(v, s, i)
            if i < len(s) and s[i] == "/":
                i += 1
                c = _char_at(s, i)
                v2 = _parse_int(c)
                i += 1
                if i >= len(s):
                    self.add_to_set(val, end, v2, kind)
                    return i
                c = s[i]
                if _is_digit(c):
                    v3, i = _get_value(v2, s, i)
                    self.add_to_set(val, end, v3, kind)
                    return i
                self.add_to_set(val, end, v2, kind)
                return i
            self.add_to_set(val, end, 1, kind)
            return i
        if c == "/":  # L822-847
            if i + 1 >= len(s) or s[i + 1] in (" ", "\t"):
                raise _Refused("'/' must be followed by an integer.", _no_step(name, shown))
            i += 1
            c = s[i]
            v2 = _parse_int(c)
            i += 1
            if i >= len(s):
                _check_increment_range(v2, kind, shown)
                self.add_to_set(val, end, v2, kind)
                return i
            c = s[i]
            if _is_digit(c):
                v3, i = _get_value(v2, s, i)
                _check_increment_range(v3, kind, shown)
                self.add_to_set(val, end, v3, kind)
                return i
            raise _Refused(f"Unexpected character '{_shown(c)}' after '/'",
                           f"bad {name} '{shown}': the step after '/' must be a whole number")
        # L849-851: anything else after a number is ignored
        self.add_to_set(val, end, 0, kind)
        return i + 1

    def add_to_set(self, val: int, end: int, incr: int, kind: int) -> None:
        """addToSet (L966-1097): the range checks, then the values of the two day fields."""
        name, shown = FIELD_NAMES[kind], _shown(self.at_item)
        if _out_of_range(kind, val, end):
            reason, expected = RANGE_TEXTS[kind]
            raise _Refused(reason, f"bad {name} '{shown}': expected {expected}")
        target = self.sets.get(kind)
        # L1001-1009: one value, or a step of 0
        if incr in (0, -1) and val != ALL_SPEC_INT:
            if target is not None:
                target.add(val if val != -1 else NO_SPEC_INT)
            return
        start_at, stop_at = val, end
        # L1014-1017
        if val == ALL_SPEC_INT and incr <= 0:
            incr = 1
            if target is not None:
                target.add(ALL_SPEC_INT)
        # L1019-1061: the defaults of each field
        low, high = {SECOND: (0, 59), MINUTE: (0, 59), HOUR: (0, 23), DAY_OF_MONTH: (1, 31),
                     MONTH: (1, 12), DAY_OF_WEEK: (1, 7), YEAR: (1970, self.max_year)}[kind]
        if stop_at == -1:
            stop_at = high
        if start_at in (-1, ALL_SPEC_INT):
            start_at = low
        # L1063-1079: a range that wraps around (22-2) adds the field's size
        top = -1
        if stop_at < start_at:
            if kind == YEAR:
                raise _JavaError(
                    "java.lang.IllegalArgumentException", "Start year must be less than stop "
                    "year", f"bad year '{shown}': " + (
                        "a year range must run forward" if end != -1 else "a year with a step "
                        "may start at most 100 years from now (later ones never fire)"))
            top = {SECOND: 60, MINUTE: 60, HOUR: 24, MONTH: 12, DAY_OF_WEEK: 7,
                   DAY_OF_MONTH: 31}[kind]
            stop_at += top
        if target is None:
            return
        # L1081-1096
        if top == -1:
            target.parts.append(range(start_at, stop_at + 1, incr))
            return
        for k in range(start_at, stop_at + 1, incr):
            target.add(k % top or top)  # 1-based fields (the only day fields) take top for 0


BOTH_DAYS = ("Quartz needs '?' in exactly one of day-of-month (4th field) and day-of-week "
             "(6th field)")


# addToSet's messages (L971-999), with the values each field takes
RANGE_TEXTS = {
    SECOND: ("Minute and Second values must be between 0 and 59", "0-59"),
    MINUTE: ("Minute and Second values must be between 0 and 59", "0-59"),
    HOUR: ("Hour values must be between 0 and 23", "0-23"),
    DAY_OF_MONTH: ("Day of month values must be between 1 and 31", "1-31"),
    MONTH: ("Month values must be between 1 and 12", "1-12 or JAN-DEC"),
    DAY_OF_WEEK: ("Day-of-Week values must be between 1 and 7", "1-7 or SUN-SAT"),
}


def _out_of_range(kind: int, val: int, end: int) -> bool:
    """addToSet's range checks (L971-999): the markers 99 ('*') and, in the day fields, 98
    ('?') pass whatever their end; the year has none."""
    if kind in (SECOND, MINUTE):  # L971-976
        return (val < 0 or val > 59 or end > 59) and val != ALL_SPEC_INT
    if kind == HOUR:  # L977-981
        return (val < 0 or val > 23 or end > 23) and val != ALL_SPEC_INT
    if kind == DAY_OF_MONTH:  # L982-987
        return (val < 1 or val > 31 or end > 31) and val not in (ALL_SPEC_INT, NO_SPEC_INT)
    if kind == MONTH:  # L988-992
        return (val < 1 or val > 12 or end > 12) and val != ALL_SPEC_INT
    if kind == DAY_OF_WEEK:  # L993-999
        return (val == 0 or val > 7 or end > 7) and val not in (ALL_SPEC_INT, NO_SPEC_INT)
    return False


def _no_step(name: str, shown: str) -> str:
    return f"bad {name} '{shown}': '/' must be followed by a step, a whole number"


def _skip_white_space(i: int, s: str) -> int:
    """skipWhiteSpace (L950-956)."""
    while i < len(s) and s[i] in (" ", "\t"):
        i += 1
    return i


def _get_numeric_value(s: str, i: int) -> int:
    """getNumericValue (L1138-1142): findNextWhiteSpace (L958-964) tests `!= ' ' || != '\\t'`,
    always true, so the number runs to the end of the item."""
    return _parse_int(_substring(s, i))


def _get_value(v: int, s: str, i: int) -> tuple[int, int]:
    """getValue (L1120-1136): the digits from i appended to v's; (value, position after)."""
    c = _char_at(s, i)
    digits = str(v)
    while _is_digit(c):
        digits += c
        i += 1
        if i >= len(s):
            break
        c = s[i]
    return _parse_int(digits), (i if i < len(s) else i + 1)


def _check_increment_range(incr: int, kind: int, shown: str) -> None:
    """checkIncrementRange (L703-715)."""
    limits = {SECOND: 59, MINUTE: 59, HOUR: 23, DAY_OF_MONTH: 31, DAY_OF_WEEK: 7, MONTH: 12}
    texts = {SECOND: 60, MINUTE: 60, HOUR: 24, DAY_OF_MONTH: 31, DAY_OF_WEEK: 7, MONTH: 12}
    most = limits.get(kind)
    if most is not None and incr > most:
        name = FIELD_NAMES[kind]
        raise _Refused(f"Increment > {texts[kind]} : {incr}",
                       f"bad step in {name} '{shown}': Quartz allows steps up to {most} there")


def _java_problem(java: _JavaError, parser: _Parser) -> str:
    """Our words for an unchecked exception, by the field Quartz was reading."""
    name, item = FIELD_NAMES[parser.at_field], _shown(parser.at_item)
    if java.java_class == "java.util.NoSuchElementException":
        return ("day-of-month holds no value (only commas or blanks), so Quartz cannot check "
                "the '?' in day-of-week")
    if java.plain:
        return java.plain
    if java.java_class == "java.lang.NumberFormatException":
        return f"bad {name} '{item}': Quartz cannot read a number in it"
    return (f"bad {name} '{item}': it ends where Quartz expects more (a name has three "
            "letters; '-', '/' and L- need a number after them)")


def cron_problem(expression: str) -> str | None:
    """None when Quartz 2.3's `new CronExpression(expression)` succeeds, else what is wrong,
    in a sentence that quotes Quartz's ParseException message."""
    parser = _Parser(_max_year())
    try:
        parser.build_expression(_java_string(expression))
    except _Refused as refused:
        plain, reason = refused.plain, refused.reason
    except _JavaError as java:
        plain, reason = _java_problem(java, parser), f"Illegal cron expression format ({java})"
    else:
        return None
    if any(c.isspace() and c not in " \t" for c in expression.strip()):
        # Quartz splits fields at spaces and tabs only (L466): a line break inside stays
        # in a field (at the ends, String.trim drops it, L470)
        plain = ("the expression holds a line break or other whitespace than spaces and tabs, "
                 "which Quartz does not split fields at (a YAML '|' block keeps line breaks): "
                 f"write it quoted on one line; as it is, {plain}")
    return f"{plain} (Quartz: {reason}). Example: {EXAMPLE}"


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
