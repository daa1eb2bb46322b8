"""Marking the evidence of covered key points in a student's response."""

from __future__ import annotations

from grading.evidence import evidence_spans, marked_html


def test_evidence_is_found_across_full_width_punctuation_and_line_breaks():
    response = "编码器把输入压缩成低维向量，\n解码器再重构。Other text."
    [(start, end, number)] = evidence_spans(response, [(2, "编码器把输入压缩成低维向量, 解码器再重构。")])
    assert response[start:end] == "编码器把输入压缩成低维向量，\n解码器再重构。" and number == 2


def test_the_response_is_escaped_and_marked():
    html = marked_html("<b>x</b> the circuit is closed", [{"evidence": "The circuit is closed"}, {"evidence": ""}])
    assert html.startswith("&lt;b&gt;x&lt;/b&gt; <mark")
    assert "the circuit is closed<sup>1</sup></mark>" in html


def test_evidence_not_in_the_response_marks_nothing_and_overlaps_are_dropped():
    assert evidence_spans("abc def", [(1, "xyz")]) == []
    assert evidence_spans("abc def", [(1, "abc d"), (2, "c def")]) == [(0, 5, 1)]
