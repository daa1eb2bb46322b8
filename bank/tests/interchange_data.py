"""A small bank with one question of every kind Moodle XML and GIFT can hold (shared by the tests)."""

from __future__ import annotations

from decimal import Decimal

from bank.interchange.text import wildcard_to_regex
from bank.language import question_language
from bank.models import AcceptedAnswer, Chapter, Choice, Course, Part, Question, QuestionKind

TRICKY = "Which is **bidirectional**? `a{b}` ~ = # : <b>not html</b> a->b \\n 1. list"


def every_kind_bank(title: str = "Deep Learning") -> Course:
    course = Course.objects.create(title=title, slug="deep-learning")
    ssl = Chapter.objects.create(course=course, number=8, title="SSL", position=1)
    gen = Chapter.objects.create(course=course, number=9, title="生成模型 Generative", position=2)
    part = Part.objects.create(chapter=ssl, numeral="I", title="Autoencoder", position=1)

    def question(chapter: Chapter, ref: str, kind: str, prompt: str, **fields) -> Question:
        number = int(ref.split(".")[-1])
        language = question_language(prompt)
        return Question.objects.create(
            chapter=chapter,
            ref=ref,
            number=number,
            position=number,
            kind=kind,
            prompt=prompt,
            language=language,
            **fields,
        )

    single = question(
        ssl, "1", QuestionKind.SINGLE_CHOICE, TRICKY, points=Decimal(2), reference_answer="BERT reads both ways."
    )
    Choice.objects.create(question=single, text="BERT {encoder}", is_correct=True, position=1)
    Choice.objects.create(question=single, text="GPT ~ decoder = #1", position=2)
    multiple = question(ssl, "2", QuestionKind.MULTIPLE_CHOICE, "哪些是自监督学习的方法？（多选）")
    for i, (text, correct) in enumerate([("掩码语言模型", True), ("对比学习", True), ("线性回归", False)], start=1):
        Choice.objects.create(question=multiple, text=text, is_correct=correct, position=i)
    truth = question(ssl, "3", QuestionKind.TRUE_FALSE, "An autoencoder's bottleneck is *smaller* than its input.")
    Choice.objects.create(question=truth, text="True", is_correct=False, position=1)
    Choice.objects.create(question=truth, text="False", is_correct=True, position=2)
    short = question(gen, "1", QuestionKind.SHORT_TEXT, "GAN 的全称是什么？")
    AcceptedAnswer.objects.create(
        question=short, text="生成对抗网络", synonyms=["Generative Adversarial Network", "GAN: 2*2"], position=1
    )
    AcceptedAnswer.objects.create(
        question=short, text=wildcard_to_regex("generative*network"), is_regex=True, position=2
    )
    numeric = question(
        gen,
        "2",
        QuestionKind.NUMERIC,
        "Dropout rate of 50 %, as a fraction?",
        numeric_value=0.5,
        numeric_abs_tolerance=0.01,
    )
    assert numeric.pk
    question(
        ssl,
        "I.1",
        QuestionKind.FREE_TEXT,
        "What is the aim of using an autoencoder to get an embedding?\n\nAnswer in *two* sentences.",
        part=part,
        reference_answer="学习输入数据的紧凑表示。\n\n- 降维 {dimension}\n- 去噪: denoising ~ #",
    )
    return course


def bank_state(course: Course) -> list[tuple]:
    """What must survive a round trip, question by question (in a stable order)."""
    rows = []
    questions = Question.objects.filter(chapter__course=course).select_related("chapter", "part")
    for q in questions.prefetch_related("choices", "accepted_answers").order_by("chapter__number", "ref"):
        accepted = sorted((t, a.is_regex) for a in q.accepted_answers.all() for t in [a.text, *a.synonyms])
        rows.append(
            (
                q.chapter.number,
                q.chapter.title,
                q.part.numeral if q.part else None,
                q.ref,
                q.kind,
                q.prompt,
                q.reference_answer,
                [(c.text, c.is_correct) for c in q.choices.all()],
                accepted,
                q.numeric_value,
                q.numeric_abs_tolerance,
                q.points,
            )
        )
    return rows
