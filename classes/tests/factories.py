import factory

from accounts.tests.factories import UserFactory
from bank.tests.factories import CourseFactory
from classes.models import Enrollment, Section


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"Section {n}")
    term = "2026 Autumn"
    time_zone = "Asia/Shanghai"


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    section = factory.SubFactory(SectionFactory)
    user = factory.SubFactory(UserFactory)
    role = Enrollment.Role.STUDENT
