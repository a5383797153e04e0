"""`flask storage check`: rows whose object is missing or differs, and objects no row points to."""
from __future__ import annotations

import io

from file_samples import pdf_bytes, png_bytes

from portfolio.extensions import db
from portfolio.files.services import receive_upload


def run_check(app, *args):
    result = app.test_cli_runner().invoke(args=["storage", "check", *args])
    lines = result.output.strip().splitlines()
    return result.exit_code, lines


def test_a_consistent_store_passes(app, local_store):
    receive_upload(io.BytesIO(pdf_bytes()), "a.pdf")
    receive_upload(io.BytesIO(png_bytes()), "b.png")
    db.session.commit()
    (local_store.root / ".incoming").mkdir(exist_ok=True)
    (local_store.root / ".incoming" / "up-123").write_bytes(b"an upload in progress")
    code, lines = run_check(app, "--deep")
    assert code == 0, lines
    assert lines[-1].startswith("storage check (local, deep): ") and lines[-1].endswith("- OK")
    assert "0 missing, 0 differ, 0 orphans" in lines[-1]


def test_missing_differing_and_orphan_objects_are_reported(app, local_store):
    missing, _ = receive_upload(io.BytesIO(pdf_bytes(pages=1)), "missing.pdf")
    resized, _ = receive_upload(io.BytesIO(pdf_bytes(pages=2)), "resized.pdf")
    intact, _ = receive_upload(io.BytesIO(png_bytes()), "intact.png")
    db.session.commit()
    local_store.local_path(missing.key).unlink()
    local_store.local_path(resized.key).write_bytes(b"truncated")
    orphan = "sha256/ff/ff/ffff-orphan"
    local_store.put(orphan, io.BytesIO(b"nobody's"), 8, "text/plain")

    code, lines = run_check(app)
    assert code == 1
    assert f"missing: row {missing.id} {missing.key}" in lines
    assert any(line.startswith(f"size differs: row {resized.id} {resized.key}: 9 bytes stored") for line in lines)
    assert f"orphan: {orphan} (no row points to it)" in lines
    assert not any(intact.key in line for line in lines)
    assert "1 missing, 1 differ, 1 orphans" in lines[-1] and lines[-1].startswith("storage check (local)")


def test_deep_finds_content_that_changed_at_the_same_size(app, local_store):
    stored, _ = receive_upload(io.BytesIO(png_bytes()), "a.png")
    db.session.commit()
    path = local_store.local_path(stored.key)
    content = bytearray(path.read_bytes())
    content[-1] ^= 0xFF
    path.write_bytes(bytes(content))
    assert run_check(app)[0] == 0  # sizes agree
    code, lines = run_check(app, "--deep")
    assert code == 1
    assert any(line.startswith(f"content differs: row {stored.id} {stored.key}") for line in lines)
    assert "0 missing, 1 differ, 0 orphans" in lines[-1]


def test_check_works_on_s3(app, s3_store, s3_bucket):
    client, bucket = s3_bucket
    stored, _ = receive_upload(io.BytesIO(png_bytes()), "a.png")
    db.session.commit()
    client.put_object(Bucket=bucket, Key="sha256/00/00/stray", Body=b"x")
    code, lines = run_check(app, "--deep")
    assert code == 1
    assert "orphan: sha256/00/00/stray (no row points to it)" in lines
    client.delete_object(Bucket=bucket, Key=stored.key)
    code, lines = run_check(app)
    assert f"missing: row {stored.id} {stored.key}" in lines
    assert "1 missing, 0 differ, 1 orphans" in lines[-1]
