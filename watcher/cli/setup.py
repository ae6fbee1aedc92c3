"""Setting up: `init`, `validate`, `schema`, `completion`, `notify-test`."""

from __future__ import annotations

import os
from pathlib import Path

import click

from watcher import config as config_mod
from watcher.cli.common import (
    EXIT_OK,
    EXIT_SITE_FAILED,
    EXIT_USAGE,
    command_options,
    config_path,
    load_config,
)
from watcher.notify import privacy_url, send_sample
from watcher.render import to_json
from watcher.starter import SCHEMA_FILE, STARTER


@click.command()
@command_options
@click.option("--force", is_flag=True, help="overwrite an existing file")
def init(force: bool) -> None:
    """Write a commented starter sites.yaml.

    \b
    Example:
      watcher init && $EDITOR sites.yaml && watcher validate
    """
    path = config_path() if _explicit_config() else Path("sites.yaml")
    if path.exists() and not force:
        click.echo(f"error: {path} exists; not overwriting it (use --force)", err=True)
        raise SystemExit(EXIT_USAGE)
    schema_path = path.parent / SCHEMA_FILE
    written: list[Path] = []
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for target, text in (
            (schema_path, to_json(config_mod.json_schema()) + "\n"),
            (path, STARTER),
        ):
            target.write_text(text, encoding="utf-8")
            written.append(target)
    except OSError as exc:
        for done in written:  # both or neither
            done.unlink(missing_ok=True)
        where = exc.filename or path
        click.echo(f"error: cannot write {where}: {exc.strerror or exc}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    click.echo(f"wrote {path} (and {schema_path.name}, so editors complete and check it)")
    click.echo("edit it, then run `watcher validate` and `watcher check`")


def _explicit_config() -> bool:
    obj = click.get_current_context().ensure_object(dict)
    return bool(obj.get("config_path") or os.environ.get("WATCHER_CONFIG"))


@click.command()
@command_options
def validate() -> None:
    """Check sites.yaml and say what is wrong and where.

    \b
    Example:
      watcher validate --config ~/jobs/sites.yaml
    """
    config = load_config()
    click.echo(f"{config.path}: ok ({len(config.sites)} sites, {len(config.channels)} channels)")


@click.command(name="notify-test")
@command_options
@click.argument("channel", required=False)
def notify_test(channel: str | None) -> None:
    """Send a sample message to a channel (default: every channel) and report, per URL,
    success or the reason for failure.

    \b
    Example:
      watcher notify-test phone
    """
    config = load_config()
    names = [channel] if channel else list(config.channels)
    if channel and channel not in config.channels:
        click.echo(f"error: no channel named {channel!r} in {config.path}", err=True)
        raise SystemExit(EXIT_USAGE)
    if not names:
        click.echo(f"error: {config.path} defines no channels", err=True)
        raise SystemExit(EXIT_USAGE)
    failed = 0
    for name in names:
        for url, outcome in send_sample(config.channels[name].urls):
            shown = config.redact(privacy_url(url))
            if outcome.ok:
                click.echo(f"{name}: {shown}: sent")
            else:
                failed += 1
                click.echo(f"{name}: {shown}: FAILED: {config.redact(outcome.reason)}", err=True)
    raise SystemExit(EXIT_SITE_FAILED if failed else EXIT_OK)


@click.command()
def schema() -> None:
    """Print the JSON Schema of sites.yaml (editors use it to complete and check the file).

    \b
    Example:
      watcher schema > sites.schema.json
    """
    click.echo(to_json(config_mod.json_schema()))


@click.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script.

    \b
    Example:
      watcher completion bash > ~/.local/share/bash-completion/completions/watcher
    """
    from click.shell_completion import get_completion_class

    from watcher.cli.app import cli

    cls = get_completion_class(shell)
    if cls is None:  # pragma: no cover - the choice above lists the supported shells
        raise click.BadParameter(shell)
    click.echo(cls(cli, {}, "watcher", "_WATCHER_COMPLETE").source())
