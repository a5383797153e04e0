"""``flask --app portfolio storage check`` and ``storage scan``."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..extensions import db
from ..storage import StorageError, get_storage
from .models import StoredFile

storage_cli = AppGroup("storage", help="Check the file store against the database.")


@storage_cli.command("check")
@click.option("--deep", is_flag=True, help="Also read every object and compare its SHA-256.")
def check(deep: bool) -> None:
    """Report rows whose object is missing or differs, and objects no row points to.

    Exits non-zero when there is any problem; prints a summary line last.
    """
    from .services import sha256_of

    storage = get_storage()
    missing = differ = orphans = other_backend = held_back = 0
    known: set[str] = set()
    try:
        other_backend = db.session.scalar(
            select(func.count()).select_from(StoredFile).where(StoredFile.backend != storage.name)) or 0
        rows = db.session.execute(
            select(StoredFile.id, StoredFile.key, StoredFile.size, StoredFile.sha256, StoredFile.scan_status)
            .where(StoredFile.backend == storage.name).order_by(StoredFile.id)
        ).yield_per(1000)
        checked = 0
        for row_id, key, size, sha256, scan_status in rows:
            checked += 1
            known.add(key)
            if scan_status == "infected":
                held_back += 1
                click.echo(f"infected: row {row_id} {key} (found by the antivirus; held back)")
            actual = storage.size(key)
            if actual is None:
                missing += 1
                click.echo(f"missing: row {row_id} {key}")
                continue
            if actual != size:
                differ += 1
                click.echo(f"size differs: row {row_id} {key}: {actual} bytes stored, {size} recorded")
                continue
            if deep:
                stream = storage.open(key)
                try:
                    digest, _ = sha256_of(stream)
                finally:
                    stream.close()
                if digest != sha256:
                    differ += 1
                    click.echo(f"content differs: row {row_id} {key}: sha256 {digest}, {sha256} recorded")
        objects = 0
        for key in storage.iter_keys():
            objects += 1
            if key not in known:
                orphans += 1
                click.echo(f"orphan: {key} (no row points to it)")
    except StorageError as exc:
        click.echo(f"Error: the {storage.name} store is unavailable: {exc}", err=True)
        sys.exit(2)
    if other_backend:
        click.echo(f"note: {other_backend} rows are on another backend than {storage.name} and were not checked")
    problems = missing + differ + orphans + held_back
    click.echo(
        f"storage check ({storage.name}{', deep' if deep else ''}): {checked} rows, {objects} objects; "
        f"{missing} missing, {differ} differ, {orphans} orphans, {held_back} infected"
        + ("" if problems else " - OK")
    )
    if problems:
        sys.exit(1)


@storage_cli.command("scan")
def scan_pending() -> None:
    """Scan again the files held back while ClamAV was unreachable; prints the counts last."""
    from flask import current_app

    from .scan import is_configured, rescan_pending

    if not is_configured():
        click.echo("Error: ClamAV is not configured (CLAMD_SOCKET, or CLAMD_HOST and CLAMD_PORT)", err=True)
        sys.exit(1)
    counts = rescan_pending(current_app)
    db.session.commit()
    click.echo(f"scanned: {counts['clean']} clean, {counts['infected']} infected, {counts['pending']} still pending")
    if counts["pending"]:
        sys.exit(1)
