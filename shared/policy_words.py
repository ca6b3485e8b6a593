"""A policy's words as a clerk reads them in an answer: without the project's own reference to the
text they were taken from.

Policy data keeps where its words come from: "公示期要在7天以上 (seed 004 §五(一))", or a source
"seed 004 (Kaiping) 三(一)、四(一): 2016-2018年按贫困人口人均3年不少于2万元的投入标准". The
reference names nothing the clerk has (the seeds are the project's sources), so a refusal or an
eligibility detail quotes only the words: "公示期要在7天以上",
"2016-2018年按贫困人口人均3年不少于2万元的投入标准".
"""

from __future__ import annotations

import re

__all__ = ["plain_words"]

# "(seed 004 §七(五))", "(seed 003)", "(seed 003 wording as the default)": one level of brackets inside
_TRAILING = re.compile(r"\s*[(（]seed \d{3}(?:[^()（）]|[(（][^()（）]*[)）])*[)）]")
# "seed 004 (Kaiping) 三(一)、四(一): " leading the words it names
_LEADING = re.compile(r"^seed \d{3}[^:：]*[:：]\s*")


def plain_words(text: str) -> str:
    """``text`` without the project's internal references to its source (as written when it has none)."""
    return _TRAILING.sub("", _LEADING.sub("", text)).strip()
