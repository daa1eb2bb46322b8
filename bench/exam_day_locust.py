"""The students of the exam-day benchmark, for Locust (headless; `bench/exam_day.py` runs it).

Each Locust user is one student and follows the plan `exam_day.py` wrote (EXAM_DAY_PLAN, a JSON
file, absolute times): sign in during the lobby before the window opens (the dashboard follows),
open the start page and start at a moment spread over the start period, open the attempt page,
then autosave a changed answer every `autosave_every` seconds (first save at a random phase);
a share of the students submit in the last tenth of the window, the others stop saving just
before the close and leave it to the server (the beat's tick auto-submits them).

Every request's time goes to the results file (EXAM_DAY_RESULTS, written when Locust quits),
with the errors by kind and, per answer, the last content the server acknowledged (a 200 to the
autosave) and what was sent after it without an acknowledgement, for the check against the
database. The portal's own script sends only the answers that changed: so does this one.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gevent
from locust import FastHttpUser, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from exam_close import Responder  # plain Python: the benchmark's answer writer

PLAN = json.loads(Path(os.environ["EXAM_DAY_PLAN"]).read_text())
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ATTEMPT = re.compile(r"/attempts/(\d+)/")

samples: dict[str, list[float]] = defaultdict(list)
errors: Counter[str] = Counter()
acknowledged: dict[str, Any] = {}  # "attempt:question" -> last content acknowledged
unacknowledged: dict[str, list[Any]] = defaultdict(list)  # sent after it, no 200 seen
attempts: dict[str, int] = {}  # username -> attempt id
finished = {"count": 0}
next_student = iter(range(len(PLAN["students"])))


@events.request.add_listener
def record(request_type: str, name: str, response_time: float, exception: Exception | None, **kwargs: Any) -> None:
    samples[name].append(response_time)
    if exception is not None:
        errors[f"{name}: {str(exception)[:80]}"] += 1


@events.quitting.add_listener
def write_results(environment: Any, **kwargs: Any) -> None:
    Path(os.environ["EXAM_DAY_RESULTS"]).write_text(
        json.dumps(
            {
                "samples": samples,
                "errors": errors,
                "acknowledged": acknowledged,
                "unacknowledged": unacknowledged,
                "attempts": attempts,
                "finished": finished["count"],
            }
        )
    )


def sleep_until(moment: float) -> None:
    gevent.sleep(max(0.0, moment - time.time()))


class Student(FastHttpUser):
    network_timeout = 30.0
    connection_timeout = 30.0

    def on_start(self) -> None:
        index = next(next_student, None)
        if index is None:
            raise StopUser
        self.index = index
        self.username = PLAN["students"][index]
        self.rng = random.Random(f"{PLAN['seed']}:{index}")
        self.writer = Responder(self.rng.randrange(1 << 30))
        self.questions = [SimpleNamespace(**q) for q in PLAN["questions"]]
        self.drafts: dict[int, str] = {}
        times = PLAN["times"]
        self.sign_in_at = self.rng.uniform(times["sign_in_from"], times["sign_in_until"])
        self.start_at = self.rng.uniform(times["opens"], times["start_until"])
        submits = index < round(len(PLAN["students"]) * PLAN["submit_share"])  # exactly the share
        self.submit_at = self.rng.uniform(times["submit_from"], times["closes"] - 2) if submits else None
        # the portal saves a last time at a random moment 2-6 s before the deadline (static/js/portal.js)
        self.last_save_before = times["closes"] - self.rng.uniform(2, 6)

    def expect(self, response: Any, status: int) -> bool:
        """Mark a response with another status as a failure of its kind."""
        if response.status_code == status:
            response.success()
            return True
        response.failure(f"HTTP {response.status_code}")
        return False

    def token(self, html: str) -> str:
        match = CSRF.search(html)
        return match[1] if match else ""

    @task
    def sit_the_exam(self) -> None:
        try:
            self.sign_in()
            self.begin_attempt()
            self.answer()
            if self.submit_at is not None:
                self.submit()
        finally:
            finished["count"] += 1
            if finished["count"] >= len(PLAN["students"]):
                gevent.spawn_later(0.5, self.environment.runner.quit)
        raise StopUser

    def sign_in(self) -> None:
        sleep_until(self.sign_in_at)
        with self.client.get("/accounts/login/", name="login page", catch_response=True) as page:
            if not self.expect(page, 200):
                raise StopUser
            token = self.token(page.text)
        data = {"username": self.username, "password": PLAN["password"], "csrfmiddlewaretoken": token, "next": "/"}
        with self.client.post(
            "/accounts/login/", data=data, name="login", allow_redirects=False, catch_response=True
        ) as r:
            if not self.expect(r, 302):
                raise StopUser
        with self.client.get("/", name="dashboard", catch_response=True) as r:
            self.expect(r, 200)

    def begin_attempt(self) -> None:
        sleep_until(self.start_at)
        url = f"/assignments/{PLAN['assignment']}/start/"
        with self.client.get(url, name="start page", catch_response=True) as page:
            if not self.expect(page, 200):
                raise StopUser
            token = self.token(page.text)
        with self.client.post(
            url, data={"csrfmiddlewaretoken": token}, name="start", allow_redirects=False, catch_response=True
        ) as r:
            if not self.expect(r, 302):
                raise StopUser
            match = ATTEMPT.search(r.headers.get("Location", ""))
            if match is None:
                r.failure("start: no attempt in the redirect")
                raise StopUser
            self.attempt = int(match[1])
        attempts[self.username] = self.attempt
        with self.client.get(f"/attempts/{self.attempt}/", name="attempt page", catch_response=True) as page:
            if not self.expect(page, 200):
                raise StopUser
            self.csrf = self.token(page.text)

    def changed_answer(self) -> dict[str, str]:
        """One question's answer, changed: a first draft, then a sentence more (or rewritten)."""
        question = self.rng.choice(self.questions)
        addition = self.writer.free_text(question, question.language) or "..."
        draft = self.drafts.get(question.pk, "")
        text = addition if not draft or len(draft) > 1500 else f"{draft} {addition}"
        self.drafts[question.pk] = text
        return {str(question.pk): text}

    def answer(self) -> None:
        every = PLAN["autosave_every"]
        moment = time.time() + self.rng.uniform(0.2, every)
        stop = min(self.submit_at or self.last_save_before, self.last_save_before)
        while moment < stop:
            sleep_until(moment)
            self.autosave(self.changed_answer())
            moment += every
        if self.submit_at is None:
            sleep_until(self.last_save_before)
            self.autosave(self.changed_answer())  # the last save, as the portal does before the deadline

    def autosave(self, answers: dict[str, str]) -> None:
        keys = {qid: f"{self.attempt}:{qid}" for qid in answers}
        for qid, key in keys.items():
            unacknowledged[key].append(answers[qid])
        with self.client.post(
            f"/attempts/{self.attempt}/answers/",
            data=json.dumps({"answers": answers}),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf},
            name="autosave",
            catch_response=True,
        ) as r:
            if self.expect(r, 200):
                for qid, key in keys.items():
                    acknowledged[key] = answers[qid]
                    unacknowledged.pop(key, None)

    def submit(self) -> None:
        sleep_until(self.submit_at)
        with self.client.post(
            f"/attempts/{self.attempt}/submit/",
            data={"csrfmiddlewaretoken": self.csrf},
            name="submit",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            self.expect(r, 302)
