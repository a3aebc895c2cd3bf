"""Which requests are for this server's own pages: the Host and Origin checks.

A quiz session is a process on the organiser's machine that writes to their leaderboard, so
only pages this server served may open one: not a page elsewhere that points a DNS name of its
own at this machine (DNS rebinding), nor one that opens a websocket here from another site.
"""

from __future__ import annotations

import ipaddress
import socket

from yarl import URL

from seq2add_tui.remote_play import LOOPBACK_NAMES
from seq2add_tui.serve.addresses import is_wildcard


def host_and_port(authority: str, default_port: int) -> tuple[str, int] | None:
    """``("example", 8000)`` from a Host header or an Origin's authority; None if malformed."""
    try:
        url = URL(f"http://{authority}")
    except ValueError:
        return None
    if not url.host or url.user or url.path not in ("", "/"):
        return None
    return url.host.lower().strip("[]"), url.explicit_port or default_port


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def host_allowed(bind_host: str, name: str, also: tuple[str, ...] = ()) -> bool:
    """Whether a request naming ``name`` in its Host header may be served.

    A web page elsewhere can point a DNS name of its own at this machine (DNS rebinding) and so
    reach a server bound to localhost; such requests carry that name. Only this server's own
    names are served: loopback, the address it is bound to, and, bound to every interface, any
    address literal and this machine's host name; and any name in ``also``.
    """
    if name in LOOPBACK_NAMES or name in (host.lower().strip("[]") for host in also):
        return True
    if is_wildcard(bind_host):
        hostname = socket.gethostname().lower()
        return _is_ip(name) or name in (hostname, f"{hostname}.local", socket.getfqdn().lower())
    return name == bind_host.lower().strip("[]")


def origin_problem(origin: str | None, host: str, port: int) -> str | None:
    """Why a websocket's Origin is not this server's own page; None if it is (or absent).

    ``host`` is the request's Host header and ``port`` the one the server listens on. Browsers
    always send Origin on websockets, so any other web page the organiser (or a player) opens
    could otherwise start sessions here and post scores. A client that is not a browser sends
    none; it could forge one anyway.
    """
    if origin is None:
        return None
    parsed = URL(origin) if origin != "null" else None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        return f"origin {origin!r}"
    theirs = (parsed.host.lower().strip("[]"), parsed.port)
    ours = host_and_port(host, port)
    if ours is None or theirs != ours:
        return f"origin {origin!r} (this server is {host})"
    return None
