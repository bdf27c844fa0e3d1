"""Helpers shared by gonogo's tests (importable, like pre-commit's ``testing/``)."""
