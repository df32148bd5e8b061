"""`make serve`: preview the built site live, on 127.0.0.1:<port>.

`mkdocs serve` meets a port in use with a traceback; this checks first and says which
port is taken and how to choose another.
"""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys

HOST = "127.0.0.1"


def port_problem(port: int, host: str = HOST) -> str | None:
    """Why `port` cannot be served on, or None when it is free."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"port {port} on {host} is already in use (another `make serve`?). "
                    f"Stop that server, or choose another port: make serve PORT={port + 1}"
                )
            return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if problem := port_problem(args.port):
        print(f"error: {problem}", file=sys.stderr)
        return 1
    mkdocs = [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"{HOST}:{args.port}"]
    os.execv(sys.executable, mkdocs)  # replaces this process: Ctrl-C stops mkdocs directly


if __name__ == "__main__":
    sys.exit(main())
