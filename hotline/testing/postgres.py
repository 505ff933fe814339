"""A private PostgreSQL cluster for tests that stop and restart the database server.

The machine's own PostgreSQL is shared and must never be stopped; this one lives in a temporary
directory owned by the ``postgres`` user (initdb and pg_ctl refuse to run as root), listens on
127.0.0.1 on a free port with its unix sockets in that directory, trusts local connections, and
is removed afterwards.

    with private_cluster() as cluster:
        cluster.createdb("hotline")
        url = cluster.url("hotline")
        cluster.stop(mode="immediate")   # as if the server crashed
        cluster.start()
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hotline.testing.geoip import unused_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def unavailable() -> str:
    """Why a private cluster cannot be made here ("" when it can)."""
    for tool in ("initdb", "pg_ctl", "createdb"):
        if not (PG_BIN / tool).exists():
            return f"{PG_BIN / tool} is missing"
    if shutil.which("runuser") is None:
        return "runuser is missing"
    if os.geteuid() != 0:
        return "runuser needs root"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "there is no postgres user"
    return ""


@dataclass
class Cluster:
    directory: Path
    port: int

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], cwd=self.directory,
                       check=True, timeout=timeout, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=50")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.directory / "server.log"), "-w", "-t", "60", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def createdb(self, name: str) -> None:
        self._run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", "postgres", name)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    """initdb a cluster in a temporary directory, start it, and remove it afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="hotline-pg-"))
    owner = pwd.getpwnam("postgres")
    os.chown(directory, owner.pw_uid, owner.pw_gid)
    directory.chmod(0o700)
    cluster = Cluster(directory=directory, port=unused_port())
    try:
        cluster._run(str(PG_BIN / "initdb"), "-D", str(cluster.data), "-U", "postgres",
                     "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            try:
                cluster.stop("immediate")
            except subprocess.SubprocessError:
                pass
        shutil.rmtree(directory, ignore_errors=True)
