from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bank.bank_format import BankFormatError
from bank.bank_import import bank_import, read_bank
from bank.bank_rubrics import RubricFileError, read_rubrics, rubrics_beside


class Command(BaseCommand):
    help = (
        "Import a question bank in the course's text format (atomic, idempotent), with the rubrics of "
        "its rubric file (<bank>.rubrics.yaml beside it, or --rubrics)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--course", help="Course title to import into (default: the bank's own title).")
        rubrics = parser.add_mutually_exclusive_group()
        rubrics.add_argument(
            "--rubrics",
            type=Path,
            help="Person-written rubrics, YAML (default: the bank's name with .rubrics.yaml, when that file exists).",
        )
        rubrics.add_argument(
            "--no-rubrics",
            action="store_true",
            help="Ignore the rubric file: questions without a person's rubric get a proposed one.",
        )

    def handle(
        self, *args: object, path: Path, course: str | None, rubrics: Path | None, no_rubrics: bool, **options: object
    ) -> None:
        if rubrics is None and not no_rubrics and rubrics_beside(path).is_file():
            rubrics = rubrics_beside(path)
        try:
            bank = read_bank(path)
            rubric_file = read_rubrics(rubrics) if rubrics is not None else None
            total = sum(len(c.questions) for c in bank.chapters)
            self.stdout.write(f"Importing {total} questions in {len(bank.chapters)} chapters from {path}")
            summary = bank_import(
                bank,
                course_title=course,
                rubrics=rubric_file,
                progress=lambda line: self.stdout.write(f"  {line}"),
            )
        except RubricFileError as exc:
            raise CommandError(f"{exc} (nothing was imported)") from exc
        except BankFormatError as exc:
            raise CommandError(f"{path}: {exc} (nothing was imported)") from exc
        for warning in summary.warnings:
            self.stderr.write(f"warning: {warning}")
        if rubric_file is not None:
            self.stdout.write(
                f"  rubrics: {summary.rubrics_from_file} written by a person, from {rubric_file.path} "
                f"({summary.rubrics_changed} set or changed)"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.course.title}: {summary.chapters} chapters, {summary.parts} parts; {summary.line()}"
            )
        )
