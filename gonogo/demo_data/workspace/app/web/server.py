"""The sample web front end: serves index.html.

    python app/web/server.py --port 8002      # from the workspace folder
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGE = Path(__file__).with_name("index.html")


class Handler(BaseHTTPRequestHandler):
    server_version = "acme-web/1.4"

    def do_GET(self) -> None:  # noqa: N802
        if self.path in ("/", "/index.html"):
            body, status = PAGE.read_bytes(), 200
        else:
            body, status = b"<h1>Not found</h1>", 404
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
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
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8002")))
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
