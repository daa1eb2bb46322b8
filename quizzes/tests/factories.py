from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from quizzes.models import (
    AcceptedAnswer,
    Assignment,
    Chapter,
    Choice,
    Course,
    Question,
    QuestionKind,
    Quiz,
    QuizItem,
    ReleasePolicy,
)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chapter

    course = factory.SubFactory(CourseFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Chapter title {n}")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    chapter = factory.SubFactory(ChapterFactory)
    number = factory.Sequence(lambda n: n + 1)
    ref = factory.LazyAttribute(lambda q: str(q.number))
    kind = QuestionKind.FREE_TEXT
    prompt = "What is the aim of using autoencoder to get embedding?"
    reference_answer = "学习输入数据的紧凑而有意义的表示。"
    points = Decimal(10)


def single_choice_question(**kwargs) -> Question:
    question = QuestionFactory(
        kind=QuestionKind.SINGLE_CHOICE, prompt="Which model is bidirectional?", points=2, **kwargs
    )
    Choice.objects.create(question=question, text="BERT", is_correct=True, position=1)
    Choice.objects.create(question=question, text="GPT", is_correct=False, position=2)
    return question


def short_text_question(**kwargs) -> Question:
    question = QuestionFactory(kind=QuestionKind.SHORT_TEXT, prompt="Full name of BERT?", points=2, **kwargs)
    AcceptedAnswer.objects.create(question=question, text="Bidirectional Encoder Representations from Transformers")
    return question


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Quiz {n}")


class QuizItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizItem

    quiz = factory.SubFactory(QuizFactory)
    position = factory.Sequence(lambda n: n + 1)
    question = factory.SubFactory(QuestionFactory)


class AssignmentFactory(factory.django.DjangoModelFactory):
    """An assignment open now for an hour, 30-minute limit, one attempt, no grace."""

    class Meta:
        model = Assignment

    quiz = factory.SubFactory(QuizFactory)
    section = factory.SubFactory("classes.tests.factories.SectionFactory")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    time_limit = timedelta(minutes=30)
    max_attempts = 1
    grace_period = timedelta(0)
    release_policy = ReleasePolicy.AFTER_GRADING
