"""No Docker engine runs here: check docker-compose.yml against the code instead."""

from __future__ import annotations

import os
import re
import secrets
import shlex
import subprocess
import sys
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


def worker_argv(compose: dict) -> list[str]:
    """The worker's command without its `nice -n N` prefix."""
    argv = shlex.split(compose["services"]["worker"]["command"])
    return argv[3:] if argv[:2] == ["nice", "-n"] else argv


def test_the_grading_worker_yields_the_cpu_to_the_web(compose):
    argv = shlex.split(compose["services"]["worker"]["command"])
    assert argv[:2] == ["nice", "-n"] and int(argv[2]) >= 10, "the worker must run below the web's priority"
    assert not compose["services"]["web"]["command"].lstrip(">- ").startswith("nice")
    env = compose["services"]["worker"]["environment"]
    assert resolved(env["CELERY_WORKER_CONCURRENCY"], {}) == "2"  # one pool process per core
    assert resolved(env["GRADING_EMBED_THREADS"], {}) == "0"  # cores / pool processes threads each


def consumed_queues(argv: list[str]) -> set[str]:
    assert argv[:4] == ["celery", "-A", "classroom", "worker"] or argv[:4] == [
        ".venv/bin/celery",
        "-A",
        "classroom",
        "worker",
    ]
    return set(argv[argv.index("-Q") + 1].split(","))


def routed_queues() -> set[str]:
    return {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {settings.CELERY_TASK_DEFAULT_QUEUE}


def test_worker_consumes_the_queues_the_code_routes_to(compose):
    queues = consumed_queues(worker_argv(compose))
    assert queues == routed_queues() == {q.name for q in settings.CELERY_TASK_QUEUES}
    assert "pregrade" in queues  # pre-grading during the window (grading.services.pregrade)


def test_the_dev_procfile_worker_consumes_the_same_queues():
    lines = dict(line.split(": ", 1) for line in (ROOT / "Procfile.dev").read_text().splitlines() if ": " in line)
    assert consumed_queues(shlex.split(lines["worker"])) == routed_queues()


def test_every_periodic_task_goes_to_a_queue_the_worker_consumes(compose):
    from classroom.celery import app

    queues = consumed_queues(worker_argv(compose))
    schedule = app.conf.beat_schedule
    assert {"reclaim-chunks-of-dead-workers", "pregrade-stable-answers"} <= set(schedule)
    for entry in schedule.values():
        route = app.amqp.router.route({}, entry["task"])
        assert route["queue"].name in queues, entry["task"]
    assert schedule["reclaim-chunks-of-dead-workers"]["schedule"] == settings.GRADING_LEASE_SWEEP_SECONDS
    assert schedule["pregrade-stable-answers"]["schedule"] == settings.GRADING_PREGRADE_EVERY


def test_beat_and_web_commands_point_at_real_modules(compose):
    assert shlex.split(compose["services"]["beat"]["command"])[:4] == ["celery", "-A", "classroom", "beat"]
    web = compose["services"]["web"]["command"]
    assert "gunicorn classroom.wsgi:application" in web
    assert "import_bank bank/deep_learning_ch8-14.txt" in web and (ROOT / "bank" / "deep_learning_ch8-14.txt").exists()
    from classroom.wsgi import application

    assert callable(application)


# --- the secure default behind a TLS proxy, and `check --deploy` ----------------------------------

INTERPOLATION = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")
SECURE_DEFAULTS = {
    "SESSION_COOKIE_SECURE": "1",
    "CSRF_COOKIE_SECURE": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "TRUSTED_PROXY_COUNT": "1",
}


def resolved(value: str, given: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?error}` with the variables `given` (.env)."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match.groups()
        if given.get(name):
            return given[name]
        if op == "?":
            raise AssertionError(f"compose requires {name}: {arg}")
        return arg if op == "-" else ""

    return INTERPOLATION.sub(one, str(value))


def compose_environment(compose: dict, given: dict[str, str]) -> dict[str, str]:
    return {k: resolved(v, given) for k, v in compose["services"]["web"]["environment"].items()}


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"^[A-Z_]+=", line))


def strong_secret_key() -> str:
    return secrets.token_urlsafe(50)


def test_compose_defaults_to_the_secure_setup_behind_a_tls_proxy(compose):
    env = compose_environment(compose, {"SECRET_KEY": strong_secret_key()})
    assert {k: env[k] for k in SECURE_DEFAULTS} == SECURE_DEFAULTS
    assert env["DEBUG"] == "0" and env["CACHE_URL"].startswith("redis://redis:")
    assert compose["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]  # reached only through the proxy
    assert "127.0.0.1" in env["ALLOWED_HOSTS"].split(",")  # the health check's host
    assert "127.0.0.1:8000/healthz" in " ".join(compose["services"]["web"]["healthcheck"]["test"])


def test_env_example_documents_the_production_values():
    example = env_example()
    assert {k: example[k] for k in SECURE_DEFAULTS} == SECURE_DEFAULTS
    assert example["DEBUG"] == "0"


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`manage.py check --deploy --fail-level WARNING` in a process that sees only `env`."""
    base = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.parametrize("source", ["docker-compose.yml", ".env.example"])
def test_check_deploy_passes_with_the_documented_production_environment(source, compose):
    if source == "docker-compose.yml":
        env = compose_environment(
            compose, {"SECRET_KEY": strong_secret_key(), "ALLOWED_HOSTS": "classroom.example.edu"}
        )
    else:
        env = {**env_example(), "SECRET_KEY": strong_secret_key()}
    done = _check_deploy(env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr


def test_check_deploy_fails_with_the_insecure_old_defaults(compose):
    """The test can fail: the compose file's former defaults (secure cookies off, no HSTS) do."""
    insecure = {"SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0", "SECURE_SSL_REDIRECT": "0"}
    env = compose_environment(compose, {"SECRET_KEY": strong_secret_key(), **insecure, "SECURE_HSTS_SECONDS": "0"})
    done = _check_deploy(env)
    assert done.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in done.stderr + done.stdout, check
