"""Broker faults for real: a port with nothing on it, a server that accepts and never answers,
and publishing through the real Celery app (eager off) to a given broker while inside."""

import socket
import threading
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from assistant_portal.celery_app import app


def own_redis(redis_url: str, number: int) -> str:
    """The same Redis, another database number: no other process's queues or workers."""
    return urlunsplit(urlsplit(redis_url)._replace(path=f"/{number}"))


def _reset_pools():
    """Forget every pooled broker connection (kombu keeps them in global pools per URL)."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def _warm_up():
    """A long-running web worker has loaded Celery's task registry and the Redis transport long
    before; the first publish of a process pays for that (≈ 1.7 s here), which is not waiting
    on the broker: pay it once, against a closed port, before anything is timed."""
    from protocols.tasks import build_dossier

    app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    _reset_pools()
    try:
        app.tasks[build_dossier.name].apply_async((0,), ignore_result=True)
    except Exception:  # noqa: S110  refused, as intended
        pass


@contextmanager
def broker(url):
    """Publish to `url` for real (not eager) while inside."""
    old = app.conf.broker_url
    app.conf.task_always_eager = False
    _warm_up()
    app.conf.broker_url = url
    _reset_pools()
    try:
        yield
    finally:
        _reset_pools()
        app.conf.broker_url, app.conf.task_always_eager = old, True


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    return port


@contextmanager
def hung_redis():
    """A server that accepts connections and never says a word."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    held, stop = [], threading.Event()

    def accept():
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except TimeoutError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        yield f"redis://127.0.0.1:{srv.getsockname()[1]}/0"
    finally:
        stop.set()
        t.join()
        for c in held:
            c.close()
        srv.close()


@contextmanager
def redis_coming_back(redis_url: str, number: int):
    """A broker address with nothing on it until `.back()` is called; from then on it forwards
    to the real Redis (database `number`): the same URL, down and then back, as a web process
    sees a Redis restart."""
    target = urlsplit(own_redis(redis_url, number))
    port = closed_port()
    stop = threading.Event()

    def pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                s.close()

    def serve(srv):
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                client = srv.accept()[0]
            except TimeoutError:
                continue
            upstream = socket.create_connection((target.hostname, target.port or 6379))
            threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()

    class Handle:
        url = urlunsplit(target._replace(netloc=f"127.0.0.1:{port}"))

        def back(self):
            srv = socket.socket()
            srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            srv.bind(("127.0.0.1", port))
            srv.listen(16)
            self.server = srv
            threading.Thread(target=serve, args=(srv,), daemon=True).start()

    handle = Handle()
    try:
        yield handle
    finally:
        stop.set()
        if hasattr(handle, "server"):
            handle.server.close()
