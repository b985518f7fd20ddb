"""The Redis that `kpi airflow-ui --executor celery` (`make airflow EXECUTOR=celery`) starts when no
AIRFLOW__CELERY__BROKER_URL is set: Debian's `redis-server` as a child process, on 127.0.0.1 and a
free port (not 6379, where a system Redis may listen), with a password generated once. Its files are
in the state dir's `.redis/`: the password and the config holding it (mode 600), the log, and the
append-only file that keeps the queue across a restart of Redis (a queued task is not lost)."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path

from kpi import airflow_ui, config, errors

START_TIMEOUT = 30


def redis_dir() -> Path:
    return config.state_dir() / ".redis"


def server_binary() -> str:
    found = shutil.which("redis-server")
    if not found:
        raise errors.InputError("CeleryExecutor without AIRFLOW__CELERY__BROKER_URL starts its own Redis, but "
                                "redis-server is not installed (Debian: apt-get install redis-server)")
    return found


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def password() -> str:
    """Generated at the first start, then kept (a worker started later reads the same)."""
    return config.write_once(redis_dir() / "password", secrets.token_hex(24) + "\n").strip()


class Broker:
    """One redis-server child process; `url` once started."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self.port: int | None = None

    def start(self, preexec_fn=None) -> str:
        """Start it on a free port, or again on its port (the URL the workers have)."""
        import redis

        binary, secret = server_binary(), password()
        port = self.port = self.port or airflow_ui.free_port()
        workdir = redis_dir()
        conf = workdir / "redis.conf"
        # the password in a file only Redis and we read, never on a command line (ps shows those)
        _write_private(conf, "\n".join([
            f"port {port}", "bind 127.0.0.1", "protected-mode yes", "daemonize no", f"dir {workdir}",
            'save ""', "appendonly yes", "appendfsync everysec", f"requirepass {secret}", ""]))
        log = open(workdir / "redis.log", "a", encoding="utf-8")
        self.proc = subprocess.Popen([binary, str(conf)], stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=preexec_fn)
        log.close()
        client = redis.Redis(host="127.0.0.1", port=port, password=secret, socket_timeout=2)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise errors.StepFailed(f"redis-server exited with code {self.proc.returncode}; see "
                                        f"{workdir / 'redis.log'}")
            try:
                if client.ping():
                    break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise errors.StepFailed(f"redis-server did not answer in {START_TIMEOUT} s; see "
                                            f"{workdir / 'redis.log'}") from None
                time.sleep(0.2)
        self.url = f"redis://:{secret}@127.0.0.1:{port}/0"
        return self.url

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace: float = 15) -> None:
        """SIGTERM (Redis writes its append-only file and exits), SIGKILL after `grace` seconds."""
        if not self.alive():
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
