"""Start-up regressions: a worker imports modules in a different order than the web server."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def test_api_conventions_can_be_the_first_api_module_imported():
    # It used to import rest_framework.views at module level, whose import reads the API settings
    # that name this very module: a circular import that crashed the Celery worker at start.
    code = "import django; django.setup(); import common.api; import rest_framework.views"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "classroom.settings", "SECRET_KEY": "x"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
