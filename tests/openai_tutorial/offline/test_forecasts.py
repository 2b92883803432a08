"""Answers from weather reports: the day asked about, the units the report has, and comparisons."""

import pytest
import time_machine

from openai_tutorial.offline.forecasts import day_asked, weather_answer

FORECAST_DATES = ["2026-12-07", "2026-12-08", "2026-12-09"]  # a Monday, then Tuesday and Wednesday


def report(place: str, now: str, highs: list[str], chances: list[str]) -> dict:
    return {
        "place": f"{place}, Offline sample data",
        "current": {"conditions": "overcast", "temperature": now, "feels_like": now, "wind": "5.0 km/h"},
        "forecast": [
            {"date": day, "conditions": "light rain", "high": high, "low": "1.0°C", "chance_of_precipitation": chance}
            for day, high, chance in zip(FORECAST_DATES, highs, chances, strict=True)
        ],
    }


OSLO = report("Oslo", "-1.0°C", ["2.0°C", "3.0°C", "1.5°C"], ["10%", "60%", "90%"])
ROME = report("Rome", "9.0°C", ["12.0°C", "14.0°C", "13.0°C"], ["80%", "20%", "50%"])


@pytest.mark.parametrize(
    ("question", "day"),
    [
        ("What is the weather in Oslo?", None),
        ("And today?", 0),
        ("And tomorrow?", 1),
        ("And the day after tomorrow?", 2),
        ("Will it rain on Wednesday?", 2),
        ("What about TUESDAY in Rome?", 1),
    ],
)
def test_the_day_asked_about_is_read_from_the_question(question, day):
    assert day_asked(question, OSLO["forecast"]) == day


def test_a_follow_up_about_tomorrow_answers_from_tomorrows_forecast():
    assert weather_answer("And tomorrow?", [OSLO]) == (
        "Offline stand-in answer, from the weather tool's results: Oslo tomorrow (2026-12-08): light rain, "
        "1.0°C to 3.0°C, 60% chance of precipitation."
    )


def test_a_question_naming_no_day_answers_with_the_weather_now():
    assert weather_answer("Weather in Oslo?", [OSLO]) == (
        "Offline stand-in answer, from the weather tool's results: Oslo now: overcast, -1.0°C (feels like -1.0°C), "
        "wind 5.0 km/h."
    )


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ("Is it warmer in Oslo or in Rome?", "Rome is warmer: 9.0°C against -1.0°C in Oslo."),
        ("Is it colder in Oslo or in Rome tomorrow?", "Oslo is colder: 3.0°C against 14.0°C in Rome."),
        ("Where is it wetter today, Oslo or Rome?", "Rome is wetter: 80% against 10% in Oslo."),
        ("Which is drier on Wednesday?", "Rome is drier: 50% against 90% in Oslo."),
    ],
)
def test_a_comparison_of_two_places_says_which_with_both_figures(question, verdict):
    assert weather_answer(question, [OSLO, ROME]).endswith(verdict)


def test_alike_figures_are_said_to_be_alike_and_one_place_is_no_comparison():
    twin = report("Bergen", "-1.0°C", ["2.0°C", "3.0°C", "1.5°C"], ["10%", "60%", "90%"])

    assert weather_answer("Is it warmer in Oslo or Bergen?", [OSLO, twin]).endswith(
        "Oslo and Bergen are alike: -1.0°C each."
    )
    assert weather_answer("Is it warmer in Oslo?", [OSLO]).endswith("wind 5.0 km/h.")


def test_a_day_beyond_the_forecast_is_said_by_its_date():
    longer = {**OSLO, "forecast": [*OSLO["forecast"], {**OSLO["forecast"][0], "date": "2026-12-10"}]}

    with time_machine.travel("2026-12-07 12:00Z", tick=False):
        answer = weather_answer("And on Thursday?", [longer])

    assert "Oslo 2026-12-10 (2026-12-10)" in answer
