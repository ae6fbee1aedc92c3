"""The Add page's flow over `watcher.add`, the library of `watcher add`: a link or a
company name is previewed as `watcher add --dry-run` would (the board found, a test read,
the lines sites.yaml would gain), then written on confirmation by the same call without
`dry_run`. A name not in the directory of known employers is probed, as the command does,
and the boards found are offered to preview."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from watcher import add as add_mod
from watcher import directory
from watcher.fetch import Fetcher, FetchSettings


@dataclass
class AddOutcome:
    form: dict[str, str]
    confirmed: bool = False
    added: add_mod.Added | None = None
    probe: add_mod.ProbeReport | None = None
    error: str | None = None
    problems: tuple[str, ...] = ()
    reloaded: str | None = None  # what the running daemon made of the change
    boards: list[dict[str, Any]] = field(default_factory=list)  # a probe's, to preview

    @property
    def written(self) -> bool:
        return self.added is not None and self.added.written


def _fetcher(factory: Callable[[], Any] | None) -> Any:
    return factory() if factory is not None else Fetcher(FetchSettings(retries=1, deadline=60.0))


async def run(
    fields: Mapping[str, str],
    path: Path,
    now: datetime,
    *,
    confirm: bool,
    fetcher: Callable[[], Any] | None = None,
) -> AddOutcome:
    """Preview (or, with `confirm`, add) what the form names."""
    target = (fields.get("target") or "").strip()
    name = (fields.get("name") or "").strip() or None
    api = (fields.get("api") or "").strip() or None
    outcome = AddOutcome({"target": target, "name": name or "", "api": api or ""}, confirm)
    if not target:
        outcome.error = "paste a careers link, or type a company's name"
        return outcome
    item = add_mod.link(target)
    if item.error is not None:
        outcome.error = item.error
        return outcome
    client = _fetcher(fetcher)
    try:
        if item.name is not None and directory.lookup(item.name) is None:
            report = await add_mod.probe(item.name, client, now, api_for=lambda key: api)
            outcome.probe = report
            outcome.boards = [
                {
                    "label": p.label,
                    "board": p.board,
                    "openings": p.openings,
                    "more": p.more,
                    "url": p.url,
                }
                for p in report.found
            ]
            if not report.found:
                outcome.error = (
                    f"found no board for {report.name!r} (tried {', '.join(report.tried)} on "
                    f"{', '.join(report.platforms)}): paste the link of its careers page"
                )
            return outcome
        outcome.added = await add_mod.add_one(
            item,
            path,
            client,
            now,
            name=name,
            api=api,
            dry_run=not confirm,
            test_read=not confirm,  # the preview just read it
        )
    except add_mod.AddError as exc:
        outcome.error = exc.message
        outcome.problems = exc.problems
    except OSError as exc:  # sites.yaml's folder read-only (the systemd sandbox), say
        outcome.error = f"cannot write {path}: {exc.strerror or exc}: nothing was changed"
    finally:
        await client.aclose()
    return outcome
