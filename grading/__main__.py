"""`python -m grading score --input answers.jsonl --output scores.jsonl [--examples graded.jsonl]`."""

import sys

from grading.engine.cli import main

sys.exit(main())
