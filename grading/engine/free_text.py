"""Free-text grading: rubric key points covered by meaning (e5 embeddings) and by terms.

Per answer (truncated to MAX_SCORED_CHARS; identical normalised answers are scored once):

* meaning: the best cosine between each key point and the answer or any of its sentences
  (the answer's own vector is the length-weighted mean of its sentence vectors, so every
  distinct sentence is embedded once and nothing twice), shifted per language pair;
* terms: the weighted share of the point's content terms and keywords found in the answer
  (Snowball stems, jieba words, bilingual synonyms; words of the prompt count little);
* a point's strength = sigmoid(a * (cosine - c) + b * (term share - d)), covered at >= 0.5;
* raw score = 44% weighted coverage + 56% the same logistic on the whole answer against the
  reference(s), after a penalty when the answer is closer to the prompt than to the reference;
* with >= 3 graded examples, calibration.py adjusts the raw score for this question;
* score = fraction x max points, rounded to a tenth of a point without crossing the pass mark.

Keyword bags and restated questions are capped and flagged; decisions near their thresholds
lower the confidence and send the answer to a person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np

from . import crossing, lexical, reversal
from .calibration import Calibration, confidence_of, fit_calibration, round_score
from .coverage import Batch, Evidence, Tuning, lang_offset, score_batch
from .embedding import default_embedder
from .messages import MESSAGES
from .rubric import clean_markdown, propose_rubric, split_segments
from .types import Embedder, GradedExample, KeyPointFeedback, PointState, QuestionKey, Result, RubricPoint

# Bump whenever scoring changes (2.1: German stop words, accented letters; 2.2: swapped and
# reversed key points get no credit).
FREE_TEXT_GRADER_VERSION = "ft-2.2"
MAX_SCORED_CHARS = 4000  # longer answers are truncated for scoring (flag "truncated")
EMBED_CHAR_BUDGET = 1000  # characters of one answer sent to the embedder (most relevant first)
LONG_REFERENCE_CHARS = 300  # a longer reference is not embedded again: its key points' vectors are pooled
SEGMENT_MAX_CHARS = 160  # longer sentences are split into clauses
REVIEW_BELOW = 0.3  # confidence under this sends the answer to a person
SCORE_STEP = 0.1  # scores are rounded to a tenth of a point
STUFFING_CAP = 0.2  # a bag of keywords gets at most this share of the points (graders give 0-2 of 10)
REPEAT_CAP = 0.2  # an answer that only repeats the question gets at most this share
REPEAT_MAX_NOVEL = 0.2  # a repeat of the question: at most 20% of its terms are not in the prompt...
REPEAT_MAX_REF_LEX = 0.25  # ...and adds under 25% of the reference's own terms
REPEAT_SIM_MARGIN = 0.03  # ...and is about as close to the prompt as to the reference
REVIEW_FLAGS = frozenset({"truncated", "keyword_stuffing", "repeats_question"})


TUNING = Tuning()


@dataclass
class KeyContext:
    """Everything about one question key, prepared once per batch."""

    key: QuestionKey
    rubric: list[RubricPoint]
    point_items: list[list[lexical.Phrase]]
    ref_items: list[lexical.Phrase]
    prompt_terms: set[str]
    rubric_terms: set[str]
    points: list[str]  # key point texts as embedded
    refs: list[str]  # reference texts as embedded (the first may be derived from the points)
    prompt: str  # "" when the question has no prompt
    ref_from_points: bool  # the rubric was proposed from key.reference: reuse the points' vectors
    crossing: list[crossing.PointTerms] | None = None  # subjects per point, when several (crossing.py)
    reversal: list[reversal.PointSides] | None = None  # opposites the points take a side of (reversal.py)
    matrix: np.ndarray | None = None  # rows: points, references, prompt (after embedding)
    zh_shares: np.ndarray | None = None  # Chinese share of each row's text

    @property
    def texts(self) -> list[str]:
        """What has to be embedded for this key."""
        return [*self.points, *self.refs, *([self.prompt] if self.prompt else [])]

    def set_vectors(self, vecs: dict[str, np.ndarray]) -> None:
        """Stack the key's vectors once per batch; a derived reference is the length-weighted
        mean of its points (the same pooling e5 applies to long texts), saving an embedding."""
        points = np.stack([vecs[t] for t in self.points])
        rows, texts = [points], list(self.points)
        if self.ref_from_points:
            lengths = np.array([len(t) for t in self.points], dtype=float)
            mean = lengths @ points
            rows.append((mean / (np.linalg.norm(mean) or 1.0))[None, :])
            texts.append(" ".join(self.points))
        rows.extend(vecs[t][None, :] for t in [*self.refs, *([self.prompt] if self.prompt else [])])
        texts.extend([*self.refs, *([self.prompt] if self.prompt else [])])
        self.matrix = np.vstack(rows)
        self.zh_shares = np.array([lexical.zh_share(t) for t in texts])

    @property
    def n_refs(self) -> int:
        return len(self.refs) + self.ref_from_points


@dataclass
class Answer:
    text: str
    truncated: bool
    segments: list[str]
    terms: lexical.AnswerTerms
    features: dict[str, Any] = field(default_factory=dict)
    whole: np.ndarray | None = None  # length-weighted mean of the segment vectors


def tidy(text: str) -> str:
    """The scored form of a text: NFKC, blank lines dropped, runs of spaces collapsed."""
    lines = (" ".join(unicodedata.normalize("NFKC", line).split()) for line in str(text or "").splitlines())
    return "\n".join(line for line in lines if line)


def dedupe_key(text: str) -> str:
    """Responses equal under this key are scored once (case and spacing do not matter)."""
    return tidy(text).casefold()


def _as_text(response: Any) -> str:
    if response is None:
        return ""
    if isinstance(response, (list, tuple)):
        return "\n".join(str(r) for r in response)
    return str(response)


def build_context(key: QuestionKey) -> KeyContext:
    prompt_terms = set(lexical.content_terms(key.prompt))
    rubric = list(key.rubric) or propose_rubric(key.reference, prompt=key.prompt, lang=key.lang)
    refs = [tidy(clean_markdown(r)) for r in (key.reference, *key.references)]
    refs = [r for r in dict.fromkeys(refs) if r]
    point_items = [lexical.point_phrases(p.text, p.keywords, prompt_terms) for p in rubric]
    ref_items = lexical.point_phrases(" ".join(refs), (), prompt_terms)
    rubric_terms = {t for items in point_items for ph in items for alt in ph.alternatives for t in alt}
    points = [tidy(clean_markdown(p.text)) for p in rubric]
    derived = (
        not key.rubric
        and bool(refs)
        and refs[0] == tidy(clean_markdown(key.reference))
        and len(refs[0]) > LONG_REFERENCE_CHARS
    )
    return KeyContext(
        key,
        rubric,
        point_items,
        ref_items,
        prompt_terms,
        rubric_terms,
        points=points,
        refs=refs[1:] if derived else refs,
        prompt=tidy(key.prompt),
        ref_from_points=derived,
        crossing=crossing.point_terms(key.prompt, [(p.text, p.keywords) for p in rubric]),
        reversal=reversal.point_sides(key.prompt, [(p.text, p.keywords) for p in rubric]),
    )


def prepare_answer(text: str, ctx: KeyContext) -> Answer:
    truncated = len(text) > MAX_SCORED_CHARS
    text = text[:MAX_SCORED_CHARS] if truncated else text
    segments = split_segments(text, SEGMENT_MAX_CHARS)
    if sum(len(s) for s in segments) > EMBED_CHAR_BUDGET:
        segments = _select_segments(segments, ctx)
    return Answer(text, truncated, segments, lexical.answer_terms(text))


def _select_segments(segments: list[str], ctx: KeyContext) -> list[str]:
    """Within the embedding budget keep the segments sharing most terms with the rubric."""

    def relevance(i: int) -> tuple[float, int]:
        terms = set(lexical.content_terms(segments[i]))
        return (-len(terms & ctx.rubric_terms) / (1 + len(terms)) ** 0.5, i)

    chosen, used = [], 0
    for i in sorted(range(len(segments)), key=relevance):
        if used + len(segments[i]) <= EMBED_CHAR_BUDGET:
            chosen.append(i)
            used += len(segments[i])
    return [segments[i][:EMBED_CHAR_BUDGET] for i in sorted(chosen)] or [segments[0][:EMBED_CHAR_BUDGET]]


def answer_evidence(ctx: KeyContext, answer: Answer, vecs: dict[str, np.ndarray]) -> Evidence:
    """Cosines (raw) and term shares of one answer against the key's points, references, prompt."""
    if ctx.matrix is None:
        ctx.set_vectors(vecs)
    assert ctx.matrix is not None and ctx.zh_shares is not None
    seg = np.stack([vecs[s] for s in answer.segments])
    lengths = np.array([len(s) for s in answer.segments], dtype=float)
    whole = (lengths[:, None] * seg).sum(0)
    whole /= np.linalg.norm(whole) or 1.0
    answer.whole = whole
    rows = np.vstack([whole, seg])
    n_points = len(ctx.rubric)
    sims = rows @ ctx.matrix.T
    refs = slice(n_points, n_points + ctx.n_refs)
    return Evidence(
        point_sem=sims[:, :n_points].max(0),
        point_zh=ctx.zh_shares[:n_points],
        point_lex=np.array([lexical.weighted_recall(items, answer.terms) for items in ctx.point_items]),
        weights=np.array([max(p.weight, 0.0) for p in ctx.rubric]),
        answer_zh=lexical.zh_share(answer.text),
        ref_sims=sims[0, refs],
        ref_zh=ctx.zh_shares[refs],
        ref_lex=lexical.weighted_recall(ctx.ref_items, answer.terms) if ctx.ref_items else 0.0,
        prompt_sim=float(sims[0, -1]) if ctx.prompt else None,
        prompt_zh=float(ctx.zh_shares[-1]) if ctx.prompt else 0.0,
    )


def compute_features(ctx: KeyContext, answer: Answer, vecs: dict[str, np.ndarray], tuning: Tuning) -> Evidence:
    """Fill answer.features: per-point meaning/term evidence, strengths and the raw score."""
    evidence = answer_evidence(ctx, answer, vecs)
    scores = score_batch(Batch.of([evidence]), tuning)
    point_sem = evidence.point_sem + lang_offset(evidence.answer_zh, evidence.point_zh, tuning.offsets)
    answer.features.update(
        point_sem=[round(float(x), 4) for x in point_sem],
        point_lex=[round(float(x), 4) for x in evidence.point_lex],
        strengths=[round(float(x), 4) for x in scores.strengths[0]],
        coverage=round(float(scores.coverage[0]), 4),
        ref_sim=round(float(scores.ref_sim[0]), 4),
        ref_lex=round(float(evidence.ref_lex), 4),
        prompt_sim=round(float(scores.prompt_sim[0]), 4),
        raw=round(float(scores.raw[0]), 4),
        segments=len(answer.segments),
    )
    return evidence


def discount_contradicted(ctx: KeyContext, answer: Answer) -> None:
    """Key points the answer swaps (crossing.py) or states with the opposite word (reversal.py)
    get no credit: strength 0, and the raw score loses their share of the rubric's weight, all of
    it, the parts that compare the whole answer with the reference included (such an answer has
    the reference's words, and the cross-encoder reads it as right)."""
    crossed = crossing.crossed_points(answer.text, ctx.crossing)
    turned = reversal.reversed_points(answer.text, ctx.reversal)
    if not crossed and not turned:
        return
    f = answer.features
    contradicted = crossed | turned
    weights = [max(p.weight, 0.0) for p in ctx.rubric]
    lost = sum(weights[i] for i in contradicted) / (sum(weights) or 1.0)
    f["contradicted"] = sorted(contradicted)
    f["crossed"], f["reversed"] = sorted(crossed), sorted(turned)
    f["strengths"] = [0.0 if i in contradicted else s for i, s in enumerate(f["strengths"])]
    f["raw"] = round(f["raw"] * (1.0 - lost), 4)


TERM_MIN_WORDS = 3  # a rubric keyword this long, quoted whole, is a named term, not a loose keyword


def _states_a_term(ctx: KeyContext, text: str) -> bool:
    """The answer quotes a multi-word term of the rubric whole ("Bidirectional Encoder
    Representations from Transformers"): questions asking for names are answered with terms, and
    that is not keyword stuffing, which strings loose words together."""
    folded = " ".join(re.findall(r"[a-z0-9]+", text.casefold()))
    return any(
        len(words) >= TERM_MIN_WORDS and " ".join(words) in folded
        for keyword in (k for point in ctx.rubric for k in point.keywords)
        if (words := re.findall(r"[a-z0-9]+", keyword.casefold()))
    )


BAG_MIN_TOKENS = 6  # a bag has at least this many space-separated terms...
BAG_MAX_TOKEN_CHARS = 8  # ...each short (a Chinese sentence without spaces is one long "token")...
BAG_MIN_ON_TOPIC = 2  # ...of which at least this many are terms of the question or its rubric
_SENTENCE_MARKS = re.compile(r"[,，、;；。.!?！？:：()（）\n]")


def _is_a_bag(ctx: KeyContext, answer: Answer) -> bool:
    """Terms strung together with spaces only, no function words, no punctuation: a list of
    keywords in any mix of languages ("VAE 生成 压缩 latent KL reconstruction decoder"). An honest
    terse list separates its items ("filter, compression, 随机化"), which this does not flag."""
    tokens = answer.text.split()
    if len(tokens) < BAG_MIN_TOKENS or _SENTENCE_MARKS.search(answer.text.rstrip("。.")):
        return False
    if any(len(t) > BAG_MAX_TOKEN_CHARS and lexical.has_cjk(t) for t in tokens):
        return False
    on_topic = answer.terms.core & (ctx.rubric_terms | ctx.prompt_terms)
    return lexical.stop_ratio(answer.text) < 0.1 and len(on_topic) >= BAG_MIN_ON_TOPIC


def detect_flags(ctx: KeyContext, answer: Answer) -> list[str]:
    """Answers a similarity score would over-reward: keyword bags and restated questions."""
    f = answer.features
    flags = ["truncated"] if answer.truncated else []
    content = answer.terms.core
    if _is_a_bag(ctx, answer) and not _states_a_term(ctx, answer.text):
        flags.append("keyword_stuffing")
    novel = content - ctx.prompt_terms
    if (
        content
        and len(novel) <= REPEAT_MAX_NOVEL * len(content)
        and f["ref_lex"] < REPEAT_MAX_REF_LEX
        and f["prompt_sim"] >= f["ref_sim"] - REPEAT_SIM_MARGIN
    ):
        flags.append("repeats_question")
    return flags


FEEDBACK = MESSAGES  # the engine's one feedback catalogue (messages.py)
FEEDBACK_POINT_CHARS = 60  # key points are quoted up to this length in the feedback


def _quote(text: str) -> str:
    text = " ".join(text.split()).rstrip("。；;，,.!?！？:：")
    return text if len(text) <= FEEDBACK_POINT_CHARS else text[: FEEDBACK_POINT_CHARS - 1] + "…"


def build_feedback(lang: str, points: Sequence[KeyPointFeedback], flags: Sequence[str]) -> str:
    """One line per judgement (covered, partly, contradicted, missing), then a note per flag."""
    text = FEEDBACK["zh" if lang == "zh" else "en"]
    lines = []
    for state in ("covered", "partly", "contradicted", "missing"):
        items = [_quote(p.text) for p in points if (p.state or ("covered" if p.covered else "missing")) == state]
        if items:
            lines.append(text[state].format(items=text["key_point_separator"].join(items)))
    lines.extend(text[f].format(limit=MAX_SCORED_CHARS) for f in flags if f in text)
    return "\n".join(lines)


class PairScorer(Protocol):
    """A model that reads the reference and an answer together (the cross-encoder, cross_text.py):
    P(the answer is right) per answer, blended into the raw score with weight `share`."""

    share: float

    def __call__(self, reference: str, answers: Sequence[str]) -> np.ndarray: ...


def blend_pair_scores(ctx: KeyContext, answers: Sequence[Answer], pair: PairScorer) -> None:
    """raw = (1 - share) x the formula's raw score + share x the pair model's probability; both
    kept in the features, so a reviewer sees what each said."""
    if not answers:
        return
    probabilities = pair(ctx.key.reference or " ".join(ctx.points), [a.text for a in answers])
    for answer, p in zip(answers, probabilities, strict=True):
        f = answer.features
        f["formula_raw"], f["pair"] = f["raw"], round(float(p), 4)
        f["raw"] = round((1 - pair.share) * f["raw"] + pair.share * float(p), 4)


def grade_free_text(
    key: QuestionKey,
    responses: Sequence[str],
    *,
    examples: Sequence[GradedExample] = (),
    embedder: Embedder | None = None,
    tuning: Tuning = TUNING,
    version: str = FREE_TEXT_GRADER_VERSION,
    contradiction: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    pair: PairScorer | None = None,
) -> list[Result]:
    """Score a batch of answers to one question; identical (normalised) answers are scored once.

    The trained graders call this with their own embedder, constants, version and contradiction
    head (trained_text.py), or with a pair model whose probability is blended into the raw score
    (cross_text.py); with either, key points are covered, partly covered (or contradicted, with a
    head) or missing, and without, only covered or missing (ft-2)."""
    ctx = build_context(key)
    keys = [dedupe_key(_as_text(r)) for r in responses]
    if not ctx.rubric:
        return [_fixed(ctx, "empty" if not k else "no_reference", version) for k in keys]
    graded = [(dedupe_key(_as_text(e.response)), tidy(_as_text(e.response)), e.score) for e in examples]
    texts = [tidy(_as_text(r)) for r in responses] + [text for _, text, _ in graded]
    scored: dict[str, str] = {}  # dedupe key -> the first text seen with it
    for k, text in zip(keys + [k for k, _, _ in graded], texts, strict=True):
        if k and k not in scored:
            scored[k] = text
    answers = {k: prepare_answer(text, ctx) for k, text in scored.items()}
    vecs = _embed(embedder or default_embedder(), ctx, answers.values())
    for answer in answers.values():
        compute_features(ctx, answer, vecs, tuning)
    if pair is not None:
        blend_pair_scores(ctx, list(answers.values()), pair)
    for answer in answers.values():
        discount_contradicted(ctx, answer)
    calibration, example_vecs = _fit(key, graded, answers)
    judge = PointJudge(ctx, vecs, contradiction, states=contradiction is not None or pair is not None)
    results = {k: _result(ctx, answers[k], calibration, example_vecs, version, judge) for k in dict.fromkeys(keys) if k}
    return [results[k] if k else _fixed(ctx, "empty", version) for k in keys]


def _embed(embedder: Embedder, ctx: KeyContext, answers: Any) -> dict[str, np.ndarray]:
    """One embedder call for the key's texts and every distinct segment of every answer."""
    texts = list(dict.fromkeys([*ctx.texts, *(s for a in answers for s in a.segments)]))
    return dict(zip(texts, embedder.embed(texts), strict=True))


def _fit(
    key: QuestionKey, graded: list[tuple[str, str, float]], answers: dict[str, Answer]
) -> tuple[Calibration | None, np.ndarray | None]:
    if not graded or key.max_points <= 0:
        return None, None
    raws = [answers[k].features["raw"] if k else 0.0 for k, _, _ in graded]
    fractions = [score / key.max_points for _, _, score in graded]
    calibration = fit_calibration(raws, fractions)
    if calibration is None:
        return None, None
    dim = next(iter(answers.values())).whole.shape[0]
    vecs = np.stack([answers[k].whole if k else np.zeros(dim, dtype=np.float32) for k, _, _ in graded])
    return calibration, vecs


COVERED_AT = 0.5  # a point's strength from here is "covered"...
PARTLY_AT = 0.25  # ...from here "partly" (trained graders only), below "missing"
CONTRADICTED_AT = 0.5  # ...and "contradicted" when the head says the answer states the opposite


@dataclass
class PointJudge:
    """Per key point: its state and the answer segment that covers it."""

    ctx: KeyContext
    vecs: dict[str, np.ndarray]
    contradiction: Callable[[np.ndarray, np.ndarray], np.ndarray] | None
    states: bool = False  # covered / partly / missing (the trained graders); else covered or not

    def judge(self, answer: Answer, strengths: Sequence[float]) -> tuple[KeyPointFeedback, ...]:
        assert self.ctx.matrix is not None and answer.whole is not None
        points = self.ctx.matrix[: len(self.ctx.rubric)]
        contra = self.contradiction(points, answer.whole) if self.contradiction else None
        segments = np.stack([self.vecs[s] for s in answer.segments])
        best = (points @ segments.T).argmax(1)
        out = []
        contradicted = set(answer.features.get("contradicted", ()))
        for i, (point, strength) in enumerate(zip(self.ctx.rubric, strengths, strict=True)):
            state: PointState | Literal[""] = ""
            if i in contradicted:
                state = "contradicted"
            elif self.states:
                if strength >= COVERED_AT:
                    state = "covered"
                elif contra is not None and contra[i] >= CONTRADICTED_AT:
                    state = "contradicted"
                else:
                    state = "partly" if strength >= PARTLY_AT else "missing"
            evidence = answer.segments[best[i]] if strength >= (PARTLY_AT if self.states else COVERED_AT) else ""
            out.append(
                KeyPointFeedback(
                    text=point.text,
                    covered=strength >= COVERED_AT,
                    strength=round(float(strength), 3),
                    state=state,
                    evidence=evidence,
                )
            )
        return tuple(out)


def _result(
    ctx: KeyContext,
    answer: Answer,
    calibration: Calibration | None,
    example_vecs: np.ndarray | None,
    version: str,
    judge: PointJudge,
) -> Result:
    f = answer.features
    flags = detect_flags(ctx, answer)
    fraction = f["raw"]
    if calibration is not None and example_vecs is not None:
        fraction = calibration.apply(fraction, example_vecs @ answer.whole)
    if "keyword_stuffing" in flags:
        fraction = min(fraction, STUFFING_CAP)
    if "repeats_question" in flags and calibration is None:
        fraction = min(fraction, REPEAT_CAP)
    points = judge.judge(answer, f["strengths"])
    confidence = confidence_of(f["strengths"], fraction)
    details = {
        "grader": version,
        "calibrated": calibration is not None,
        "fraction": round(fraction, 4),
        "rubric_source": "key" if ctx.key.rubric else "proposed",
        **f,
    }
    return Result(
        score=round_score(fraction, ctx.key.max_points, SCORE_STEP),
        max_points=ctx.key.max_points,
        feedback=build_feedback(ctx.key.lang, points, flags),
        confidence=confidence,
        needs_review=confidence < REVIEW_BELOW or bool(REVIEW_FLAGS.intersection(flags)),
        grader=version,
        flags=tuple(flags),
        key_points=points,
        details=details,
    )


def _fixed(ctx: KeyContext, flag: str, version: str = FREE_TEXT_GRADER_VERSION) -> Result:
    """An empty answer (certain zero) or a key without any reference (a person must grade)."""
    empty = flag == "empty"
    points = tuple(KeyPointFeedback(text=p.text, covered=False, strength=0.0) for p in ctx.rubric)
    return Result(
        score=0.0,
        max_points=ctx.key.max_points,
        feedback=build_feedback(ctx.key.lang, (), [flag]),
        confidence=1.0 if empty else 0.0,
        needs_review=not empty,
        grader=version,
        flags=(flag,),
        key_points=points,
        details={"grader": version, "calibrated": False},
    )
