"""Fill or check the `question` and `reference` fields of labelled answers from the shipped bank.

The labelled files (`seed_labelled.jsonl`, `team_labelled.jsonl`) carry each question's prompt and
reference answer as the project's own parser reads them (`bank.bank_format.parse_bank`): the
prompt without erratum markers and "(非重点)" tags, the reference as Markdown without the 💻/👦
source marks. Writers of a labelled file give `question_id` (e.g. `8.I.1`, `14.12`) and the answer
fields; this script writes the two bank fields, in the files' field order.

    python bench/data/fill_from_bank.py bench/data/team_labelled.jsonl           # fill in place
    python bench/data/fill_from_bank.py --check bench/data/*.jsonl               # exit 1 on any mismatch

No database, no network.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BANK = ROOT / "bank" / "deep_learning_ch8-14.txt"
FIELDS = ("id", "question_id", "question", "reference", "answer", "max_points", "score", "lang", "category", "reason")


def bank_questions(path: Path = BANK) -> dict[str, tuple[str, str]]:
    """`<chapter>.<ref>` -> (prompt, reference Markdown), as the importer stores them."""
    sys.path.insert(0, str(ROOT))
    from bank.bank_format import decode_bank_bytes, parse_bank

    bank = parse_bank(decode_bank_bytes(path.read_bytes()))
    return {f"{c.number}.{q.ref}": (q.prompt, q.answer_markdown) for c in bank.chapters for q in c.questions}


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def filled(row: dict, questions: dict[str, tuple[str, str]]) -> dict:
    prompt, reference = questions[row["question_id"]]
    row = {**row, "question": prompt, "reference": reference}
    return {name: row[name] for name in FIELDS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="only check; exit 1 when a field differs")
    args = parser.parse_args(argv)
    questions = bank_questions()
    status = 0
    for path in args.files:
        rows = read_rows(path)
        unknown = sorted({r["question_id"] for r in rows} - set(questions))
        if unknown:
            print(f"{path}: question ids not in the bank: {', '.join(unknown)}", file=sys.stderr)
            status = 1
            continue
        new = [filled(r, questions) for r in rows]
        stale = [r["id"] for r, n in zip(rows, new, strict=True) if r != n]
        if args.check:
            if stale:
                print(f"{path}: {len(stale)} rows differ from the bank, e.g. {stale[0]}", file=sys.stderr)
                status = 1
            else:
                print(f"{path}: {len(rows)} rows match the bank")
            continue
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in new)
        path.write_text(text, encoding="utf-8")
        print(f"{path}: {len(rows)} rows, {len(stale)} filled or updated")
    return status


if __name__ == "__main__":
    sys.exit(main())
