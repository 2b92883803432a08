"""Open-Meteo, offline: geocoding and forecasts for any place name, made up and marked as such.

A ``requests`` transport adapter that the weather tool mounts on its session in offline
mode, so the weather apps run their real tool code (URLs, parameters, parsing) with no
network. Every place is "found", in the country "Offline sample data". A few places are where
they are on the map, any other at a latitude made up from its name, and the weather fits the
latitude and the season (Oslo is colder than Lisbon in December, Sydney warm), with a sky that
agrees with the chance of rain: the same place on the same day always gives the same figures.
"""

import hashlib
import json
import math
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import BaseAdapter

# Where some places are, so that their weather fits them; any other name gets a made-up latitude.
KNOWN_PLACES = {
    "lisbon": (38.7223, -9.1393),
    "porto": (41.1579, -8.6291),
    "madrid": (40.4168, -3.7038),
    "paris": (48.8566, 2.3522),
    "london": (51.5072, -0.1276),
    "berlin": (52.52, 13.405),
    "rome": (41.9028, 12.4964),
    "oslo": (59.9139, 10.7522),
    "stockholm": (59.3293, 18.0686),
    "reykjavik": (64.1466, -21.9426),
    "new york": (40.7128, -74.006),
    "tokyo": (35.6762, 139.6503),
    "sydney": (-33.8688, 151.2093),
    "cape town": (-33.9249, 18.4241),
    "singapore": (1.3521, 103.8198),
}
FREEZING_BELOW_CELSIUS = 1.0


def numbers_for(text: str) -> bytes:
    return hashlib.sha256(text.lower().encode()).digest()


def coordinates(name: str) -> tuple[float, float]:
    if known := KNOWN_PLACES.get(" ".join(name.lower().split())):
        return known
    digest = numbers_for(name)
    return round(digest[0] / 255 * 115 - 50, 4), round(digest[1] / 255 * 340 - 170, 4)


def geocoding(query: dict[str, str]) -> dict[str, Any]:
    name = query["name"]  # weather.py always sends it
    latitude, longitude = coordinates(name)
    return {
        "results": [
            {
                "id": int.from_bytes(numbers_for(name)[:4]),
                "name": name.strip().title(),
                "latitude": latitude,
                "longitude": longitude,
                "country": "Offline sample data",
                "admin1": None,
            }
        ],
        "generationtime_ms": 0.1,
    }


def seasonal_celsius(latitude: float, day: date) -> float:
    """A plausible mean temperature for a latitude on a day: warmer near the equator, colder in its hemisphere's
    winter (coldest in mid-January in the north, mid-July in the south)."""
    mean, swing = 30 - 0.33 * abs(latitude), 0.2 * abs(latitude)
    winter = math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365.25)
    return mean - swing * winter if latitude >= 0 else mean + swing * winter


def sky(chance_of_rain: int, degrees_celsius: float, byte: int) -> int:
    """A WMO weather code that agrees with the chance of rain and the temperature: dry when rain is unlikely,
    snow only at freezing, thunder only in warm weather."""
    freezing = degrees_celsius < FREEZING_BELOW_CELSIUS
    if chance_of_rain < 20:
        return (0, 1)[byte % 2]
    if chance_of_rain < 45:
        return (2, 3)[byte % 2]
    if chance_of_rain < 70:
        return 71 if freezing else (51, 61)[byte % 2]
    if freezing:
        return 73
    return 95 if degrees_celsius > 18 and byte % 3 == 0 else (63, 80)[byte % 2]


def forecast(query: dict[str, str]) -> dict[str, Any]:
    latitude = float(query["latitude"])  # weather.py always sends these
    digest = numbers_for(f"{query.get('latitude')},{query.get('longitude')}")
    fahrenheit = query.get("temperature_unit") == "fahrenheit"
    unit = "°F" if fahrenheit else "°C"

    def temperature(degrees: float) -> float:
        celsius = round(degrees, 1)
        return round(celsius * 9 / 5 + 32, 1) if fahrenheit else celsius

    days = int(query["forecast_days"])
    today = date.today()
    means = [
        seasonal_celsius(latitude, today + timedelta(days=day)) + (digest[2 + day] % 40 - 20) / 10
        for day in range(days)
    ]
    highs = [mean + 3 + digest[8 + day] % 20 / 10 for day, mean in enumerate(means)]
    lows = [mean - 3 - digest[12 + day] % 20 / 10 for day, mean in enumerate(means)]
    chances = [digest[16 + day] % 101 for day in range(days)]
    now = (highs[0] + lows[0]) / 2
    return {
        "current_units": {"temperature_2m": unit, "wind_speed_10m": "km/h"},
        "current": {
            "time": datetime.now().strftime("%Y-%m-%dT%H:00"),
            "temperature_2m": temperature(now),
            "apparent_temperature": temperature(now - digest[20] % 40 / 10),  # pragma: no mutate: equivalent
            "relative_humidity_2m": 40 + chances[0] // 2 + digest[21] % 10,
            "weather_code": sky(chances[0], now, digest[22]),
            "wind_speed_10m": round(digest[23] / 255 * 40, 1),
        },
        "daily": {
            "time": [(today + timedelta(days=day)).isoformat() for day in range(days)],
            "weather_code": [sky(chances[day], (highs[day] + lows[day]) / 2, digest[24 + day]) for day in range(days)],
            "temperature_2m_max": [temperature(high) for high in highs],
            "temperature_2m_min": [temperature(low) for low in lows],
            "precipitation_probability_max": chances,
        },
    }


class OfflineOpenMeteo(BaseAdapter):
    """Answers the geocoding URL with ``geocoding`` and any other URL with ``forecast``."""

    def __init__(self, geocoding_url: str) -> None:
        super().__init__()
        self.geocoding_url = geocoding_url

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        url = request.url or ""  # a prepared request always has one
        query = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
        is_geocoding = url.startswith(self.geocoding_url)
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(geocoding(query) if is_geocoding else forecast(query)).encode()
        response.url, response.request = url, request
        return response

    def close(self) -> None:
        pass
