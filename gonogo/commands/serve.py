"""`gonogo serve [--host 127.0.0.1] [--port 8765]`: the web dashboard and JSON API over the
same journal as the CLI (SQLite or PostgreSQL; several servers may share one PostgreSQL).

Starlette on uvicorn, imported here only, so the rest of gonogo runs without the ``web``
extra installed.
"""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys
from pathlib import Path

from gonogo.commands._state import open_state
from gonogo.config.read import find_config
from gonogo.core.errors import ConfigError, UsageError
from gonogo.journal import identity


def main(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from gonogo.web.app import ServeOptions, create_app
        from gonogo.web.queries import ensure_indexes
    except ImportError as missing:
        raise UsageError(f"gonogo serve needs the web extra ({missing.name} is missing): "
                         "pip install 'gonogo[web]'") from None
    for address in args.trusted_proxy:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise UsageError(f"--trusted-proxy {address!r}: expected an IP address") from None
    if args.trust_proxy_header and not args.trusted_proxy:
        raise UsageError("--trust-proxy-header needs --trusted-proxy ADDRESS: a user header "
                         "is believed only from the proxy that sets it")
    if args.public_url and not args.public_url.startswith(("http://", "https://")):
        raise UsageError(f"--public-url {args.public_url!r}: expected an http(s):// URL")
    _can_listen(args.host, args.port)
    try:
        config_path: Path | None = find_config(getattr(args, "config", None))
    except ConfigError:
        if getattr(args, "config", None):
            raise
        config_path = None
    store = open_state(args, create=True)
    try:
        ensure_indexes(store)
        if args.public_url:
            identity.set_public_url(store.engine, args.public_url)
        options = ServeOptions(public_url=args.public_url, proxy_header=args.trust_proxy_header,
                               trusted_proxies=tuple(args.trusted_proxy),
                               config_path=config_path)
        app = create_app(store, options)
        print(f"gonogo serve: state {store.display}; http://{args.host}:{args.port}/",
              file=sys.stderr, flush=True)
        # uvicorn believes X-Forwarded-Proto/For only from the trusted proxies
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning",
                    proxy_headers=bool(args.trusted_proxy),
                    forwarded_allow_ips=list(args.trusted_proxy) or None,
                    timeout_graceful_shutdown=2)
    finally:
        store.close()
    return 0


def _can_listen(host: str, port: int) -> None:
    """A taken port or an address not on this machine is a one-line error before anything
    starts (uvicorn would log it and exit 1)."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
