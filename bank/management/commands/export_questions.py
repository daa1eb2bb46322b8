from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bank.interchange.detect import FORMATS
from bank.interchange.files import questions_export, questions_to_export
from bank.interchange.mapping import course_for_import
from bank.interchange.types import InterchangeError
from bank.models import Course


class Command(BaseCommand):
    help = "Export the question bank (or one chapter) as Moodle XML, GIFT or the bank text format."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", help="file to write, or - for standard output")
        parser.add_argument("--format", dest="fmt", choices=FORMATS, required=True)
        parser.add_argument("--course", help="course title or slug; default: the only course")
        parser.add_argument("--chapter", type=int, help="only this chapter number")

    def handle(self, *args: object, output: str, fmt: str, course: str | None, chapter: int | None, **_: object):
        try:
            selected = self._course(course)
            export = questions_export(
                questions_to_export(course=selected, chapter_number=chapter), fmt=fmt, course=selected
            )
        except InterchangeError as exc:
            raise CommandError(exc.message) from exc
        if export.count == 0:
            where = f"chapter {chapter} of " if chapter is not None else ""
            raise CommandError(f"nothing to export in {where}{selected.title} as {fmt}")
        notes = self.stderr if output == "-" else self.stdout
        for warning in export.warnings:
            self.stderr.write(f"warning: {warning}")
        if output == "-":
            self.stdout.write(export.text, ending="")
        else:
            try:
                Path(output).write_text(export.text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"{output}: cannot write: {exc.strerror}") from exc
        skipped = f", {len(export.warnings)} warnings" if export.warnings else ""
        notes.write(
            self.style.SUCCESS(f"Exported {export.count} questions of {selected.title} as {fmt} to {output}{skipped}")
        )

    def _course(self, title: str | None) -> Course:
        if title:
            course = Course.objects.filter(title=title).first() or Course.objects.filter(slug=title).first()
            if course is None:
                raise CommandError(f"no course titled '{title}'")
            return course
        return course_for_import(None)
