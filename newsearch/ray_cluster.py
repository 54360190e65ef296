"""Joining a Ray cluster, for ``newsearch index --cluster`` and ``newsearch
serve --cluster`` (the ``cluster`` extra)."""

from __future__ import annotations

import logging
import socket


class ClusterError(Exception):
    """The Ray cluster cannot be used (not installed, not reachable)."""


def connect(address: str) -> None:
    """Join the Ray cluster at ``address`` (HOST:PORT of its head), or with
    ``auto`` start a new one on this machine for this process (never attach to
    another process's); nothing if this process has joined one already."""
    try:
        import ray
    except ImportError:
        raise ClusterError("--cluster needs Ray: pip install 'newsearch[cluster]'") from None
    if ray.is_initialized():
        return
    if address != "auto":
        _check_reachable(address)
    try:
        ray.init(address="local" if address == "auto" else address, log_to_driver=False,
                 logging_level=logging.WARNING)
    except (ConnectionError, RuntimeError, ValueError) as e:
        raise ClusterError(f"cannot join the Ray cluster at {address}: {first_line(e)}") from e


def _check_reachable(address: str) -> None:
    """Fail at once where ray.init would wait for minutes for a head that is not there."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise ClusterError(f"--cluster takes the head's HOST:PORT or auto, not {address!r}")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=10).close()
    except OSError as e:
        raise ClusterError(f"cannot join the Ray cluster at {address}: "
                           f"{e.strerror or type(e).__name__}") from e


def first_line(error: BaseException) -> str:
    """``Type: first line of the message``, for one-line errors."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__
