"""Review queue: grouping by meaning, one decision per group, splits, per-answer overrides with the
audit trail, regrades keeping overrides, exports; query-count bounds; permissions."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from django.urls import reverse

from bank.tests.factories import ChapterFactory, QuestionFactory, single_choice_question
from classes.models import Enrollment
from classes.tests.factories import EnrollmentFactory
from grading import review, selectors, services
from grading.models import Grade
from grading.tests.teach_data import FakeEmbedder, graded_exam
from quizzes import services as quiz_services
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory

pytestmark = pytest.mark.django_db

RESPONSES = [
    "Autoencoders learn a compact representation",
    "autoencoders learn a compact representation!",  # exact duplicate once normalised
    "Autoencoders compress the input",  # same meaning (same "topic" for the fake embedder)
    "Noise is removed",
    "",
]


@pytest.fixture(autouse=True)
def fake_embedder(monkeypatch):
    fake = FakeEmbedder()
    monkeypatch.setattr(review, "get_embedder", lambda: fake)
    return fake


@pytest.fixture
def exam(section):
    question = QuestionFactory(chapter=ChapterFactory(course=section.course), points=Decimal(10))
    return graded_exam(section, [question], [[r] for r in RESPONSES], [[None]] * len(RESPONSES))


def test_cluster_is_greedy_leader_clustering_by_cosine():
    vectors = np.array([[1, 0], [0.95, 0.312], [0, 1], [0.3, 0.954]], dtype=float)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert review.cluster(vectors, threshold=0.92) == [[0, 1], [2, 3]]


def test_groups_join_exact_duplicates_and_similar_meaning_largest_first(exam, fake_embedder):
    groups = review.review_groups(exam.assignment, exam.questions[0])
    assert [g.size for g in groups] == [3, 1, 1]
    assert groups[0].text == RESPONSES[0] and not groups[0].exact
    assert {a.response for a in groups[0].answers} == set(RESPONSES[:3])
    assert "" in [g.text for g in groups]  # blank answers are a group of their own, never embedded
    assert all("" not in call for call in fake_embedder.calls)
    assert len(fake_embedder.calls[0]) == 3  # distinct normalised texts only


def test_grouping_falls_back_to_exact_groups_when_the_embedder_fails(exam, monkeypatch):
    class Broken:
        def embed(self, texts):
            raise RuntimeError("model missing")

    monkeypatch.setattr(review, "get_embedder", lambda: Broken())
    assert [g.size for g in review.review_groups(exam.assignment, exam.questions[0])] == [2, 1, 1, 1]


def test_one_decision_grades_the_whole_group_with_audit_rows(client, exam, assistant):
    question = exam.questions[0]
    group = review.review_groups(exam.assignment, question)[0]
    client.force_login(assistant)
    response = client.post(
        reverse("teach:review_grade", args=[exam.assignment.pk, question.pk]),
        {"answer": group.answer_ids, "score": "8", "reason": "Main idea is there"},
    )
    assert response.status_code == 302
    grades = Grade.objects.filter(answer_id__in=group.answer_ids, is_current=True)
    assert {(g.status, g.score, g.override_reason, g.overridden_by_id) for g in grades} == {
        (Grade.Status.OVERRIDDEN, Decimal(8), "Main idea is there", assistant.pk)
    }
    for answer_id in group.answer_ids:
        trail = selectors.grade_history(answer_id)
        assert (trail[-1].old_score, trail[-1].new_score, trail[-1].by) == (None, Decimal("8.00"), assistant.shown_name)
    assert [g.size for g in review.review_groups(exam.assignment, question)] == [1, 1]


def test_the_confirmation_counts_answers_in_the_singular_and_the_plural(client, exam, assistant):
    question = exam.questions[0]
    url = reverse("teach:review_grade", args=[exam.assignment.pk, question.pk])
    group = review.review_groups(exam.assignment, question)[0]
    client.force_login(assistant)
    body = client.post(url, {"answer": group.answer_ids[:1], "score": "8", "reason": "ok"}, follow=True)
    assert "1 answer graded." in body.content.decode() and "1 answers" not in body.content.decode()
    body = client.post(url, {"answer": group.answer_ids[1:], "score": "8", "reason": "ok"}, follow=True)
    assert f"{len(group.answer_ids) - 1} answers graded." in body.content.decode()


def test_unticked_answers_are_split_off_and_stay_in_the_queue(client, exam, assistant):
    question = exam.questions[0]
    group = review.review_groups(exam.assignment, question)[0]
    keep, split = group.answer_ids[:2], group.answer_ids[2]
    client.force_login(assistant)
    client.post(
        reverse("teach:review_grade", args=[exam.assignment.pk, question.pk]),
        {"answer": keep, "score": "7", "reason": "ok"},
    )
    remaining = review.review_groups(exam.assignment, question)
    assert split in [i for g in remaining for i in g.answer_ids]
    assert Grade.objects.get(answer_id=split, is_current=True).status == Grade.Status.NEEDS_REVIEW


def test_group_decision_needs_a_reason(client, exam, assistant):
    question = exam.questions[0]
    ids = review.review_groups(exam.assignment, question)[0].answer_ids
    client.force_login(assistant)
    client.post(
        reverse("teach:review_grade", args=[exam.assignment.pk, question.pk]),
        {"answer": ids, "score": "7", "reason": " "},
    )
    assert not Grade.objects.filter(answer_id__in=ids, status=Grade.Status.OVERRIDDEN).exists()


def test_answers_of_other_assignments_cannot_be_slipped_into_a_group(client, exam, assistant, section):
    other = graded_exam(section, exam.questions, [["x"]], [[None]])
    foreign = other.answer(other.attempts[0], exam.questions[0]).pk
    client.force_login(assistant)
    client.post(
        reverse("teach:review_grade", args=[exam.assignment.pk, exam.questions[0].pk]),
        {"answer": [foreign], "score": "1", "reason": "no"},
    )
    assert Grade.objects.get(answer_id=foreign, is_current=True).status == Grade.Status.NEEDS_REVIEW


def test_answer_page_overrides_with_reason_and_shows_the_trail(client, exam, instructor):
    answer = exam.answer(exam.attempts[3], exam.questions[0])
    client.force_login(instructor)
    url = reverse("teach:answer", args=[answer.pk])
    assert client.post(url, {"score": "3", "reason": ""}).status_code == 200  # refused: reason required
    assert client.post(url, {"score": "3", "reason": "Partly"}).status_code == 302
    page = client.get(url)
    trail = page.context["trail"]
    assert [(c.new_score, c.why) for c in trail][-1] == (Decimal("3.00"), "Partly")
    assert "Partly" in page.content.decode() and instructor.shown_name in page.content.decode()


def test_answer_page_marks_the_evidence_of_each_covered_key_point(client, exam, instructor):
    answer = exam.answer(exam.attempts[0], exam.questions[0])
    grade = Grade.objects.get(answer=answer, is_current=True)
    evidence = answer.response.split()[0]
    grade.details = {
        "key_points": [
            {"text": "The first idea", "covered": True, "strength": 0.9, "state": "covered", "evidence": evidence},
            {"text": "The second idea", "covered": False, "strength": 0.1, "state": "contradicted", "evidence": ""},
        ]
    }
    grade.save(update_fields=["details"])
    client.force_login(instructor)
    page = client.get(reverse("teach:answer", args=[answer.pk])).content.decode()
    assert f'data-point="1" title="Key point 1">{evidence}<sup>1</sup></mark>' in page
    assert "Contradicted" in page and "Covered by" in page


def test_answer_page_refuses_to_grade_an_attempt_still_in_progress(client, section, instructor, student):
    assignment = AssignmentFactory(section=section, quiz__course=section.course)
    question = QuestionFactory(chapter=ChapterFactory(course=section.course))
    QuizItemFactory(quiz=assignment.quiz, question=question)
    attempt = quiz_services.attempt_start(assignment=assignment, student=student)
    answer = quiz_services.answer_save(attempt=attempt, question_id=question.pk, response="a draft")
    client.force_login(instructor)
    page = client.post(reverse("teach:answer", args=[answer.pk]), {"score": "3", "reason": "early"})
    assert page.status_code == 200 and "still in progress" in page.content.decode()
    assert not Grade.objects.filter(answer=answer).exists()


def test_review_pages_query_counts_are_bounded(client, section, instructor, django_assert_max_num_queries):
    question = QuestionFactory(chapter=ChapterFactory(course=section.course))
    graded_exam(section, [question], [[f"topic{i % 7} answer {i}"] for i in range(60)], [[None]] * 60)
    assignment = question.quizitem_set.get().quiz.assignments.get()
    client.force_login(instructor)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("teach:review", args=[assignment.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        page = client.get(reverse("teach:review_question", args=[assignment.pk, question.pk]))
    assert sum(g.size for g in page.context["groups"]) == 60 and len(page.context["groups"]) == 7


def test_review_pages_are_404_outside_the_section_and_403_for_its_students(client, exam, student):
    answer = exam.answer(exam.attempts[0], exam.questions[0])
    owner = exam.attempts[0].student
    for user, status in ((EnrollmentFactory(role=Enrollment.Role.INSTRUCTOR).user, 404), (student, 403)):
        client.force_login(user)
        assert (
            client.get(reverse("teach:review_question", args=[exam.assignment.pk, exam.questions[0].pk])).status_code
            == status
        )
        post = client.post(
            reverse("teach:review_grade", args=[exam.assignment.pk, exam.questions[0].pk]),
            {"answer": [answer.pk], "score": "1", "reason": "x"},
        )
        assert post.status_code == status
    # another student's answer stays hidden from a classmate; its own student is refused
    client.force_login(student)
    assert client.get(reverse("teach:answer", args=[answer.pk])).status_code == 404
    client.force_login(owner)
    assert client.get(reverse("teach:answer", args=[answer.pk])).status_code == 403
    assert Grade.objects.get(answer=answer, is_current=True).status == Grade.Status.NEEDS_REVIEW


# Regrade ----------------------------------------------------------------------------------------


@pytest.fixture
def choice_exam(section):
    assignment = AssignmentFactory(section=section, quiz__course=section.course)
    question = single_choice_question(chapter__course=section.course)
    QuizItemFactory(quiz=assignment.quiz, question=question)
    wrong = question.choices.get(is_correct=False)
    attempts = []
    for _ in range(3):
        student = EnrollmentFactory(section=section).user
        attempt = quiz_services.attempt_start(assignment=assignment, student=student)
        quiz_services.answer_save(attempt=attempt, question_id=question.pk, response=str(wrong.pk))
        quiz_services.attempt_submit(attempt=attempt)
        services.attempt_grade(attempt.pk)
        attempts.append(attempt)
    return assignment, question, attempts


def _change_key(question):
    question.choices.update(is_correct=False)
    question.choices.filter(pk=question.choices.order_by("position").last().pk).update(is_correct=True)
    from bank.services import question_key_changed

    question_key_changed(question)


def test_regrade_dry_run_shows_old_new_and_kept_overrides_then_applies(client, choice_exam, instructor):
    assignment, question, attempts = choice_exam
    overridden = attempts[0].answers.get()
    services.grade_override(answer_ids=[overridden.pk], score="1", reason="Half right", actor=instructor)
    _change_key(question)
    client.force_login(instructor)
    page = client.get(reverse("teach:regrade", args=[assignment.pk]), {"question": question.pk})
    rows = {r.answer_id: r for r in page.context["rows"]}
    assert rows[overridden.pk].overridden and not rows[overridden.pk].changes
    assert page.context["changes"] == 2 and page.context["kept"] == 1
    assert "override kept" in page.content.decode()
    assert Grade.objects.filter(answer__attempt__assignment=assignment, is_current=True, score=2).count() == 0
    response = client.post(reverse("teach:regrade", args=[assignment.pk]), {"question": question.pk})
    assert response.status_code == 302
    services.grade_answers([a.answers.get().pk for a in attempts])  # what the regrade job's chunks do
    current = {g.answer_id: g for g in Grade.objects.filter(answer__attempt__assignment=assignment, is_current=True)}
    assert current[overridden.pk].status == Grade.Status.OVERRIDDEN and current[overridden.pk].score == Decimal("1.00")
    assert sorted(g.score for g in current.values()) == [Decimal("1.00"), Decimal("2.00"), Decimal("2.00")]
    trail = selectors.grade_history(attempts[1].answers.get().pk)
    assert [(c.old_score, c.new_score) for c in trail] == [(None, Decimal("0.00")), (Decimal("0.00"), Decimal("2.00"))]


def test_assistant_may_preview_but_not_apply_a_regrade(client, choice_exam, assistant):
    assignment, question, _ = choice_exam
    client.force_login(assistant)
    assert client.get(reverse("teach:regrade", args=[assignment.pk]), {"question": question.pk}).status_code == 200
    assert client.post(reverse("teach:regrade", args=[assignment.pk]), {"question": question.pk}).status_code == 403
