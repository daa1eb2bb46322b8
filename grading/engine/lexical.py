"""Lexical evidence for free-text grading: mixed Chinese/English terms and their overlap.

Embeddings judge meaning but blur exact technical terms ("encoder" vs "decoder" embed close
together), so the free-text grader also checks which content words of a key point occur in
the answer. Chinese runs are segmented with jieba (initialised once, quietly), Latin words are
stemmed with the Snowball English stemmer, stop words (English, Chinese, German) are dropped, and a
small bilingual synonym table maps common course terms to shared concept ids so that
"编码器" in a key point matches "encoder" in an answer.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from .normalize import has_cjk as has_cjk  # the one detector of CJK text, for the graders

# Han characters: the runs jieba segments into words (`has_cjk`, any CJK script, is `normalize`'s).
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Latin words keep their accented letters ("übertragung", not "bertragung"): Latin-1 and
# Latin Extended-A lower-case letters, after casefolding.
LATIN = "a-z0-9\u00df-\u00f6\u00f8-\u00ff\u0100-\u017f"
_RUN_RE = re.compile(rf"[{CJK}]+|[{LATIN}]+")
_CJK_RE = re.compile(rf"[{CJK}]")

EN_STOP: frozenset[str] = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each either etc few for
    from further had has have having he her here hers him his how i if in into is it its itself just
    let may me might more most much must my no nor not of off on once only or other our ours out over
    own same shall she should so some such than that the their theirs them then there these they
    this those through to too under until up upon us very via was we were what when where which
    while who whom why will with within without would you your yours e g eg ie i.e thing things
    get gets got use used uses using one ones make makes made way ways lot""".split()
)
ZH_STOP: frozenset[str] = frozenset(
    """的 了 是 在 和 与 及 或 等 也 就 都 而 并 对 把 被 让 给 从 向 以 为 之 其 这 那 这些 那些 这个 那个
    一个 一种 一些 我们 你 你们 他 她 它 它们 他们 可以 能够 能 会 要 将 即 则 又 还 很 更 最 所 所以
    因为 如果 但是 但 而且 并且 以及 或者 通过 进行 使用 利用 用 由 于 中 上 下 里 时 后 前 得 地 着 过
    个 种 些 有 没有 不 无 此 该 各 每 如 如何 什么 怎么 为什么 哪些 是否 就是 也是 还是 比较 非常 一 二
    然后 其中 以便 以下 如下 具体 具体来说 来说 例如 比如 之间 方面 部分 什么样 呢 吗 吧 啊 获得 得到""".split()
)
# German function words (the SAF German answers): without them every German answer "covers" a
# key point's "die", "und", "ist". Words that are also English content words (man, war, hat,
# gift, bin, fast) are left out.
DE_STOP: frozenset[str] = frozenset(
    """der die das den dem des ein eine einer eines einem einen und oder aber ist sind wird
    werden wurde wurden sein seine seiner ihr ihre ihren es er sie wir ich du ihm ihn uns euch
    nicht kein keine keinen auch noch nur schon sehr so wie als wenn dann dass ob weil da
    mit auf für von zu zum zur bei aus nach vor über unter durch gegen ohne um im ins am vom
    beim bis seit zwischen kann können muss müssen soll sollen sollte darf dürfen wollen
    habe haben hatte hatten wird diese dieser dieses diesen diesem jede jeder jedes jeden
    sich was wer wo welche welcher welches dort hier dabei dazu damit dafür darauf davon
    mehr einfach immer etwa bzw usw""".split()
)
STOP: frozenset[str] = EN_STOP | ZH_STOP | DE_STOP

# Bilingual concept groups: every surface form (English words are stemmed at load) maps to the
# group's first entry. Kept small and course-generic on purpose; key points may add their own
# alternatives with "a|b" keywords.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("encoder", "编码器", "编码"),
    ("decoder", "解码器", "解码"),
    ("autoencoder", "自编码器", "自动编码器"),
    ("embedding", "嵌入", "嵌入向量", "embed"),
    ("vector", "向量"),
    ("representation", "表示", "表征", "represent"),
    ("feature", "特征"),
    ("compress", "压缩", "compact", "紧凑"),
    ("dimension", "维度", "维", "dimensional"),
    ("reduce", "降低", "减少", "降", "decrease", "lower", "less", "smaller", "fewer"),
    ("reconstruct", "重构", "还原", "重建", "recover", "restore"),
    ("latent", "潜在", "隐", "hidden", "隐藏"),
    ("input", "输入"),
    ("output", "输出"),
    ("data", "数据"),
    ("train", "训练", "learn", "学习", "learning"),
    ("model", "模型", "network", "网络"),
    ("loss", "损失", "cost"),
    ("gradient", "梯度"),
    ("predict", "预测"),
    ("classify", "分类", "classification", "classifier", "分类器"),
    ("generate", "生成", "generation", "generator", "生成器"),
    ("label", "标签", "标注", "annotate", "annotation"),
    ("task", "任务"),
    ("parameter", "参数", "weight", "权重"),
    ("noise", "噪声", "噪音", "noisy"),
    ("mask", "掩码", "遮盖", "遮挡", "覆盖", "masked"),
    ("context", "上下文", "语境"),
    ("sentence", "句子"),
    ("word", "单词", "词", "词汇", "token"),
    ("image", "图像", "图片", "picture"),
    ("layer", "层"),
    ("attack", "攻击"),
    ("defense", "防御", "defence"),
    ("sample", "样本", "example", "instance"),
    ("similar", "相似", "similarity", "相似度", "close", "接近"),
    ("distance", "距离"),
    ("large", "大", "big", "larger", "bigger"),
    ("small", "小"),
    ("bidirectional", "双向"),
    ("unidirectional", "单向"),
    ("pretrain", "预训练", "pretraining"),
    ("finetune", "微调", "finetuning"),
    ("supervise", "监督", "supervised"),
    ("anomaly", "异常", "outlier"),
    ("discrete", "离散"),
    ("continuous", "连续"),
    ("quantize", "量化", "quantization"),
    ("optimize", "优化", "optimization"),
    ("cluster", "聚类", "clustering"),
    ("evaporate", "蒸发", "evaporation"),
    ("aim", "目的", "goal", "purpose", "目标"),
    ("local", "局部"),
    ("global", "全局"),
)

_TOKEN_RE = re.compile(r"\s+")
_JIEBA_LOCK = threading.Lock()
_stemmer_lock = threading.Lock()
_STEMMER = snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    """NFKC + casefold + collapsed whitespace: the comparison form of every text."""
    return _TOKEN_RE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


@lru_cache(maxsize=1)
def _jieba():
    """One quiet jieba tokenizer per process (its dictionary load takes ~1 s, cached on disk)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    with _JIEBA_LOCK:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for group in SYNONYM_GROUPS:  # segment the table's Chinese terms whole ("自编码器")
            for form in group:
                if len(form) >= 2 and _CJK_RE.match(form):
                    tokenizer.add_word(form)
    return tokenizer


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    with _stemmer_lock:  # the Snowball stemmer object is not thread-safe
        return _STEMMER.stemWord(word)


@lru_cache(maxsize=16384)
def _cut(run: str, search: bool) -> tuple[str, ...]:
    tok = _jieba()
    words = tok.cut_for_search(run, HMM=True) if search else tok.cut(run, HMM=True)
    return tuple(w for w in words if w.strip())


def words(text: str, *, search: bool = False) -> list[str]:
    """Folded word tokens in text order: jieba words for CJK runs, raw Latin words otherwise.

    `search=True` also emits jieba's sub-words ("编码器" -> "编码", "码器", "编码器"), which makes
    an answer's term set more forgiving of segmentation differences.
    """
    out: list[str] = []
    for run in _RUN_RE.findall(fold(text)):
        out.extend(_cut(run, search) if _CJK_RE.match(run) else (run,))
    return out


def term(word: str) -> str:
    """The comparison form of one word: its concept id if it has one, else its stem."""
    concept = _concepts().get(word)
    if concept is not None:
        return concept
    if _CJK_RE.match(word):
        return word
    return _concepts().get(stem(word), stem(word))


def content_terms(text: str, *, search: bool = False) -> list[str]:
    """Comparison terms of the content words (stop words and 1-letter Latin words dropped)."""
    return [term(w) for w in words(text, search=search) if _is_content(w)]


def _is_content(word: str) -> bool:
    if word in STOP:
        return False
    return bool(_CJK_RE.match(word)) or len(word) > 1 or word.isdigit()


def zh_share(text: str) -> float:
    """How Chinese a text is, 0..1: CJK characters against Latin words (1.5 characters each)."""
    cjk = len(_CJK_RE.findall(text))
    latin = len(re.findall(r"[A-Za-z]+", text))
    return cjk / (cjk + 1.5 * latin) if cjk + latin else 0.0


def stop_ratio(text: str) -> float:
    """Share of function words among the words: ~0.3-0.6 in prose, ~0 in a bag of keywords."""
    toks = words(text)
    if not toks:
        return 0.0
    return sum(1 for w in toks if w in STOP) / len(toks)


@lru_cache(maxsize=1)
def _concepts() -> dict[str, str]:
    table: dict[str, str] = {}
    for group in SYNONYM_GROUPS:
        head = group[0]
        for form in group:
            for key in {form, stem(form)} if not _CJK_RE.match(form) else {form}:
                table.setdefault(key, head)
    return table


@dataclass(frozen=True)
class AnswerTerms:
    """An answer prepared once for many overlap checks."""

    terms: frozenset[str]  # with jieba's sub-words, for forgiving matches
    text: str  # folded text, for CJK substring checks
    bigrams: frozenset[str]
    core: frozenset[str] = frozenset()  # the answer's own content terms (no sub-words)


def answer_terms(text: str) -> AnswerTerms:
    folded = fold(text)
    terms = set(content_terms(folded, search=True))
    cjk = "".join(_RUN_RE.findall(folded))
    bigrams = frozenset(cjk[i : i + 2] for i in range(len(cjk) - 1) if _CJK_RE.match(cjk[i]))
    return AnswerTerms(frozenset(terms), folded, bigrams, frozenset(content_terms(folded)))


def term_match(t: str, answer: AnswerTerms) -> float:
    """How well the answer contains one term: 1 exact/concept match, partial for near misses."""
    if t in answer.terms:
        return 1.0
    if _CJK_RE.match(t):
        if t in answer.text:
            return 1.0
        grams = [t[i : i + 2] for i in range(len(t) - 1)]
        if len(grams) < 2:
            return 0.0
        hit = sum(1 for g in grams if g in answer.bigrams) / len(grams)
        return hit if hit >= 0.5 else 0.0
    if len(t) >= 5:  # Snowball leaves "represent"/"repres" apart: accept a shared 5+ prefix
        for other in answer.terms:
            if len(other) >= 5 and (other.startswith(t) or t.startswith(other)):
                return 1.0
    return 0.0


@dataclass(frozen=True)
class Phrase:
    """A term or keyword to look for: alternatives ("a|b"), each a tuple of comparison terms."""

    alternatives: tuple[tuple[str, ...], ...]
    weight: float = 1.0


def phrase(text: str, weight: float = 1.0) -> Phrase:
    alts = []
    for alt in text.split("|"):
        terms = tuple(content_terms(alt) or [term(w) for w in words(alt)])
        if terms:
            alts.append(terms)
    return Phrase(tuple(alts), weight)


KEYWORD_WEIGHT = 2.0  # a rubric keyword counts as much as two ordinary content words
PROMPT_TERM_WEIGHT = 0.25  # words the prompt already contains are weak evidence


def point_phrases(text: str, keywords: Iterable[str], prompt_terms: set[str]) -> list[Phrase]:
    """The weighted terms of a key point: its distinct content terms plus its keywords."""
    out = []
    for t in dict.fromkeys(content_terms(text)):
        out.append(Phrase(((t,),), PROMPT_TERM_WEIGHT if t in prompt_terms else 1.0))
    for kw in keywords:
        ph = phrase(kw)
        if ph.alternatives:
            in_prompt = all(t in prompt_terms for alt in ph.alternatives for t in alt)
            out.append(Phrase(ph.alternatives, KEYWORD_WEIGHT * (PROMPT_TERM_WEIGHT if in_prompt else 1.0)))
    return out


def phrase_match(ph: Phrase, answer: AnswerTerms) -> float:
    """Best alternative's share of terms present in the answer."""
    best = 0.0
    for terms in ph.alternatives:
        best = max(best, sum(term_match(t, answer) for t in terms) / len(terms))
    return best


def weighted_recall(phrases: Iterable[Phrase], answer: AnswerTerms) -> float:
    """Weighted share of the phrases the answer contains, in 0..1."""
    total = hit = 0.0
    for ph in phrases:
        total += ph.weight
        hit += ph.weight * phrase_match(ph, answer)
    return hit / total if total > 0 else 0.0
