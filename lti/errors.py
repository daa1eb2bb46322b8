from common.errors import ClassroomError


class LaunchRefused(ClassroomError):
    """A launch from the LMS that Classroom does not accept; `message` says why, for the person
    who launched (shown on the error page, never a 500)."""
