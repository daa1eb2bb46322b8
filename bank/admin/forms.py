"""Forms of the bank's admin: lists edited one per line, the answer key's inline rows, the import page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..interchange.detect import FORMATS
from ..models import AcceptedAnswer, RubricPoint


class LinesField(forms.CharField):
    """A list of strings edited one per line (synonyms, keywords) instead of raw JSON."""

    widget = forms.Textarea(attrs={"rows": 2, "cols": 28})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return "" if value is None else str(value)

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            return [str(v) for v in value]
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial) != self.to_python(data)


class AcceptedAnswerForm(forms.ModelForm):
    synonyms = LinesField(label=_("synonyms (one per line)"))

    class Meta:
        model = AcceptedAnswer
        fields = ("position", "text", "synonyms", "is_regex")


class RubricPointForm(forms.ModelForm):
    keywords = LinesField(label=_("keywords (one per line)"))

    class Meta:
        model = RubricPoint
        fields = ("position", "text", "weight", "keywords")
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 60})}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("file"))
    format = forms.ChoiceField(
        label=_("format"),
        choices=[("", _("detect from the content")), *((f, f) for f in FORMATS)],
        required=False,
    )
    course = forms.CharField(
        label=_("course title"),
        required=False,
        help_text=_("Existing or new. Blank: the only course (Moodle XML, GIFT) or the bank's own title."),
    )
    skip_unsupported = forms.BooleanField(
        label=_("skip unsupported questions"),
        required=False,
        help_text=_("Import the rest and list what was skipped, instead of importing nothing."),
    )
