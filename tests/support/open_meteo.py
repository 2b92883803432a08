"""Open-Meteo replies, shaped like the real geocoding and forecast APIs return them."""

GEOCODING_URL = "https://geocoding-api.open-meteo.com/v1/search"
FORECAST_URL = "https://api.open-meteo.com/v1/forecast"


def place(name: str = "Lisbon", *, country: str = "Portugal", admin1: str | None = "Lisbon") -> dict:
    return {
        "results": [
            {
                "id": 2267057,
                "name": name,
                "latitude": 38.71667,
                "longitude": -9.13333,
                "elevation": 45.0,
                "feature_code": "PPLC",
                "country_code": "PT",
                "timezone": "Europe/Lisbon",
                "population": 517802,
                "country": country,
                "admin1": admin1,
            }
        ],
        "generationtime_ms": 0.6,
    }


NO_PLACE = {"generationtime_ms": 0.4}


def forecast(unit: str = "°C") -> dict:
    return {
        "latitude": 38.72,
        "longitude": -9.14,
        "generationtime_ms": 0.1,
        "utc_offset_seconds": 0,
        "timezone": "Europe/Lisbon",
        "timezone_abbreviation": "GMT",
        "elevation": 45.0,
        "current_units": {
            "time": "iso8601",
            "interval": "seconds",
            "temperature_2m": unit,
            "apparent_temperature": unit,
            "relative_humidity_2m": "%",
            "weather_code": "wmo code",
            "wind_speed_10m": "km/h",
        },
        "current": {
            "time": "2026-11-22T09:00",
            "interval": 900,
            "temperature_2m": 16.2,
            "apparent_temperature": 15.1,
            "relative_humidity_2m": 72,
            "weather_code": 2,
            "wind_speed_10m": 11.5,
        },
        "daily_units": {
            "time": "iso8601",
            "weather_code": "wmo code",
            "temperature_2m_max": unit,
            "temperature_2m_min": unit,
            "precipitation_probability_max": "%",
        },
        "daily": {
            "time": ["2026-11-22", "2026-11-23", "2026-11-24"],
            "weather_code": [2, 61, 99],
            "temperature_2m_max": [18.0, 16.5, 15.9],
            "temperature_2m_min": [11.2, 12.0, 10.4],
            "precipitation_probability_max": [5, 80, 95],
        },
    }
