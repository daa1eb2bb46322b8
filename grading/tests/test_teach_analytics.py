"""Analytics on a hand-computed case, its CSV tables and plots, the exports, query-count bounds.

The case (points: Q1 = 10, Q2 = 5; None = waiting for review):

    student  Q1  Q2    total/15  fraction  minutes
    S1       10   5    15        1.000     10
    S2        8   1     9        0.600     20
    S3        4   4     8        0.533     30
    S4        0   2     2        0.133     40
    S5        6   None  6        0.400     50

Facility Q1 = (1 + .8 + .4 + 0 + .6) / 5 = 0.56; Q2 = (1 + .2 + .8 + .4) / 4 = 0.60 (S5 pending).
N = 5, k = max(1, round(.27 * 5)) = 1: upper = S1, lower = S4.
D(Q1) = 1.0 − 0.0 = 1.0; D(Q2) = 1.0 − 0.4 = 0.6.
Histogram (10% bands): S4 → band 1, S5 → 4, S3 → 5, S2 → 6, S1 → 9 (100% is in the last band).
Key point "A" of Q1 missed by S3, S4, S5 (3/5); "B" missed by S5 (1/5).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from bank.tests.factories import ChapterFactory, QuestionFactory
from classes.models import Enrollment
from classes.tests.factories import EnrollmentFactory
from grading import analytics
from grading.analytics_rows import analytics_rows
from grading.tests.teach_data import graded_exam

pytestmark = pytest.mark.django_db

D = Decimal
NAMES = ["张伟", "李娜", "王芳", "刘洋", "陈静"]


def kp(a: bool, b: bool) -> list[dict]:
    return [{"text": "A", "covered": a, "strength": 0.9}, {"text": "B", "covered": b, "strength": 0.5}]


@pytest.fixture
def case(section):
    chapter = ChapterFactory(course=section.course, number=3)
    q1 = QuestionFactory(chapter=chapter, ref="1", points=D(10))
    q2 = QuestionFactory(chapter=chapter, ref="2", points=D(5))
    scores = [[D(10), D(5)], [D(8), D(1)], [D(4), D(4)], [D(0), D(2)], [D(6), None]]
    covered = [(True, True), (True, True), (False, True), (False, True), (False, False)]
    return graded_exam(
        section,
        [q1, q2],
        [[f"answer {i}", f"other {i}"] for i in range(5)],
        scores,
        minutes=[10, 20, 30, 40, 50],
        names=NAMES,
        key_points={(i, 0): kp(*c) for i, c in enumerate(covered)},
    )


def test_hand_computed_case(case):
    rows, labels = analytics_rows(case.assignment)
    assert list(labels.values()) == ["Q3.1", "Q3.2"]
    assert analytics.histogram(rows) == [0, 1, 0, 0, 1, 1, 1, 0, 0, 1]
    q1, q2 = analytics.question_stats(rows, labels)
    assert (q1.answers, q1.pending, q1.mean_score, q1.facility, q1.discrimination) == (
        5,
        0,
        5.6,
        pytest.approx(0.56),
        1.0,
    )
    assert (q2.answers, q2.pending, q2.mean_score) == (4, 1, 3.0)
    assert q2.facility == pytest.approx(0.6) and q2.discrimination == pytest.approx(0.6)
    assert q1.median_minutes == q2.median_minutes == 1.0  # saves one minute apart
    assert analytics.time_summary(rows) == {"attempts": 5, "mean": 30.0, "median": 30, "max": 50.0}
    missed = {k.text: (k.missed, k.graded, k.missed_share) for k in analytics.key_point_stats(rows, labels)}
    assert missed == {"A": (3, 5, 0.6), "B": (1, 5, 0.2)}


def test_discrimination_groups_are_27_percent_of_the_class():
    rows = [
        analytics.AttemptRow(i, f"u{i}", "", None, None, [analytics.ItemRow(1, D(score), D(10))])
        for i, score in enumerate([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])
    ]
    upper, lower = analytics.upper_lower_groups(rows)
    assert [r.attempt_id for r in upper] == [0, 1, 2] and [r.attempt_id for r in lower] == [7, 8, 9]  # round(2.7) = 3
    (stats,) = analytics.question_stats(rows, {1: "Q"})
    assert stats.discrimination == pytest.approx(0.9 - 0.2)  # (1+.9+.8)/3 − (.3+.2+.1)/3


def test_time_per_question_follows_the_save_order():
    from datetime import datetime, timedelta

    t0 = datetime(2026, 1, 1, 9, 0)
    row = analytics.AttemptRow(
        1,
        "u",
        "",
        t0,
        t0 + timedelta(minutes=30),
        [
            analytics.ItemRow(1, D(1), D(1), saved_at=t0 + timedelta(minutes=12)),
            analytics.ItemRow(2, D(1), D(1), saved_at=t0 + timedelta(minutes=5)),
            analytics.ItemRow(3, D(1), D(1), saved_at=None),  # never answered
        ],
    )
    assert analytics.question_minutes(row) == {2: 5.0, 1: 7.0}


def test_analytics_page_has_plots_tables_and_csv_with_bom(client, case, instructor, django_assert_max_num_queries):
    client.force_login(instructor)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("teach:analytics", args=[case.assignment.pk]))
    body = page.content.decode()
    assert body.count("<svg") == 2 and "0.56" in body and "60%" in body
    for table, expected in [
        ("questions", "Q3.1,5,0,5.60,10.00,0.560,1.000"),
        ("attempts", "张伟"),
        ("key_points", "Q3.1,A,5,3,0.600"),
    ]:
        response = client.get(reverse("teach:analytics_csv", args=[case.assignment.pk, table]))
        raw = response.content
        assert raw.startswith("\ufeff".encode()) and response["Content-Type"].startswith("text/csv")
        assert expected in raw.decode("utf-8-sig"), table
    assert client.get(reverse("teach:analytics_csv", args=[case.assignment.pk, "nope"])).status_code == 404


def test_plot_labels_are_translated_and_drawn_as_text(client, case, instructor):
    client.force_login(instructor)
    body = client.get(reverse("teach:analytics", args=[case.assignment.pk])).content.decode()
    assert all(f">{label}</text>" in body for label in ("students", "total score", "facility", "discrimination D"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    body = client.get(reverse("teach:analytics", args=[case.assignment.pk])).content.decode()
    assert all(f">{label}</text>" in body for label in ("学生人数", "总分", "得分率", "区分度 D"))
    assert "discrimination D" not in body


def test_gradebook_and_answers_downloads_are_utf8_with_bom(client, case, assistant):
    client.force_login(assistant)
    for name in ("export_gradebook", "export_answers"):
        response = client.get(reverse(f"teach:{name}", args=[case.assignment.pk]))
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff") and "张伟" in text


def test_analytics_query_count_is_bounded_with_a_realistic_class(
    client, section, instructor, django_assert_max_num_queries
):
    chapter = ChapterFactory(course=section.course)
    questions = [QuestionFactory(chapter=chapter, points=D(10)) for _ in range(4)]
    n = 40
    graded_exam(section, questions, [[f"a{i}"] * 4 for i in range(n)], [[D(i % 11)] * 4 for i in range(n)])
    assignment = questions[0].quizitem_set.get().quiz.assignments.get()
    client.force_login(instructor)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("teach:analytics", args=[assignment.pk]))
    assert len(page.context["rows"]) == n


def test_analytics_is_404_for_outsiders_and_403_for_the_sections_students(client, case, student):
    for user, status in ((EnrollmentFactory(role=Enrollment.Role.INSTRUCTOR).user, 404), (student, 403)):
        client.force_login(user)
        url = reverse("teach:analytics_csv", args=[case.assignment.pk, "questions"])
        assert client.get(url).status_code == status
