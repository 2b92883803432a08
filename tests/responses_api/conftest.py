"""Fixtures shared by the weather app tests."""

import pytest
import responses

from tests.support import open_meteo as meteo


@pytest.fixture
def lisbon_weather(open_meteo):
    """Open-Meteo knows Lisbon, as often as it is asked."""
    open_meteo.add(responses.GET, meteo.GEOCODING_URL, json=meteo.place())
    open_meteo.add(responses.GET, meteo.FORECAST_URL, json=meteo.forecast())
    return open_meteo
