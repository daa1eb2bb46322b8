from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "grading"
    verbose_name = "Grading"

    def ready(self) -> None:
        from django.conf import settings

        from grading import checks  # noqa: F401  (registers the system checks)
        from grading.engine import trained_model

        trained_model.set_cache_dir(settings.GRADER_MODEL_CACHE or None)
