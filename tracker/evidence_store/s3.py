"""Evidence files in S3-compatible object storage (EVIDENCE_S3_BUCKET, and EVIDENCE_S3_ENDPOINT_URL
for a service other than Amazon's).

Credentials and region come the standard way (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_DEFAULT_REGION, or the machine's role). An object is written under a new random key before
the request commits and deleted if it rolls back; an object left by a crash between the two is
removed by the sweep once it is an hour old.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tracker.evidence_store import CHUNK, S3, Listed, StoredContent, StoreUnavailable, is_key

_MISSING = {"NoSuchKey", "404", "NotFound"}
_DELETE_BATCH = 1000  # the most one DeleteObjects request takes


class S3Store:
    name = S3
    transactional = False

    def __init__(self, bucket: str, prefix: str, endpoint_url: str | None) -> None:
        self.bucket = bucket
        self.prefix = prefix
        # Services other than Amazon's (MinIO, Ceph ...) are usually addressed by path, not by a
        # host name per bucket; Amazon's own endpoint takes either.
        style = "path" if endpoint_url else "auto"
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            config=Config(
                s3={"addressing_style": style},
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
            ),
        )

    def _object_key(self, key: str) -> str:
        if not is_key(key):
            raise ValueError("not a stored evidence name")
        return self.prefix + key

    def put(self, key: str, stream: IO[bytes], content_type: str) -> None:
        stream.seek(0)
        try:
            self.client.upload_fileobj(
                stream, self.bucket, self._object_key(key), ExtraArgs={"ContentType": content_type}
            )
        except (BotoCoreError, ClientError) as error:
            raise StoreUnavailable(f"Could not write evidence to bucket {self.bucket}: {error}") from error

    def open(self, key: str) -> StoredContent | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise StoreUnavailable(f"Could not read evidence from bucket {self.bucket}: {error}") from error
        except BotoCoreError as error:
            raise StoreUnavailable(f"Could not read evidence from bucket {self.bucket}: {error}") from error
        return StoredContent(size=int(answer["ContentLength"]), chunks=_read(answer["Body"]))

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._object_key(key))

    def listing(self) -> Iterable[Listed]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                key = item["Key"].removeprefix(self.prefix)
                if is_key(key):  # anything else in the bucket is not the tracker's to remove
                    yield Listed(item["Key"], key, item["LastModified"])

    def remove(self, names: list[str]) -> None:
        for start in range(0, len(names), _DELETE_BATCH):
            batch = names[start : start + _DELETE_BATCH]
            answer = self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": [{"Key": name} for name in batch], "Quiet": True}
            )
            if answer.get("Errors"):
                raise RuntimeError(f"Could not delete {len(answer['Errors'])} evidence objects: {answer['Errors'][0]}")


def _read(body) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()
