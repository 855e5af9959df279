import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from config.secret_key import require_secret_key  # noqa: E402 -- once settings are configured

require_secret_key()  # gunicorn and runserver both load this module: neither starts without it
