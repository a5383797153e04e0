"""Uploading a 1 GiB film through the app, to the local store and to S3: speed and memory.

Writes a 1 GiB MP4-typed file (random 1 MiB blocks, repeated), then, each in a fresh process, POSTs it
as ``multipart/form-data`` through the whole WSGI application to the real upload endpoint
(``POST /api/v1/enrolments/{id}/deliverables``, a ``film`` deliverable; a bare route doing what it
does when that endpoint is missing): request parsing, type detection, hashing, storage, database.
The local store runs on the same disk as a plain copy (``cp``) of the same file, the reference
speed; S3 is a moto server in its own process. Each upload's peak resident memory growth is read
from /proc/self/status (VmHWM, reset before the upload).

Targets: local throughput at least half the plain copy's, under 64 MiB peak growth.
``BENCH_UPLOAD_MB`` overrides the size (MiB); ``BENCH_DIR`` the directory (default: the system's).
"""
from __future__ import annotations

import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.memory import reset_peak_rss, rss_kib

MiB = 1024 * 1024
SIZE_MB = int(os.environ.get("BENCH_UPLOAD_MB", "1024"))
BOUNDARY = "----portfolio-bench-boundary-7d1e"
TARGET_RATIO = 0.5
TARGET_GROWTH_MIB = 64
ROUNDS = 2


# --- the file and the request body ----------------------------------------------------------------------

def write_film(path: Path, size: int) -> None:
    """An MP4 container (ftyp box, then one mdat box) filled with random 1 MiB blocks, repeated."""
    ftyp = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    blocks = [os.urandom(MiB) for _ in range(16)]
    with path.open("wb") as out:
        out.write(ftyp + (size - len(ftyp)).to_bytes(4, "big") + b"mdat")
        written = len(ftyp) + 8
        i = 0
        while written < size:
            block = blocks[i % len(blocks)][: size - written]
            out.write(block)
            written += len(block)
            i += 1


class MultipartBody:
    """A ``multipart/form-data`` body read straight from the file (like a socket would deliver it)."""

    def __init__(self, path: Path, fields: dict[str, str]):
        head = "".join(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                       for k, v in fields.items())
        head += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
                 "Content-Type: video/mp4\r\n\r\n")
        self.parts = [head.encode(), None, f"\r\n--{BOUNDARY}--\r\n".encode()]
        self.path = path
        self.length = len(self.parts[0]) + path.stat().st_size + len(self.parts[2])
        self._file = None
        self._index = 0
        self._offset = 0

    def readinto(self, buffer) -> int:
        """Like a socket's ``recv_into``: straight into the server's buffer."""
        while self._index < 3:
            if self._index == 1:
                if self._file is None:
                    self._file = self.path.open("rb", buffering=0)
                n = self._file.readinto(buffer)
                if n:
                    return n
                self._file.close()
                self._index += 1
                continue
            part = self.parts[self._index]
            n = min(len(buffer), len(part) - self._offset)
            buffer[:n] = part[self._offset:self._offset + n]
            self._offset += n
            if self._offset >= len(part):
                self._index += 1
                self._offset = 0
            if n:
                return n
        return 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.length
        out = []
        while size > 0 and self._index < 3:
            if self._index == 1:
                if self._file is None:
                    self._file = self.path.open("rb", buffering=0)
                data = self._file.read(size)
                if not data:
                    self._file.close()
                    self._index += 1
                    continue
            else:
                part = self.parts[self._index]
                data = part[self._offset:self._offset + size]
                self._offset += len(data)
                if self._offset >= len(part):
                    self._index += 1
                    self._offset = 0
            out.append(data)
            size -= len(data)
        return b"".join(out)


# --- one upload, in a fresh process -----------------------------------------------------------------------

def _prepare(app):
    """A candidate with an enrolment and a token; returns (path, headers) of the upload endpoint."""
    from flask_migrate import upgrade

    from portfolio.accounts.services import create_api_token, create_user
    from portfolio.enrolments.services import enrol
    from portfolio.extensions import db
    from portfolio.referential.services import current_certification, load_builtin

    upgrade()
    load_builtin()
    user = create_user("bench@dhec.example.org", "Bench", ["candidate"], password="bench-password-123456")
    # On the VAE route evidence may be free (no assessment): the simplest real upload.
    enrolment = enrol(user, current_certification("RNCP41241"), "vae", option="scenario-realisation")
    _, token = create_api_token(user, "bench")
    db.session.commit()
    if "api.create_deliverable" in app.view_functions:
        return f"/api/v1/enrolments/{enrolment.id}/deliverables", {"Authorization": f"Bearer {token}"}
    return None, {}


def _bare_route(app):
    """What the upload endpoint does with the bytes, for a tree without it."""
    from flask import request

    from portfolio.evidence.types import VIDEO
    from portfolio.extensions import db
    from portfolio.files.services import receive_upload, uploaded_files

    @app.post("/bench/upload")
    def bench_upload():
        rows = [receive_upload(u.stream, u.filename, VIDEO)[0] for u in uploaded_files(request, "file")]
        db.session.commit()
        return {"files": [{"sha256": r.sha256, "size": r.size} for r in rows]}, 201

    return "/bench/upload"


def _post(app, path: str, headers: dict, body: MultipartBody) -> tuple[int, bytes]:
    from werkzeug.test import create_environ

    environ = create_environ(path, method="POST", headers=headers)
    environ.update({"wsgi.input": body, "CONTENT_LENGTH": str(body.length),
                    "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}"})
    status = []
    chunks = app(environ, lambda s, h, e=None: status.append(s))
    try:
        content = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return int(status[0].split()[0]), content


def upload_in_fresh_app(backend: str, film: str, workdir: str, s3_endpoint: str | None) -> dict:
    """Runs in a child process: a new app and database, a warm-up upload, then the timed one."""
    from portfolio import create_app
    from portfolio.extensions import db

    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/bench-{backend}-{os.getpid()}.db", "SECRET_KEY": "bench",
              "UPLOAD_DIR": f"{workdir}/uploads-{backend}", "STORAGE_BACKEND": backend, "RATELIMIT_ENABLED": False,
              "MAX_UPLOAD_MB": SIZE_MB + 16, "WTF_CSRF_ENABLED": False}  # the bare route is no page form
    if backend == "s3":
        config.update(S3_BUCKET="bench", S3_ENDPOINT_URL=s3_endpoint, S3_REGION="eu-west-3")
    app = create_app(config)
    with app.app_context():
        path, headers = _prepare(app)
        if path is None:
            path = _bare_route(app)
        fields = {"title": "Film de fin d'études", "type": "film"}
        # Warm-up: every import and first-time initialisation happens here, not in the measure.
        small = Path(workdir) / f"warmup-{backend}.mp4"
        write_film(small, 2 * MiB)
        code, content = _post(app, path, headers, MultipartBody(small, fields))
        assert code == 201, content[:500]
        small.unlink()
        reset_peak_rss()
        baseline = rss_kib("VmRSS")
        body = MultipartBody(Path(film), fields)
        started = time.perf_counter()
        code, content = _post(app, path, headers, body)
        elapsed = time.perf_counter() - started
        peak = rss_kib("VmHWM")
        assert code == 201, content[:500]
        db.engine.dispose()
    return {"seconds": elapsed, "baseline_kib": baseline, "peak_kib": peak, "route": path}


def _run(backend: str, film: Path, workdir: Path, s3_endpoint: str | None = None) -> dict:
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(upload_in_fresh_app, (backend, str(film), str(workdir), s3_endpoint))


# --- the reference: a plain copy on the same disk ---------------------------------------------------------

def plain_copy_seconds(source: Path, target: Path) -> float:
    started = time.perf_counter()
    if shutil.which("cp"):
        subprocess.run(["cp", str(source), str(target)], check=True)
    else:
        shutil.copyfile(source, target)
    with open(target, "rb") as fh:
        os.fsync(fh.fileno())  # on disk, as the store's files are
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


# --- S3: a moto server in its own process -------------------------------------------------------------------

def start_moto(workdir: Path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", TMPDIR=str(workdir))
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(endpoint, timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("the moto server did not start")
    import boto3

    boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-3", aws_access_key_id="bench",
                 aws_secret_access_key="bench").create_bucket(
        Bucket="bench", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    return process, endpoint


def main() -> None:
    size = SIZE_MB * MiB
    base = os.environ.get("BENCH_DIR") or tempfile.gettempdir()
    free = shutil.disk_usage(base).free
    needed = 5 * size + 256 * MiB  # the film, its copy, the local store, S3's copy and its parts
    if free < needed:
        print(f"skipped: {free / 2**30:.1f} GiB free in {base}, {needed / 2**30:.1f} GiB needed "
              "(set BENCH_DIR or BENCH_UPLOAD_MB)")
        return
    with tempfile.TemporaryDirectory(prefix="bench-upload-", dir=base) as tmp:
        workdir = Path(tmp)
        film = workdir / "film.mp4"
        started = time.perf_counter()
        write_film(film, size)
        print(f"file: {SIZE_MB} MiB written in {time.perf_counter() - started:.1f} s in {workdir}")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: the figures vary with it")
        # Best of two for the copy and the local upload, taken in turn: less noise from other work.
        copies, locals_ = [], []
        for _round in range(ROUNDS):
            copies.append(plain_copy_seconds(film, workdir / "copy.mp4"))
            locals_.append(_run("local", film, workdir))
            shutil.rmtree(workdir / "uploads-local", ignore_errors=True)
        copy = min(copies)
        copy_speed = SIZE_MB / copy
        print(f"plain copy (cp + fsync, best of {ROUNDS}): {copy:.1f} s = {copy_speed:.0f} MiB/s")
        results = {"local": min(locals_, key=lambda run: run["seconds"])}
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
        try:
            moto, endpoint = start_moto(workdir)
        except (OSError, RuntimeError) as exc:
            print(f"s3: skipped, {exc}")
            moto = None
        if moto is not None:
            try:
                results["s3"] = _run("s3", film, workdir, endpoint)
            finally:
                moto.terminate()
                moto.wait(10)
        for backend, run in results.items():
            speed = SIZE_MB / run["seconds"]
            runs = locals_ if backend == "local" else [run]
            growth = max((r["peak_kib"] - r["baseline_kib"]) / 1024 for r in runs)  # the worst of the runs
            verdict = ""
            if backend == "local":
                ok = speed >= TARGET_RATIO * copy_speed and growth < TARGET_GROWTH_MIB
                verdict = " - target met" if ok else " - TARGET MISSED"
            print(f"{backend:>5}: {run['seconds']:.1f} s = {speed:.0f} MiB/s through {run['route']} "
                  f"({speed / copy_speed:.2f} x the plain copy); peak RSS growth {growth:.1f} MiB{verdict}")


if __name__ == "__main__":
    main()
