from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bank.interchange.detect import FORMATS
from bank.interchange.files import questions_import_file
from bank.interchange.types import InterchangeError


class Command(BaseCommand):
    help = (
        "Import questions from Moodle XML, GIFT or the bank text format (format detected when omitted). "
        "Atomic: a file with problems imports nothing unless --skip-unsupported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", dest="fmt", choices=FORMATS, help="default: detected from the content")
        parser.add_argument("--course", help="course title (created when missing); default: the only course")
        parser.add_argument(
            "--skip-unsupported",
            action="store_true",
            help="import the supported questions and list the skipped ones instead of importing nothing",
        )

    def handle(self, *args: object, path: Path, fmt: str | None, course: str | None, **options: object) -> None:
        if not path.is_file():
            raise CommandError(f"{path}: {'is a directory' if path.is_dir() else 'no such file'}")
        self.stdout.write(f"Importing questions from {path}")
        try:
            report = questions_import_file(
                data=path.read_bytes(),
                fmt=fmt,
                course_title=course,
                skip_unsupported=bool(options["skip_unsupported"]),
                progress=lambda line: self.stdout.write(f"  {line}"),
            )
        except InterchangeError as exc:
            place = f":{exc.line}" if exc.line else ""
            details = "".join(f"\n  {path}:{p}" for p in exc.problems)
            raise CommandError(f"{path}{place}: {exc.message}{details}") from exc
        for problem in report.skipped:
            self.stderr.write(f"skipped: {path}:{problem}")
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        created = f", {report.chapters_created} chapters created" if report.chapters_created else ""
        self.stdout.write(self.style.SUCCESS(f"{report.course.title} ({report.format}): {report.line()}{created}"))
