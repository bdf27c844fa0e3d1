"""What a report format is: a name, the file it writes by default, and ``render`` over a
stored run. Built-in formats and plugins' register through ``gonogo_report_formats``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: rendering needs no database driver
    from gonogo.journal.schema import RunRecord



@dataclass(frozen=True)
class ReportFormat:
    """One ``--report NAME[:PATH]`` format."""

    #: What ``--report`` and ``gonogo report --format`` select it by.
    name: str
    #: The whole report of one recorded run (results, evidence, sign-offs), as text.
    #: Evidence in a record is redacted already; a format must not add secrets back.
    render: Callable[[RunRecord], str]
    #: The file it is written to in the run's folder when ``--report NAME`` has no path.
    filename: str

    def __post_init__(self) -> None:
        # the default file goes into the run's folder: a bare name, never a path out of it
        if not self.filename or "/" in self.filename or "\\" in self.filename \
                or self.filename in (".", ".."):
            raise ValueError(f"report format {self.name!r}: filename {self.filename!r} must be "
                             "a bare file name")
