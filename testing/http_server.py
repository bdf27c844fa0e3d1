"""A real HTTP server on 127.0.0.1 with programmable routes, for http-type checks."""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class Route:
    status: int = 200
    body: str | bytes = "ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Handler = Callable[[str, str, bytes, dict[str, str]], Route]


@dataclass
class Server:
    url: str
    port: int
    routes: dict[str, Route | Handler]
    requests: list[tuple[str, str]]

    def set(self, path: str, route: Route | Handler) -> None:
        self.routes[path] = route


@contextmanager
def serve(
    routes: dict[str, Route | Handler] | None = None, *, tls: tuple[Path, Path] | None = None
) -> Iterator[Server]:
    """Serve ``routes`` (path → Route or handler) on a free port until the block ends.

    ``tls=(certfile, keyfile)`` serves HTTPS (see ``self_signed_cert``)."""
    table: dict[str, Route | Handler] = dict(routes or {})
    seen: list[tuple[str, str]] = []

    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            seen.append((self.command, self.path))
            route = table.get(path)
            if route is None:
                result = Route(404, "not found")
            elif callable(route):
                result = route(self.command, self.path, body, dict(self.headers))
            else:
                result = route
            if result.delay:
                time.sleep(result.delay)
            payload = result.body.encode() if isinstance(result.body, str) else result.body
            self.send_response(result.status)
            for key, value in result.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(tls[0]), str(tls[1]))
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    port = httpd.server_address[1]
    try:
        scheme = "https" if tls is not None else "http"
        yield Server(f"{scheme}://127.0.0.1:{port}", port, table, seen)
    finally:
        httpd.shutdown()
        httpd.server_close()


def json_route(data: Any, status: int = 200) -> Route:
    return Route(status, json.dumps(data), {"Content-Type": "application/json"})


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 that no client trusts (made with the openssl CLI)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key
