"""Resident ID numbers (GB 11643-1999): 6 area + 8 birth date + 3 sequence + 1 check (ISO 7064 MOD 11-2).

The sequence's last digit is odd for men, even for women. The check may be ``X`` (value 10).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from operator import mul

from shared.clock import clock

__all__ = ["InvalidResidentId", "ResidentId", "check_digit", "make", "normalise", "validate"]

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"
_ZEROS = ord("0") * sum(_WEIGHTS)  # the weighted sum of 17 ASCII zeros, taken off the code points
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
# what a spreadsheet shows of an ID kept as a number (4.40783E+17): only 15 digits survive
_AS_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?E\+?[0-9]+$")


class InvalidResidentId(ValueError):
    """``zh``: the same in Chinese, as a clerk reads it."""

    def __init__(self, message: str, zh: str | None = None) -> None:
        super().__init__(message)
        self.zh = zh or message


@dataclass(frozen=True, slots=True)
class ResidentId:
    number: str
    area6: str
    birth_date: date
    sex: str  # "male" | "female"


def check_digit(first17: str) -> str:
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise InvalidResidentId(
            "the first 17 characters of a resident ID must be digits", "身份证号前17位应为数字"
        )
    return _CHECK[(sum(map(mul, first17.encode(), _WEIGHTS)) - _ZEROS) % 11]


def normalise(number: str) -> str:
    """An ID as a spreadsheet cell holds it, as the clerk means it: full-width digits and Ｘ (typed
    with a Chinese input method) made ASCII, spaces (full-width too) dropped, x made upper case."""
    return "".join(unicodedata.normalize("NFKC", number).split()).upper()


def validate(number: str, *, today: date | None = None) -> ResidentId:
    n = (number or "").strip().upper()
    if _AS_NUMBER.match(n):
        raise InvalidResidentId(
            f"the resident ID was stored as a number ({n}) and lost its last digits; "
            "format the column as text and type the ID again",
            f"身份证号被表格存成了数字（显示为{n}），后几位已丢失：请把身份证号一列设为“文本”格式，"
            "照身份证重新录入",
        )
    if "*" in n:  # a roll exported from the system (440783********1234) typed back in
        raise InvalidResidentId(
            "the resident ID is masked (as an exported roll shows it); give the full number",
            "身份证号中间几位已隐去（从系统导出的表格里就是这样），请填写完整的身份证号",
        )
    if not _SHAPE.match(n):
        raise InvalidResidentId(
            "a resident ID has 18 characters: 17 digits and a digit or X",
            "身份证号应为18位：前17位为数字，最后一位为数字或X",
        )
    expected = check_digit(n[:17])
    if n[17] != expected:
        raise InvalidResidentId(
            f"the check character of resident ID ending {n[-4:]} is wrong",
            f"尾号为{n[-4:]}的身份证号校验位不对，请核对",
        )
    try:
        born = date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError as exc:
        raise InvalidResidentId(
            "the birth date inside the resident ID is not a real date", "身份证号中的出生日期不是有效日期"
        ) from exc
    today = today or clock.today()
    if born.year < 1880 or born > today:
        why = f"晚于今天（北京时间 {today}）" if born > today else "早于1880年"
        raise InvalidResidentId(
            f"the birth date {born} inside the resident ID ending {n[-4:]} is out of range "
            f"({'after today, ' + str(today) if born > today else 'before 1880'})",
            f"尾号为{n[-4:]}的身份证号中的出生日期 {born} {why}，请核对身份证号",
        )
    sex = "male" if int(n[16]) % 2 == 1 else "female"
    return ResidentId(number=n, area6=n[:6], birth_date=born, sex=sex)


def make(area6: str, birth_date: date, seq3: int, *, sex: str | None = None) -> str:
    """A synthetic but valid ID (for demo and test data only)."""
    seq = seq3 % 1000
    if sex is not None:
        wants_odd = sex == "male"
        if (seq % 2 == 1) != wants_odd:
            seq = (seq + 1) % 1000
    first17 = f"{area6[:6]}{birth_date:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)
