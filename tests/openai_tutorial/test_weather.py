"""The weather tool and tool loop that the three weather apps share."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import requests
import responses
import time_machine

from openai_tutorial.offline import open_meteo as offline_meteo
from openai_tutorial.weather import WEATHER_TOOL, call_tool, describe_code, get_weather
from tests.support import open_meteo as meteo

LISBON = {
    "place": "Lisbon, Lisbon, Portugal",
    "current": {
        "time": "2026-11-22T09:00",
        "conditions": "partly cloudy",
        "temperature": "16.2°C",
        "feels_like": "15.1°C",
        "humidity": "72%",
        "wind": "11.5 km/h",
    },
    "forecast": [
        {"date": "2026-11-22", "conditions": "partly cloudy", "high": "18.0°C", "low": "11.2°C",
         "chance_of_precipitation": "5%"},
        {"date": "2026-11-23", "conditions": "light rain", "high": "16.5°C", "low": "12.0°C",
         "chance_of_precipitation": "80%"},
        {"date": "2026-11-24", "conditions": "thunderstorm with heavy hail", "high": "15.9°C", "low": "10.4°C",
         "chance_of_precipitation": "95%"},
    ],
}  # fmt: skip


def test_geocodes_then_fetches_current_weather_and_forecast(open_meteo):
    search = open_meteo.add(responses.GET, meteo.GEOCODING_URL, json=meteo.place())
    forecast = open_meteo.add(responses.GET, meteo.FORECAST_URL, json=meteo.forecast())

    result = get_weather("Lisbon")

    assert result == LISBON
    assert search.calls[0].request.params == {"name": "Lisbon", "count": "1", "language": "en", "format": "json"}
    assert forecast.calls[0].request.params == {
        "latitude": "38.71667",
        "longitude": "-9.13333",
        "current": "temperature_2m,apparent_temperature,relative_humidity_2m,weather_code,wind_speed_10m",
        "daily": "weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max",
        "timezone": "auto",
        "forecast_days": "3",
        "temperature_unit": "celsius",
    }


def test_fahrenheit_is_asked_for_and_reported(open_meteo):
    open_meteo.add(responses.GET, meteo.GEOCODING_URL, json=meteo.place("Boston", country="United States", admin1=None))
    forecast = open_meteo.add(responses.GET, meteo.FORECAST_URL, json=meteo.forecast(unit="°F"))

    result = get_weather("Boston", "fahrenheit")

    assert forecast.calls[0].request.params["temperature_unit"] == "fahrenheit"
    assert result["place"] == "Boston, United States"
    assert result["current"]["temperature"] == "16.2°F"


def test_an_unknown_place_is_an_error_result_and_no_forecast_is_asked(open_meteo):
    open_meteo.add(responses.GET, meteo.GEOCODING_URL, json=meteo.NO_PLACE)

    assert get_weather("Atlantis") == {"error": "No place called 'Atlantis' was found."}


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (requests.ConnectTimeout("slow"), "The weather service did not answer in time; try again later."),
        (requests.ConnectionError("refused"), "The weather service could not be reached; try again later."),
    ],
)
def test_a_provider_that_cannot_be_reached_is_an_error_result(open_meteo, failure, message):
    open_meteo.add(responses.GET, meteo.GEOCODING_URL, body=failure)

    assert get_weather("Lisbon") == {"error": message}


def test_a_provider_error_is_an_error_result(open_meteo):
    open_meteo.add(responses.GET, meteo.GEOCODING_URL, json=meteo.place())
    open_meteo.add(responses.GET, meteo.FORECAST_URL, status=500, json={"error": True, "reason": "boom"})

    assert get_weather("Lisbon") == {"error": "The weather service failed (HTTP 500); try again later."}


def test_unknown_weather_codes_are_still_described():
    assert describe_code(3) == "overcast"
    assert describe_code(42) == "weather code 42"


@pytest.mark.parametrize(
    ("name", "arguments", "error"),
    [
        ("get_time", "{}", "No tool named 'get_time'."),
        ("get_weather", '{"place": "Lis', "Bad arguments for get_weather: Unterminated string"),
        ("get_weather", '{"city": "Lisbon"}', "Bad arguments for get_weather: "),
    ],
)
def test_bad_calls_become_error_outputs(name, arguments, error):
    assert json.loads(call_tool(name, arguments))["error"].startswith(error)


def test_the_tool_schema_is_strict():
    parameters = WEATHER_TOOL["parameters"]

    assert WEATHER_TOOL["strict"] is True
    assert set(parameters["required"]) == set(parameters["properties"]) == {"place", "units"}
    assert parameters["additionalProperties"] is False
    assert parameters["properties"]["units"]["type"] == ["string", "null"]


def test_offline_any_place_has_weather_marked_as_sample_data_and_always_the_same(monkeypatch):
    monkeypatch.setenv("OPENAI_OFFLINE", "1")

    lisbon, again, in_fahrenheit = get_weather("lisbon"), get_weather("Lisbon"), get_weather("Lisbon", "fahrenheit")

    assert lisbon == again
    assert lisbon["place"] == "Lisbon, Offline sample data"
    assert lisbon["current"]["temperature"].endswith("°C")
    assert in_fahrenheit["current"]["temperature"].endswith("°F")
    celsius = float(lisbon["current"]["temperature"].removesuffix("°C"))
    assert float(in_fahrenheit["current"]["temperature"].removesuffix("°F")) == round(celsius * 9 / 5 + 32, 1)
    today = date.today()
    assert [day["date"] for day in lisbon["forecast"]] == [str(today + timedelta(days=n)) for n in range(3)]
    assert get_weather("Oslo") != lisbon


SNOW = {71, 73, 75}
RAIN_OR_THUNDER = {51, 53, 55, 61, 63, 65, 80, 81, 82, 95, 96, 99}
DRY = {0, 1, 2, 3}


def offline_days(latitude: float, on: date) -> list[tuple[int, float, float, int]]:
    """(weather code, high, low, chance of rain) of each forecast day at ``latitude``, as of ``on``."""
    with time_machine.travel(datetime(on.year, on.month, on.day, 12, tzinfo=UTC), tick=False):
        daily = offline_meteo.forecast({"latitude": str(latitude), "longitude": "0", "forecast_days": "3"})["daily"]
    return list(
        zip(
            daily["weather_code"],
            daily["temperature_2m_max"],
            daily["temperature_2m_min"],
            daily["precipitation_probability_max"],
            strict=True,
        )
    )


def test_offline_the_sky_agrees_with_the_chance_of_rain_and_snow_with_the_cold():
    seen = set()
    for latitude in range(-60, 71):
        for code, high, low, chance in offline_days(latitude, date(2026, 12, 7)) + offline_days(
            latitude, date(2026, 7, 7)
        ):
            if chance < 20:
                assert code in {0, 1}, (latitude, code, chance)
            elif chance < 45:
                assert code in {2, 3}, (latitude, code, chance)
            else:
                assert code not in DRY, (latitude, code, chance)
            assert code not in (SNOW if (high + low) / 2 >= 1 else RAIN_OR_THUNDER), (latitude, code, high, low)
            seen.add(code)

    assert seen >= {0, 1, 2, 3, 51, 61, 63, 71, 73, 80, 95}  # every kind of weather, each where it fits


def test_offline_weather_fits_the_latitude_and_the_season():
    def mean_high(latitude: float, on: date) -> float:
        return sum(high for _, high, _, _ in offline_days(latitude, on)) / 3

    december, july = date(2026, 12, 7), date(2026, 7, 7)
    oslo, lisbon, sydney = offline_meteo.KNOWN_PLACES["oslo"], offline_meteo.KNOWN_PLACES["lisbon"], (-33.87, 151.2)
    assert mean_high(oslo[0], december) < 6 < mean_high(lisbon[0], december) < 20 < mean_high(sydney[0], december)
    assert mean_high(oslo[0], july) > mean_high(oslo[0], december) + 15  # a northern summer
    assert mean_high(sydney[0], july) < mean_high(sydney[0], december) - 8  # a southern winter
    assert all(low < high for _, high, low, _ in offline_days(45, december))


def test_offline_known_places_are_where_they_are_and_others_at_a_made_up_latitude():
    lisbon = offline_meteo.geocoding({"name": " lisbon "})["results"][0]
    atlantis = offline_meteo.geocoding({"name": "Atlantis"})["results"][0]

    assert (lisbon["latitude"], lisbon["longitude"]) == (38.7223, -9.1393)
    assert -50 <= atlantis["latitude"] <= 65
    assert atlantis == offline_meteo.geocoding({"name": "atlantis"})["results"][0] | {"name": "Atlantis"}


def test_the_provider_urls_are_settings_so_a_mirror_can_answer(open_meteo, monkeypatch):
    monkeypatch.setenv("OPEN_METEO_GEOCODING_URL", "https://meteo.mirror.test/geo")
    monkeypatch.setenv("OPEN_METEO_FORECAST_URL", "https://meteo.mirror.test/forecast")
    search = open_meteo.add(responses.GET, "https://meteo.mirror.test/geo", json=meteo.place())
    forecast = open_meteo.add(responses.GET, "https://meteo.mirror.test/forecast", json=meteo.forecast())

    assert get_weather("Lisbon") == LISBON
    assert (search.call_count, forecast.call_count) == (1, 1)


UNEXPECTED = {"error": "The weather service answered something unexpected; try again later."}


@pytest.mark.parametrize(
    ("geocoding", "forecast"),
    [
        ({"body": "<html>maintenance</html>"}, None),
        ({"json": ["not", "an", "object"]}, None),
        ({"json": {"results": [{"name": "Lisbon"}]}}, None),
        ({"json": meteo.place()}, {"json": {"current": {}}}),
        ({"json": meteo.place()}, {"body": '{"current": '}),
        ({"json": meteo.place()}, {"json": {**meteo.forecast(), "daily": {"time": ["2026-11-22"]}}}),
        (
            {"json": meteo.place()},
            {"json": {**meteo.forecast(), "daily": {**meteo.forecast()["daily"], "weather_code": [2]}}},
        ),
    ],
    ids=["html", "list", "place-without-coordinates", "forecast-without-fields", "truncated", "short-daily", "uneven"],
)
def test_a_malformed_provider_reply_is_an_error_result_that_says_so(open_meteo, geocoding, forecast):
    open_meteo.add(responses.GET, meteo.GEOCODING_URL, **geocoding)
    if forecast is not None:
        open_meteo.add(responses.GET, meteo.FORECAST_URL, **forecast)

    assert get_weather("Lisbon") == UNEXPECTED
    assert json.loads(call_tool("get_weather", '{"place": "Lisbon", "units": null}')) == UNEXPECTED


def test_every_request_to_the_provider_has_a_timeout(open_meteo):
    search = open_meteo.add(responses.GET, meteo.GEOCODING_URL, json=meteo.place())
    forecast = open_meteo.add(responses.GET, meteo.FORECAST_URL, json=meteo.forecast())

    get_weather("Lisbon")

    assert search.calls[0].request.req_kwargs["timeout"] == 10
    assert forecast.calls[0].request.req_kwargs["timeout"] == 10
