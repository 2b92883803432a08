"""The API's error body, ``{"error": {"message", "type", "param", "code"}}``, raised from any handler."""

from typing import Any


class APIError(Exception):
    """An answer the API would give instead of a result: raise it and the transport sends it."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type, param, code

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def invalid(message: str, *, param: str | None = None, code: str | None = None) -> APIError:
    return APIError(400, message, param=param, code=code)


def not_found(message: str, *, param: str | None = None) -> APIError:
    return APIError(404, message, param=param)
