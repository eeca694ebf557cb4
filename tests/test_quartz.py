"""brickline.spec.quartz.cron_problem against Quartz 2.3.0's own tests and parser.

Each row is (expression, None) for an expression `new CronExpression(...)` takes, or
(expression, text) for one it throws on, `text` a part of our message (mostly Quartz's
ParseException message, as `(Quartz: ...`). The rows of Quartz's test files are transcribed
from tag quartz-2.3.0 (the same at v2.3.1 and v2.3.2), each under a comment naming its test
method; the others were checked against CronExpression.java compiled from that tag.
"""

from __future__ import annotations

import pytest
from brickline.spec import quartz

EXAMPLE = "Example: '0 0 2 * * ?' (02:00:00 every day)"
Row = tuple[str, str | None]


def q(reason: str) -> str:
    """The part of our message that quotes Quartz's ParseException message."""
    return f"(Quartz: {reason}"


# quartz-core/src/test/java/org/quartz/CronExpressionTest.java
QUARTZ_CRON_EXPRESSION_TEST: list[Row] = [
    # getTargetObject, testIsSatisfiedBy, testQtz395_CopyConstructorMustPreserveTimeZone
    ("0 15 10 * * ? 2005", None),
    # testLastDayOffset
    ("0 15 10 L-2 * ? 2010", None),
    ("0 15 10 L-5W * ? 2010", None),
    ("0 15 10 L-1 * ? 2010", None),
    ("0 15 10 L-1W * ? 2010", None),
    # testQuartz571 (a trailing space, a month name in mixed case)
    ("19 15 10 4 Apr ? ", None),
    # testQtz259
    ("0 0 0 L-2 * ? *", None),
    # testQtz259LW
    ("0 0 0 LW * ? *", None),
    # testQuartz574
    ("* * * * Foo ? ", q("Invalid Month value:")),
    ("* * * * Jan-Foo ? ", q("Invalid Month value:")),
    # testQuartz621
    ("0 0 * * * *", q("Support for specifying both a day-of-week AND a day-of-month parameter "
                      "is not implemented.")),
    ("0 0 * 4 * *", q("Support for specifying both a day-of-week AND a day-of-month parameter "
                      "is not implemented.")),
    ("0 0 * * * 4", q("Support for specifying both a day-of-week AND a day-of-month parameter "
                      "is not implemented.")),
    # testQuartz640
    ("0 43 9 1,5,29,L * ?", q("Support for specifying 'L' and 'LW' with other days of the "
                              "month is not implemented")),
    ("0 43 9 ? * SAT,SUN,L", q("Support for specifying 'L' with other days of the week is not "
                               "implemented")),
    ("0 43 9 ? * 6,7,L", q("Support for specifying 'L' with other days of the week is not "
                           "implemented")),
    ("0 43 9 ? * 5L", None),
    # testQtz96
    ("0/5 * * 32W 1 ?", q("The 'W' option does not make sense with values larger than")),
    # testSecRangeIntervalAfterSlash
    ("/120 0 8-18 ? * 2-6", q("Increment > 60 : 120)")),
    ("0/120 0 8-18 ? * 2-6", q("Increment > 60 : 120)")),
    ("/ 0 8-18 ? * 2-6", q("'/' must be followed by an integer.)")),
    ("0/ 0 8-18 ? * 2-6", q("'/' must be followed by an integer.)")),
    # testMinRangeIntervalAfterSlash
    ("0 /120 8-18 ? * 2-6", q("Increment > 60 : 120)")),
    ("0 0/120 8-18 ? * 2-6", q("Increment > 60 : 120)")),
    ("0 / 8-18 ? * 2-6", q("'/' must be followed by an integer.)")),
    ("0 0/ 8-18 ? * 2-6", q("'/' must be followed by an integer.)")),
    # testHourRangeIntervalAfterSlash
    ("0 0 /120 ? * 2-6", q("Increment > 24 : 120)")),
    ("0 0 0/120 ? * 2-6", q("Increment > 24 : 120)")),
    ("0 0 / ? * 2-6", q("'/' must be followed by an integer.)")),
    ("0 0 0/ ? * 2-6", q("'/' must be followed by an integer.)")),
    # testDayOfMonthRangeIntervalAfterSlash
    ("0 0 0 /120 * 2-6", q("Increment > 31 : 120)")),
    ("0 0 0 0/120 * 2-6", q("Increment > 31 : 120)")),
    ("0 0 0 / * 2-6", q("'/' must be followed by an integer.)")),
    ("0 0 0 0/ * 2-6", q("'/' must be followed by an integer.)")),
    # testMonthRangeIntervalAfterSlash
    ("0 0 0 ? /120 2-6", q("Increment > 12 : 120)")),
    ("0 0 0 ? 0/120 2-6", q("Increment > 12 : 120)")),
    ("0 0 0 ? / 2-6", q("'/' must be followed by an integer.)")),
    ("0 0 0 ? 0/ 2-6", q("'/' must be followed by an integer.)")),
    # testDayOfWeekRangeIntervalAfterSlash
    ("0 0 0 ? * /120", q("Increment > 7 : 120)")),
    ("0 0 0 ? * 0/120", q("Increment > 7 : 120)")),
    ("0 0 0 ? * /", q("'/' must be followed by an integer.)")),
    ("0 0 0 ? * 0/", q("'/' must be followed by an integer.)")),
]

# quartz-core/src/test/java/org/quartz/Quartz601Test.java: all parse
QUARTZ_601_TEST: list[Row] = [
    ("0 15 10 * * ? 2005", None),  # testNormal
    ("58-4 5 21 ? * MON-FRI", None),  # testSecond
    ("0 58-4 21 ? * MON-FRI", None),  # testMinute
    ("0 0/5 21-3 ? * MON-FRI", None),  # testHour
    ("58 5 21 ? * 6-2", None),  # testDayOfWeekNumber
    ("58 5 21 ? * FRI-TUE", None),  # testDayOfWeek
    ("58 5 21 28-5 1 ?", None),  # testDayOfMonth
    ("58 5 21 ? 11-2 FRI", None),  # testMonth
    ("0 0 14-6 ? * FRI-MON", None),  # testAmbiguous
    ("55-3 56-2 6 ? * FRI", None),  # testAmbiguous
]

# the other tests of quartz-core and quartz that build a CronExpression: all parse
QUARTZ_OTHER_TESTS: list[Row] = [
    # CronTriggerTest.getTargetObject, testClone; CronExpressionSerializationTest.testSimpleCron,
    # testCronWithTimeZone; CronCalendarSerializationTest
    ("0 0 12 * * ?", None),
    # CronExpressionSerializationTest.testComplexCron
    ("0 0/5 14,18,20-23 ? JAN,MAR,SEP MON-FRI 2002-2010", None),
    # CronScheduleBuilderTest.testAtHourAndMinuteOnGivenDaysOfWeek (the expressions it builds)
    ("0 0 10 ? * 2,5,6", None),
    ("0 0 10 ? * 4", None),
    # DailyTimeIntervalTriggerImplTest.testQuartzCalendarExclusion (a CronCalendar)
    ("* * 9-12 * * ?", None),
    # TriggerBuilderTest.testTriggerBuilderWithEndTimePriorCurrrentTime,
    # JobDataMapStorageTest.testJobDataMapDirtyFlag
    ("0 0 0 * * ?", None),
    # QuartzMemoryCronTriggerTest.testCronRepeatCount, DeleteNonExistsJobTest.deleteTrigger,
    # QuartzMemoryPauseAndResumeTest, XMLSchedulingDataProcessorTest
    ("* * * * * ?", None),
]

# XMLSchedulingDataProcessorTest.testXsdSchemaValidationOnVariousTriggers: the 35 triggers of
# quartz-core/src/test/resources/org/quartz/xml/job-scheduling-data-2.0_trigger-samples.xml
QUARTZ_XML_TRIGGER_SAMPLES: list[Row] = [(expression, None) for expression in (
    "* * * * * ?", "* * * ? * *", "0 * * * * ?", "0 0 * * * ?", "0 0 0 * * ?", "0 0 0 1 * ?",
    "0 0 0 1 1 ?", "0 0 8-17 * * ?", "0 0 8-17 ? * MON-FRI", "0 0 8-17 ? JUN-SEP MON-FRI",
    "0 0 8-17 ? JUN-SEP MON-FRI 1970-2099", "0 15 10 ? * L", "0 15 10 ? * 6L",
    "0 15 10 ? * SATL", "0 15 10 L * ?", "0 15 10 L-3 * ?", "0 15 10 L-30 * ?",
    "0 0 12 1W * ?", "0 0 12 LW * ?", "0 * * * * ?", "0 * * * * ? 2099",
    "0 * * * * ? 2012-2099", "0 * * * * ? *", "0 0 0 ? * 2#4", "0 0 0 ? * TUE#4",
    "0 0 0 ? * WED#4 2050", "0 0 0 ? * MON,WED,FRI", "0 0 0 1,15 * ?",
    "0 0 0 1,15 JAN,JUN,DEC ?", "0 0 0 1,15 JAN,JUN,DEC ? 2050,2051", "0/15 * * * * ?",
    "*/15 * * * * ?", "*/15 5/50 * * * ?", "*/15 5/50 5/15 1/3 7/6 ?",
    "0 0/30 0-6,12,19-21,22 * * ?")]

# What Quartz takes though the CronTrigger tutorial's table does not show it: refusing it
# would be a false error
QUARTZ_ACCEPTS: list[Row] = [
    ("0 0 12 L-3W * ?", None),  # L-n with W (storeExpressionVals L655-680)
    ("0 0 12 l-3w * ?", None),  # the expression is upper-cased first (L274)
    ("0 0 12 L-0 * ?", None),
    ("0 0 12 L-30 * ?", None),
    ("0 0 12 L-W * ?", None),  # an empty offset is 0 (getValue L1120-1136)
    ("0 0 12 lw * ?", None),
    ("0 0 12 15w * ?", None),
    ("0 0 12 1W,15W * ?", None),  # W in a list (never checked)
    ("0 0 12 0W * ?", None),  # checkNext L744-756 checks only > 31
    ("0 0 12 ? * mon-fri", None),
    ("0 0 12 ? * 6#3", None),
    ("0 0 12 ? * FRI#3", None),
    ("0 0 12 ? * 6#3,2", None),  # one '#' with other days
    ("0 0 12 ? * 9#2", None),  # checkNext's '#' adds the day unchecked (L758-777)
    ("0 0 12 ? * 2#+3", None),  # Integer.parseInt takes a sign
    ("0 0 12 ? * FRIL", None),
    ("0 0 12 ? * MONDAY", None),  # a name is its first three letters (L533)
    ("0 0 1 1 JANUARY ?", None),
    ("0 0 12 ? * MON-FRI/2", None),  # after a name range the rest is not read
    ("0 0 12 ? JAN-MAR/5 *", None),
    ("0 0 1 1 1 ? 2030 x", None),  # fields after the year are not read (L469)
    ("0 0 1,,2 * * ?", None),  # StringTokenizer skips an empty item (L484)
    ("0 0/0 1 * * ?", None),  # a step of 0 adds the start alone (addToSet L1001-1009)
    ("*/0 0 12 * * ?", None),
    ("*/-5 0 12 * * ?", None),  # getNumericValue takes a sign; '*' makes a step < 1 one
    ("1-5/99 0 12 * * ?", None),  # a range's step is not checked (checkNext L796-819)
    ("/5 0 12 * * ?", None),  # '/n' is '*/n'
    ("*X 0 12 * * ?", None),  # after '*' anything but '/' is ignored (L632-651)
    ("5X 0 12 * * ?", None),  # after a number anything unknown is ignored (L849-851)
    ("0 0 12 ?X * *", None),  # one character after '?' passes (L602)
    ("L 0 12 * * ?", None),  # L outside the day fields is ignored (L655-680)
    ("0 0 2 * * ?\n", None),  # String.trim drops the line break (L470)
    (" \t0\t0  2 * * ?  ", None),  # fields split at runs of spaces and tabs (L466)
    ("0 0 1 1 1 ? 1900", None),  # the year has no range (addToSet), it never fires
    ("0 0 1 1 1 ? 2030-2020/0", None),  # a step of 0 adds the start alone
    ("0 0 22-2 * * ?", None),  # a range that wraps around
    ("0 0 12 99 * ?", None),  # 99 is the '*' marker (ALL_SPEC_INT, L210)
    ("0 0 12 ? * 99", None),
    ("0 0 12 98-99 * 1", None),  # 98 is the '?' marker (NO_SPEC_INT, L211)
    ("0 0 12 L * ?", None),  # '?' in day-of-week after L is not checked (L611)
]

# Each place CronExpression throws, with what the brief behind this module named
QUARTZ_REFUSES: list[Row] = [
    # buildExpression L472-475
    ("0 0 12 1,L * ?", q("Support for specifying 'L' and 'LW' with other days of the month")),
    ("0 0 12 LW,15 * ?", q("Support for specifying 'L' and 'LW' with other days of the month")),
    ("0 0 12 L-3W,1 * ?", q("Support for specifying 'L' and 'LW' with other days")),
    # buildExpression L476-479
    ("0 0 12 ? * 2L,3", q("Support for specifying 'L' with other days of the week")),
    ("0 0 12 ? * L,MON", q("Support for specifying 'L' with other days of the week")),
    # buildExpression L480-482
    ("0 0 12 ? * 1#1,2#2", q('Support for specifying multiple "nth" days is not implemented.')),
    ("0 0 12 ? * 1#1#2", q('Support for specifying multiple "nth" days is not implemented.')),
    # buildExpression L493-496
    ("", q("Unexpected end of expression.")),
    ("0 0 12 * *", "this one has 5 (Quartz: Unexpected end of expression.)"),
    # buildExpression L502-514
    ("0 0 12 L * *", q("Support for specifying both a day-of-week AND a day-of-month")),
    ("0 0 12 ? * 98", q("Support for specifying both a day-of-week AND a day-of-month")),
    # buildExpression L517-519 (an unchecked exception)
    ("*/5X 0 12 * * ?", q('Illegal cron expression format (java.lang.NumberFormatException: '
                          'For input string: "5X")')),
    ("0 1-X 12 * * ?", q("Illegal cron expression format (java.lang.NumberFormatException")),
    ("5/+3 0 12 * * ?", q("Illegal cron expression format (java.lang.NumberFormatException")),
    ("0 0 12 L-99999999999 * ?", q("Illegal cron expression format (java.lang.NumberFormat")),
    ("0 0 12 ? * MO", q("Illegal cron expression format (java.lang."
                        "StringIndexOutOfBoundsException))")),
    ("0 0 12 LX * ?", "(java.lang.StringIndexOutOfBoundsException))"),
    ("0 0 12 L- * ?", "(java.lang.StringIndexOutOfBoundsException))"),
    ("0 1- 12 * * ?", "(java.lang.StringIndexOutOfBoundsException))"),
    ("0 0 12 ? JAN- *", "(java.lang.StringIndexOutOfBoundsException))"),
    ("0 0 12 , * ?", q("Illegal cron expression format (java.util.NoSuchElementException)")),
    ("0 0 1 1 1 ? 2030-2020", q("Illegal cron expression format (java.lang.IllegalArgument"
                                "Exception: Start year must be less than stop year)")),
    # storeExpressionVals L536-551
    ("0 0 1 1 JNA ?", q("Invalid Month value: 'JNA'")),
    ("0 0 1 1 JAN-FOO ?", q("Invalid Month value: 'FOO'")),
    # storeExpressionVals L552-569
    ("0 0 1 ? * WEEKDAYS", q("Invalid Day-of-Week value: 'WEE'")),
    ("0 0 1 ? * MON-FOO", q("Invalid Day-of-Week value: 'FOO'")),
    # storeExpressionVals L570-580
    ("0 0 1 ? * MON#6", q("A numeric value between 1 and 5 must follow the '#' option")),
    ("0 0 1 ? * MON#", q("A numeric value between 1 and 5 must follow the '#' option")),
    # storeExpressionVals L587-590
    ("0 0 ABC * * ?", q("Illegal characters for this position: 'ABC'")),
    ("0 0 12 LXY * ?", q("Illegal characters for this position: 'LXY'")),
    # storeExpressionVals L601-605
    ("0 0 12 ?XY * *", q("Illegal character after '?': X")),
    # storeExpressionVals L606-609
    ("0 0 ? * * ?", q("'?' can only be specified for Day-of-Month or Day-of-Week.")),
    # storeExpressionVals L611-617
    ("0 0 1 ? * ?", q("'?' can only be specified for Day-of-Month -OR- Day-of-Week.")),
    ("0 0 12 98 * ?", q("'?' can only be specified for Day-of-Month -OR- Day-of-Week.")),
    # storeExpressionVals L628-631
    ("/ 0 12 * * ?", q("'/' must be followed by an integer.")),
    # storeExpressionVals L636-640
    ("*/ 0 12 * * ?", q("Unexpected end of string.")),
    # storeExpressionVals L666-670
    ("0 0 2 L-31 * ?", q("Offset from last day must be <= 30")),
    # storeExpressionVals L696-698
    ("0 -1 2 * * ?", q("Unexpected character: -")),
    ("+5 0 12 * * ?", q("Unexpected character: +")),
    # checkIncrementRange L703-715
    ("0/60 0 12 * * ?", q("Increment > 60 : 60")),
    ("0 0/61 * * * ?", q("Increment > 60 : 61")),
    ("0 0 */24 * * ?", q("Increment > 24 : 24")),
    ("0 0 12 1/32 * ?", q("Increment > 31 : 32")),
    ("0 0 2 1 1/13 ?", q("Increment > 12 : 13")),
    ("0 0 2 ? * 1/8", q("Increment > 7 : 8")),
    # checkNext L730-742
    ("0 0 12 ? * 8L", q("Day-of-Week values must be between 1 and 7")),
    ("0 0 12 ? * 0L", q("Day-of-Week values must be between 1 and 7")),
    ("0 0 12 5L * ?", q("'L' option is not valid here. (pos=1)")),
    # checkNext L744-756
    ("0 0 5W ? * *", q("'W' option is not valid here. (pos=1)")),
    ("0 0 12 32W * ?", q("The 'W' option does not make sense with values larger than 31")),
    # checkNext L758-777
    ("0 0 12 1#2 * ?", q("'#' option is not valid here. (pos=1)")),
    ("0 0 12 ? * 2#6", q("A numeric value between 1 and 5 must follow the '#' option")),
    ("0 0 12 ? * 2#0", q("A numeric value between 1 and 5 must follow the '#' option")),
    ("0 0 12 ? * 2#", q("A numeric value between 1 and 5 must follow the '#' option")),
    # checkNext L822-847
    ("0/1X 0 12 * * ?", q("Unexpected character 'X' after '/'")),
    # addToSet L971-999
    ("60 0 1 * * ?", q("Minute and Second values must be between 0 and 59")),
    ("0 0-60 1 * * ?", q("Minute and Second values must be between 0 and 59")),
    ("0 0 24 * * ?", q("Hour values must be between 0 and 23")),
    ("0 0 20-24 * * ?", q("Hour values must be between 0 and 23")),
    ("0 0 1 0 * ?", q("Day of month values must be between 1 and 31")),
    ("0 0 1 1-32 * ?", q("Day of month values must be between 1 and 31")),
    ("0 0 1 1 0 ?", q("Month values must be between 1 and 12")),
    ("0 0 1 ? * 1-8", q("Day-of-Week values must be between 1 and 7")),
]

# The expressions of tests/corpus/cron_*.case, before and after this port
CORPUS: list[Row] = [
    ("0 0 1 ? * MONDAY", None),  # cron_bad_dow_name (was refused)
    ("0 0 1 ? * WEEKDAYS", q("Invalid Day-of-Week value: 'WEE'")),  # cron_bad_dow_name
    ("0 0 1 1 JANUARY ?", None),  # cron_bad_month_name (was refused)
    ("0 0 1 1 JNA ?", q("Invalid Month value: 'JNA'")),  # cron_bad_month_name
    ("0 0 1 * * *", q("Support for specifying both")),  # cron_both_days
    ("0 0 1 ? * ?", q("'?' can only be specified for Day-of-Month -OR-")),  # cron_both_question
    ("0 0 1 32 * ?", q("Day of month values must be between 1 and 31")),  # cron_day_32
    ("0 0 1 ? * 0", q("Day-of-Week values must be between 1 and 7")),  # cron_dow_zero
    ("0 0 1 1 1 ? 2030 x", None),  # cron_eight_fields (was refused)
    ("0 0 12 1,L * ?", q("Support for specifying 'L' and 'LW'")),  # cron_day_of_month_l_in_list
    ("0 0 12 ? * 2L,3", q("Support for specifying 'L' with")),  # cron_day_of_week_l_in_list
    ("0 0 1,,2 * * ?", None),  # cron_empty_item (was refused)
    ("0 0 12 ? * 1#1,2#2", q("Support for specifying multiple")),  # cron_nth_day_twice
    ("0 2 * * *", q("Unexpected end of expression.")),  # cron_five_fields, cron_orchestrator
    ("0 0 25 * * ?", q("Hour values must be between 0 and 23")),  # cron_hour_25
    ("0 0 2 L-31 * ?", q("Offset from last day must be <= 30")),  # cron_last_day_offset_31
    ("0 60 1 * * ?", q("Minute and Second values must be between 0 and 59")),  # cron_minute_60
    ("0 0 1 1 13 ?", q("Month values must be between 1 and 12")),  # cron_month_13
    ("0 -1 2 * * ?", q("Unexpected character: -")),  # cron_negative_minute
    ("0 0 ? * * ?", q("'?' can only be specified for Day-of-Month or")),  # cron_question_in_hours
    ("60 0 1 * * ?", q("Minute and Second values must be between 0 and 59")),  # cron_second_60
    ("0 0/61 * * * ?", q("Increment > 60 : 61")),  # cron_step_above_59
    ("0 0 2 ? * 1/8", q("Increment > 7 : 8")),  # cron_step_dow_8
    ("0 0 */24 * * ?", q("Increment > 24 : 24")),  # cron_step_hours_24
    ("0 0 2 1 1/13 ?", q("Increment > 12 : 13")),  # cron_step_month_13
    ("0/90 * * * * ?", q("Increment > 60 : 90")),  # cron_step_seconds_90
    ("0 0/0 1 * * ?", None),  # cron_step_zero (was refused)
    ("0 0/ 1 * * ?", q("'/' must be followed by an integer.")),  # cron_step_missing
    ("0 0 2 * * ?\n", None),  # cron_trailing_newline (was refused)
    ("0 0 2\n* * ?\n", "the expression holds a line break"),  # cron_line_break_inside
    ("0 0 2 * * MON", q("Support for specifying both")),  # cron_with_seconds_missing
    ("0 0 1 1 1 ? 1900", None),  # cron_year_1900 (was refused)
    ("0 0 1 1 1 ? 2030-2020", q("Illegal cron expression format")),  # cron_year_range_backwards
]

ROWS = (QUARTZ_CRON_EXPRESSION_TEST + QUARTZ_601_TEST + QUARTZ_OTHER_TESTS
        + QUARTZ_XML_TRIGGER_SAMPLES + QUARTZ_ACCEPTS + QUARTZ_REFUSES + CORPUS)


@pytest.mark.parametrize(("expression", "expected"), ROWS, ids=[repr(e) for e, _ in ROWS])
def test_cron_expression_parses_as_quartz_does(expression: str, expected: str | None) -> None:
    problem = quartz.cron_problem(expression)
    if expected is None:
        assert problem is None
        return
    assert problem is not None, "Quartz 2.3.0 refuses this expression"
    assert expected in problem
    assert problem.endswith(EXAMPLE)
    assert "\n" not in problem


def test_the_table_is_large() -> None:
    assert len(ROWS) >= 200
    assert len(QUARTZ_XML_TRIGGER_SAMPLES) == 35  # the test asserts 35 triggers


def test_every_message_names_the_field_and_its_text_in_plain_words() -> None:
    assert quartz.cron_problem("0 0 25 * * ?") == (
        "bad hours '25': expected 0-23 (Quartz: Hour values must be between 0 and 23). "
        + EXAMPLE)
    assert quartz.cron_problem("0 0 12 ? * 1#1,2#2") == (
        "bad day-of-week '1#1,2#2': only one n#k (the k-th weekday n of the month) is allowed "
        '(Quartz: Support for specifying multiple "nth" days is not implemented.). ' + EXAMPLE)
    # our words show the text as written; Quartz's, as it upper-cased it
    assert quartz.cron_problem("0 0 1 1 jna ?") == (
        "bad month 'JNA': month names are JAN-DEC (Quartz: Invalid Month value: 'JNA'). "
        + EXAMPLE)


def test_year_with_a_step_starts_within_a_hundred_years(monkeypatch: pytest.MonkeyPatch) -> None:
    # addToSet L1055-1057 and L1075: N/step runs from N to MAX_YEAR, the JVM's year + 100
    monkeypatch.setattr(quartz, "_max_year", lambda: 2126)
    assert quartz.cron_problem("0 0 0 1 1 ? 2126/5") is None
    problem = quartz.cron_problem("0 0 0 1 1 ? 2127/5")
    assert problem is not None
    assert "a year with a step may start at most 100 years from now" in problem
    assert "Start year must be less than stop year" in problem
    assert quartz.cron_problem("0 0 0 1 1 ? 3000") is None  # one year: no bound


def test_java_string_rules() -> None:
    # a character outside the BMP is two UTF-16 units, as String.length() counts it:
    # 'M' and the emoji make three, so Quartz looks the "name" up instead of failing
    assert "Invalid Day-of-Week value" in (quartz.cron_problem("0 0 12 ? * M\U0001F600") or "")
    # Character.digit takes any script's digits where Integer.parseInt reads one
    assert quartz.cron_problem("0 1-\u0663 12 ? * *") is None
    # String.trim drops control characters at a field's ends, not a no-break space
    assert quartz.cron_problem("0 0 12 * * ?\r") is None
    assert quartz.cron_problem("0\u00a00 12 * * ?") is not None
