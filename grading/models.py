"""Grades (one current per answer, older ones kept as history) and grading jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Grade(models.Model):
    class Status(models.TextChoices):
        AUTO = "auto", _("Graded automatically")
        NEEDS_REVIEW = "needs_review", _("Needs review")
        OVERRIDDEN = "overridden", _("Graded by a person")

    answer = models.ForeignKey("quizzes.Answer", on_delete=models.CASCADE, related_name="grades")
    is_current = models.BooleanField(_("current"), default=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    score = models.DecimalField(
        _("score"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty while the answer waits for a person to grade it."),
    )
    max_points = models.DecimalField(_("max points"), max_digits=7, decimal_places=2)
    feedback = models.TextField(_("feedback"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    grader = models.CharField(_("grader"), max_length=50)
    grader_version = models.CharField(_("grader version"), max_length=50)
    question_version = models.PositiveIntegerField(_("question version"))
    job = models.ForeignKey(
        "grading.GradingJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="grades"
    )
    calibration_examples = models.JSONField(
        _("calibration examples"),
        default=list,
        blank=True,
        help_text=_(
            "Ids of the overrides (grades by a person, in the same assignment) the engine was given as "
            "examples when it made this grade; empty: not calibrated."
        ),
    )
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(_("overridden at"), null=True, blank=True)
    override_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["answer", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["answer"], condition=Q(is_current=True), name="grade_one_current_per_answer"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=F("max_points")),
                name="grade_score_within_points",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=False) | Q(status="needs_review"), name="grade_only_review_may_lack_score"
            ),
            models.CheckConstraint(
                condition=~Q(status="overridden")
                | (Q(overridden_by__isnull=False, overridden_at__isnull=False) & ~Q(override_reason="")),
                name="grade_override_has_who_when_why",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["auto", "needs_review", "overridden"]), name="grade_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "is_current"], name="grade_status_current")]

    def __str__(self) -> str:
        return f"{self.score}/{self.max_points} ({self.status}) for answer {self.answer_id}"


class GradingJob(models.Model):
    class Kind(models.TextChoices):
        ATTEMPT = "attempt", _("Grade a submitted attempt")
        ASSIGNMENT = "assignment", _("Grade an assignment when its window closes")
        REGRADE = "regrade", _("Regrade after a key or rubric change")
        CALIBRATE = "calibrate", _("Re-score with the instructor's grades as examples")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    assignment = models.ForeignKey(
        "quizzes.Assignment", on_delete=models.CASCADE, null=True, blank=True, related_name="grading_jobs"
    )
    attempt = models.ForeignKey(
        "quizzes.Attempt", on_delete=models.CASCADE, null=True, blank=True, related_name="grading_jobs"
    )
    question = models.ForeignKey(
        "bank.Question", on_delete=models.CASCADE, null=True, blank=True, related_name="grading_jobs"
    )
    total = models.PositiveIntegerField(_("answers to grade"), default=0)
    done = models.PositiveIntegerField(_("answers graded"), default=0)
    failed = models.PositiveIntegerField(_("answers failed"), default=0)
    failed_answers = models.JSONField(_("answers that failed"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    redeliveries = models.JSONField(
        _("redeliveries"),
        default=dict,
        blank=True,
        help_text=_("Chunk (or attempt) -> times the broker delivered it again after its worker was lost."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt"], condition=Q(kind="attempt"), name="grading_job_one_per_attempt"
            ),
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(kind="assignment"), name="grading_job_one_close_per_assignment"
            ),
            models.CheckConstraint(
                condition=Q(done__lte=F("total")) | Q(total=0), name="grading_job_done_within_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}: {self.status} {self.done}/{self.total}"

    @property
    def progress(self) -> float:
        return 1.0 if not self.total else min(1.0, (self.done + self.failed) / self.total)


class ScoreCacheEntry(models.Model):
    """The engine's result for one normalised response under one key, calibration and grader.

    Content-addressed (`grading.services.score_cache.digest`): the primary key is a hash of the
    question, its key/rubric version and content, the calibration examples, the grader's version
    and the normalised response, so an entry can never be stale, only unused. Not a grade: nothing
    reads it but the scoring, and nothing is visible to anyone from it."""

    digest = models.CharField(max_length=64, primary_key=True)
    question = models.ForeignKey("bank.Question", on_delete=models.CASCADE, related_name="+")
    grader_version = models.CharField(_("grader version"), max_length=50)
    result = models.JSONField(_("result"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)  # pruned by age

    def __str__(self) -> str:
        return f"score cache {self.digest[:12]} (question {self.question_id}, {self.grader_version})"


class GradingChunk(models.Model):
    """One chunk of a batch job (its answer ids, as sent in its `grade_chunk` message) and its lease.

    The task that takes a chunk becomes its owner until `lease_expires_at` and renews the lease
    while it scores; the sweeper hands a chunk whose lease expired (its worker died) to another
    worker. Writing the grades is fenced by the lease (`grading.services.leases`): an owner that
    lost it writes nothing."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    job = models.ForeignKey(GradingJob, on_delete=models.CASCADE, related_name="chunks")
    key = models.CharField(_("key"), max_length=40, help_text=_("A digest of the chunk's answer ids."))
    answer_ids = models.JSONField(_("answers"), default=list)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    owner = models.CharField(_("owner"), max_length=200, blank=True, help_text=_("Worker node and process id."))
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    takeovers = models.PositiveSmallIntegerField(
        _("take-overs"), default=0, help_text=_("Times its lease expired and the chunk was handed to another worker.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["job", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["job", "key"], name="grading_chunk_unique_per_job"),
            models.CheckConstraint(
                condition=~Q(status="running") | Q(lease_expires_at__isnull=False, task_id__gt=""),
                name="grading_chunk_running_has_lease",
            ),
        ]
        # What the lease sweeper reads every few seconds: only running chunks, by expiry.
        indexes = [
            models.Index(fields=["lease_expires_at"], condition=Q(status="running"), name="grading_chunk_leases")
        ]

    def __str__(self) -> str:
        return f"chunk {self.pk} of job {self.job_id}: {self.status} ({len(self.answer_ids)} answers)"


class PregradeCursor(models.Model):
    """Where pre-grading has got to (one row): the last answer it examined, in (saved_at, id) order.

    Each tick looks only at answers that became stable since (their last save after the cursor),
    so its cost follows the answers saved, not the size of the exams. Its row lock also makes
    ticks one at a time across every worker (`grading.services.pregrade`)."""

    saved_at = models.DateTimeField(_("last answer's save"), null=True, blank=True)
    answer_id = models.BigIntegerField(_("last answer"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="pregrade_cursor_single_row")]

    def __str__(self) -> str:
        return f"pre-grading cursor at {self.saved_at} / answer {self.answer_id}"


class ScorePassback(models.Model):
    """An attempt's score on its way to a gradebook outside Classroom (an LMS's line item, sent by
    `lti` over LTI Assignment and Grade Services). Grading owns the record, so that the monitor
    can show it without knowing the protocol; one per attempt and line item. `score` is what is
    to be sent, `sent_score` what the gradebook last accepted."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    attempt = models.ForeignKey("quizzes.Attempt", on_delete=models.CASCADE, related_name="passbacks")
    target = models.URLField(_("line item"), max_length=500)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    max_score = models.DecimalField(_("max score"), max_digits=7, decimal_places=2)
    graded_at = models.DateTimeField(
        _("graded at"), help_text=_("When the score was last changed; the timestamp the gradebook receives.")
    )
    tries = models.PositiveIntegerField(_("tries"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_score = models.DecimalField(_("score sent"), max_digits=7, decimal_places=2, null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "target"], name="score_passback_one_per_line_item"),
            models.CheckConstraint(condition=Q(status__in=["pending", "sent", "failed"]), name="score_passback_status"),
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="score_passback_status_updated")]

    def __str__(self) -> str:
        return f"{self.score}/{self.max_score} of attempt {self.attempt_id} → {self.target} ({self.status})"


class SimilarityReport(models.Model):
    """The similarity report of one assignment (`grading.services.similarity`): pairs of students
    whose free-text answers are near-identical beyond the reference answer. Staff only; computed
    by a worker after the window closes, and again when staff ask."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    assignment = models.OneToOneField("quizzes.Assignment", on_delete=models.CASCADE, related_name="similarity_report")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    generation = models.PositiveIntegerField(
        _("generation"),
        default=1,
        help_text=_("Raised by every request to compute; a run stores its result only if no newer request came."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    parameters = models.JSONField(
        _("parameters"), default=dict, blank=True, help_text=_("Algorithm version, thresholds and embedder.")
    )
    questions = models.PositiveIntegerField(_("free-text questions compared"), default=0)
    students = models.PositiveIntegerField(_("students compared"), default=0)
    error = models.TextField(_("error"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]), name="similarity_report_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(computed_at__isnull=False), name="similarity_report_done_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"similarity report of assignment {self.assignment_id}: {self.status}"


class SimilarPair(models.Model):
    """Two students flagged by a report, with the evidence of each question (`engine.similarity.Evidence`
    as JSON: answer ids, the pair's and each one's similarity to the reference)."""

    report = models.ForeignKey(SimilarityReport, on_delete=models.CASCADE, related_name="pairs")
    student_a = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    student_b = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveIntegerField(_("rank"))
    cluster = models.PositiveIntegerField(_("cluster"))
    questions = models.PositiveIntegerField(_("questions"))
    strength = models.FloatField(_("strength"))
    evidence = models.JSONField(_("evidence"), default=list)

    class Meta:
        ordering = ["report", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["report", "student_a", "student_b"], name="similar_pair_once"),
            models.UniqueConstraint(fields=["report", "rank"], name="similar_pair_rank_once"),
            models.CheckConstraint(condition=Q(student_a__lt=F("student_b")), name="similar_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"pair {self.student_a_id}-{self.student_b_id} ({self.questions} questions)"
