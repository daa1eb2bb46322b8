from datetime import timedelta

import factory
from django.utils import timezone

from bank.tests.factories import CourseFactory, QuestionFactory
from quizzes.models import Assignment, Quiz, QuizItem, ReleasePolicy


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
