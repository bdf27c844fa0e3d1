"""Server-Sent Events for one run: an ``update`` event whenever the journal records
something about it (a result, a sign-off, its end).

The journal is the only channel between the CLI process that runs the checks and this
server (possibly on another host, over PostgreSQL), so the server polls a cheap fingerprint
of the run (``queries.change_mark``) rather than waiting for a notification no one sends.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from gonogo.core.errors import GonogoError
from gonogo.web import queries
from gonogo.web.context import Denied, Web

POLL_S = 0.2
HEARTBEAT_S = 15.0


async def stream(web: Web, request: Request) -> Response:
    await web.who(request)
    try:
        run_id = await web.db(web.store.resolve, request.path_params["run_id"])
    except GonogoError as exc:
        raise Denied(404, str(exc)) from None

    async def events() -> AsyncIterator[str]:
        last = await web.db(queries.change_mark, web.store, run_id)
        yield "retry: 1000\n\n"
        beat = time.monotonic()
        while not await request.is_disconnected():
            await asyncio.sleep(POLL_S)
            mark = await web.db(queries.change_mark, web.store, run_id)
            if mark != last:
                last = mark
                status = mark[0]
                data = {"run_id": run_id, "status": status[0] if status else None,
                        "verdict": status[1] if status else None, "results": mark[1][0]
                        if mark[1] else 0, "at": time.time()}
                yield f"event: update\ndata: {json.dumps(data)}\n\n"
                beat = time.monotonic()
            elif time.monotonic() - beat > HEARTBEAT_S:
                yield ": keep-alive\n\n"
                beat = time.monotonic()

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
