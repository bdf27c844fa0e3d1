"""What a plugin imports: the one surface third-party check types, deploy drivers, report
formats and migration readers build on (docs/plugins.md). gonogo's internal modules may move;
these names stay here. Nothing inside gonogo imports this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.config.model import ServiceModel
from gonogo.core.errors import CheckError, CheckFailed, CheckWarning
from gonogo.core.outcomes import CheckResult, Outcome
from gonogo.drivers.base import (
    Deployed,
    Driver,
    DriverContext,
    DriverError,
    Health,
    Observed,
    run_checked,
)
from gonogo.hookimpl import hookimpl
from gonogo.migrations import MigrationReader, MigrationStatus, qualified, table_exists
from gonogo.reports.base import ReportFormat

if TYPE_CHECKING:
    from gonogo.journal.schema import RunRecord

__all__ = [
    "Check", "CheckContext", "CheckError", "CheckFailed", "CheckResult", "CheckWarning",
    "Deployed", "Driver", "DriverContext", "DriverError", "Evidence", "Health",
    "MigrationReader", "MigrationStatus", "Observed", "Outcome", "ReportFormat", "RunRecord",
    "ServiceModel", "hookimpl", "qualified", "run_checked", "table_exists",
]


def __getattr__(name: str) -> Any:
    # The journal's record type brings SQLAlchemy: imported when asked for, so that loading
    # a plugin at startup does not slow every command down.
    if name == "RunRecord":
        from gonogo.journal.schema import RunRecord

        return RunRecord
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
