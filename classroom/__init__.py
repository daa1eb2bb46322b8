"""Site package (the user's card calls it `platform/`, which would shadow Python's stdlib module)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
