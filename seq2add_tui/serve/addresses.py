"""Where players join: the address to print and to put in the QR code.

A server bound to every interface (0.0.0.0) can't be reached *at* 0.0.0.0, so the room is told
this machine's LAN address instead.
"""

from __future__ import annotations

import socket

LOCALHOST = "127.0.0.1"


def lan_address() -> str | None:
    """This machine's address on its local network, for telling a room where to go.

    Connecting a UDP socket sends nothing; it only asks the OS which interface it would use.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def is_wildcard(host: str) -> bool:
    """Whether a server bound to ``host`` listens on every interface."""
    return host in ("", "0.0.0.0", "::")


def browse_url(host: str, port: int) -> str:
    """The address to open in a browser for a server bound to ``host``."""
    if is_wildcard(host):
        host = lan_address() or LOCALHOST
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/"
