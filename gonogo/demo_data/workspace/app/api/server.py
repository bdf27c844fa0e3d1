"""The sample API: JSON on /health (503 while its database is unreachable) and /me.

    python app/api/server.py --port 8001      # from the workspace folder
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

#: While this file exists the database counts as unreachable (the demo plants it).
DB_DOWN_FLAG = Path("var/db-down")


class Handler(BaseHTTPRequestHandler):
    server_version = "acme-api/1.4"

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/health":
            if DB_DOWN_FLAG.exists():
                self.reply(503, {"status": "error", "database": "unreachable"})
            else:
                self.reply(200, {"status": "ok", "database": "ok", "version": "1.4.0"})
        elif self.path == "/me":
            self.reply(401, {"error": "invalid token"})
        else:
            self.reply(404, {"error": "not found"})

    def reply(self, status: int, data: dict[str, str]) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def exit_with_parent(parent: int) -> None:
    """Stop when the process that started us is gone (it may have been killed)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=int(os.environ.get("API_PORT", "8001")))
    parser.add_argument("--parent-pid", type=int)
    args = parser.parse_args()
    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    httpd.daemon_threads = True
    if args.parent_pid:
        threading.Thread(target=exit_with_parent, args=(args.parent_pid,), daemon=True).start()
    print(f"listening on http://127.0.0.1:{httpd.server_address[1]}", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
