"""The scoring core, in plain Python: no Django, no app (an import-linter contract). Input is a
question's answer key or rubric (`types.QuestionKey`) and a batch of responses; output is one typed
`types.Result` per response (score, feedback, confidence, the grader's version, whether a person
must decide). `batch.score_batch` is the entry point; `objective` scores the objective kinds,
`free_text` (with `lexical`, `rubric`, `embedding`, `judge`, `trained_text`, `calibration`) the
free-text answers. Django code adapts models to it (`grading.adapters`) and stores what it returns
(`grading.services.writing`).
"""
