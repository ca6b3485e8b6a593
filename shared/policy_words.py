"""A policy's words as a clerk reads them in a refusal or a detail: the rule itself, without the
reference to the document it was taken from.

Policy data keeps where its words come from: a threshold "公示期要在7天以上（开平市《赤水镇…实施方案
(2016-2018年)》五(一)）", a source "开平市《赤水镇…》三(一)、四(一)：2016-2018年按贫困人口人均3年不少于2万元
的投入标准". The policy's own answer shows the whole text; a refusal or an eligibility detail quotes only
the words ("公示期要在7天以上", "2016-2018年按贫困人口人均3年不少于2万元的投入标准"), which keeps it short.
Records written before the stop-27 migration, or edited by an administrator from them, may still
carry the project's old file reference ("(seed 004 §五(一))", "seed 004 (Kaiping) 三(一): "), which
names nothing a clerk has: it goes too.
"""

from __future__ import annotations

import re

from shared.policy_documents import DOCUMENTS

__all__ = ["plain_words"]

_CITED = "|".join(re.escape(title) for title in DOCUMENTS)
_BRACKETED = r"(?:[^()（）]|[(（][^()（）]*[)）])*"  # one level of brackets inside: 七(五)
# "(seed 004 §七(五))", "(seed 003 wording as the default)", "（开平市《…》五(一)）" closing the words
_TRAILING = re.compile(rf"\s*[(（](?:seed \d{{3}}|{_CITED}){_BRACKETED}[)）]")
# "seed 004 (Kaiping) 三(一)、四(一): ", "开平市《…》三(一)、四(一)：" leading the words it names
_LEADING = re.compile(rf"^(?:seed \d{{3}}|{_CITED})[^:：]*[:：]\s*")


def plain_words(text: str) -> str:
    """``text`` without the reference to the document it cites (as written when it has none)."""
    return _TRAILING.sub("", _LEADING.sub("", text)).strip()
