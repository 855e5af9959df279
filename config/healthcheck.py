"""The web container's HEALTHCHECK (Dockerfile): GET /health/ from the gunicorn in the same
container; exit 0 on 200, 1 otherwise, printing the answer (Docker keeps it: `docker inspect`).

Run as a script (`python config/healthcheck.py [URL]`), standard library only: no Django start
every 30 seconds. The Host header is the first usable name of ALLOWED_HOSTS, which Django
accepts; /health/ is exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT), so plain HTTP on
loopback works whatever proxy sits in front.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/health/"


def host_header() -> str:
    for name in os.environ.get("ALLOWED_HOSTS", "").split(","):
        name = name.strip().lstrip(".")
        if name and "*" not in name:
            return name
    return "localhost"


def main(url: str = DEFAULT_URL) -> int:
    if not url.startswith(("http://", "https://")):
        print(f"not an HTTP URL: {url}")
        return 2
    request = urllib.request.Request(  # noqa: S310 -- http(s) only, checked above
        url, headers={"Host": host_header(), "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            print(response.read().decode("utf-8", "replace"))
            return 0
    except urllib.error.HTTPError as error:  # 503: the body names what failed
        print(error.code, error.read().decode("utf-8", "replace"))
        return 1
    except OSError as error:  # refused, timed out: gunicorn is not answering
        print(f"{url}: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
