"""Landing and reports at a location every host reaches (KPI_LANDING_URL, KPI_REPORTS_URL), through
Airflow's ObjectStoragePath: a shared folder (file://) or object storage (s3://, its credentials from
the Airflow connection KPI_STORAGE_CONN_ID, each request bounded by KPI_STORAGE_TIMEOUT). A load task
may run on any worker, so it copies its source's files from there into a scratch folder of its own and
the loaders read local files as on one machine; publish writes the report there, and notify fetches it
from there. Unset, the local folders are used as before."""
from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from kpi import config, errors
from kpi.report import NOTICE_FILES  # what notify needs of a published folder


class StorageError(errors.StepFailed):
    pass


S3_SCHEMES = ("s3", "s3a", "s3n")  # the amazon provider's filesystem


def _path(url: str):
    from airflow.sdk import ObjectStoragePath

    scheme, conn_id = urlsplit(url).scheme, config.storage_conn_id()
    if scheme in S3_SCHEMES:
        conn_id = conn_id or "aws_default"  # Airflow's AWS default; missing, boto3's own credentials
        _attach_s3(scheme, conn_id, config.storage_timeout())
    return ObjectStoragePath(url, conn_id=conn_id)


@functools.cache
def _attach_s3(scheme: str, conn_id: str, seconds: int) -> None:
    """The connection's S3 filesystem with a deadline, for every ObjectStoragePath of this process:
    the provider's get_fs puts the storage options into botocore's Config (Airflow's own attach
    passes none: botocore would wait 60 s to connect, 60 s per read, s3fs retrying that 5 times)."""
    from airflow.sdk.io import attach, get_fs

    fs = get_fs(scheme, conn_id, {"connect_timeout": seconds, "read_timeout": seconds,
                                  "retries": {"mode": "standard", "total_max_attempts": 2}})
    fs.retries = 1  # botocore's two attempts are the retries; s3fs's loop would multiply them
    attach(scheme, conn_id).fs = fs


@contextmanager
def _failing_as(what: str) -> Iterator[None]:
    """Any storage error inside the block as a StorageError saying where and why."""
    try:
        yield
    except StorageError:
        raise
    except Exception as exc:  # botocore's, fsspec's, OSError: the message names the endpoint or path
        raise StorageError(f"{what}: {exc}") from None


def is_url(location: str) -> bool:
    return "://" in location


def source_folder(name: str) -> str | None:
    """The folder of the landing directory a source's files lie in (its `path` pattern, or a default
    URL under {landing}); None for a source that reads nothing from the landing directory."""
    from kpi.loaders.spec import load_sources

    source = load_sources()[name]
    if source.kind == "file" and source.path:
        return source.path.split("/", 1)[0] if "/" in source.path else ""
    default = source.default_url or ""
    if "{landing}/" in default and not config.source_url_setting(source.url_env):
        return default.split("{landing}/", 1)[1].split("/", 1)[0]
    return None


def _copy_file(src, dest) -> None:
    """One file between a Path and an ObjectStoragePath (either way), streamed."""
    with src.open("rb") as fin, dest.open("wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)


def _copy_tree(src, dest: Path) -> int:
    """Copy every file under the ObjectStoragePath `src` to `dest`; a symbolic link of a shared folder
    stays a link, so that the loaders refuse it as they refuse one in a local landing folder."""
    copied = 0
    base = str(src).rstrip("/") + "/"
    for item in src.rglob("*"):
        relative = str(item)[len(base):] if str(item).startswith(base) else item.name
        target = dest / relative
        local = item.path if src.protocol == "file" else None
        if local and os.path.islink(local):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.readlink(local), target)
        elif item.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy_file(item, target)
            copied += 1
    return copied


@contextmanager
def staged_landing(name: str) -> Iterator[Path | None]:
    """Inside the block the loaders of source `name` read its files copied from KPI_LANDING_URL into a
    scratch folder of this task (removed afterwards); without KPI_LANDING_URL, nothing changes."""
    url = config.landing_url()
    folder = source_folder(name) if url else None
    if url is None or folder is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix=f"kpi-landing-{name}-") as scratch:
        with _failing_as(f"KPI_LANDING_URL {url} cannot be read from this host"):
            root = _path(url)
            if not root.exists():
                raise StorageError(f"KPI_LANDING_URL {url} does not exist (or is not shared with this host)")
            src = root / folder if folder else root
            if src.exists():
                _copy_tree(src, Path(scratch) / folder)
        with config.landing_dir_set(Path(scratch)):
            yield Path(scratch)


def _relative(url: str, base: str) -> str | None:
    """The path of `url` below the location `base` ('a/b.json'), or None when it is not below it.
    file:// URLs compare as paths (`..` resolved by name, so a link cannot climb out); others by prefix."""
    from kpi.loaders.http_pages import file_path

    path, root = file_path(url), file_path(base)
    if path is not None and root is not None:
        target = os.path.normpath(os.path.abspath(path))
        for folder in {os.path.normpath(os.path.abspath(root)), os.path.realpath(root)}:
            if target.startswith(folder.rstrip("/") + "/"):
                return target[len(folder.rstrip("/")) + 1:]
        return None
    head = base.rstrip("/") + "/"
    if not url.startswith(head):
        return None
    rest = os.path.normpath(url[len(head):])
    return None if rest.startswith("..") or os.path.isabs(rest) else rest


def staged_link(url: str) -> str:
    """Where a link into the shared landing location leads on this host: the same file of this task's
    staged copy (staged_landing). A file:// API delivered there may name its next page absolutely, by
    its place on the shared location (file:///mnt/kpi/landing/hr/monthly-3.json); the task reads the
    copy. Without staging, or for any other URL, `url` itself."""
    url_root, staged = config.landing_url(), config.landing_staged()
    if url_root is None or staged is None:
        return url
    relative = _relative(url, url_root)
    return (staged / relative).as_uri() if relative else url


def landing_name(url: str) -> str:
    """The inverse: a URL into this task's staged copy as the same file on the shared landing location,
    the name the ledger and the raw tables give the object, the same on every host and every night
    (the scratch folder is new each time). Without staging, or for any other URL, `url` itself."""
    url_root, staged = config.landing_url(), config.landing_staged()
    if url_root is None or staged is None:
        return url
    relative = _relative(url, staged.as_uri())
    return f"{url_root}/{relative}" if relative else url


def report_location(as_of: date) -> str:
    """Where the night of `as_of` publishes: KPI_REPORTS_URL/<as_of>, else the local folder."""
    url = config.reports_url()
    return f"{url}/{as_of.isoformat()}" if url else str(config.published_dir(as_of))


def upload(local: Path, location: str) -> None:
    """The files of the folder `local` to the URL `location` (replacing those of the same name)."""
    with _failing_as(f"cannot write the report to {location}"):
        dest = _path(location)
        dest.mkdir(parents=True, exist_ok=True)
        for item in sorted(local.iterdir()):
            if item.is_file():
                _copy_file(item, dest / item.name)


@contextmanager
def fetched_report(location: str) -> Iterator[Path]:
    """The published folder `location` as a local folder holding its report: the folder itself, or the
    report files copied from a URL into a scratch folder. Raises when neither report file is there:
    a notice must not go out without the report it announces."""
    if not is_url(location):
        local = Path(location)
        if not any((local / name).is_file() for name in NOTICE_FILES):
            raise StorageError(f"the report is not in {local} on this host ({' or '.join(NOTICE_FILES)} missing): "
                               "publish wrote it elsewhere; set KPI_REPORTS_URL to a location every host reaches")
        yield local
        return
    with tempfile.TemporaryDirectory(prefix="kpi-report-") as scratch:
        with _failing_as(f"the report at {location} cannot be read from this host"):
            src = _path(location)
            for name in NOTICE_FILES:  # opened, not asked is_file(): that says False for a storage not answering
                try:
                    _copy_file(src / name, Path(scratch) / name)
                except FileNotFoundError:
                    continue
        if not any((Path(scratch) / name).is_file() for name in NOTICE_FILES):
            raise StorageError(f"the report is not at {location} ({' or '.join(NOTICE_FILES)} missing)")
        yield Path(scratch)


def airflow_logging_env() -> dict[str, str]:
    """Airflow's logging settings for KPI_LOGS_URL: a shared folder is the log folder itself; object
    storage is Airflow's remote logging ([logging] remote_logging, remote_base_log_folder,
    remote_log_conn_id: the connection KPI_STORAGE_CONN_ID), the provider of its scheme installed."""
    url = config.logs_url()
    if url is None:
        return {}
    if url.startswith("file://"):
        return {"AIRFLOW__LOGGING__BASE_LOG_FOLDER": url.removeprefix("file://")}
    return {"AIRFLOW__LOGGING__REMOTE_LOGGING": "True", "AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER": url,
            **({"AIRFLOW__LOGGING__REMOTE_LOG_CONN_ID": config.storage_conn_id()} if config.storage_conn_id() else {})}
