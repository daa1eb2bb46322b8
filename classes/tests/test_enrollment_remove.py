import pytest
from django.core.exceptions import ValidationError

from classes.models import Enrollment
from classes.services import enrollment_remove
from classes.tests.factories import EnrollmentFactory


def test_removing_a_student_keeps_the_section(section) -> None:
    student = EnrollmentFactory(section=section, role=Enrollment.Role.STUDENT)
    enrollment_remove(enrollment=student)
    assert not Enrollment.objects.filter(pk=student.pk).exists()


def test_the_last_instructor_cannot_be_removed(section) -> None:
    only = EnrollmentFactory(section=section, role=Enrollment.Role.INSTRUCTOR)
    with pytest.raises(ValidationError, match="at least one instructor"):
        enrollment_remove(enrollment=only)
    second = EnrollmentFactory(section=section, role=Enrollment.Role.INSTRUCTOR)
    enrollment_remove(enrollment=only)
    assert list(Enrollment.objects.filter(section=section, role=Enrollment.Role.INSTRUCTOR)) == [second]
