"""The test runner's settings (pyproject.toml): config/settings.py with a throw-away SECRET_KEY.

Servers the tests start, in the test process (config.wsgi) or as subprocesses that inherit the
environment (Celery workers), then pass the no-key guard (config/secret_key.py);
tests/core/test_secret_key.py checks that guard in subprocesses started without it.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-this-is-not-a-secret-0123456789abcdefghijklmnop")

from config.settings import *  # noqa: E402,F403
