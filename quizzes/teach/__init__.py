"""Instructor workspace, quizzes (/teach/): the quiz builder (`builder`), assigning a quiz, changing
it, extensions and releasing results (`assignments`, with their `forms`), and the live monitor
(`monitor`, which shows grading's progress through `grading.selectors`). Writes go through
`quizzes.authoring`; permissions: `classes.policy`, asked by the gates (`classes.teach`,
`quizzes.gates`) and again by the services."""
