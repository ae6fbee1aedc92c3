"""sites.yaml: every kind of mistake is reported as file:line: key: message."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from watcher import config

GOOD = """\
channels:
  phone: json://127.0.0.1:9/notify
  team:
    - json://127.0.0.1:9/a
    - json://127.0.0.1:9/b
defaults:
  notify: [phone]
  every: 10m
sites:
  - name: Acme
    greenhouse: acme
  - name: Beta
    greenhouse: beta
    notify: team
    every: 90s
    api: http://127.0.0.1:8000/gh
"""


def problems(text: str, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(config.ConfigError) as err:
        config.parse(text, "sites.yaml", environ or {})
    return [str(p) for p in err.value.problems]


def test_good_config():
    cfg = config.parse(GOOD, "sites.yaml", {})
    acme, beta = cfg.sites
    assert (acme.name, acme.platform, acme.board, acme.notify) == (
        "Acme",
        "greenhouse",
        "acme",
        ("phone",),
    )
    assert acme.every == timedelta(minutes=10) and acme.api is None
    assert beta.notify == ("team",) and beta.every == timedelta(seconds=90)
    assert beta.api == "http://127.0.0.1:8000/gh"
    assert cfg.channels["team"].urls == ["json://127.0.0.1:9/a", "json://127.0.0.1:9/b"]
    assert acme.events == ("new", "reopened")


def test_yaml_syntax_error_has_its_line():
    text = "sites:\n  - name: Acme\n    greenhouse: [unclosed\n  - name: B\n"
    (line,) = problems(text)
    assert line.startswith("sites.yaml:") and ": yaml: " in line
    assert int(line.split(":")[1]) in (3, 4, 5)


def test_unknown_key_suggests_the_close_match():
    text = GOOD.replace("    greenhouse: beta\n", "    greenhous: beta\n")
    assert (
        "sites.yaml:13: sites[1].greenhous: unknown key (did you mean 'greenhouse'?)"
        in problems(text)
    )


def test_unknown_top_level_and_defaults_keys():
    text = GOOD.replace("  every: 10m\n", "  evry: 10m\n") + "extra: 1\n"
    found = problems(text)
    assert "sites.yaml:8: defaults.evry: unknown key (did you mean 'every'?)" in found
    assert any(p.startswith("sites.yaml:17: extra: unknown key") for p in found)


def test_wrong_type():
    text = GOOD.replace("every: 90s", "every: soon")
    (line,) = problems(text)
    assert line.startswith("sites.yaml:15: sites[1].every: ")
    assert "not a duration" in line
    text = GOOD.replace("  - name: Acme\n", "  - name: [Acme]\n")
    (line,) = problems(text)
    assert line.startswith("sites.yaml:10: sites[0].name: ")


def test_site_with_no_or_two_platform_keys():
    text = (
        GOOD.replace("    greenhouse: acme\n", "")
        + "  - name: Two\n    greenhouse: a\n    lever: b\n"
    )
    found = problems(text)
    assert any(p.startswith("sites.yaml:10: sites[0]: no platform key") for p in found)
    assert any(p.startswith("sites.yaml:16: sites[2]: two platform keys") for p in found)


def test_unknown_channel_name():
    text = GOOD.replace("notify: team", "notify: tema")
    assert problems(text) == [
        "sites.yaml:14: sites[1].notify: unknown channel 'tema' (did you mean 'team'?)"
    ]


def test_invalid_apprise_url():
    text = GOOD.replace("json://127.0.0.1:9/b", "nosuchscheme://x")
    (line,) = problems(text)
    assert line.startswith("sites.yaml:5: channels.team: not a valid Apprise URL")


def test_missing_variable_is_an_error_not_an_empty_string():
    text = GOOD.replace("json://127.0.0.1:9/notify", "ntfy://ntfy.sh/${NTFY_TOPIC}")
    assert problems(text) == [
        "sites.yaml:2: channels.phone: ${NTFY_TOPIC} is not set "
        "(in the environment or systemd credentials)"
    ]
    cfg = config.parse(text, "sites.yaml", {"NTFY_TOPIC": "s3cret-topic"})
    assert cfg.channels["phone"].urls == ["ntfy://ntfy.sh/s3cret-topic"]
    assert cfg.redact("failed: ntfy://ntfy.sh/s3cret-topic") == "failed: ntfy://ntfy.sh/****"


def test_variable_from_systemd_credentials(tmp_path: Path):
    (tmp_path / "NTFY_TOPIC").write_text("from-credential\n")
    text = GOOD.replace("json://127.0.0.1:9/notify", "ntfy://ntfy.sh/${NTFY_TOPIC}")
    cfg = config.parse(text, "sites.yaml", {"CREDENTIALS_DIRECTORY": str(tmp_path)})
    assert cfg.channels["phone"].urls == ["ntfy://ntfy.sh/from-credential"]


def test_bad_board_id_and_duplicate_names():
    text = GOOD.replace("greenhouse: beta", "greenhouse: 'be ta'").replace(
        "name: Beta", "name: Acme"
    )
    found = problems(text)
    assert any(p.startswith("sites.yaml:13: sites[1].greenhouse: ") for p in found)
    assert any(p.startswith("sites.yaml:12: sites[1].name: 'Acme' is used twice") for p in found)


def test_empty_sections_and_missing_file(tmp_path: Path):
    cfg = config.parse("channels:\n# none yet\nsites:\n", "sites.yaml", {})
    assert cfg.sites == () and dict(cfg.channels) == {}
    with pytest.raises(config.ConfigError) as err:
        config.load(tmp_path / "nope.yaml")
    assert "not found" in str(err.value)


def test_bad_filters_are_config_errors_with_their_line():
    (found,) = problems(GOOD + "    match:\n      title: ['re:(']\n")
    assert found.startswith("sites.yaml:18: sites[1].match.title: 're:(' is not a valid regular")
    (found,) = problems(GOOD + "    match:\n      seniority: [wizard]\n")
    assert found.startswith("sites.yaml:18: sites[1].match.seniority: 'wizard' is not one of")


def test_the_readme_example_is_valid(tmp_path: Path):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = readme.split("## Filters, routing")[1].split("```yaml\n")[1].split("```")[0]
    (tmp_path / "apprise.yml").write_text("urls:\n  - json://127.0.0.1:9/team\n")
    block = block.replace("/etc/watcher/apprise.yml", str(tmp_path / "apprise.yml"))
    env = {"NTFY_TOPIC": "t", "SMTP_USER": "u", "SMTP_PASSWORD": "p"}
    cfg = config.parse(block, "README.md", env)
    assert [s.name for s in cfg.sites] == ["Stripe", "Linear", "Acme Robotics"]
    stripe = cfg.sites[0]
    assert stripe.match is not None and stripe.match.exclude_title == ["intern", "werkstudent"]
    assert stripe.match.min_salary == 150000


@pytest.mark.parametrize(
    ("cron", "says"),
    [
        ("99 * * * *", "not a crontab line"),
        ("", "is empty"),
        ("0 0 31 2 *", "never fires"),
        ("* * *", "not a crontab line"),
    ],
)
def test_a_bad_cron_is_a_config_error_with_its_line(cron, says):
    text = f'sites:\n  - name: Acme\n    greenhouse: acme\n    cron: "{cron}"\n'
    (problem,) = problems(text)
    assert problem.startswith("sites.yaml:4: sites[0].cron: ") and says in problem


@pytest.mark.parametrize("cron", ["*/15 * * * *", "0 9 * * mon-fri", "@daily", "0 0 29 2 *"])
def test_a_good_cron_loads(cron):
    text = f'defaults:\n  cron: "{cron}"\nsites:\n  - name: Acme\n    greenhouse: acme\n'
    (site,) = config.parse(text, "sites.yaml", {}).sites
    assert site.cron == cron


@pytest.mark.parametrize(
    ("line", "key", "says"),
    [
        ("    api: ftp://x", "sites[0].api", "not an http"),
        ("    api: not a url", "sites[0].api", "not an http"),
        ('    api: "http://"', "sites[0].api", "not an http"),
        ("    every: 0s", "sites[0].every", "longer than 0"),
    ],
)
def test_validate_refuses_what_check_could_not_run(line, key, says):
    text = f"sites:\n  - name: Acme\n    greenhouse: acme\n{line}\n"
    (problem,) = problems(text)
    assert problem.startswith(f"sites.yaml:4: {key}: ") and says in problem


@pytest.mark.parametrize(("name", "says"), [('""', "must not be empty"), ('"A\\0B"', "control")])
def test_a_site_name_must_be_printable_text(name, says):
    (problem,) = problems(f"sites:\n  - name: {name}\n    greenhouse: acme\n")
    assert problem.startswith("sites.yaml:2: sites[0].name: ") and says in problem


LINES = """\
# watched boards
defaults: {every: 1h}

sites:
  # the first one
  - name: Acme
    greenhouse: acme

  - {name: Beta, lever: beta}
  -
    name: Gamma
    lever: gamma
"""


def test_the_fast_loader_reads_what_the_round_trip_parser_reads(monkeypatch):
    """A valid file never goes through the round-trip parser, and gives what it gives:
    the same YAML 1.2 values (`no` and `on` stay words) and each site's line."""
    fast = config.parse(LINES, "sites.yaml", {})
    assert [site.line for site in fast.sites] == [6, 9, 11]
    text = "sites:\n  - name: no\n    lever: on\n  - name: NO\n    greenhouse: '0777'\n"
    words = config.parse(text, "sites.yaml", {})
    assert [(s.name, s.board) for s in words.sites] == [("no", "on"), ("NO", "0777")]

    from ruamel.yaml import YAML

    def round_trip_loaded(self, stream):
        raise AssertionError("the round-trip parser read a valid file")

    with monkeypatch.context() as patched:
        patched.setattr(YAML, "load", round_trip_loaded)
        assert config.parse(LINES, "sites.yaml", {}) == fast
    reference = config._validated(config._round_trip_load(LINES, "x"), (), "sites.yaml", {})
    assert reference == fast
    assert [site.line for site in reference.sites] == [6, 9, 11]


def test_without_the_c_loader_the_same_config_loads(monkeypatch):
    """ruamel.yaml.clib missing (another Python, a failed build): slower, same result."""
    fast = config.parse(LINES, "sites.yaml", {})
    monkeypatch.setattr(config, "_fast_load", lambda text: None)
    assert config.parse(LINES, "sites.yaml", {}) == fast
    (problem,) = problems(LINES.replace("lever: gamma", "lever: gamma\n    evry: 1h"))
    assert problem == "sites.yaml:13: sites[2].evry: unknown key (did you mean 'every'?)"


def test_what_only_the_fast_loader_refuses_is_said_by_the_round_trip_parser():
    # a duplicate key: both refuse it; the message and line are the round-trip parser's
    (problem,) = problems("sites:\n  - name: A\n    name: B\n    lever: a\n")
    assert problem.startswith("sites.yaml:3: yaml: ") and "duplicate key" in problem


def test_a_problem_with_the_whole_file_has_no_line_zero(tmp_path):
    with pytest.raises(config.ConfigError) as err:
        config.load(tmp_path / "sites.yaml")
    (problem,) = map(str, err.value.problems)
    assert problem.startswith(f"{tmp_path / 'sites.yaml'}: file: not found")
    assert ":0:" not in problem


def test_the_system_units_file_is_found_from_any_folder(tmp_path, monkeypatch):
    system = tmp_path / "etc" / "sites.yaml"
    monkeypatch.setattr(config, "SYSTEM_CONFIG", system)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONFIGURATION_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nobody"))
    assert config.default_path() == Path("sites.yaml")
    system.parent.mkdir()
    system.write_text("sites: []\n")
    assert config.default_path() == system
