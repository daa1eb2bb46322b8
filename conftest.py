"""Fixtures every test can use: the people of a section and their course."""

from __future__ import annotations

import pytest

from classes.models import Enrollment
from classes.tests.factories import EnrollmentFactory, SectionFactory


@pytest.fixture
def section(db):
    return SectionFactory()


@pytest.fixture
def instructor(section):
    return EnrollmentFactory(section=section, role=Enrollment.Role.INSTRUCTOR).user


@pytest.fixture
def assistant(section):
    return EnrollmentFactory(section=section, role=Enrollment.Role.ASSISTANT).user


@pytest.fixture
def student(section):
    return EnrollmentFactory(section=section, role=Enrollment.Role.STUDENT).user
