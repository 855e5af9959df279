"""The production stack as docker-compose.yml and the Dockerfile describe it, and the start-up
commands its `setup` service runs (safe on every `docker compose up`)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from core.models import Region, UNEntity
from scorecard.models import Framework

ROOT = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
FRAMEWORK = ROOT / "fixtures" / "framework_2018.json"


@pytest.mark.parametrize("name", ["web", "worker", "beat", "db", "redis"])
def test_every_long_running_service_restarts_and_has_a_health_check(name):
    service = SERVICES[name]

    assert service["restart"] == "unless-stopped"
    assert service["healthcheck"]["test"]
    assert not service["healthcheck"].get("disable")


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_the_app_waits_for_setup_and_healthy_dependencies(name):
    assert SERVICES[name]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "setup": {"condition": "service_completed_successfully"},
    }


def test_setup_is_one_shot_and_loads_no_demo_data():
    setup = SERVICES["setup"]
    script = " ".join(setup["command"])

    assert setup["restart"] == "no"
    assert setup["healthcheck"] == {"disable": True}
    assert script.index("migrate") < script.index("import_framework")
    assert "import_framework --if-absent fixtures/framework_2018.json" in script
    assert "load_reference" in script
    assert "demo" not in script


def test_web_probes_health_and_beat_writes_where_it_may():
    assert SERVICES["web"]["healthcheck"]["test"] == ["CMD", "python", "config/healthcheck.py"]
    assert 'CMD ["python", "config/healthcheck.py"]' in DOCKERFILE
    assert "--schedule /tmp/celerybeat-schedule" in SERVICES["beat"]["command"]


def test_the_image_compiles_translations_and_ships_the_pdf_fonts():
    assert "manage.py compile_translations" in DOCKERFILE
    assert "COPY . ." in DOCKERFILE
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert not any(
        entry.strip("/") in {"static", "static/pdf", "static/pdf/fonts"} for entry in ignored
    )
    assert list((ROOT / "static" / "pdf" / "fonts").glob("*.ttf"))


@pytest.mark.django_db
def test_load_reference_is_safe_to_run_again():
    call_command("load_reference", stdout=io.StringIO())
    regions, entities = Region.objects.count(), UNEntity.objects.count()
    call_command("load_reference", stdout=io.StringIO())

    assert regions > 0
    assert entities > 0
    assert (Region.objects.count(), UNEntity.objects.count()) == (regions, entities)


@pytest.mark.django_db
def test_import_framework_if_absent_imports_once_then_keeps_what_was_changed():
    out = io.StringIO()
    call_command("import_framework", str(FRAMEWORK), "--if-absent", stdout=out)
    framework = Framework.objects.get(version="2018")
    assert framework.is_current
    assert "imported: 15 PIs" in out.getvalue()

    # Since then: its name edited in the admin, another framework made the current one.
    Framework.objects.filter(pk=framework.pk).update(name="Edited", is_current=False)
    Framework.objects.create(version="2030", name="Next", is_current=True)
    out = io.StringIO()
    call_command("import_framework", str(FRAMEWORK), "--if-absent", stdout=out)

    framework.refresh_from_db()
    assert framework.name == "Edited"
    assert not framework.is_current
    assert Framework.objects.get(is_current=True).version == "2030"
    assert "already imported" in out.getvalue()


def test_gunicorn_runs_with_its_config_file_and_its_limits():
    """The Dockerfile starts gunicorn with config/gunicorn.conf.py, and gunicorn itself reads it
    to the limits the README documents."""
    from gunicorn.config import Config  # noqa: PLC0415

    assert 'CMD ["gunicorn", "config.wsgi", "--config", "config/gunicorn.conf.py"]' in DOCKERFILE
    config = Config()
    namespace: dict = {"__file__": str(ROOT / "config" / "gunicorn.conf.py")}
    exec(  # noqa: S102 -- our own config file, as gunicorn loads it
        (ROOT / "config" / "gunicorn.conf.py").read_text(encoding="utf-8"), namespace
    )
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)

    assert config.workers == 3
    assert config.timeout == 30
    assert (config.limit_request_line, config.limit_request_fields) == (4094, 100)
    assert config.limit_request_field_size == 8190
    assert config.max_requests == 2000
    assert config.accesslog is None


def test_the_app_services_read_the_required_env_file():
    """.env holds SECRET_KEY, without which web, worker and beat refuse to start: compose stops
    at once with "Couldn't find env file" rather than starting services that exit."""
    for name in ("setup", "web", "worker", "beat"):
        assert SERVICES[name]["env_file"] == ".env"
