"""A wp/v2 request's parameters: read as PHP reads them, checked as WordPress checks them.

Parameters come from the query string and the body (JSON, a form or
multipart), the body winning; :class:`Check` validates them against a route's
schema and reports every problem in one ``rest_invalid_param`` error, and
:class:`WPError` carries any error to its REST response.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from syndicator.demo.receivers.faults import Request, Response, json_response

CONTEXTS = ("view", "embed", "edit")


class WPError(Exception):
    """A WP_Error on its way to becoming a REST error response."""

    def __init__(
        self, code: str, message: str, status: int, extra: dict[str, Any] | None = None, **data: Any
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
        self.data, self.extra = data, extra or {}

    def response(self) -> Response:
        data = {"status": self.status, **self.data}
        return json_response(
            self.status, {"code": self.code, "message": self.message, "data": data, **self.extra}
        )


def no_route() -> WPError:
    return WPError("rest_no_route", "No route was found matching the URL and request method.", 404)


def php_params(query: str) -> dict[str, Any]:
    """PHP's reading of a query string: ``a[]=1&a[]=2`` is a list, ``a[raw]=x`` a dict."""
    params: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        match = re.fullmatch(r"([^\[\]]+)\[([^\[\]]*)\]", key)
        if match is None:
            params[key] = value
            continue
        name, sub = match.groups()
        if not isinstance(params.get(name), list if sub == "" else dict):
            params[name] = [] if sub == "" else {}
        if sub == "":
            params[name].append(value)
        else:
            params[name][sub] = value
    return params


def multipart(request: Request) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """The fields and the files of a multipart/form-data body."""
    head = f"Content-Type: {request.headers.get('Content-Type')}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", "", header="content-disposition"))
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            files[name] = (part.get_filename(), payload)
        elif name:
            fields[name] = payload.decode("utf-8", "replace")
    return fields, files


def read_params(request: Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """A request's parameters and uploaded files: the query string's, then the body's."""
    params = php_params(request.raw_query)
    params.pop("rest_route", None)
    files: dict[str, tuple[str, bytes]] = {}
    ctype = request.headers.get_content_type()
    if (ctype == "application/json" or ctype.endswith("+json")) and request.body.strip():
        try:
            body = json.loads(request.body)
        except ValueError:
            raise WPError(
                "rest_invalid_json",
                "Invalid JSON body passed.",
                400,
                json_error_code=4,
                json_error_message="Syntax error",
            ) from None
        params |= body if isinstance(body, dict) else {}
    elif ctype == "application/x-www-form-urlencoded":
        params |= php_params(request.body.decode("utf-8", "replace"))
    elif ctype == "multipart/form-data":
        fields, files = multipart(request)
        params |= fields
    return params, files


def utc_now() -> datetime:
    """The site's clock: UTC to the second, without a zone, like the *_gmt columns."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def rest_date(moment: datetime) -> str:
    """A date as the REST API writes it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


_DATE = re.compile(r"(\d{4}-\d\d-\d\d)[Tt ](\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d(?::?\d\d)?)?")


def parse_date(value: Any) -> datetime | None:
    """rest_parse_date(); the site's timezone is UTC, so an offset is all there is to apply."""
    match = _DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    try:
        moment = datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}")
    except ValueError:
        return None
    zone = match.group(3)
    if zone and zone != "Z":
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        moment += -offset if zone[0] == "+" else offset
    return moment


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.0*)?\s*", value):
        return int(float(value))
    return None


class Check:
    """Checks request parameters; reports them as WP_REST_Request::has_valid_params() does."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params
        self.problems: dict[str, tuple[str, str, Any]] = {}

    def bad(self, name: str, code: str, message: str, data: Any = None) -> None:
        self.problems.setdefault(name, (code, message, data))

    def done(self) -> None:
        if not self.problems:
            return
        raise WPError(
            "rest_invalid_param",
            "Invalid parameter(s): " + ", ".join(self.problems),
            400,
            params={name: p[1] for name, p in self.problems.items()},
            details={
                name: {"code": p[0], "message": p[1], "data": p[2]}
                for name, p in self.problems.items()
            },
        )

    def string(self, name: str) -> str | None:
        value = self.params.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.bad(name, "rest_invalid_type", f"{name} is not of type string.")
        return None

    def enum(self, name: str, allowed: tuple[str, ...]) -> str | None:
        value = self.string(name)
        if value is not None and value not in allowed:
            self.bad(name, "rest_not_in_enum", f"{name} is not one of {', '.join(allowed)}.")
            return None
        return value

    def integer(self, name: str, low: int | None = None, high: int | None = None) -> int | None:
        if self.params.get(name) is None:
            return None
        number = as_int(self.params[name])
        if number is None:
            self.bad(name, "rest_invalid_type", f"{name} is not of type integer.")
        elif high is not None and low is not None and not low <= number <= high:
            message = f"{name} must be between {low} (inclusive) and {high} (inclusive)"
            self.bad(name, "rest_out_of_bounds", message)
        elif low is not None and number < low:
            self.bad(name, "rest_out_of_bounds", f"{name} must be greater than or equal to {low}")
        else:
            return number
        return None

    def boolean(self, name: str) -> bool | None:
        value = self.params.get(name)
        if value is None or isinstance(value, bool):
            return value
        if str(value).lower() in ("1", "true", "0", "false", ""):
            return str(value).lower() in ("1", "true")
        self.bad(name, "rest_invalid_type", f"{name} is not of type boolean.")
        return None

    def date(self, name: str) -> datetime | None:
        value = self.params.get(name)
        moment = None if value is None else parse_date(value)
        if value is not None and moment is None:
            self.bad(name, "rest_invalid_date", "Invalid date.")
        return moment

    def items(self, name: str) -> list[Any] | None:
        value = self.params.get(name)
        if isinstance(value, str):
            return [part for part in re.split(r"[\s,]+", value) if part]
        if isinstance(value, int) and not isinstance(value, bool):
            return [value]
        if value is not None and not isinstance(value, list):
            self.bad(name, "rest_invalid_type", f"{name} is not of type array.")
            return None
        return value

    def int_list(self, name: str) -> list[int] | None:
        values = self.items(name)
        numbers = [as_int(v) for v in values or []]
        if None in numbers:
            message = f"{name}[{numbers.index(None)}] is not of type integer."
            self.bad(name, "rest_invalid_type", message)
            return None
        return None if values is None else [n for n in numbers if n is not None]

    def str_list(self, name: str) -> list[str] | None:
        values = self.items(name)
        return None if values is None else [str(v) for v in values]


@dataclass
class Call:
    """One REST request on its way through a route handler."""

    request: Request
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]]
    user: dict[str, Any] | None
    args: dict[str, str]

    def only(self, data: dict[str, Any]) -> dict[str, Any]:
        """What ``_fields`` asks for (top-level names)."""
        wanted = self.params.get("_fields")
        if not wanted:
            return data
        names = wanted if isinstance(wanted, list) else str(wanted).split(",")
        tops = {name.strip().split(".")[0] for name in names}
        return {key: value for key, value in data.items() if key in tops}

    def context(self) -> str:
        """The ``context`` parameter of a route that takes no other: view, embed or edit."""
        check = Check(self.params)
        context = check.enum("context", CONTEXTS) or "view"
        check.done()
        return context
