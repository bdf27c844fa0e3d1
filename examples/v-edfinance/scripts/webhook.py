"""The team's chat stand-in: a webhook receiver on 127.0.0.1 that appends every JSON
notification it gets (apprise `json://`) to a file, one per line.
   python3 scripts/webhook.py PORT FILE"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            message = json.loads(body or b"{}")
        except ValueError:
            message = {"raw": body.decode("utf-8", "replace")}
        with open(sys.argv[2], "a", encoding="utf-8") as out:
            out.write(json.dumps(message) + "\n")
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()
