"""The stand-in's errors as a test expects them: whole bodies, as the SDK hands them over."""

import pytest


def error_of(raised: pytest.ExceptionInfo) -> dict:
    return raised.value.body


def refusal(message: str, param: str | None = None, code: str | None = None) -> dict:
    """The whole body of one of the API's 400 or 404 errors."""
    return {"message": message, "type": "invalid_request_error", "param": param, "code": code}
