"""The five policy documents the presets cite, by the title a clerk can look up.

A preset's ``source`` (and a threshold's wording) names the document and its section as the office
files it: "开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》三(一)、四(一)：…", never
the project's own name for the file. Where no document sets a number, the source says it is the
system's default, to be checked against the province's published standard (``SYSTEM_DEFAULT``).
"""

from __future__ import annotations

__all__ = [
    "CHISHUI_PLAN",
    "DOCUMENTS",
    "GANSU_QINBA_PLAN",
    "GUANGYUAN_MECHANISMS",
    "JINZHOU_DECISION",
    "QUANZHOU_2018_POINTS",
    "SYSTEM_DEFAULT",
]

# 锦州市 (Liaoning): the city's decision
JINZHOU_DECISION = "《中共锦州市委 锦州市人民政府关于全力打赢脱贫攻坚战的决定》"
# 广元市 (Sichuan), 广委办〔2016〕95号
GUANGYUAN_MECHANISMS = "广元市《关于进一步完善脱贫攻坚工作体制机制的意见》"
# 泉州市 (Fujian), 泉扶组〔2018〕6号
QUANZHOU_2018_POINTS = "《泉州市2018年脱贫攻坚工作要点》"
# 甘肃省 (Gansu), the province's Qinba mountains plan
GANSU_QINBA_PLAN = "《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》"
# 开平市赤水镇 (Kaiping, Guangdong), 赤委〔2016〕51号
CHISHUI_PLAN = "开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》"

DOCUMENTS = (JINZHOU_DECISION, GUANGYUAN_MECHANISMS, QUANZHOU_2018_POINTS, GANSU_QINBA_PLAN, CHISHUI_PLAN)

# what a source says where none of the documents sets the number
SYSTEM_DEFAULT = "系统默认值，所引政策文件未作规定，使用前按本省公布的标准核定"
