"""Reproducible benchmarks of watcher (not part of the test suite): see README.md."""
