"""``file``: a file exists (or not), contains text, has a permission mode."""

from __future__ import annotations

import re
import stat

from pydantic import Field, field_validator

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.core.errors import CheckFailed
from gonogo.hookimpl import hookimpl

MAX_READ = 16 * 1024 * 1024


class FileCheck(Check):
    """A file exists (or is absent), holds or lacks some text, and has the expected mode."""

    type_name = "file"
    example = {"path": "apps/api/prisma/schema.prisma", "exists": True, "contains": "datasource"}

    path: str = Field(min_length=1)
    exists: bool = True
    contains: str | None = None
    not_contains: str | None = None
    matches: str | None = None
    mode: str | None = None  # octal permission bits, e.g. "0600"

    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"0?[0-7]{3,4}", str(value)):
            raise ValueError(f"expected an octal mode like '0600', got {value!r}")
        return value

    def describe(self) -> str:
        return f"file: {self.path}" + ("" if self.exists else " absent")

    async def run(self, ctx: CheckContext) -> Evidence:
        target = ctx.resolve(self.path)
        if not self.exists:
            if target.exists():
                raise CheckFailed(f"{self.path} exists, expected it absent")
            return Evidence(summary=f"{self.path} absent", data={"path": str(target)})
        if not target.exists():
            raise CheckFailed(f"{self.path} does not exist")
        info = target.stat()
        data: dict[str, object] = {"path": str(target), "size": info.st_size}
        if self.mode is not None:
            actual = stat.S_IMODE(info.st_mode)
            data["mode"] = f"{actual:04o}"
            if actual != int(self.mode, 8):
                raise CheckFailed(f"{self.path} has mode {actual:04o}, expected {int(self.mode, 8):04o}", data)
        if self.contains is not None or self.not_contains is not None or self.matches is not None:
            if not target.is_file():
                raise CheckFailed(f"{self.path} is not a regular file", data)
            with target.open("rb") as handle:
                text = handle.read(MAX_READ).decode("utf-8", "replace")
            if self.contains is not None and self.contains not in text:
                raise CheckFailed(f"{self.path} does not contain {self.contains!r}", data)
            if self.not_contains is not None and self.not_contains in text:
                raise CheckFailed(f"{self.path} contains {self.not_contains!r}", data)
            if self.matches is not None and not re.search(self.matches, text, re.M):
                raise CheckFailed(f"{self.path} does not match /{self.matches}/", data)
        return Evidence(summary=f"{self.path} ok ({info.st_size} bytes)", data=data)


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [FileCheck]
