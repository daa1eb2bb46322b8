"""The similarity report's core (`grading.engine.similarity`), with a hand-made embedder: each text
is given its vector, so every cosine below is chosen by the test."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from grading.engine.similarity import AnswerText, QuestionAnswers, Thresholds, similar_pairs

REFERENCE = "The encoder compresses the input into a low-dimensional code and the decoder reconstructs it."
PROMPT = "What is the aim of an autoencoder?"


class TableEmbedder:
    """Texts it was given a vector for get it; any other text gets its own random direction in 256
    dimensions (unrelated texts are far apart), the same in every run."""

    def __init__(self, table: dict[str, list[float]] | None = None) -> None:
        self.table = {k: np.asarray(v, dtype=float) for k, v in (table or {}).items()}
        self.calls: list[list[str]] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        rows = []
        for text in texts:
            if text in self.table:
                rows.append(np.pad(self.table[text], (0, 256 - len(self.table[text]))))
            else:
                rows.append(
                    np.random.default_rng(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")).normal(
                        size=256
                    )
                )
        return np.stack(rows)


def direction(*weights: float) -> list[float]:
    return list(weights)


def question(qid: int, answers: dict[int, str], reference: str = REFERENCE, prompt: str = PROMPT) -> QuestionAnswers:
    return QuestionAnswers(
        question=qid,
        prompt=prompt,
        reference=reference,
        answers=[AnswerText(student=s, answer=qid * 1000 + s, text=t) for s, t in answers.items()],
    )


def copied(qid: int) -> str:
    return f"Question {qid}: my own odd take, the bottleneck memorises noise patterns of batch {qid * 7}."


WORDS = (
    "latent code bottleneck decoder encoder noise sparse manifold pixel gradient loss layer weight "
    "feature sample batch token image signal vector cluster label error space input output model"
).split()


def honest(student: int, qid: int) -> str:
    """An answer in words of the student's own: a random draw of the course's words."""
    rng = np.random.default_rng(student * 1000 + qid)
    return " ".join(rng.choice(WORDS, size=12))


def class_with_copiers(copies_on: int, questions: int = 4, students: int = 6) -> list[QuestionAnswers]:
    """Students 1 and 2 hand in the same text on the first `copies_on` questions."""
    result = []
    for qid in range(1, questions + 1):
        answers = {s: honest(s, qid) for s in range(1, students + 1)}
        if qid <= copies_on:
            answers[1] = answers[2] = copied(qid)
        result.append(question(qid, answers))
    return result


def test_an_exact_copy_on_several_questions_flags_the_pair_with_its_evidence():
    result = similar_pairs(class_with_copiers(copies_on=3), TableEmbedder())

    assert [(p.student_a, p.student_b) for p in result.pairs] == [(1, 2)]
    pair = result.pairs[0]
    assert [e.question for e in pair.evidence] == [1, 2, 3]
    assert all(e.by_wording and e.lexical == pytest.approx(1.0) for e in pair.evidence)
    assert [(e.answer_a, e.answer_b) for e in pair.evidence] == [(1001, 1002), (2001, 2002), (3001, 3002)]
    assert result.clusters == [[1, 2]]
    assert result.questions == 4 and result.students == 6


def test_one_copied_answer_is_not_enough():
    assert similar_pairs(class_with_copiers(copies_on=1), TableEmbedder()).pairs == []


def test_min_questions_is_a_threshold():
    questions = class_with_copiers(copies_on=2)
    assert len(similar_pairs(questions, TableEmbedder(), Thresholds(min_questions=2)).pairs) == 1
    assert similar_pairs(questions, TableEmbedder(), Thresholds(min_questions=3)).pairs == []


def test_short_copied_answers_count_but_blank_and_tiny_ones_do_not():
    short = [question(q, {1: "梯度下降更新输入", 2: "梯度下降更新输入。", 3: "不知道"}) for q in (1, 2)]
    assert [(p.student_a, p.student_b) for p in similar_pairs(short, TableEmbedder()).pairs] == [(1, 2)]

    tiny = [question(q, {1: "不知道", 2: "不知道", 3: ""}) for q in (1, 2)]
    assert similar_pairs(tiny, TableEmbedder()).pairs == []


def test_copies_of_the_reference_are_explained_by_it():
    """Everyone who learnt the reference by heart writes the same text: close to each other, but
    no closer than to the reference, so nobody is flagged."""
    questions = [question(q, {s: REFERENCE for s in range(1, 6)}) for q in (1, 2, 3)]
    assert similar_pairs(questions, TableEmbedder()).pairs == []


def test_a_near_copy_of_the_prompt_is_explained_by_it():
    restated = "What is the aim of an autoencoder? It is the aim."
    questions = [question(q, {1: restated, 2: restated, 3: honest(3, q)}) for q in (1, 2)]
    assert similar_pairs(questions, TableEmbedder()).pairs == []


def test_close_meaning_counts_only_beyond_the_reference():
    """Meaning: a pair at cosine 0.99 is suspicious when both are far from the reference (0.5), not
    when both are as close to it as to each other (0.97)."""
    ref = direction(1, 0, 0)
    near_ref = {"para one": direction(0.97, 0.243, 0), "para two": direction(0.97, 0.2, 0.138)}
    odd = {"odd one": direction(0.5, 0.866, 0), "odd two": direction(0.5, 0.85, 0.165)}
    table = {REFERENCE: ref, PROMPT: direction(0, 0, 0, 1), **near_ref, **odd}
    # the odd pair also shares wording on another question, as min_wording asks
    questions = [
        question(1, {1: "para one", 2: "para two", 3: "odd one", 4: "odd two"}),
        question(2, {1: honest(1, 2), 2: honest(2, 2), 3: copied(2), 4: copied(2)}),
    ]
    embed = TableEmbedder(table)
    result = similar_pairs(questions, embed)

    assert [(p.student_a, p.student_b) for p in result.pairs] == [(3, 4)]
    meaning = next(e for e in result.pairs[0].evidence if e.question == 1)
    assert meaning.by_meaning and not meaning.by_wording
    assert meaning.cosine > 0.98 and meaning.cosine_a == pytest.approx(0.5, abs=0.01)
    paraphrases = similar_pairs(questions, embed, Thresholds(min_questions=1, min_wording=0)).pairs
    assert (1, 2) not in {(p.student_a, p.student_b) for p in paraphrases}


def test_meaning_alone_does_not_flag_a_pair():
    table = {REFERENCE: direction(1, 0, 0), PROMPT: direction(0, 0, 0, 1)}
    answers = {}
    for q in (1, 2, 3):
        first, second = f"one way to put answer {q}", f"a different wording, answer {q}"
        table[first], table[second] = direction(0.5, 0.866, 0), direction(0.5, 0.85, 0.165)
        answers[q] = {1: first, 2: second}
    questions = [question(q, answers[q]) for q in (1, 2, 3)]
    assert similar_pairs(questions, TableEmbedder(table)).pairs == []
    assert len(similar_pairs(questions, TableEmbedder(table), Thresholds(min_wording=0)).pairs) == 1


def test_clusters_are_connected_components_ranked_by_their_strongest_pair():
    """1-2 and 2-3 copy (one chain, one cluster); 5-6 copy on two questions only (a weaker cluster)."""
    questions = []
    for qid in range(1, 5):
        answers = {s: honest(s, qid) for s in range(1, 8)}
        answers[1] = answers[2] = copied(qid)
        if qid <= 3:
            answers[3] = copied(qid)
        if qid <= 2:
            answers[5] = answers[6] = f"A pair of friends agreed on this sentence for question {qid}."
        questions.append(question(qid, answers))

    result = similar_pairs(questions, TableEmbedder())

    assert result.clusters == [[1, 2, 3], [5, 6]]
    ranked = [(p.student_a, p.student_b, p.questions, p.cluster) for p in result.pairs]
    assert ranked == [(1, 2, 4, 1), (1, 3, 3, 1), (2, 3, 3, 1), (5, 6, 2, 2)]
    assert result.pairs[0].strength > result.pairs[-1].strength


def test_texts_are_embedded_once_in_one_batch():
    embed = TableEmbedder()
    similar_pairs(class_with_copiers(copies_on=3), embed)
    assert len(embed.calls) == 1
    assert len(embed.calls[0]) == len(set(embed.calls[0]))


def test_no_answers_no_pairs():
    result = similar_pairs([], TableEmbedder())
    assert result.pairs == [] and result.clusters == [] and result.students == 0


def test_three_hundred_students_flag_only_the_copiers():
    """Vectorised: 300 students x 4 questions (1,200 answers, 179,400 pairs) with two copiers
    (about 0.6 s on one idle core; no wall-clock bound here, the machine is shared)."""
    questions = class_with_copiers(copies_on=3, questions=4, students=300)
    result = similar_pairs(questions, TableEmbedder())
    assert [(p.student_a, p.student_b) for p in result.pairs] == [(1, 2)]
