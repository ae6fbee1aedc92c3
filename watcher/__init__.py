"""watcher: watch companies' careers pages and tell of new job openings."""

__version__ = "0.1.0"
