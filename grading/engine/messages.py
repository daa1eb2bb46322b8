"""Feedback sentences of the scoring core, one small catalogue per language.

The engine's one feedback catalogue: graders never build sentences inline, they call
`message(lang, key, **values)` (or read `MESSAGES[lang]`, as the free-text feedback does), so a
translation fix is one edit here. Keys missing in a language fall back to English; an unknown
language is treated as English. A grader adds its keys to both languages.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "empty": "No answer was given.",
        "correct": "Correct.",
        "incorrect": "Incorrect.",
        "unknown_choice": "The selected option ({choice}) is not one of this question's options.",
        "several_choices": "Only one option may be selected, but {count} were selected.",
        "uninterpretable": "The answer could not be read; it will be checked by a person.",
        "pattern_unchecked": (
            "The answer is too long or too complex to compare with the accepted answers automatically; "
            "it will be checked by a person."
        ),
        "true_false_unreadable": "The answer could not be read as true or false; it will be checked by a person.",
        "multiple_choice": (
            "{correct} of {total} correct options selected, {wrong} wrong option(s) selected: "
            "{points} of {max_points} points. Partial credit = (correct selected − wrong selected) "
            "÷ number of correct options, never below 0."
        ),
        "unknown_choices": "Not options of this question: {choices}.",
        "not_a_number": "Not a number.",
        "number_in_text": "Not a number (it contains other text); it will be checked by a person.",
        "numeric_correct": "Correct (within the accepted tolerance).",
        "numeric_incorrect": "Incorrect: the value is outside the accepted tolerance.",
        "short_text_correct": "Correct: this is an accepted answer.",
        "short_text_incorrect": "Incorrect: this is not one of the accepted answers.",
        "enum_recognised": "Recognised ({count} of {needed} needed): {items}.",
        "enum_none": "No expected item was recognised ({needed} needed).",
        "enum_more_needed": "{more} more item(s) needed for full points.",
        "enum_complete": "Enough items for full points.",
        "enum_unrecognised": "Not recognised: {entries}.",
        "enum_duplicates": "Items given more than once count once.",
        "list_separator": ", ",
        "sentence_separator": " ",
        # free text (free_text.build_feedback): one line per judgement, then a note per flag
        "covered": "Covered: {items}.",
        "partly": "Partly covered: {items}.",
        "contradicted": "Contradicts: {items}.",
        "missing": "Missing: {items}.",
        "no_reference": "This question has no reference answer or rubric; it needs a person to grade it.",
        "truncated": "Only the first {limit} characters were scored.",
        "keyword_stuffing": "The answer lists key terms without explaining them.",
        "repeats_question": "The answer mostly repeats the question.",
        "key_point_separator": "; ",
    },
    "zh": {
        "empty": "未作答。",
        "correct": "正确。",
        "incorrect": "错误。",
        "unknown_choice": "所选选项（{choice}）不是本题的选项。",
        "several_choices": "本题只能选择一个选项，但选择了 {count} 个。",
        "uninterpretable": "无法识别该答案，将由老师人工批改。",
        "pattern_unchecked": "答案过长或过于复杂，无法自动与可接受的答案比对，将由老师人工批改。",
        "true_false_unreadable": "无法将该答案识别为“对”或“错”，将由老师人工批改。",
        "multiple_choice": (
            "选对 {correct} 个（共 {total} 个正确选项），选错 {wrong} 个：得 {points} 分（满分 {max_points} 分）。"
            "部分得分 =（选对数 − 选错数）÷ 正确选项数，最低为 0。"
        ),
        "unknown_choices": "以下不是本题的选项：{choices}。",
        "not_a_number": "不是数字。",
        "number_in_text": "不是数字（含有其他文字），将由老师人工批改。",
        "numeric_correct": "正确（在允许误差范围内）。",
        "numeric_incorrect": "错误：数值超出允许的误差范围。",
        "short_text_correct": "正确：属于可接受的答案。",
        "short_text_incorrect": "错误：不属于可接受的答案。",
        "enum_recognised": "已识别 {count} 项（需要 {needed} 项）：{items}。",
        "enum_none": "未识别出任何要点（需要 {needed} 项）。",
        "enum_more_needed": "还需 {more} 项才能得满分。",
        "enum_complete": "要点数量已足够，得满分。",
        "enum_unrecognised": "未识别：{entries}。",
        "enum_duplicates": "重复的要点只计一次。",
        "list_separator": "、",
        "sentence_separator": "",
        "covered": "已答到：{items}。",
        "partly": "部分答到：{items}。",
        "contradicted": "与要点相反：{items}。",
        "missing": "未答到：{items}。",
        "no_reference": "该题没有参考答案或评分要点，需要人工评分。",
        "truncated": "答案过长，只评阅了前 {limit} 个字符。",
        "keyword_stuffing": "答案只罗列了关键词，没有说明。",
        "repeats_question": "答案基本是在复述题目。",
        "key_point_separator": "；",
    },
}


def message(lang: str, key: str, **kwargs: object) -> str:
    """The sentence `key` in `lang` (English when the language or the key is missing), filled in."""
    catalogue = MESSAGES.get(lang, MESSAGES["en"])
    template = catalogue.get(key)
    if template is None:
        template = MESSAGES["en"][key]
    return template.format(**kwargs) if kwargs else template
