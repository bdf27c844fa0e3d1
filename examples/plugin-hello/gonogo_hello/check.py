"""The ``hello`` check type: a file greets someone.

    - {type: hello, file: greeting.txt, name: world}

passes when the first line of ``greeting.txt`` is ``hello, world``.
"""

from __future__ import annotations

from pydantic import Field

from gonogo.plugin_api import Check, CheckContext, CheckError, CheckFailed, Evidence


class HelloCheck(Check):
    """A file's first line greets ``name`` (``hello, NAME``)."""

    type_name = "hello"
    example = {"file": "greeting.txt", "name": "world"}

    #: The file to read, relative to the config's folder.
    file: str = Field(min_length=1)
    #: Who must be greeted.
    name: str = "world"

    async def run(self, ctx: CheckContext) -> Evidence:
        # the runner times this, enforces the timeout and turns these exceptions into
        # outcomes: CheckFailed → failed, CheckError → errored
        path = ctx.resolve(self.file)
        try:
            first = path.read_text(encoding="utf-8").partition("\n")[0].strip()
        except FileNotFoundError:
            raise CheckError(f"{self.file} does not exist") from None
        expected = f"hello, {self.name}"
        if first != expected:
            raise CheckFailed(f"{self.file} says {first!r}, expected {expected!r}",
                              {"file": self.file, "first_line": first})
        return Evidence(summary=f"{self.file} greets {self.name}", data={"file": self.file})
