"""A small fuzz of the importers (the bank text format, GIFT, Moodle XML), with fixed seeds.

Inputs are the formats' own files, mutated (lines dropped, repeated, cut, swapped, spliced with
the formats' special characters and arbitrary Unicode), plus arbitrary bytes. Whatever comes in:
- the readers return a result or raise their one documented error (BankFormatError,
  InterchangeError); nothing else escapes;
- the import service writes nothing when it refuses a file (atomic);
- the admin's import page answers with the page (the error shown) or a redirect, never a 500.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bank.bank_format import BankFormatError, decode_bank_bytes, parse_bank
from bank.interchange.detect import decode_text
from bank.interchange.files import questions_import_file
from bank.interchange.gift import read_gift
from bank.interchange.moodle_xml import read_moodle_xml
from bank.interchange.types import InterchangeError
from bank.models import Chapter, Course, Question

ROOT = Path(__file__).resolve().parents[2]
BANK = "".join((ROOT / "bank" / "deep_learning_ch8-14.txt").read_text(encoding="utf-8").splitlines(True)[:80])
GIFT = """$CATEGORY: $course$/Chapter 8 SSL

::8.1 BERT::Which model is **bidirectional**?{=BERT ~GPT ~ELMo#not quite}

::tf::Autoencoders compress.{T}

::num::How many characters in Omniglot?{#1623:0}

::short::Full name of MAML?{=Model-Agnostic Meta-Learning =MAML =*meta*learning*}

::multi::Encoders?{~%50%BERT ~%50%ELMo ~%-100%GPT}

::essay::Why embed with an autoencoder?{
####A compact representation of the input.}
"""
MOODLE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/Chapter 8 SSL</text></category></question>
  <question type="multichoice">
    <name><text>BERT</text></name>
    <questiontext format="html"><text><![CDATA[<p>Which model is <strong>bidirectional</strong>?</p>]]></text></questiontext>
    <single>true</single>
    <answer fraction="100"><text>BERT</text></answer><answer fraction="0"><text>GPT</text></answer>
  </question>
  <question type="shortanswer"><name><text>S</text></name>
    <questiontext format="plain_text"><text>Name it</text></questiontext>
    <answer fraction="100"><text>meta*learning</text></answer></question>
  <question type="numerical"><name><text>N</text></name><questiontext><text>Count</text></questiontext>
    <answer fraction="100"><text>1623</text><tolerance>0.5</tolerance></answer></question>
  <question type="essay"><name><text>E</text></name><questiontext><text>Why?</text></questiontext>
    <graderinfo format="html"><text>&lt;p&gt;学习紧凑表示&lt;/p&gt;</text></graderinfo></question>
</quiz>
"""
SEEDS = {"bank": BANK, "gift": GIFT, "moodle-xml": MOODLE}
SPECIAL = [
    *"{}=~#:%$\\<>&;/!*[]()\"'\t\n\r-.0123456789 aZ中文💻👦\u00a0\u200b\ufeff\x00",
    "::",
    "{#",
    "->",
    "####",
    "<![CDATA[",
    "]]>",
    "&amp;",
    "&#0;",
    '<question type="essay">',
    "</quiz>",
    "Chapter 9 ",
    "Part II. ",
    "  3. ",
    "(非重点)",
    "[1]",
]
FRAGMENT = st.lists(st.sampled_from(SPECIAL) | st.text(max_size=6), max_size=8).map("".join)


@st.composite
def mutated(draw: st.DrawFn, seed: str) -> bytes:
    lines = seed.splitlines(keepends=True)
    for _ in range(draw(st.integers(0, 6))):
        if not lines:
            lines = [""]
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["drop", "repeat", "insert", "cut", "swap", "splice"]))
        if op == "drop":
            del lines[i]
        elif op == "repeat":
            lines.insert(i, lines[i])
        elif op == "insert":
            lines.insert(i, draw(FRAGMENT) + "\n")
        elif op == "cut":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(FRAGMENT) + lines[i][at:]
    data = "".join(lines).encode("utf-8")
    return draw(st.sampled_from([data, data[: draw(st.integers(0, len(data)))], b"\xef\xbb\xbf" + data]))


def inputs(fmt: str) -> st.SearchStrategy[bytes]:
    return mutated(SEEDS[fmt]) | st.binary(max_size=200)


FUZZ = settings(derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _read(fmt: str, data: bytes) -> None:
    if fmt == "bank":
        parse_bank(decode_bank_bytes(data))
    elif fmt == "gift":
        read_gift(decode_text(data))
    else:
        read_moodle_xml(data)


@pytest.mark.parametrize("fmt", SEEDS)
def test_readers_return_a_result_or_their_one_error(fmt: str) -> None:
    @settings(FUZZ, max_examples=200)
    @given(data=inputs(fmt))
    def check(data: bytes) -> None:
        try:
            _read(fmt, data)
        except (BankFormatError, InterchangeError) as exc:
            assert exc.message  # says what is wrong

    check()


def _state() -> tuple[int, int, int]:
    return Course.objects.count(), Chapter.objects.count(), Question.objects.count()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", SEEDS)
def test_the_import_service_imports_or_refuses_and_then_writes_nothing(fmt: str) -> None:
    @settings(FUZZ, max_examples=40)
    @given(data=inputs(fmt), declared=st.sampled_from([None, fmt]))
    def check(data: bytes, declared: str | None) -> None:
        before = _state()
        try:
            questions_import_file(data=data, fmt=declared, course_title="Fuzz")
        except InterchangeError as exc:
            assert exc.message
            assert _state() == before

    check()


@pytest.mark.django_db
def test_the_admin_import_page_never_answers_a_server_error(admin_client) -> None:
    url = reverse("admin:bank_question_import")

    @settings(FUZZ, max_examples=30)
    @given(fmt=st.sampled_from(list(SEEDS)), data=st.data())
    def check(fmt: str, data: st.DataObject) -> None:
        content = data.draw(inputs(fmt))
        upload = SimpleUploadedFile("upload.txt", content)
        response = admin_client.post(url, {"file": upload, "course": "Fuzz", "format": ""})
        assert response.status_code in (200, 302), response.status_code

    check()
