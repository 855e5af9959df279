"""The test runner's settings (pyproject.toml): config/settings.py with a throw-away SECRET_KEY.

Servers the tests start, in the test process (config.wsgi) or as subprocesses that inherit the
environment (Celery workers), then pass the no-key guard (config/secret_key.py);
tests/core/test_secret_key.py checks that guard in subprocesses started without it.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-this-is-not-a-secret-0123456789abcdefghijklmnop")

from config.settings import *  # noqa: E402,F403

# Report jobs in embedded mode (no REDIS_URL) run in the caller, not in a thread after the
# response (reports/dispatch.py): a unit test's data lives in a transaction that another
# thread's connection cannot see. The browser tests that prove the threaded mode turn it off.
REPORT_EMBEDDED_INLINE = True
