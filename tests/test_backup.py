"""Backups that restore: dump a populated database, restore it into a fresh one, compare."""

import io
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from assistant_portal.security.backup import Target, backup, rotate
from students.models import Consent, Student
from tests.factories import PDF_BYTES, ConsentFactory, StudentFactory


def _conninfo(name: str) -> dict:
    t = Target.from_settings(name)
    return {
        k: v
        for k, v in {
            "dbname": t.name,
            "host": t.host,
            "port": t.port or None,
            "user": t.user,
            "password": t.password,
        }.items()
        if v
    }


def _tables():
    return sorted(
        {m._meta.db_table for m in apps.get_models() if m._meta.managed and not m._meta.proxy}
    )


def _counts(cur) -> dict:
    out = {}
    for table in _tables():
        cur.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608  names from our models
        out[table] = cur.fetchone()[0]
    return out


@pytest.fixture
def fresh_db():
    name = f"restore_{connection.settings_dict['NAME']}"[:60]
    admin = psycopg.connect(**_conninfo("postgres"), autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database(cast, fresh_db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    for i in range(5):
        StudentFactory(school=cast.school, last_name=f"Резервов{i}", pmpc_text="=cmd|' /C calc'!A0")
    consent = ConsentFactory(student=cast.pupil)
    dump, media = backup(dest=tmp_path / "backups")
    assert dump.stat().st_size > 0 and media.exists()

    # restore the uploads into the restored installation's own folder: byte for byte
    call_command(
        "restore",
        str(dump),
        "--media",
        str(media),
        "--database",
        fresh_db,
        "--media-root",
        str(tmp_path / "restored-media"),
    )
    restored_doc = tmp_path / "restored-media" / "private" / consent.document.name
    assert restored_doc.read_bytes() == PDF_BYTES

    with connection.cursor() as cur:
        before = _counts(cur)
    with psycopg.connect(**_conninfo(fresh_db)) as restored, restored.cursor() as cur:
        after = _counts(cur)
        cur.execute("SELECT id, last_name, iin, pmpc_text FROM students_student ORDER BY id")
        restored_pupils = cur.fetchall()
        # the history triggers came back too: a change in the restored copy is recorded
        cur.execute("SELECT count(*) FROM students_studentevent")
        events = cur.fetchone()[0]
        cur.execute("UPDATE students_student SET grade = 4 WHERE id = %s", [cast.pupil.pk])
        cur.execute("SELECT count(*) FROM students_studentevent")
        assert cur.fetchone()[0] == events + 1
    assert after == before and before["students_student"] == 8
    assert restored_pupils == list(
        Student.objects.order_by("id").values_list("id", "last_name", "iin", "pmpc_text")
    )
    assert Consent.objects.count() == after["students_consent"] == 1


def test_rotation_keeps_recent_backups(tmp_path, settings):
    import os
    import time

    old, new = tmp_path / "db-20200101-000000.dump", tmp_path / "db-20990101-000000.dump"
    other = tmp_path / "notes.txt"
    for p in (old, new, other):
        p.write_text("x")
    past = time.time() - 40 * 86400
    os.utime(old, (past, past))
    os.utime(other, (past, past))
    settings.BACKUP_KEEP_DAYS = 30
    assert rotate(tmp_path) == [old]
    assert new.exists() and other.exists()


def test_restore_target_from_a_url_or_a_name(db):
    t = Target.parse("postgres://backup:p%40ss@db.example.kz:5433/portal_restored")
    assert (t.name, t.host, t.port, t.user, t.password) == (
        "portal_restored",
        "db.example.kz",
        "5433",
        "backup",
        "p@ss",
    )
    assert Target.parse("portal_restored").name == "portal_restored"


def test_restore_refuses_a_missing_dump(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "none.dump"), "--database", "x")


def test_backups_must_rotate_within_the_retention(settings):
    from assistant_portal.security.checks import retention_settings

    assert retention_settings() == []
    settings.BACKUP_KEEP_DAYS = 5 * 365
    settings.RETENTION_YEARS = 5
    assert [w.id for w in retention_settings()] == ["portal.W001"]


# --- Restores never resurrect erased data --------------------------------------------------


def _pupil_in(dbname: str, pupil_id: int):
    with psycopg.connect(**_conninfo(dbname)) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT last_name, first_name, anonymised_at FROM students_student WHERE id = %s",
            [pupil_id],
        )
        return cur.fetchone()


@pytest.mark.django_db(transaction=True)
def test_restoring_an_old_backup_keeps_an_anonymised_pupil_anonymised(
    cast, fresh_db, tmp_path, settings
):
    from students.retention import anonymise_pupil, anonymised_name

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    consent = ConsentFactory(student=cast.pupil)
    stored = Path(consent.document.path)
    dump, media = backup()  # the pupil is in this backup, with their document
    anonymise_pupil(pupil=cast.pupil)
    assert not stored.exists()

    restored_media = tmp_path / "restored-media"
    out = io.StringIO()
    call_command(
        "restore",
        str(dump),
        "--media",
        str(media),
        "--database",
        fresh_db,
        "--media-root",
        str(restored_media),
        stdout=out,
    )
    last_name, first_name, anonymised_at = _pupil_in(fresh_db, cast.pupil.pk)
    assert (last_name, first_name) == (anonymised_name(cast.pupil.pk), "")
    assert anonymised_at is not None
    assert not (restored_media / "private" / consent.document.name).exists()
    assert f"pupils [{cast.pupil.pk}]" in out.getvalue()
    # the others came back as they were
    assert _pupil_in(fresh_db, cast.other_pupil.pk)[0] == cast.other_pupil.last_name
    # and the restored database has statistics (ANALYZE ran)
    with psycopg.connect(**_conninfo(fresh_db)) as conn:
        analyzed = conn.execute(
            "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'students_student'"
        ).fetchone()[0]
    assert analyzed is not None


@pytest.mark.django_db(transaction=True)
def test_restore_never_unpacks_over_live_files(cast, fresh_db, tmp_path, settings):
    from django.core.management.base import CommandError

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    ConsentFactory(student=cast.pupil)
    dump, media = backup()
    later = ConsentFactory(student=cast.other_pupil)  # uploaded after the backup
    live = sorted(p for p in (tmp_path / "media").rglob("*") if p.is_file())

    # another database: its files do not belong in our MEDIA_ROOT
    with pytest.raises(CommandError, match="--media-root"):
        call_command("restore", str(dump), "--media", str(media), "--database", fresh_db)
    # a folder that already holds files: only with the explicit flag
    with pytest.raises(CommandError, match="--replace-media"):
        call_command(
            "restore",
            str(dump),
            "--media",
            str(media),
            "--database",
            fresh_db,
            "--media-root",
            str(tmp_path / "media"),
        )
    assert sorted(p for p in (tmp_path / "media").rglob("*") if p.is_file()) == live
    assert Path(later.document.path).exists()
