"""The weather assistant that the three weather apps share: its tool and its tool loop.

The apps differ only in where conversation state lives, and each makes its own OpenAI
call; this module is what stays the same:
- ``get_weather``: real data from Open-Meteo (no key needed), geocoding then forecast, with
  timeouts. An unknown place or a failing provider becomes an ``{"error": ...}`` result that
  the model can explain to the user, never an exception. In offline mode Open-Meteo is
  answered in-process with made-up data that says so (``offline/open_meteo.py``).
- ``run_tool_loop(send, question)``: the function-calling loop, bounded, several calls per
  round allowed. It calls the app's ``send(round)`` for each request and returns what the
  turn produced; too many rounds raise ``TooManyToolRounds``.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from openai.types.responses import FunctionToolParam, Response, ResponseInputItemParam

from openai_tutorial.client import UpstreamError, api_mode, setting
from openai_tutorial.offline.open_meteo import OfflineOpenMeteo
from openai_tutorial.responses import as_input

DEFAULT_GEOCODING_URL = "https://geocoding-api.open-meteo.com/v1/search"
DEFAULT_FORECAST_URL = "https://api.open-meteo.com/v1/forecast"
PROVIDER_TIMEOUT_SECONDS = 10
FORECAST_DAYS = 3
MAX_TOOL_ROUNDS = 5

INSTRUCTIONS = (
    "You are a friendly weather assistant. Use the get_weather tool for any question about weather, "
    "and say which place the figures are for. If the tool reports an error, explain it in plain words."
)

WEATHER_TOOL: FunctionToolParam = {
    "type": "function",
    "name": "get_weather",
    "description": f"Current weather and a {FORECAST_DAYS}-day forecast for a place.",
    "strict": True,
    "parameters": {
        "type": "object",
        "properties": {
            "place": {"type": "string", "description": "A city or town, optionally with its country."},
            "units": {
                "type": ["string", "null"],
                "enum": ["celsius", "fahrenheit", None],
                "description": "Temperature units; null for celsius.",
            },
        },
        "required": ["place", "units"],
        "additionalProperties": False,
    },
}

# WMO weather interpretation codes, as Open-Meteo reports them.
WEATHER_CODES = {
    0: "clear sky",
    1: "mainly clear",
    2: "partly cloudy",
    3: "overcast",
    45: "fog",
    48: "freezing fog",
    51: "light drizzle",
    53: "drizzle",
    55: "heavy drizzle",
    61: "light rain",
    63: "rain",
    65: "heavy rain",
    71: "light snow",
    73: "snow",
    75: "heavy snow",
    80: "rain showers",
    81: "heavy rain showers",
    82: "violent rain showers",
    95: "thunderstorm",
    96: "thunderstorm with hail",
    99: "thunderstorm with heavy hail",
}


def describe_code(code: int) -> str:
    return WEATHER_CODES.get(code, f"weather code {code}")


def open_meteo_session(geocoding_url: str, forecast_url: str) -> requests.Session:
    """A session for Open-Meteo's two URLs (settings, so that a mirror can stand in); offline, answered in-process."""
    session = requests.Session()
    if api_mode() == "offline":
        adapter = OfflineOpenMeteo(geocoding_url)
        session.mount(geocoding_url, adapter)
        session.mount(forecast_url, adapter)
    return session


def get_weather(place: str, units: str | None = None) -> dict[str, Any]:
    """Look up ``place`` and return its current weather and forecast, or ``{"error": ...}``."""
    geocoding_url = setting("OPEN_METEO_GEOCODING_URL", DEFAULT_GEOCODING_URL)
    forecast_url = setting("OPEN_METEO_FORECAST_URL", DEFAULT_FORECAST_URL)
    try:
        with open_meteo_session(geocoding_url, forecast_url) as session:
            return weather_report(session, geocoding_url, forecast_url, place, units)
    except requests.Timeout:
        return {"error": "The weather service did not answer in time; try again later."}
    except requests.HTTPError as error:
        status = "" if error.response is None else f" (HTTP {error.response.status_code})"
        return {"error": f"The weather service failed{status}; try again later."}
    except (requests.exceptions.InvalidJSONError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        # Not JSON, or JSON not shaped as Open-Meteo documents it.
        return {"error": "The weather service answered something unexpected; try again later."}
    except requests.RequestException:
        return {"error": "The weather service could not be reached; try again later."}


def weather_report(
    session: requests.Session, geocoding_url: str, forecast_url: str, place: str, units: str | None
) -> dict[str, Any]:
    place_query: dict[str, str | int] = {"name": place, "count": 1, "language": "en", "format": "json"}
    found = session.get(geocoding_url, params=place_query, timeout=PROVIDER_TIMEOUT_SECONDS)
    found.raise_for_status()
    matches = found.json().get("results") or []
    if not matches:
        return {"error": f"No place called {place!r} was found."}
    location = matches[0]
    forecast_query: dict[str, str | int | float] = {
        "latitude": location["latitude"],
        "longitude": location["longitude"],
        "current": "temperature_2m,apparent_temperature,relative_humidity_2m,weather_code,wind_speed_10m",
        "daily": "weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max",
        "timezone": "auto",
        "forecast_days": FORECAST_DAYS,
        "temperature_unit": units or "celsius",
    }
    forecast = session.get(forecast_url, params=forecast_query, timeout=PROVIDER_TIMEOUT_SECONDS)
    forecast.raise_for_status()
    data = forecast.json()

    current, daily = data["current"], data["daily"]
    unit = data["current_units"]["temperature_2m"]
    names = (location["name"], location.get("admin1"), location.get("country"))
    return {
        "place": ", ".join(name for name in names if name),
        "current": {
            "time": current["time"],
            "conditions": describe_code(current["weather_code"]),
            "temperature": f"{current['temperature_2m']}{unit}",
            "feels_like": f"{current['apparent_temperature']}{unit}",
            "humidity": f"{current['relative_humidity_2m']}%",
            "wind": f"{current['wind_speed_10m']} {data['current_units']['wind_speed_10m']}",
        },
        "forecast": [
            {
                "date": date,
                "conditions": describe_code(code),
                "high": f"{high}{unit}",
                "low": f"{low}{unit}",
                "chance_of_precipitation": f"{rain}%",
            }
            for date, code, high, low, rain in zip(
                daily["time"],
                daily["weather_code"],
                daily["temperature_2m_max"],
                daily["temperature_2m_min"],
                daily["precipitation_probability_max"],
                strict=True,
            )
        ],
    }


def call_tool(name: str, arguments: str) -> str:
    """Run one function call and return its output as JSON text; failures are told to the model."""
    if name != "get_weather":
        return json.dumps({"error": f"No tool named {name!r}."})
    try:
        result = get_weather(**json.loads(arguments))
    except (json.JSONDecodeError, TypeError) as error:
        return json.dumps({"error": f"Bad arguments for get_weather: {error}"})
    return json.dumps(result)


def parsed_arguments(arguments: str) -> Any:
    try:
        return json.loads(arguments)
    except json.JSONDecodeError:
        return arguments


class TooManyToolRounds(UpstreamError):
    def __init__(self) -> None:
        super().__init__(f"The model was still calling tools after {MAX_TOOL_ROUNDS} rounds.")


@dataclass
class Round:
    """One request of a turn, as the app's ``send`` gets it."""

    new_items: list[ResponseInputItemParam]  # what this request adds: the user's message, then the tool outputs
    turn_items: list[ResponseInputItemParam]  # everything this turn has said so far, ``new_items`` last
    previous: Response | None  # the turn's previous response; None on its first request


@dataclass
class ToolTurn:
    """What a turn produced: its final response, all its items (ready to replay), and the tool calls."""

    response: Response
    items: list[ResponseInputItemParam]
    tool_calls: list[dict[str, Any]]


def run_tool_loop(send: Callable[[Round], Response], question: str) -> ToolTurn:
    """Ask ``question`` with ``send``, run the tools the model calls, until it answers in words."""
    new_items: list[ResponseInputItemParam] = [{"role": "user", "content": question}]
    turn_items = new_items
    response = send(Round(new_items, turn_items, None))
    tool_calls: list[dict[str, Any]] = []
    for _ in range(MAX_TOOL_ROUNDS):
        produced = [as_input(item) for item in response.output]
        calls = [item for item in response.output if item.type == "function_call"]
        if not calls:
            return ToolTurn(response, turn_items + produced, tool_calls)
        new_items = []
        for call in calls:
            tool_calls.append({"name": call.name, "arguments": parsed_arguments(call.arguments)})
            output = call_tool(call.name, call.arguments)
            new_items.append({"type": "function_call_output", "call_id": call.call_id, "output": output})
        turn_items = turn_items + produced + new_items
        response = send(Round(new_items, turn_items, response))
    raise TooManyToolRounds()
