from django.contrib import admin
from django.urls import include, path

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("classroom.api_urls", namespace="api")),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("teach/", include("classroom.teach_urls", namespace="teach")),
    path("", include("quizzes.urls", namespace="portal")),
]
