"""Answers from weather reports (the weather apps' tool results): the day asked about, and comparisons.

A report is what ``openai_tutorial.weather.get_weather`` returns: a place, the weather now and a
forecast of a few days. The answer reads the one the question asks about ("tomorrow", "on
Friday", "today", or now when it names no day), in the units the report has, and a question that
asks which of two places is warmer, colder, wetter or drier is answered with both figures.
"""

import re
from datetime import date
from typing import Any

type Report = dict[str, Any]

DAY_NAMES = ("today", "tomorrow", "the day after tomorrow")
COMPARISONS = {  # a word of the question -> (what is compared, whether the most of it wins)
    "warmer": ("high", True),
    "hotter": ("high", True),
    "colder": ("high", False),
    "cooler": ("high", False),
    "wetter": ("chance_of_precipitation", True),
    "rainier": ("chance_of_precipitation", True),
    "drier": ("chance_of_precipitation", False),
}


def is_report(value: Any) -> bool:
    return isinstance(value, dict) and {"place", "current", "forecast"} <= value.keys()


def day_asked(question: str, forecast: list[dict[str, Any]]) -> int | None:
    """Which forecast day the question asks about, by its position; None for the weather now."""
    words = question.lower()
    if "day after tomorrow" in words:
        return 2
    if "tomorrow" in words:
        return 1
    for index, day in enumerate(forecast):
        if date.fromisoformat(day["date"]).strftime("%A").lower() in words:
            return index
    return 0 if "today" in words else None


def place_of(report: Report) -> str:
    place: str = report["place"]
    return place.split(",")[0]


def described(report: Report, day: int | None) -> str:
    if day is None:
        now = report["current"]
        return (
            f"{place_of(report)} now: {now['conditions']}, {now['temperature']} "
            f"(feels like {now['feels_like']}), wind {now['wind']}"
        )
    forecast = report["forecast"][day]
    when = DAY_NAMES[day] if day < len(DAY_NAMES) else forecast["date"]
    return (
        f"{place_of(report)} {when} ({forecast['date']}): {forecast['conditions']}, {forecast['low']} to "
        f"{forecast['high']}, {forecast['chance_of_precipitation']} chance of precipitation"
    )


def figure(report: Report, measure: str, day: int | None) -> tuple[float, str]:
    """A report's figure to compare, as a number and as written: the day's high or chance of rain, or now."""
    if measure == "high" and day is None:
        written = report["current"]["temperature"]
    else:
        written = report["forecast"][day or 0][measure]
    return float(re.sub(r"[^\d.-]", "", written)), written


def comparison(question: str, reports: list[Report], day: int | None) -> str | None:
    """Which place is warmer (colder, wetter...) with both figures, when the question asks and names two."""
    asked = next((word for word in COMPARISONS if word in question.lower()), None)
    if asked is None or len(reports) < 2:
        return None
    measure, most_wins = COMPARISONS[asked]
    figures = [(figure(report, measure, day), place_of(report)) for report in reports]
    ranked = sorted(figures, key=lambda entry: entry[0][0], reverse=most_wins)  # stable: a tie keeps the order asked
    ((first, first_written), first_place), ((second, second_written), second_place) = ranked[:2]
    if first == second:
        return f"{first_place} and {second_place} are alike: {first_written} each."
    return f"{first_place} is {asked}: {first_written} against {second_written} in {second_place}."


def weather_answer(question: str, reports: list[Report]) -> str:
    day = day_asked(question, reports[0]["forecast"])
    said = "; ".join(described(report, day) for report in reports)
    compared = comparison(question, reports, day)
    return f"Offline stand-in answer, from the weather tool's results: {said}." + (f" {compared}" if compared else "")
