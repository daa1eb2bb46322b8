from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quizzes.bank_format import BankFormatError
from quizzes.bank_import import bank_import, read_bank


class Command(BaseCommand):
    help = "Import a question bank in the course's text format (atomic, idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--course", help="Course title to import into (default: the bank's own title).")

    def handle(self, *args: object, path: Path, course: str | None, **options: object) -> None:
        try:
            bank = read_bank(path)
        except BankFormatError as exc:
            raise CommandError(f"{path}: {exc} (nothing was imported)") from exc
        total = sum(len(c.questions) for c in bank.chapters)
        self.stdout.write(f"Importing {total} questions in {len(bank.chapters)} chapters from {path}")
        summary = bank_import(bank, course_title=course, progress=lambda line: self.stdout.write(f"  {line}"))
        for warning in summary.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.course.title}: {summary.chapters} chapters, {summary.parts} parts; {summary.line()}"
            )
        )
