"""Open-Meteo, offline: geocoding and forecasts for any place name, made up and marked as such.

A ``requests`` transport adapter that the weather tool mounts on its session in offline
mode, so the weather apps run their real tool code (URLs, parameters, parsing) with no
network. Every place is "found", in the country "Offline sample data", and its weather
is derived from its name: the same place always gives the same figures.
"""

import hashlib
import json
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import BaseAdapter

# WMO codes that fit the temperature: snow only at freezing, rain and thunder only above it.
MILD_CODES = (0, 1, 2, 3, 45, 61, 63, 80, 95)
FREEZING_CODES = (0, 1, 2, 3, 45, 71, 73)
FREEZING_BELOW_CELSIUS = 1.0


def numbers_for(text: str) -> bytes:
    return hashlib.sha256(text.lower().encode()).digest()


def geocoding(query: dict[str, str]) -> dict:
    name = query["name"]  # weather.py always sends it
    digest = numbers_for(name)
    return {
        "results": [
            {
                "id": int.from_bytes(digest[:4]),
                "name": name.strip().title(),
                "latitude": round(digest[0] / 255 * 140 - 70, 4),
                "longitude": round(digest[1] / 255 * 340 - 170, 4),
                "country": "Offline sample data",
                "admin1": None,
            }
        ],
        "generationtime_ms": 0.1,
    }


def celsius(byte: int) -> float:
    return byte / 255 * 35 - 5


def conditions(byte: int, degrees_celsius: float) -> int:
    """A weather code for ``byte`` that fits the temperature: no snow at 17 °C, no rain at -3 °C."""
    codes = FREEZING_CODES if degrees_celsius < FREEZING_BELOW_CELSIUS else MILD_CODES
    return codes[byte % len(codes)]


def forecast(query: dict[str, str]) -> dict:
    digest = numbers_for(f"{query.get('latitude')},{query.get('longitude')}")
    fahrenheit = query.get("temperature_unit") == "fahrenheit"
    unit = "°F" if fahrenheit else "°C"

    def temperature(byte: int) -> float:
        degrees = celsius(byte)
        return round(degrees * 9 / 5 + 32 if fahrenheit else degrees, 1)

    days = int(query["forecast_days"])  # weather.py always sends it
    today = date.today()
    felt = temperature(digest[2]) - digest[3] % 40 / 10
    return {
        "current_units": {"temperature_2m": unit, "wind_speed_10m": "km/h"},
        "current": {
            "time": datetime.now().strftime("%Y-%m-%dT%H:00"),
            "temperature_2m": temperature(digest[2]),
            "apparent_temperature": round(felt, 1),  # pragma: no mutate: equivalent
            "relative_humidity_2m": 40 + digest[4] % 50,
            "weather_code": conditions(digest[5], celsius(digest[2])),
            "wind_speed_10m": round(digest[6] / 255 * 40, 1),
        },
        "daily": {
            "time": [(today + timedelta(days=day)).isoformat() for day in range(days)],
            "weather_code": [
                conditions(digest[7 + day], celsius(max(digest[12 + day], digest[2]))) for day in range(days)
            ],
            "temperature_2m_max": [temperature(max(digest[12 + day], digest[2])) for day in range(days)],
            "temperature_2m_min": [temperature(min(digest[17 + day], digest[2])) for day in range(days)],
            "precipitation_probability_max": [digest[22 + day] % 101 for day in range(days)],
        },
    }


class OfflineOpenMeteo(BaseAdapter):
    """Answers the geocoding URL with ``geocoding`` and any other URL with ``forecast``."""

    def __init__(self, geocoding_url: str) -> None:
        super().__init__()
        self.geocoding_url = geocoding_url

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        url = urlsplit(request.url)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        is_geocoding = request.url.startswith(self.geocoding_url)
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(geocoding(query) if is_geocoding else forecast(query)).encode()
        response.url, response.request = request.url, request
        return response

    def close(self) -> None:
        pass
