"""Exam-day benchmark: N signed-in students sit an exam over real HTTP against the stack as deployed.

    .venv/bin/python bench/exam_day.py                      # 1000 students, a 3-minute window
    .venv/bin/python bench/exam_day.py --students 300 --minutes 2
    .venv/bin/python bench/exam_day.py --busy-answers 10000 # the worker grades another exam meanwhile
    .venv/bin/python bench/exam_day.py --smoke              # 5 students, a 20-second window

Loopback only. PostgreSQL and Redis come from the environment: DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/bench_exam_day: created, migrated, and dropped at the end
unless --keep-database), CELERY_BROKER_URL and CACHE_URL (default Redis databases 11 and 10 on
127.0.0.1, flushed before and after: they are the benchmark's own).

What it does:
1. imports the seed bank (`bank/deep_learning_ch8-14.txt` with its rubrics, as `import_bank`
   does), makes a section of N students with a password, and an exam of Q free-text questions of
   the bank (release after close);
2. starts the stack as docker-compose.yml runs it, on 127.0.0.1: gunicorn with 3 sync workers
   (`--web-workers`) and the compose settings (DEBUG off, CONN_MAX_AGE 60, the Redis cache; plain
   HTTP, as the compose file's "local trial" note says), a grading worker at `nice -n 10` with
   2 pool processes and cores / processes model threads, and beat;
3. drives the students with Locust, headless (`bench/exam_day_locust.py`): each signs in during a
   lobby before the window opens (a sign-in is a million PBKDF2 rounds, about half a second of
   CPU: `--sign-in-rate` per second), opens the start page and starts within the first 60 s
   (spread), opens the attempt page, autosaves a changed answer every 15 s, and 80 % submit in
   the last tenth of the window; the others save a last time 2-6 s before the close (as the
   portal does: a random moment per page) and are
   auto-submitted by the beat's tick. The window closes on a whole minute, as real exams do
   (the tick runs on the minute);
4. prints p50/p95/p99/max per step, the errors by kind, the check that every acknowledged save
   is what the database holds, and the time from the close until every answer has a grade.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import exam_close  # noqa: E402  (the exam-close benchmark: its setup helpers)

LOG_DIR = ROOT / "var" / "bench" / "exam_day"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_exam_day"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/11"
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/10"
SECTION_NAME = "Exam-day benchmark"
PREFIX = "examday-"
PASSWORD = "exam-day-bench-password"  # noqa: S105  (the benchmark's throwaway students)
STEPS = ["login page", "login", "dashboard", "start page", "start", "attempt page", "autosave", "submit"]
# A 15-second lobby: five sign-ins (half a CPU-second each) must be done before the 20-second window.
SMOKE = {
    "students": 5,
    "minutes": 20 / 60,
    "start_spread": 3.0,
    "autosave_every": 2.0,
    "tick": 2.0,
    "sign_in_rate": 1 / 3,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=3, help="free-text questions of the exam")
    parser.add_argument("--minutes", type=float, default=3.0, help="length of the window")
    parser.add_argument("--start-spread", type=float, default=60.0, help="seconds over which students start")
    parser.add_argument("--autosave-every", type=float, default=15.0, help="seconds between a student's saves")
    parser.add_argument("--submit-share", type=float, default=0.8, help="students who submit themselves")
    parser.add_argument("--sign-in-rate", type=float, default=3.0, help="sign-ins per second in the lobby")
    parser.add_argument("--web-workers", type=int, default=3, help="gunicorn sync workers (compose: 3)")
    parser.add_argument("--worker-concurrency", type=int, default=2, help="grading pool processes (compose: 2)")
    parser.add_argument(
        "--busy-answers", type=int, default=0, help="answers of another exam that close as the window opens"
    )
    parser.add_argument("--grading-timeout", type=float, default=900.0, help="seconds to wait for the grades")
    parser.add_argument("--keep-database", action="store_true", help="reuse the database and keep it")
    parser.add_argument("--smoke", action="store_true", help="5 students, a 20-second window, a 2-second tick")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    args.tick = 0.0  # the deployed tick: every minute, on the minute
    if args.smoke:
        for name, value in SMOKE.items():
            setattr(args, name, value)
    return args


# --- environment ----------------------------------------------------------------------------------


def require_loopback(*urls: str) -> None:
    for url in urls:
        host = urlparse(url).hostname or ""
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            sys.exit(f"bench: {url} is not on this machine; the benchmark runs on loopback only")


def flush_redis() -> None:
    import redis

    for url in (os.environ["CELERY_BROKER_URL"], os.environ["CACHE_URL"]):
        redis.Redis.from_url(url).flushdb()


def database_name() -> str:
    return urlparse(os.environ["DATABASE_URL"]).path.lstrip("/")


def drop_database() -> None:
    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database_name()}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the exam -------------------------------------------------------------------------------------


def build_exam(args: argparse.Namespace):
    """The section, its N students with a password, and an exam of Q free-text questions of the bank."""
    from django.utils import timezone

    from classes.models import Section
    from quizzes import authoring

    course = exam_close.import_seed_bank()
    exam_close.remove_section(SECTION_NAME, user_prefix=PREFIX)
    questions = random.Random(args.seed).sample(exam_close.free_text_questions(course), args.questions)
    quiz = authoring.quiz_create(
        course=course,
        title=f"Exam day {args.students} students",
        items=[authoring.ItemSpec(question=q) for q in questions],
    )
    section = Section.objects.create(course=course, name=SECTION_NAME, term="bench")
    users = exam_close.students_create(section, args.students, prefix=PREFIX, password=PASSWORD)
    later = timezone.now() + timedelta(days=1)  # the real window is set once the stack runs
    assignment = authoring.assignment_create(
        quiz=quiz, section=section, opens_at=later, closes_at=later + timedelta(hours=1)
    )
    return assignment, questions, [u.username for u in users]


def schedule(args: argparse.Namespace) -> dict[str, float]:
    """Absolute times (epoch seconds): the lobby, then the window, which closes on a whole minute
    when the tick is the deployed one (the lobby grows by what that takes)."""
    window = args.minutes * 60
    lobby = max(2.0, args.students / args.sign_in_rate)
    sign_in_from = time.time() + 3  # Locust's own start
    closes = sign_in_from + lobby + window
    if not args.tick:
        closes = math.ceil(closes / 60) * 60 - 0.5  # the tick at :00 finds it closed
    opens = closes - window
    return {
        "sign_in_from": sign_in_from,
        "sign_in_until": sign_in_from + lobby,
        "opens": opens,
        "start_until": opens + min(args.start_spread, window / 3),
        "submit_from": closes - window / 10,
        "closes": closes,
    }


def set_window(assignment, times: dict[str, float]) -> None:
    from quizzes import authoring

    moment = lambda t: datetime.fromtimestamp(t, tz=UTC)  # noqa: E731
    authoring.assignment_update(
        assignment=assignment, opens_at=moment(times["opens"]), closes_at=moment(times["closes"])
    )


def close_busy_exam(busy) -> None:
    """Put the other exam's close in the past: the next tick auto-submits its stragglers and
    starts its batch job, which the worker grades while the students answer."""
    from django.utils import timezone

    from quizzes.models import Assignment, Attempt

    past = timezone.now() - timedelta(seconds=1)
    Assignment.objects.filter(pk=busy.assignment.pk).update(closes_at=past, grace_period=timedelta(0))
    Attempt.objects.filter(assignment=busy.assignment).update(deadline=past)


# --- the stack ------------------------------------------------------------------------------------


def stack_environment(args: argparse.Namespace) -> dict[str, str]:
    """docker-compose.yml's app environment, on loopback over plain HTTP (its "local trial" note)."""
    return {
        **os.environ,
        "DEBUG": "0",
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "INFO",
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "TRUSTED_PROXY_COUNT": "0",
        "CELERY_WORKER_CONCURRENCY": str(args.worker_concurrency),
        "GRADING_EMBED_THREADS": "0",
        "CLOSE_TICK_SECONDS": str(args.tick),
        "PYTHONUNBUFFERED": "1",
    }


def compose_worker_queues() -> str:
    """The queues docker-compose.yml's worker consumes (its `-Q`): the benchmark's worker takes the
    same, the low-priority `pregrade` queue included (without it nothing is pre-graded)."""
    import shlex

    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = shlex.split(compose["services"]["worker"]["command"])
    return command[command.index("-Q") + 1]


def start_stack(args: argparse.Namespace, port: int) -> list:
    from grading.tests.processes import CELERY, CeleryWorker, LoggedProcess

    env = stack_environment(args)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    web = LoggedProcess(
        "web",
        [
            gunicorn,
            "classroom.wsgi:application",
            *("--bind", f"127.0.0.1:{port}", "--workers", str(args.web_workers)),
            *("--access-logfile", str(LOG_DIR / "access.log")),
        ],
        log_dir=LOG_DIR,
        env=env,
    )
    worker = CeleryWorker(
        "worker",
        broker_url=env["CELERY_BROKER_URL"],
        log_dir=LOG_DIR,
        concurrency=args.worker_concurrency,
        queues=compose_worker_queues(),
        env={"CONN_MAX_AGE": "60", **{k: env[k] for k in ("GRADING_EMBED_THREADS", "CLOSE_TICK_SECONDS")}},
        nice=10,
    )
    beat_schedule = LOG_DIR / "celerybeat-schedule"
    for old in LOG_DIR.glob("celerybeat-schedule*"):
        old.unlink()  # a fresh schedule: a stale one would run the ticks it thinks it missed
    beat = LoggedProcess(
        "beat",
        [str(CELERY), "-A", "classroom", "beat", "--loglevel=INFO", "--schedule", str(beat_schedule)],
        log_dir=LOG_DIR,
        env=env,
    )
    stack = [web, worker, beat]
    for process in stack:
        process.log_path.unlink(missing_ok=True)
        process.start()
    return stack


def wait_for_stack(stack: list, port: int) -> None:
    web, worker, _ = stack
    worker.wait_ready(timeout=600)
    deadline = time.monotonic() + 300
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or not web.alive:
            raise SystemExit(f"bench: gunicorn did not come up:\n{web.log()[-2000:]}")
        time.sleep(0.5)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its reaped children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def stack_cpu(stack: list) -> dict[str, float]:
    """CPU seconds used so far by the web (gunicorn's workers) and the grading worker (its pool)."""
    used = {}
    for process in stack[:2]:
        total = 0.0
        for pid in [process.pid, *process.children()]:
            try:
                total += cpu_seconds(pid)
            except FileNotFoundError:
                pass
        used[process.name] = total
    return used


# --- the drive ------------------------------------------------------------------------------------


def drive(args: argparse.Namespace, port: int, plan: dict, busy) -> dict:
    """Run Locust headless on the plan; returns what it recorded."""
    plan_path, results_path = LOG_DIR / "plan.json", LOG_DIR / "results.json"
    plan_path.write_text(json.dumps(plan))
    results_path.unlink(missing_ok=True)
    times = plan["times"]
    run_time = math.ceil(times["closes"] - time.time() + 30)
    locust = str(Path(sys.executable).with_name("locust"))
    command = [locust, "-f", str(ROOT / "bench" / "exam_day_locust.py"), "--headless", "--only-summary"]
    command += ["-u", str(args.students), "-r", str(max(10, args.students // 10)), "--run-time", f"{run_time}s"]
    command += ["--host", f"http://127.0.0.1:{port}", "--loglevel", "WARNING", "--stop-timeout", "10"]
    env = {**os.environ, "EXAM_DAY_PLAN": str(plan_path), "EXAM_DAY_RESULTS": str(results_path)}
    with (LOG_DIR / "locust.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        try:
            if busy is not None:
                time.sleep(max(0.0, times["opens"] - time.time()))
                close_busy_exam(busy)
            process.wait(timeout=run_time + 60)
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
    if not results_path.exists():
        raise SystemExit(f"bench: Locust wrote no results (see {LOG_DIR / 'locust.log'})")
    return json.loads(results_path.read_text())


def wait_for_grades(assignment, closes: float, timeout: float) -> tuple[float | None, int, int]:
    """Seconds from the close until no attempt runs and every answer has a current grade
    (None past `timeout`), with the answers graded and their total."""
    from grading.models import Grade
    from quizzes.models import Answer, Attempt

    answers = Answer.objects.filter(attempt__assignment=assignment)
    while True:
        running = Attempt.objects.filter(assignment=assignment, status=Attempt.Status.IN_PROGRESS).exists()
        total = answers.count()
        graded = Grade.objects.filter(answer__in=answers, is_current=True).count()
        if not running and graded == total:
            return time.time() - closes, graded, total
        if time.time() - closes > timeout:
            return None, graded, total
        time.sleep(0.25)


def waiting_for_review(assignment) -> tuple[int, int]:
    """(answers, attempts) whose engine grade is below the review threshold: these attempts stay
    'submitted' until a person reviews them, by design."""
    from grading.models import Grade

    waiting = Grade.objects.filter(
        answer__attempt__assignment=assignment, is_current=True, status=Grade.Status.NEEDS_REVIEW
    )
    return waiting.count(), waiting.values("answer__attempt_id").distinct().count()


def check_saves(results: dict) -> tuple[int, int, list[str]]:
    """(answers checked, stored though not acknowledged, lost): every acknowledged save must be
    what the database holds, unless a later save, sent but not acknowledged, got there."""
    from quizzes.models import Answer

    stored = {
        f"{a}:{q}": r
        for a, q, r in Answer.objects.filter(attempt_id__in=results["attempts"].values()).values_list(
            "attempt_id", "question_id", "response"
        )
    }
    late, lost = 0, []
    for key, content in results["acknowledged"].items():
        if stored.get(key) == content:
            continue
        if stored.get(key) in results["unacknowledged"].get(key, []):
            late += 1
        else:
            lost.append(key)
    return len(results["acknowledged"]), late, lost


# --- the report -----------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def report_requests(args, results, saves, cpu, load) -> bool:
    """Print the table of the steps, the errors and the check of the saves (before the wait for
    the grades, which may be long); True when every student got through without an error or a
    lost save."""
    samples = results["samples"]
    print(f"\n{args.students} students, {args.questions} questions, a {args.minutes * 60:.0f}-second window")
    print("\n| step | requests | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |")
    print("|---|---:|---:|---:|---:|---:|")
    for step in STEPS + sorted(set(samples) - set(STEPS)):
        values = samples.get(step, [])
        if values:
            cells = " | ".join(f"{percentile(values, p):.0f}" for p in (0.5, 0.95, 0.99, 1.0))
            print(f"| {step} | {len(values)} | {cells} |")
    errors = results["errors"]
    print(f"\nerrors: {sum(errors.values())}" + "".join(f"\n  {n} x {kind}" for kind, n in sorted(errors.items())))
    checked, late, lost = saves
    print(
        f"acknowledged saves: {checked} answers checked against the database, {len(lost)} lost"
        f"{f' ({lost[:5]} ...)' if lost else ''}, {late} held a later save that was sent but not acknowledged"
    )
    requests = sum(len(v) for v in samples.values())
    print(
        f"CPU: web {cpu['web']:.0f}s ({1000 * cpu['web'] / max(1, requests):.1f} ms per request), "
        f"grading worker {cpu['worker']:.0f}s until the close; load average {load[0]:.1f} before, "
        f"{load[1]:.1f} at the close",
        flush=True,
    )
    return results["finished"] == args.students and not errors and not lost


def report_grading(args, grading, review: tuple[int, int], cpu) -> bool:
    seconds, graded, total = grading
    if seconds is None:
        print(f"grading: {graded} of {total} answers graded {args.grading_timeout:.0f}s after the close (timeout)")
    else:
        print(f"grading: all {total} answers graded {seconds:.1f}s after the close")
    print(f"review: {review[0]} answers below the review threshold; {review[1]} attempts wait for a person")
    print(f"CPU of the grading worker in all: {cpu['worker']:.0f}s; logs: {LOG_DIR}")
    return seconds is not None


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench: stopped (SIGTERM)"))  # the finally cleans up
    exam_close.configure_environment(DEFAULT_DATABASE_URL, DEFAULT_BROKER_URL)
    os.environ.setdefault("CACHE_URL", DEFAULT_CACHE_URL)
    require_loopback(os.environ["DATABASE_URL"], os.environ["CELERY_BROKER_URL"], os.environ["CACHE_URL"])
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    if not args.keep_database:
        drop_database()  # what a crashed run left (the name is the benchmark's own)
    exam_close.ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    stack: list = []
    clean = False
    try:
        call_command("migrate", verbosity=0)
        flush_redis()
        port = free_port()
        stack = start_stack(args, port)  # it boots while the exam is built
        started = time.monotonic()
        assignment, questions, students = build_exam(args)
        busy = exam_close.build_exam(args.busy_answers // 10, 10, args.seed) if args.busy_answers else None
        print(f"exam built in {time.monotonic() - started:.0f}s; waiting for the stack ...", flush=True)
        wait_for_stack(stack, port)
        times = schedule(args)
        set_window(assignment, times)
        plan = {
            "assignment": assignment.pk,
            "students": students,
            "password": PASSWORD,
            "questions": [
                {
                    "pk": q.pk,
                    "prompt": q.prompt,
                    "reference_answer": q.reference_answer,
                    "language": "zh" if i % 2 == 0 else "en",
                }
                for i, q in enumerate(questions)
            ],
            "times": times,
            "autosave_every": args.autosave_every,
            "submit_share": args.submit_share,
            "seed": args.seed,
        }
        print(
            f"lobby {times['opens'] - times['sign_in_from']:.0f}s, window opens "
            f"{datetime.fromtimestamp(times['opens'], tz=UTC):%H:%M:%S} and closes "
            f"{datetime.fromtimestamp(times['closes'], tz=UTC):%H:%M:%S} UTC",
            flush=True,
        )
        load_before = os.getloadavg()[0]
        results = drive(args, port, plan, busy)
        load_close = os.getloadavg()[0]
        connections.close_all()
        served = report_requests(args, results, check_saves(results), stack_cpu(stack), (load_before, load_close))
        grading = wait_for_grades(assignment, times["closes"], args.grading_timeout)
        clean = report_grading(args, grading, waiting_for_review(assignment), stack_cpu(stack)) and served
    finally:
        for process in reversed(stack):
            process.stop(timeout=20)
        connections.close_all()
        flush_redis()
        if not args.keep_database:
            drop_database()
    if not clean:
        sys.exit("bench: the run was not clean (see above)")


if __name__ == "__main__":
    main()
