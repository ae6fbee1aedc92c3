"""Field types shared by the `sites.yaml` models (config, filters): lists that accept one
value, durations, and the strict base model that refuses unknown keys."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


def _as_list(value: Any) -> Any:
    """Let a single value stand where a list is expected (`notify: phone`)."""
    if isinstance(value, str | int | float):
        return [value]
    return value


StrList = Annotated[list[str], BeforeValidator(_as_list)]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """`90s`, `30m`, `6h`, `1d`, `2w` as a timedelta; ValueError otherwise."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a duration such as 90s, 30m, 6h or 1d")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


def _duration(value: Any) -> Any:
    if value is None:
        return None
    if parse_duration(value) <= timedelta(0):
        raise ValueError(f"{value!r} must be longer than 0")
    return str(value)


Duration = Annotated[str, BeforeValidator(_duration)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
