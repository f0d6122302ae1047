"""A throwaway PostgreSQL server for tests and benchmarks: ``initdb`` and ``pg_ctl`` from
Debian's ``postgresql`` package, listening only on a unix socket in a temp dir.

initdb refuses to run as root (as CI does): then the server runs as the ``postgres`` user the
package creates (or ``nobody``), and the temp dir is opened to it.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["PgServer", "find_bin"]


def find_bin(name: str) -> str | None:
    """``initdb``/``pg_ctl``: on PATH, else in Debian's ``/usr/lib/postgresql/<v>/bin``."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


class PgServer:
    """``start()`` a server, ``url(db)`` to reach it, ``stop()`` to throw it away."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="godel-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self.user = "godel"
        self._as: list[str] = []
        self._started = False

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, text=True)

    def start(self) -> PgServer:
        initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError(
                "initdb/pg_ctl not found: install Debian's postgresql package "
                "(apt-get install -y postgresql)"
            )
        if os.geteuid() == 0:
            owner = _unprivileged_user()
            self._as = ["runuser", "-u", owner, "--"]
            os.chmod(self.root, 0o777)
            shutil.chown(self.root, user=owner)
        try:
            self._run(initdb, "-D", str(self.data), "-U", self.user, "-A", "trust", "-E", "UTF8")
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"initdb failed: {exc.stderr or exc.stdout}") from None
        self._pg_start()
        return self

    def _pg_start(self) -> None:
        pg_ctl = str(find_bin("pg_ctl"))
        options = (
            f"-c listen_addresses='' -c unix_socket_directories='{self.socket_dir}' "
            "-c fsync=on -c max_connections=100"
        )
        try:
            self._run(
                pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                "-w", "-t", "60", "start",
            )  # fmt: skip
        except subprocess.CalledProcessError as exc:
            log = (self.root / "log").read_text() if (self.root / "log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {exc.stderr} {log}") from None
        self._started = True

    def halt(self) -> None:
        """Stop the server at once, as a crash or a failover would (``restart`` brings it back)."""
        self._run(str(find_bin("pg_ctl")), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self._started = False

    def restart(self) -> None:
        self._pg_start()

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://{self.user}@/{db}?host={self.socket_dir}"

    def create_db(self, name: str) -> str:
        """A new empty database; its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'create database "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self._started:
            self._started = False
            pg_ctl = find_bin("pg_ctl")
            try:
                self._run(str(pg_ctl), "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)


def _unprivileged_user() -> str:
    import pwd

    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("no unprivileged user (postgres, nobody) to run the server as")
