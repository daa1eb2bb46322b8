"""Demo data for trying the platform: people, a section, one quiz per chapter, open assignments."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from bank.models import Chapter, Course, Question, QuestionKind
from bank.services import question_create
from classes.models import Enrollment, Section
from classes.services import enrollment_add, section_create
from quizzes.authoring import ItemSpec, assignment_create, quiz_create
from quizzes.models import ReleasePolicy

DEMO_PASSWORD = "classroom-demo"  # noqa: S105 - printed demo login, documented in the README
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军"]


def _user(username: str, display_name: str, *, staff: bool = False) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": display_name, "is_staff": staff}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _question(
    chapter: Chapter,
    number: int,
    kind: str,
    points: int,
    prompt: str,
    *,
    choices: tuple[tuple[str, bool], ...] = (),
    accepted: tuple[tuple[str, list[str]], ...] = (),
    **fields: object,
) -> Question:
    """One demo question with its choices (text, correct) or accepted answers (text, synonyms),
    written by the bank's write service like every other question."""
    return question_create(
        chapter=chapter,
        ref=str(number),
        number=number,
        kind=kind,
        points=points,
        prompt=prompt,
        choices=choices,
        accepted=[(text, synonyms, False) for text, synonyms in accepted],
        **fields,
    )


def _warm_up_chapter(course: Course) -> Chapter:
    """A small chapter with one question of each objective type, so the demo shows instant grading."""
    chapter, created = Chapter.objects.get_or_create(
        course=course, number=0, defaults={"title": "Warm-up (demo questions of every type)", "position": 0}
    )
    if not created:
        return chapter
    _question(
        chapter,
        1,
        QuestionKind.SINGLE_CHOICE,
        2,
        "Which model reads the input in both directions?",
        choices=(("BERT", True), ("GPT", False)),
    )
    _question(
        chapter,
        2,
        QuestionKind.TRUE_FALSE,
        1,
        "The L-infinity norm is stricter than L2 for “non-perceivable” attacks.",
        choices=(("True", True), ("False", False)),
    )
    _question(chapter, 3, QuestionKind.NUMERIC, 1, "Omniglot has how many characters?", numeric_value=1623)
    _question(
        chapter,
        4,
        QuestionKind.SHORT_TEXT,
        2,
        "What is the full name of MAML?",
        accepted=(("Model-Agnostic Meta-Learning", ["模型无关元学习"]),),
        reference_answer="Model-Agnostic Meta-Learning",
    )
    _question(
        chapter,
        5,
        QuestionKind.ENUMERATION,
        4,
        "List at least four ways of passive defense.",
        min_items=4,
        accepted=(
            ("Filter", ["Smoothing", "滤波", "平滑"]),
            ("Image Compression", ["图像压缩", "compression"]),
            ("Generator", ["生成器"]),
            ("Randomization", ["随机化"]),
            ("Adversarial Training", ["对抗训练"]),
        ),
    )
    return chapter


class Command(BaseCommand):
    help = "Create demo people, a section, one quiz per chapter and open assignments (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--students", type=int, default=30)
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off (never on a real site).")

    @transaction.atomic
    def handle(self, *args: object, students: int, force: bool = False, **options: object) -> None:
        if not settings.DEBUG and not force:
            # Every demo account has the same published password: on a real site, open doors.
            raise CommandError(
                "seed_demo creates accounts with a published password; it runs only with DEBUG=1 "
                "(as `make run` sets it) or with --force."
            )
        course = Course.objects.order_by("pk").first()
        if course is None:
            raise CommandError("No course yet: run `python manage.py import_bank bank/deep_learning_ch8-14.txt` first.")
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.com", DEMO_PASSWORD, display_name="Admin")
        instructor = _user("teacher", "齐老师 (Instructor)", staff=True)
        assistant = _user("assistant", "助教 (Assistant)", staff=True)
        section = Section.objects.filter(course=course, name="Deep Learning", term="2026 Autumn").first()
        if section is None:
            section = section_create(course=course, name="Deep Learning", term="2026 Autumn", time_zone="Asia/Shanghai")
        enrollment_add(section=section, user=instructor, role=Enrollment.Role.INSTRUCTOR)
        enrollment_add(section=section, user=assistant, role=Enrollment.Role.ASSISTANT)
        for i in range(1, students + 1):
            name = f"{SURNAMES[(i - 1) % len(SURNAMES)]}{GIVEN[(i - 1) % len(GIVEN)]}"
            enrollment_add(section=section, user=_user(f"student{i:02d}", name), role=Enrollment.Role.STUDENT)
        warm_up = _warm_up_chapter(course)
        now = timezone.now()
        created = 0
        for chapter in course.chapters.order_by("position", "number"):
            title = f"Chapter {chapter.number}: {chapter.title}"
            if section.assignments.filter(quiz__title=title).exists():
                continue
            if chapter == warm_up:
                items = [ItemSpec(question=q) for q in chapter.questions.order_by("position", "pk")]
            else:
                free_text = chapter.questions.order_by("position", "pk").first()
                items = [
                    ItemSpec(question=free_text, points=Decimal(10)),
                    ItemSpec(chapter=chapter, draw=2, points=Decimal(10)),
                ]
            quiz = quiz_create(course=course, title=title, items=items, actor=instructor)
            assignment_create(
                quiz=quiz,
                section=section,
                opens_at=now - timedelta(hours=1),
                closes_at=now + timedelta(days=7),
                time_limit=timedelta(minutes=60),
                max_attempts=2,
                grace_period=timedelta(minutes=2),
                release_policy=ReleasePolicy.AFTER_GRADING,
                actor=instructor,
            )
            created += 1
        self.stdout.write(
            self.style.SUCCESS(f"Demo ready: section “{section}”, {students} students, {created} new assignments.")
        )
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        self.stdout.write("  admin      Django admin (/admin/)")
        self.stdout.write("  teacher    instructor")
        self.stdout.write("  assistant  assistant")
        self.stdout.write(f"  student01 … student{students:02d}  students")
