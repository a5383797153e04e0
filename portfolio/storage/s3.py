"""S3 (or any S3-compatible service) through boto3.

Objects are content-addressed and never overwritten: ``put`` asks ``head_object`` first. Large
files go up in parts (boto3's transfer manager, ``multipart_threshold``), every object is encrypted
at rest (``ServerSideEncryption=AES256``), and downloads are short-lived presigned GET URLs that
carry the ``Content-Disposition`` and ``Content-Type`` the browser must use. Every boto3 or
botocore failure (unreachable endpoint, refused request, transfer failed midway) is a StorageError.

An upload that fails midway may leave an incomplete multipart upload on the server (invisible, not
an object); boto3 aborts it when the server is still reachable. Give the bucket a lifecycle rule
``AbortIncompleteMultipartUpload`` for the rest.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from typing import BinaryIO

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from . import StorageError, content_disposition

MiB = 1024 * 1024
ERRORS = (BotoCoreError, ClientError, Boto3Error)
NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3Storage:
    name = "s3"

    def __init__(self, bucket: str, endpoint_url: str | None = None, region: str | None = None, *,
                 multipart_threshold: int = 64 * MiB, multipart_chunksize: int = 64 * MiB,
                 max_concurrency: int = 4, max_attempts: int = 3, connect_timeout: float = 10,
                 read_timeout: float = 120):
        if not bucket:
            raise RuntimeError("S3_BUCKET must be set when STORAGE_BACKEND is 's3'")
        self.bucket = bucket
        self.page_size = 1000  # keys per listing request
        config = Config(
            signature_version="s3v4",
            # S3-compatible services (MinIO, moto, Ceph…) at a custom endpoint expect path-style URLs.
            s3={"addressing_style": "path" if endpoint_url else "auto"},
            retries={"max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
        )
        self.client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url or None, region_name=region or None, config=config
        )
        self.transfer = TransferConfig(
            multipart_threshold=max(multipart_threshold, 5 * MiB),
            multipart_chunksize=max(multipart_chunksize, 5 * MiB),  # S3's smallest part
            max_concurrency=max_concurrency,
            use_threads=max_concurrency > 1,
        )

    def _extra(self, media_type: str) -> dict:
        return {"ServerSideEncryption": "AES256", "ContentType": media_type or "application/octet-stream"}

    def put(self, key: str, fileobj: BinaryIO, size: int, media_type: str) -> None:
        """Upload ``fileobj`` under ``key`` unless it is already there (multipart past the threshold)."""
        if self.exists(key):
            return
        try:
            self.client.upload_fileobj(fileobj, self.bucket, key, ExtraArgs=self._extra(media_type),
                                       Config=self.transfer)
        except ERRORS as exc:
            raise StorageError(f"S3 upload of {key} failed: {exc}") from exc

    def put_file(self, key: str, path: str | os.PathLike, size: int, media_type: str) -> None:
        """Upload the file at ``path`` under ``key`` unless already there; parts are sent in parallel."""
        if self.exists(key):
            return
        try:
            self.client.upload_file(os.fspath(path), self.bucket, key, ExtraArgs=self._extra(media_type),
                                    Config=self.transfer)
        except ERRORS as exc:
            raise StorageError(f"S3 upload of {key} failed: {exc}") from exc

    def _head(self, key: str) -> dict | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _error_code(exc) in NOT_FOUND:
                return None
            raise StorageError(f"S3 refused to describe {key}: {exc}") from exc
        except ERRORS as exc:
            raise StorageError(f"S3 is unreachable: {exc}") from exc

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def size(self, key: str) -> int | None:
        """The stored size in bytes, or None when the object is missing."""
        head = self._head(key)
        return None if head is None else int(head["ContentLength"])

    def open(self, key: str) -> BinaryIO:
        """A streaming body of the object (read it in chunks); raises StorageError."""
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except ERRORS as exc:
            raise StorageError(f"cannot read {key} from S3: {exc}") from exc

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except ERRORS as exc:
            raise StorageError(f"cannot delete {key} from S3: {exc}") from exc

    def iter_keys(self) -> Iterator[str]:
        """Every key of the bucket, page by page."""
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(
                    Bucket=self.bucket, PaginationConfig={"PageSize": self.page_size}):
                for item in page.get("Contents", ()):
                    if not item["Key"].startswith("."):
                        yield item["Key"]
        except ERRORS as exc:
            raise StorageError(f"cannot list the S3 bucket {self.bucket}: {exc}") from exc

    def signed_url(self, key: str, filename: str, media_type: str, inline: bool, expires: int = 300) -> str:
        """A presigned GET URL valid ``expires`` seconds, answering with our disposition and type."""
        try:
            return self.client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "ResponseContentDisposition": content_disposition(filename, inline),
                    "ResponseContentType": media_type,
                },
                ExpiresIn=expires,
            )
        except ERRORS as exc:
            raise StorageError(f"cannot sign a URL for {key}: {exc}") from exc
