"""gunicorn's settings for production (the Dockerfile's CMD: gunicorn -c config/gunicorn.conf.py).

Sync workers, as the app is written for: each request holds one worker, so the limits below keep
one client from holding one for long. A reverse proxy in front (nginx, see the README) buffers
slow clients and refuses bodies over client_max_body_size before they reach a worker; the app
refuses a body over its view's cap unread (core/bodies.py). Every value can be set from the
environment (GUNICORN_* below, or gunicorn's own GUNICORN_CMD_ARGS).
"""

import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Three per container by default; (2 x cores) + 1 is gunicorn's rule of thumb for a bigger host.
workers = _int("WEB_CONCURRENCY", 3)
# A request running this long is killed and answered 500 by the worker's replacement: pages take
# well under a second (docs/dashboards.md); uploads are read by then, PDFs are made by Celery.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5  # seconds an idle keep-alive connection (from the proxy) is held
# A new worker after this many requests (+ up to the jitter, so they do not all restart at
# once): memory that creeps up in a long-lived worker is given back.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# The request line and headers: gunicorn's defaults, written down. A longer line or header is
# refused (400) before Django sees it; our longest URLs (filters on list pages) are far shorter.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# The heartbeat file of each worker in memory, not on a disk that may stall (gunicorn's advice
# for containers).
SHARED_MEMORY = "/dev/shm"  # noqa: S108 -- gunicorn's own heartbeat files, not our data
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None
# Each request is one JSON log line from Django (core/observability.py): no access log here.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
