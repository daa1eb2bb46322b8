"""The site's URLs: each app's own URL modules, included under their prefix and namespace.

- `/teach/` (namespace `teach`): the instructor workspace of `classes`, `quizzes` and `grading`;
- `/api/` (namespace `api`): `/api/v1/` of every app, the OpenAPI schema and its docs pages, and a
  JSON 404 for anything else under /api/ (docs/api.md); no trailing slashes, integer ids
  (`<id:...>`, `common.api.IdConverter`, lets a negative id reach the view and get a JSON 404);
- `/lti/` (namespace `lti`): the LMS's way in (LTI 1.3: key set, login, launch; docs/lti.md);
- `/welcome/`: the set-password pages of students enrolled without e-mail (`classes`);
- the student portal (namespace `portal`) at the root.
"""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import permissions
from rest_framework.decorators import api_view, permission_classes, schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from .health import healthz

APPS_WITH_API = ("accounts", "classes", "quizzes", "grading")
APPS_WITH_TEACH_PAGES = ("classes", "quizzes", "grading")


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([permissions.AllowAny])
@schema(None)
def api_not_found(request: Request, *args: object, **kwargs: object) -> None:
    raise NotFound("No such endpoint: see /api/docs/.")


api = [
    path("v1/", include([path("", include(f"{app}.api_urls")) for app in APPS_WITH_API])),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    re_path(r"^.*$", api_not_found, name="not-found"),
]
teach = [path("", include(f"{app}.teach_urls")) for app in APPS_WITH_TEACH_PAGES]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include((api, "api"))),
    path("accounts/", include("accounts.urls")),
    path("welcome/", include("classes.urls")),
    path("lti/", include("lti.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("teach/", include((teach, "teach"))),
    path("", include("quizzes.urls", namespace="portal")),
]
