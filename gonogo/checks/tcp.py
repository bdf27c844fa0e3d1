"""``tcp``: something accepts connections on host:port."""

from __future__ import annotations

import asyncio
import os
import time

from pydantic import Field

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.core.errors import CheckFailed
from gonogo.hookimpl import hookimpl


class TcpCheck(Check):
    """Something accepts TCP connections on host:port (a database, a cache, a proxy)."""

    type_name = "tcp"
    example = {"host": "127.0.0.1", "port": 5432}

    host: str = "127.0.0.1"
    port: int = Field(ge=1, le=65535)
    connect_timeout: float = Field(default=5.0, gt=0)

    def describe(self) -> str:
        return f"tcp: {self.host}:{self.port}"

    async def run(self, ctx: CheckContext) -> Evidence:
        start = time.perf_counter()
        try:
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port), self.connect_timeout
            )
        except TimeoutError:
            raise CheckFailed(f"{self.host}:{self.port}: no answer within {self.connect_timeout:g}s") from None
        except OSError as exc:  # asyncio's strerror is "Connect call failed (…)": say why instead
            reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)
            raise CheckFailed(f"{self.host}:{self.port}: {reason}") from None
        elapsed = time.perf_counter() - start
        writer.close()
        try:
            await asyncio.wait_for(writer.wait_closed(), 1.0)
        except (TimeoutError, OSError):
            pass
        return Evidence(
            summary=f"{self.host}:{self.port} open ({elapsed * 1000:.0f}ms)",
            data={"host": self.host, "port": self.port, "connect_ms": round(elapsed * 1000, 1)},
        )


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [TcpCheck]
