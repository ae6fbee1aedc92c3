"""Loading and validating `sites.yaml`.

The file is read with ruamel's safe loader, through libyaml in C (ruamel.yaml.clib):
the same YAML 1.2 rules as the round-trip parser, about eight times faster (1,000 sites:
0.05 s against 0.4 s), into plain data. Only when something is wrong is it parsed again
with the round-trip parser, whose tree knows the line of every node, so that every
problem is reported as `sites.yaml:LINE: key: what is wrong`. `${VAR}` is replaced from
the environment, then from systemd credentials (`$CREDENTIALS_DIRECTORY/VAR`);
a missing one is an error. The pydantic models below are the one definition of
the format: they validate it and generate its JSON Schema (`watcher schema`).
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from watcher import sources, timing
from watcher.door import DoorSettings
from watcher.fields import Duration, Strict, StrList, parse_duration
from watcher.match import Filter, Match
from watcher.routing import Route, route_of

DEFAULT_EVERY = "30m"
SCHEMA_URL = "https://raw.githubusercontent.com/careers-watcher/watcher/main/sites.schema.json"


EventName = Literal["new", "reopened", "changed", "closed", "reposted"]


class Channel(Strict):
    """A named destination: Apprise URLs (or an Apprise config file that lists them,
    to keep secrets out of sites.yaml), with its own filters and timing."""

    urls: StrList = Field(default_factory=list)
    config: str | None = Field(None, description="path of an Apprise config file (text or YAML)")
    match: Match | None = None
    digest: str | None = None
    quiet: str | None = None
    timezone: str | None = None

    @field_validator("digest")
    @classmethod
    def _digest(cls, value: str | None) -> str | None:
        if value is not None:
            timing.parse_digest(value)
        return value

    @field_validator("quiet")
    @classmethod
    def _quiet(cls, value: str | None) -> str | None:
        if value is not None:
            timing.parse_quiet(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        timing.zone(value)
        return value

    @model_validator(mode="after")
    def _some_urls(self) -> Channel:
        if not self.urls and not self.config:
            raise ValueError("needs at least one Apprise URL (urls:) or an Apprise config file")
        return self


def _channel(value: Any) -> Any:
    if isinstance(value, str | list):
        return {"urls": value}
    return value


ChannelValue = Annotated[Channel, BeforeValidator(_channel)]


class Settings(Strict):
    """What applies to every site unless the site says otherwise."""

    notify: StrList | None = None
    events: list[EventName] | None = None
    every: Duration | None = None
    cron: str | None = None
    match: Match | None = None
    close_after_misses: int | None = Field(None, ge=1)
    close_after: Duration | None = None
    suspect_ratio: float | None = Field(None, ge=0, le=1)
    attention_after: int | None = Field(None, ge=1)
    accept_smaller_after: int | None = Field(
        None,
        ge=1,
        description="suspect reads in a row that list the same postings before the smaller "
        "board is believed (default 3)",
    )
    user_agent: str | None = None
    render: Literal["plain", "browser"] | None = Field(
        None,
        description="browser: read the site in headless Chromium after its scripts ran "
        "(pip install 'careers-watcher[browser]'); plain (the default): as served",
    )

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None:
            timing.parse_cron(value, datetime.now(UTC))
        return value


def _off_or_duration(value: Any) -> Any:
    """A reminder's delay, or `false` to turn it off."""
    if value is False:
        return False
    if parse_duration(value) <= timedelta(0):
        raise ValueError(f"{value!r} must be longer than 0 (or false, to turn it off)")
    return str(value)


OffOrDuration = Annotated[Literal[False] | str, BeforeValidator(_off_or_duration)]


def _clock(value: Any) -> Any:
    timing.parse_clock(str(value))
    return str(value)


class Door(Strict):
    """`door:` under `defaults:`: second chances and reminders for the applications you
    mark (`watcher mark`, `watcher track`)."""

    second_chance: bool = Field(
        True,
        description="tell every channel when a role you were turned down for, withdrew "
        "from or heard nothing about opens again or is posted again",
    )
    window: Duration = Field("365d", description="how long after that end it counts")
    silent_after: Duration = Field("30d", description="no news this long counts as an end")
    similar: bool = Field(
        True,
        description="mark new postings close to a role you applied to, and let them "
        "through the title and seniority filters",
    )
    thank_you: OffOrDuration = Field(
        "1d", description="after a rejection: thank them, ask for feedback (false: off)"
    )
    check_in: OffOrDuration = Field("8w", description="after a rejection: check in (false: off)")
    follow_up: OffOrDuration = Field(
        "14d", description="after applying or an interview with no news (false: off)"
    )
    notify: StrList | None = Field(None, description="channels for reminders (default: all)")
    remind_at: Annotated[str, BeforeValidator(_clock)] = Field(
        "09:00", description="local time of reminders on channels without a digest"
    )


class Defaults(Settings):
    per_host: int | None = Field(None, ge=1, description="requests in flight per host")
    min_gap: float | None = Field(None, ge=0, description="seconds between requests to a host")
    concurrency: int | None = Field(None, ge=1, description="sites checked at once")
    max_response_mb: float | None = Field(
        None, gt=0, description="the largest response read, in MB after decompression (20)"
    )
    door: Door | None = None


def _site_name(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise ValueError("must not be empty")
        if any(unicodedata.category(c) == "Cc" for c in value):
            raise ValueError("must not hold control characters")
    return value


def _api_base(value: Any) -> Any:
    """`api:` replaces a board endpoint's scheme and host: an http(s) URL with a host."""
    if isinstance(value, str):
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or " " in value.strip():
            raise ValueError(f"{value!r} is not an http:// or https:// URL with a host")
        return value.strip()
    return value


_SITE_FIELDS: dict[str, Any] = {
    "name": (Annotated[str, BeforeValidator(_site_name)], ...),
    "api": (Annotated[str | None, BeforeValidator(_api_base)], None),
    "enabled": (bool, True),
}
SiteEntry: type[Settings] = create_model(  # type: ignore[call-overload]
    "SiteEntry",
    __base__=Settings,
    **_SITE_FIELDS,
    **{key: (source.board_type | None, None) for key, source in sources.REGISTRY.items()},
)


class ConfigFile(Strict):
    channels: dict[str, ChannelValue] = Field(default_factory=dict)
    defaults: Defaults = Defaults()
    sites: list[SiteEntry] = Field(default_factory=list)
    allow_fewer_sites: bool = Field(
        False,
        description="let a reload of the running daemon drop every site, or more than "
        "half of them (refused otherwise: an emptied or half-saved file)",
    )


# --- what the rest of watcher uses --------------------------------------------------


@dataclass(frozen=True)
class Site:
    """One watched board, with the defaults folded in."""

    name: str
    platform: str
    board: Any
    api: str | None
    notify: tuple[str, ...]
    events: tuple[str, ...]
    every: timedelta
    cron: str | None
    match: Match | None
    close_after_misses: int
    close_after: timedelta | None
    suspect_ratio: float
    attention_after: int
    line: int = 0
    accept_smaller_after: int = 3
    render: str = "plain"  # or "browser": read through headless Chromium (watcher.browser)
    filter: Filter = field(default_factory=Filter, compare=False)  # `match` compiled

    def source(self) -> sources.Source:
        return sources.get(self.platform)(self.board, api=self.api)


@dataclass(frozen=True)
class Config:
    path: Path
    channels: Mapping[str, Channel]
    sites: tuple[Site, ...]
    defaults: Defaults
    secrets: frozenset[str] = field(default_factory=frozenset)  # values that came from ${VAR}
    warnings: tuple[str, ...] = ()
    allow_fewer_sites: bool = False
    routes: Mapping[str, Route] = field(default_factory=dict)  # channels compiled
    door: DoorSettings = field(default_factory=DoorSettings)  # `defaults: door:` compiled

    def __post_init__(self) -> None:
        if not self.routes and self.channels:
            object.__setattr__(self, "routes", compile_routes(self.channels))

    def site(self, name: str) -> Site | None:
        return next((s for s in self.sites if s.name == name), None)

    def redact(self, text: str) -> str:
        """`text` with every value that came from `${VAR}` masked."""
        return _redact(text, self.secrets)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file  # 0: the whole file
        return f"{where}: {self.key}: {self.message}"


class ConfigError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


# --- loading ---------------------------------------------------------------------

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


SYSTEM_CONFIG = Path("/etc/watcher/sites.yaml")  # the system units' (systemd/)


def default_path() -> Path:
    """`./sites.yaml`, else `$CONFIGURATION_DIRECTORY/sites.yaml` (systemd), else the
    user config dir, else `/etc/watcher/sites.yaml` (so that `sudo watcher status` finds
    the system units' file from any folder)."""
    local = Path("sites.yaml")
    if local.exists():
        return local
    for directory in os.environ.get("CONFIGURATION_DIRECTORY", "").split(":"):
        if directory and (Path(directory) / "sites.yaml").exists():
            return Path(directory) / "sites.yaml"
    import platformdirs

    user = Path(platformdirs.user_config_dir("watcher")) / "sites.yaml"
    for candidate in (user, SYSTEM_CONFIG):
        if candidate.exists():
            return candidate
    return local


def load(path: Path, environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate a config file; raise ConfigError listing every problem."""
    environ = os.environ if environ is None else environ
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        message = "not found (write one with `watcher init`)"
        raise ConfigError([Problem(name, 0, "file", message)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(name, 0, "file", f"cannot be read: {exc}")]) from None
    return parse(text, name, environ)


def parse(text: str, name: str, environ: Mapping[str, str]) -> Config:
    """The config in `text`: read fast; on any problem, read again to say where it is."""
    fast = _fast_load(text)
    if fast is not None:
        try:
            return _validated(*fast, name, environ)
        except ConfigError:
            pass  # reported below, each problem on its line
    return _validated(_round_trip_load(text, name), (), name, environ)


def _fast_load(text: str) -> tuple[Any, list[int]] | None:
    """The document as plain data and the line of each entry of `sites:`, or None when
    the fast loader fails (the round-trip parse then says why, and where)."""
    yaml = YAML(typ="safe")  # C (libyaml) when ruamel.yaml.clib is installed
    try:
        node = yaml.compose(text)
        data = None if node is None else yaml.constructor.construct_document(node)
    except Exception:  # whatever it is, the round-trip parser is the reference
        return None
    return data, _item_lines(node, "sites")


def _item_lines(node: Node | None, key: str) -> list[int]:
    """The line of each item of the top-level list `key:`, from the composed nodes."""
    if isinstance(node, MappingNode):
        for name, value in node.value:
            if name.value == key and isinstance(value, SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    return []


def _round_trip_load(text: str, name: str) -> Any:
    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise ConfigError([Problem(name, line, "yaml", str(exc.problem or exc))]) from None


def _validated(
    tree: Any, site_lines: Sequence[int], name: str, environ: Mapping[str, str]
) -> Config:
    """Validate a loaded document: plain data (fast, no lines but the sites') or the
    round-trip tree (every line known)."""
    if tree is None:
        tree = CommentedMap()
    if not isinstance(tree, dict):
        raise ConfigError([Problem(name, 1, "file", "must be a mapping with `sites:`")])
    problems: list[Problem] = []
    secrets: set[str] = set()
    data = _Substitution(tree, name, environ, problems, secrets).copy(tree)
    # A section left with only comments (`channels:`) reads as null: treat it as empty.
    data = {key: value for key, value in data.items() if value is not None}
    if problems:
        raise ConfigError(problems)
    try:
        parsed = ConfigFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_pydantic_problems(exc, tree, name)) from None
    config = _build(parsed, tree, name, problems, secrets, site_lines)
    if problems:
        raise ConfigError(problems)
    return config


@dataclass
class _Substitution:
    """Replaces `${VAR}` in every string of the YAML tree, noting problems and secrets."""

    tree: dict[Any, Any]
    name: str
    environ: Mapping[str, str]
    problems: list[Problem]
    secrets: set[str]

    def copy(self, node: Any, path: tuple[Any, ...] = ()) -> Any:
        """A plain copy of `node` with variables replaced."""
        if isinstance(node, dict):
            return {k: self.copy(v, (*path, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [self.copy(v, (*path, i)) for i, v in enumerate(node)]
        if isinstance(node, str) and "${" in node:
            return _VAR.sub(lambda m: self._value(m.group(1), path), node)
        return node

    def _value(self, var: str, path: tuple[Any, ...]) -> str:
        value = _lookup(var, self.environ)
        if value is None:
            message = f"${{{var}}} is not set (in the environment or systemd credentials)"
            self.problems.append(Problem(self.name, _line(self.tree, path), _dotted(path), message))
            return ""
        if value:
            self.secrets.add(value)
        return value


def _lookup(var: str, environ: Mapping[str, str]) -> str | None:
    if var in environ:
        return environ[var]
    for directory in environ.get("CREDENTIALS_DIRECTORY", "").split(":"):
        candidate = Path(directory) / var if directory else None
        if candidate and candidate.is_file():
            return candidate.read_text(encoding="utf-8").strip()
    return None


def _pydantic_problems(exc: ValidationError, tree: Any, name: str) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = tuple(p for p in error["loc"] if not _is_internal(p))
        kind = error["type"]
        if kind == "extra_forbidden":
            parent = _node_at(tree, loc[:-1])
            known = _known_keys(loc[:-1])
            guess = difflib.get_close_matches(str(loc[-1]), known, n=1)
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            message = f"unknown key{hint}"
            line = _line_of_key(parent, loc[-1])
        elif kind == "missing":
            message = "is required"
            line = _line(tree, loc[:-1])
        else:
            message = _message(error)
            line = _line(tree, loc)
        problems.append(Problem(name, line, _dotted(loc), message))
    return problems


def _is_internal(part: Any) -> bool:
    # pydantic adds the validator/union member names to `loc` (e.g. "function-before[...]").
    return isinstance(part, str) and ("[" in part or part in {"str", "list[str]"})


def _message(error: Any) -> str:
    msg = str(error["msg"])
    msg = msg.removeprefix("Value error, ")
    got = error.get("input")
    if error["type"].endswith("_type") and got is not None and not isinstance(got, dict | list):
        msg += f" (got {got!r})"
    return msg


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    head = [p for p in loc if not isinstance(p, int)]
    if not head:
        return list(ConfigFile.model_fields)
    if head[0] == "sites" and len(head) == 1:
        return list(SiteEntry.model_fields)
    if head[0] == "defaults" and len(head) == 1:
        return list(Defaults.model_fields)
    if head[-1] == "match":
        return list(Match.model_fields)
    if head[-1] == "door":
        return list(Door.model_fields)
    if head[0] == "channels" and len(head) == 2:
        return list(Channel.model_fields)
    for key, source in sources.REGISTRY.items():
        if (
            head[-1] == key
            and isinstance(source.board_type, type)
            and issubclass(source.board_type, BaseModel)
        ):
            return list(source.board_type.model_fields)
    return []


def _node_at(tree: Any, loc: tuple[Any, ...]) -> Any:
    node = tree
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _line_of_key(node: Any, key: Any) -> int:
    if isinstance(node, CommentedMap) and key in node:
        return int(node.lc.key(key)[0]) + 1
    if isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
        return int(node.lc.item(key)[0]) + 1
    return int(node.lc.line) + 1 if hasattr(node, "lc") else 0


def _line(tree: Any, loc: tuple[Any, ...]) -> int:
    """The line of the deepest node of `loc` that exists in the YAML tree."""
    if tree is None:
        return 0
    node = tree
    line = 1
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = int(node.lc.value(part)[0]) + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = int(node.lc.item(part)[0]) + 1
            node = node[part]
        else:
            break
    return line


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "file"


def _build(
    parsed: ConfigFile,
    tree: Any,
    name: str,
    problems: list[Problem],
    secrets: set[str],
    site_lines: Sequence[int] = (),
) -> Config:
    warnings: list[str] = []
    channels: dict[str, Channel] = {}
    for channel_name, channel in parsed.channels.items():
        _check_match(channel.match, tree, ("channels", channel_name, "match"), name, problems)
        if channel.config:
            listed = _apprise_config_urls(channel.config, Path(name).parent)
            if isinstance(listed, str):
                at = _line(tree, ("channels", channel_name, "config"))
                problems.append(Problem(name, at, f"channels.{channel_name}.config", listed))
                listed = []
            secrets.update(listed)  # the whole URL is the secret: mask it wherever it shows
            channel = channel.model_copy(update={"urls": [*channel.urls, *listed]})
        channels[channel_name] = channel
        for i, url in enumerate(channel.urls):
            plugin = _apprise_plugin(url)
            if plugin is not None and _holds_literal_secret(plugin, url, secrets):
                warnings.append(f"channels.{channel_name}")
            if plugin is None:
                problems.append(
                    Problem(
                        name,
                        _line(tree, ("channels", channel_name, i))
                        if isinstance(tree.get("channels", {}).get(channel_name), CommentedSeq)
                        else _line(tree, ("channels", channel_name)),
                        f"channels.{channel_name}",
                        f"not a valid Apprise URL: {_redact(url, secrets)}",
                    )
                )
    defaults = parsed.defaults
    _check_match(defaults.match, tree, ("defaults", "match"), name, problems)
    out: list[Site] = []
    seen: dict[str, int] = {}
    entries: list[Any] = parsed.sites
    for index, entry in enumerate(entries):
        where = ("sites", index)
        values = entry.model_dump(exclude_unset=True)
        platforms = [k for k in sources.REGISTRY if values.get(k) is not None]
        label = f"sites[{index}]"
        line = site_lines[index] if index < len(site_lines) else _line(tree, where)
        if len(platforms) != 1:
            what = (
                "no platform key"
                if not platforms
                else f"two platform keys ({', '.join(platforms)})"
            )
            problems.append(
                Problem(
                    name, line, label, f"{what}: give exactly one of {', '.join(sources.REGISTRY)}"
                )
            )
            continue
        platform = platforms[0]
        site_name = str(values["name"])
        if "${" in str(_node_at(tree, (*where, "name")) or ""):
            message = "a name is shown everywhere: write it out, without ${VAR}"
            problems.append(Problem(name, _line(tree, (*where, "name")), f"{label}.name", message))
        if site_name in seen:
            problems.append(Problem(name, line, f"{label}.name", f"{site_name!r} is used twice"))
        seen[site_name] = index
        try:
            board = sources.get(platform).check_board(values[platform])
            # what `check` does first: if the request cannot be made, say so now
            sources.get(platform)(board, api=values.get("api")).first_request()
        except ValueError as exc:
            problems.append(
                Problem(name, _line(tree, (*where, platform)), f"{label}.{platform}", str(exc))
            )
            continue

        def pick(key: str, fallback: Any, values: dict[str, Any] = values) -> Any:
            value = values.get(key)
            if value is None:
                value = getattr(defaults, key)
            return fallback if value is None else value

        notify = tuple(pick("notify", list(parsed.channels)))
        for channel_name in notify:
            if channel_name not in parsed.channels:
                known = difflib.get_close_matches(channel_name, list(parsed.channels), n=1)
                hint = f" (did you mean '{known[0]}'?)" if known else ""
                key = "notify" if "notify" in values else None
                problems.append(
                    Problem(
                        name,
                        _line(tree, (*where, "notify"))
                        if key
                        else _line(tree, ("defaults", "notify")),
                        f"{label}.notify" if key else "defaults.notify",
                        f"unknown channel {channel_name!r}{hint}",
                    )
                )
        _check_match(entry.match, tree, (*where, "match"), name, problems)
        close_after = pick("close_after", None)
        out.append(
            Site(
                name=site_name,
                platform=platform,
                board=board,
                api=values.get("api"),
                notify=notify,
                events=tuple(pick("events", ["new", "reopened"])),
                every=parse_duration(pick("every", DEFAULT_EVERY)),
                cron=pick("cron", None),
                match=(merged := _merge_match(defaults.match, entry.match)),
                filter=_compiled(merged),
                close_after_misses=int(pick("close_after_misses", 2)),
                close_after=parse_duration(close_after) if close_after else None,
                suspect_ratio=float(pick("suspect_ratio", 0.5)),
                attention_after=int(pick("attention_after", 3)),
                accept_smaller_after=int(pick("accept_smaller_after", 3)),
                render=str(pick("render", "plain")),
                line=line,
            )
        )
        if not values.get("enabled", True):
            out.pop()
    return Config(
        Path(name),
        channels,
        tuple(out),
        defaults,
        frozenset(secrets),
        _exposure_warnings(Path(name), warnings),
        parsed.allow_fewer_sites,
        door=_door(defaults.door, tree, name, list(parsed.channels), problems),
    )


def _door(
    door: Door | None, tree: Any, name: str, channels: list[str], problems: list[Problem]
) -> DoorSettings:
    """`defaults: door:` compiled once; its unknown channels reported."""
    if door is None:
        return DoorSettings()
    for channel in door.notify or ():
        if channel not in channels:
            where = ("defaults", "door", "notify")
            problems.append(
                Problem(name, _line(tree, where), _dotted(where), f"unknown channel {channel!r}")
            )

    def delay(value: str | bool) -> timedelta | None:
        return None if value is False else parse_duration(str(value))

    return DoorSettings(
        second_chance=door.second_chance,
        window=parse_duration(door.window),
        silent_after=parse_duration(door.silent_after),
        similar=door.similar,
        thank_you=delay(door.thank_you),
        check_in=delay(door.check_in),
        follow_up=delay(door.follow_up),
        notify=tuple(door.notify) if door.notify is not None else None,
        remind_at=timing.parse_clock(door.remind_at),
    )


def _apprise_plugin(url: str) -> Any:
    """Apprise's plugin for `url`, None when it is not a valid Apprise URL. Imported here,
    only for configs with channels: Apprise and its plugins take about 0.3 s to load."""
    import apprise

    return apprise.Apprise.instantiate(url)


def _apprise_config_urls(path: str, base: Path) -> list[str] | str:
    """The URLs an Apprise config file lists, or a message saying why it cannot be read."""
    import apprise

    file = Path(path) if Path(path).is_absolute() else base / path
    if not file.is_file():
        return f"Apprise config file {file} not found"
    loaded = apprise.AppriseConfig()
    if not loaded.add(str(file)):
        return f"{file} is not an Apprise config file"
    urls = [service.url(privacy=False) for service in loaded.services()]
    return urls or f"{file} lists no valid Apprise URL"


def _holds_literal_secret(plugin: Any, url: str, secrets: set[str]) -> bool:
    """Apprise masks the secret parts of a URL in its privacy form: if the masked form
    differs and no ${VAR} supplied them, the secret is written in the file itself."""
    if any(secret and secret in url for secret in secrets):
        return False
    return bool(plugin.url(privacy=True) != plugin.url(privacy=False))


def _exposure_warnings(path: Path, channels: list[str]) -> tuple[str, ...]:
    if not channels:
        return ()
    try:
        mode = path.stat().st_mode
    except OSError:
        return ()
    if not mode & 0o077:
        return ()
    return (
        f"{path}: {', '.join(sorted(set(channels)))} holds a secret written in the file, "
        f"and the file is readable by others (mode {mode & 0o777:o}): run `chmod 600 {path}` "
        "or move the secret to an environment variable (${VAR}) or a systemd credential",
    )


def _compiled(match: Match | None) -> Filter:
    try:
        return Filter.from_match(match)
    except ValueError:  # reported with its line by _check_match
        return Filter()


def _check_match(
    match: Match | None, tree: Any, loc: tuple[Any, ...], name: str, problems: list[Problem]
) -> None:
    """Compile a `match:` now, so a bad regex or level is a config error with its line."""
    if match is None:
        return
    try:
        Filter.from_match(match)
    except ValueError as exc:
        key, _, message = str(exc).partition(": ")
        problems.append(Problem(name, _line(tree, (*loc, key)), _dotted((*loc, key)), message))


def compile_routes(channels: Mapping[str, Channel]) -> dict[str, Route]:
    """Every channel compiled once, when the config loads (one with a bad `match:` is
    left out: `_check_match` reports it, and such a config is never used)."""
    out = {}
    for name, channel in channels.items():
        try:
            out[name] = route_of(name, channel)
        except ValueError:
            continue
    return out


def _merge_match(base: Match | None, override: Match | None) -> Match | None:
    """A site's `match:` keys replace the defaults' key by key."""
    if base is None or override is None:
        return override or base
    return base.model_copy(update=override.model_dump(exclude_unset=True))


def _redact(text: str, secrets: set[str] | frozenset[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "****")
    return text


def json_schema() -> dict[str, Any]:
    """The JSON Schema of sites.yaml, from the same models that validate it."""
    schema = ConfigFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "watcher sites.yaml"
    return schema
