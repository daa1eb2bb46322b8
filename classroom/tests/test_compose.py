"""No Docker engine runs here: check docker-compose.yml against the code instead."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def variables_read_by_settings() -> set[str]:
    source = (ROOT / "classroom" / "settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))


def variables_in_env_example() -> set[str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if re.match(r"^[A-Z_]+=", line)}


def test_every_setting_variable_is_documented_in_env_example():
    assert variables_read_by_settings() - variables_in_env_example() == set()
    assert variables_in_env_example() - variables_read_by_settings() == set()


def test_compose_has_the_full_stack_with_healthchecks(compose):
    services = compose["services"]
    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no healthcheck"


def test_app_services_set_only_variables_the_settings_read(compose):
    known = variables_read_by_settings()
    for name in ("web", "worker", "beat"):
        env = compose["services"][name]["environment"]
        assert set(env) <= known, f"{name} sets variables the code never reads: {set(env) - known}"
        assert {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY"} <= set(env)
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:" in env["DATABASE_URL"]
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:")
        assert set(compose["services"][name]["depends_on"]) == {"db", "redis"}


def test_database_credentials_match_the_db_service(compose):
    db_env = compose["services"]["db"]["environment"]
    url = compose["services"]["web"]["environment"]["DATABASE_URL"]
    assert url == f"postgres://{db_env['POSTGRES_USER']}:{db_env['POSTGRES_PASSWORD']}@db:5432/{db_env['POSTGRES_DB']}"


def test_worker_consumes_the_queues_the_code_routes_to(compose):
    argv = shlex.split(compose["services"]["worker"]["command"])
    assert argv[:4] == ["celery", "-A", "classroom", "worker"]
    queues = set(argv[argv.index("-Q") + 1].split(","))
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {settings.CELERY_TASK_DEFAULT_QUEUE}
    assert queues == routed == {q.name for q in settings.CELERY_TASK_QUEUES}


def test_beat_and_web_commands_point_at_real_modules(compose):
    assert shlex.split(compose["services"]["beat"]["command"])[:4] == ["celery", "-A", "classroom", "beat"]
    web = compose["services"]["web"]["command"]
    assert "gunicorn classroom.wsgi:application" in web
    assert "import_bank bank/deep_learning_ch8-14.txt" in web and (ROOT / "bank" / "deep_learning_ch8-14.txt").exists()
    from classroom.wsgi import application

    assert callable(application)
