"""Backups of the database and the uploaded files as one .tar.gz, and restoring one.

SQLite is copied with its online backup API (consistent while the app runs); PostgreSQL with pg_dump in its
custom format and restored with pg_restore. The archive holds ``manifest.json``, the database and
``media/`` (attachments). It holds every person's data and the password hashes: the archive is readable by its
owner only (0600) from the moment it exists, and a backup folder the command creates is 0700."""

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections


class BackupError(Exception):
    pass


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = []
    if db.get("HOST"):
        args += ["-h", db["HOST"]]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", db["USER"]]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def backup(directory: str | Path) -> Path:
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    db = settings.DATABASES["default"]
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(work / "db.sqlite3")
            with target:
                connection.connection.backup(target)
            target.close()
            database = "db.sqlite3"
        elif connection.vendor == "postgresql":
            args, env = _pg_env(db)
            command = ["pg_dump", "-Fc", "--no-owner", *args, "-f", str(work / "db.dump"), db["NAME"]]
            result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
            if result.returncode:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
            database = "db.dump"
        else:
            raise BackupError(f"no backup for {connection.vendor}")
        manifest = {"format": "tian-backup", "version": 1, "engine": connection.vendor, "database": database,
                    "created": stamp}
        (work / "manifest.json").write_text(json.dumps(manifest))
        archive = directory / f"tian-{stamp}.tar.gz"
        descriptor = os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # also when a file of that name was there already
        with os.fdopen(descriptor, "wb") as out, tarfile.open(fileobj=out, mode="w:gz") as tar:
            tar.add(work / "manifest.json", arcname="manifest.json")
            tar.add(work / database, arcname=database)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                tar.add(media.resolve(), arcname="media")  # the folder's files, where it is a link to another disk
    return archive


def _unpacked(archive: Path, work: Path) -> dict:
    """Unpack ``archive`` into ``work`` and return its manifest, checked before anything is replaced. A truncated,
    damaged or foreign file is a ``BackupError`` that says so, as the restore command reports it, not a traceback."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work, filter="data")
        manifest = json.loads((work / "manifest.json").read_text())
    except FileNotFoundError as e:
        if not archive.exists():
            raise  # the command reports a missing archive as the OSError it is
        raise BackupError("not a TiAn backup: the archive holds no manifest.json") from e
    except (tarfile.TarError, EOFError, zlib.error, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BackupError(f"the archive is damaged or not a TiAn backup: {e}") from e
    if not isinstance(manifest, dict) or manifest.get("format") != "tian-backup":
        raise BackupError("not a TiAn backup")
    missing = [key for key in ("engine", "database", "created") if not isinstance(manifest.get(key), str)]
    if missing:
        raise BackupError(f"the backup's manifest lacks {', '.join(missing)}")
    if not (work / manifest["database"]).is_file() or Path(manifest["database"]).name != manifest["database"]:
        raise BackupError("the archive does not hold the database its manifest names")
    return manifest


def restore(archive: str | Path) -> dict:
    archive = Path(archive)
    db = settings.DATABASES["default"]
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        manifest = _unpacked(archive, work)
        if manifest["engine"] != connection.vendor:
            raise BackupError(f"this backup is of {manifest['engine']}; this installation uses {connection.vendor}")
        # The files are copied beside the uploads folder before anything is replaced (a full disk fails here, with
        # nothing changed), and swapped in once the database is back.
        media = Path(settings.MEDIA_ROOT).resolve()  # where it is a link, the folder it points to is replaced
        incoming = media.with_name(media.name + ".restoring")
        if (work / "media").exists():
            shutil.rmtree(incoming, ignore_errors=True)
            shutil.copytree(work / "media", incoming)
        connections.close_all()
        if connection.vendor == "sqlite":
            source = sqlite3.connect(work / manifest["database"])
            target = sqlite3.connect(db["NAME"])
            try:
                with target:
                    source.backup(target)
            except sqlite3.DatabaseError as e:  # the archive's database file is damaged
                raise BackupError(f"the backup's database cannot be read: {e}") from e
            finally:
                source.close()
                target.close()
        else:
            args, env = _pg_env(db)
            command = ["pg_restore", "--clean", "--if-exists", "--no-owner", *args, "-d", db["NAME"],
                       str(work / manifest["database"])]
            result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
            if result.returncode:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        if incoming.exists():
            if media.exists():
                shutil.rmtree(media)
            incoming.rename(media)
    # The restored versions (core.Version, proposals' revisions) are older numbers that may still name kept pages
    # of the data that was replaced: everything kept goes.
    cache.clear()
    return manifest
