from decimal import Decimal

import factory

from bank.models import AcceptedAnswer, Chapter, Choice, Course, Question, QuestionKind


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
