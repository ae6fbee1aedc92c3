"""The `watcher` command line: a thin layer that parses options, calls the library and
renders what it returns. One module per group of commands."""

from watcher.cli.app import cli, main

__all__ = ["cli", "main"]
