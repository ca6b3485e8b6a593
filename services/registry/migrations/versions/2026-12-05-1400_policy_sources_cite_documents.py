"""policy sources and threshold wordings cite the document by its title and section, not the project's
file name ("seed 004"): the records the presets (and earlier migrations) wrote, where an admin has not
changed them, and the area exit requests assessed under them

Revision ID: 9f3c2a7e5d14
Revises: 1d5eab54439b
Create Date: 2026-12-05 14:00:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9f3c2a7e5d14"
down_revision: str | None = "1d5eab54439b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (old, new) as in services/registry/policies/presets.py and area_exits/presets.py before and after
# (a migration does not import application code). Only a value still equal to the old preset's text
# is rewritten: a record an admin changed keeps its words; running it again finds nothing to change.
POLICY_SOURCES = [
    (
        "national defaults; five batches from seed 000; notice 7 days, 3% and debt limit as in seeds 003/004; policies kept 3 years from each exit (一定时期, OUTSIDE THE SEEDS)",
        "全国默认：五个一批（《中共锦州市委 "
        "锦州市人民政府关于全力打赢脱贫攻坚战的决定》）；公示7天以上（开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》五(一)）；贫困发生率3%以下、大额借贷5万元以上（《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》第十章第一节六）；脱贫不脱政策自各户退出起3年（文件只说“一定时期”，系统默认值，所引政策文件未作规定，使用前按本省公布的标准核定）",
    ),
    (
        "exit line OUTSIDE THE SEEDS",
        "当年退出验收标准：系统默认值，所引政策文件未作规定，使用前按本省公布的标准核定",
    ),
    (
        "seed 003 (Gansu): seven batches, debt 5万元以上 blocks exit, incidence 3%以下",
        "《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》：“七个一批”；第十章第一节六：因病因学因房大额借贷5万元以上不能退出，贫困发生率降至3%以下",
    ),
    (
        "seed 004 (Kaiping/Chishui): three batches, notice 7天以上, return-to-poverty chain; exit line 4,000 yuan = Guangdong relative poverty line 2016-2018 (OUTSIDE THE SEEDS), reached or exceeded (达到或超过); "
        "the chain only for 因重大自然灾害返贫",
        "开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》：三个一批；公示7天以上（五(一)）；因重大自然灾害返贫的审批程序（七(五)）；达到或超过脱贫标准的退出（七(五)），标准4000元为广东省2016-2018年相对贫困线（系统默认值，所引政策文件未作规定，使用前按本省公布的标准核定）",
    ),
    (
        "seed 002 (Quanzhou): policies unchanged for exited households during the campaign; villages with collective operating income 1万元以下 are weak this year (seed 002 §六)",
        "《泉州市2018年脱贫攻坚工作要点》一：对已脱贫的贫困户和已摘帽的贫困村，在脱贫攻坚期内保持政策不变；六：确保今年消除村集体经营性收入1万元以下的空壳村",
    ),
    (
        "seed 002 (Quanzhou): villages with collective operating income 3万元以下 are weak from next year (2019) (seed 002 §六)",
        "《泉州市2018年脱贫攻坚工作要点》六：明年（2019年）消除村集体经营性收入3万元以下的薄弱村",
    ),
]
WORDINGS = [
    (
        "exit_line",
        "年人均纯收入稳定超过当年退出验收标准 (seed 003 wording as the default)",
        "年人均纯收入稳定超过当年退出验收标准（《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》第十章第一节六的表述，作全国默认）",
    ),
    (
        "large_debt_limit",
        "因病因学因房大额借贷(5万元以上) (seed 003)",
        "因病因学因房大额借贷(5万元以上)（《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》第十章第一节六）",
    ),
    (
        "exit_incidence",
        "贫困发生率降至3%以下 (seed 003)",
        "贫困发生率降至3%以下（《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》第十章第一节六）",
    ),
    (
        "notice_min_days",
        "公示期要在7天以上 (seed 004)",
        "公示期要在7天以上（开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》五(一)）",
    ),
    (
        "exit_line",
        "该户年人均纯收入稳定超过当年省定退出验收标准 (seed 003 §六)",
        "该户年人均纯收入稳定超过当年省定退出验收标准（《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》第十章第一节六）",
    ),
    (
        "large_debt_limit",
        "无因病因学因房大额借贷(5万元以上) (seed 003 §六)",
        "无因病因学因房大额借贷(5万元以上)（《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》第十章第一节六）",
    ),
    (
        "exit_incidence",
        "以贫困发生率降至3%以下为主要衡量标准 (seed 003 §六)",
        "以贫困发生率降至3%以下为主要衡量标准（《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》第十章第一节六）",
    ),
    (
        "exit_line",
        "对当年达到或超过脱贫标准的帮扶对象进行核实公示并退出帮扶 (seed 004 §七(五))",
        "对当年达到或超过脱贫标准的帮扶对象进行核实公示并退出帮扶（开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》七(五)）",
    ),
    (
        "notice_min_days",
        "公示期要在7天以上 (seed 004 §五(一))",
        "公示期要在7天以上（开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》五(一)）",
    ),
]
RELAPSE_ROUTES = [
    (
        [{"cause": "*", "route": "chain", "wording": "generic chain for every cause (OUTSIDE THE SEEDS)"}],
        [
            {
                "cause": "*",
                "route": "chain",
                "wording": "各类返贫均经镇认定、镇申请、县审批（系统默认值，所引政策文件未作规定，使用前按本省公布的标准核定）",
            }
        ],
    ),
    (
        [
            {
                "cause": "major_natural_disaster",
                "route": "chain",
                "wording": "因重大自然灾害返贫的,应根据镇农办、民政等部门认定,由镇扶贫办申请,呈市扶贫部门审核,并经江门市级扶贫部门审定,才能纳入下年度脱贫计划 (seed 004 §七(五))",
            },
            {
                "cause": "*",
                "route": "identification",
                "wording": "贫困人口进出严格按“拟选对象、精准扶持、民主评议、公示公告”程序办理 (seed 004 §七(五))",
            },
        ],
        [
            {
                "cause": "major_natural_disaster",
                "route": "chain",
                "wording": "因重大自然灾害返贫的,应根据镇农办、民政等部门认定,由镇扶贫办申请,呈市扶贫部门审核,并经江门市级扶贫部门审定,才能纳入下年度脱贫计划（开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》七(五)）",
            },
            {
                "cause": "*",
                "route": "identification",
                "wording": "贫困人口进出严格按“拟选对象、精准扶持、民主评议、公示公告”程序办理（开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》七(五)）",
            },
        ],
    ),
]
AREA_EXIT_SOURCES = [
    (
        "national default OUTSIDE THE SEEDS: incidence 3%以下 as in seed 003",
        "全国默认：贫困发生率降至3%以下（同《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》第十章第一节六；系统默认值，所引政策文件未作规定，使用前按本省公布的标准核定）",
    ),
    (
        "seed 003 (Gansu) 六: 贫困村退出以贫困发生率降至3%以下为主要衡量标准，统筹考虑村内基础设施、基本公共服务、产业发展、村容村貌等综合因素",
        "《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》第十章第一节六：贫困村退出以贫困发生率降至3%以下为主要衡量标准，统筹考虑村内基础设施、基本公共服务、产业发展、村容村貌等综合因素",
    ),
    (
        "seed 003 (Gansu) 六: 贫困县退出以贫困发生率降至3%以下为主要衡量标准，统筹考虑县域内农村人口住房、饮水、教育、医疗等综合因素",
        "《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》第十章第一节六：贫困县退出以贫困发生率降至3%以下为主要衡量标准，统筹考虑县域内农村人口住房、饮水、教育、医疗等综合因素",
    ),
    (
        "seed 001 (Guangyuan) 二(三): 贫困村退出'一低五有'; definitions OUTSIDE THE SEEDS (Sichuan): 贫困发生率低于3%, 有集体经济收入、有硬化路、有卫生室、有文化室、有通信网络",
        "广元市《关于进一步完善脱贫攻坚工作体制机制的意见》二(三)：贫困村退出“一低五有”；各项含义按四川省公布的标准（系统默认值，所引政策文件未作规定，使用前按本省公布的标准核定）：贫困发生率低于3%，有集体经济收入、有硬化路、有卫生室、有文化室、有通信网络",
    ),
    (
        "seed 001 (Guangyuan) 二(三): 贫困县摘帽'一低三有'; definitions OUTSIDE THE SEEDS (Sichuan): 贫困发生率低于3%, 乡乡有标准中心校、有达标卫生院、有便民服务中心",
        "广元市《关于进一步完善脱贫攻坚工作体制机制的意见》二(三)：贫困县摘帽“一低三有”；各项含义按四川省公布的标准（系统默认值，所引政策文件未作规定，使用前按本省公布的标准核定）：贫困发生率低于3%，乡乡有标准中心校、有达标卫生院、有便民服务中心",
    ),
    (
        "seed 004 (Kaiping) 六(一): 全市所有村委会集体可支配收入2016年达到15万元以上; incidence 3%以下 national default OUTSIDE THE SEEDS",
        "开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》六(一)：全市所有村委会集体可支配收入2016年达到15万元以上；贫困发生率3%以下为全国默认（系统默认值，所引政策文件未作规定，使用前按本省公布的标准核定）",
    ),
    (
        "seed 004 (Kaiping) 六(一): 全市所有村委会集体可支配收入2017年达到18万元以上; incidence 3%以下 national default OUTSIDE THE SEEDS",
        "开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》六(一)：全市所有村委会集体可支配收入2017年达到18万元以上；贫困发生率3%以下为全国默认（系统默认值，所引政策文件未作规定，使用前按本省公布的标准核定）",
    ),
    (
        "seed 004 (Kaiping) 六(一): 全市所有村委会集体可支配收入2018年达到20万元以上; incidence 3%以下 national default OUTSIDE THE SEEDS",
        "开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》六(一)：全市所有村委会集体可支配收入2018年达到20万元以上；贫困发生率3%以下为全国默认（系统默认值，所引政策文件未作规定，使用前按本省公布的标准核定）",
    ),
]
ASSESSED_UNDER = [
    (
        "440783/2016: ",
        "seed 004 (Kaiping) 六(一): 全市所有村委会集体可支配收入2016年达到15万元以上; incidence 3%以下 national default OUTSIDE THE SEEDS",
        "开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》六(一)：全市所有村委会集体可支配收入2016年达到15万元以上；贫困发生率3%以下为全国默认（系统默认值，所引政策文件未作规定，使用前按本省公布的标准核定）",
    ),
    (
        "440783/2017: ",
        "seed 004 (Kaiping) 六(一): 全市所有村委会集体可支配收入2017年达到18万元以上; incidence 3%以下 national default OUTSIDE THE SEEDS",
        "开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》六(一)：全市所有村委会集体可支配收入2017年达到18万元以上；贫困发生率3%以下为全国默认（系统默认值，所引政策文件未作规定，使用前按本省公布的标准核定）",
    ),
    (
        "440783/2018: ",
        "seed 004 (Kaiping) 六(一): 全市所有村委会集体可支配收入2018年达到20万元以上; incidence 3%以下 national default OUTSIDE THE SEEDS",
        "开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》六(一)：全市所有村委会集体可支配收入2018年达到20万元以上；贫困发生率3%以下为全国默认（系统默认值，所引政策文件未作规定，使用前按本省公布的标准核定）",
    ),
    (
        "5108/2016: ",
        "seed 001 (Guangyuan) 二(三): 贫困县摘帽'一低三有'; definitions OUTSIDE THE SEEDS (Sichuan): 贫困发生率低于3%, 乡乡有标准中心校、有达标卫生院、有便民服务中心",
        "广元市《关于进一步完善脱贫攻坚工作体制机制的意见》二(三)：贫困县摘帽“一低三有”；各项含义按四川省公布的标准（系统默认值，所引政策文件未作规定，使用前按本省公布的标准核定）：贫困发生率低于3%，乡乡有标准中心校、有达标卫生院、有便民服务中心",
    ),
    (
        "5108/2016: ",
        "seed 001 (Guangyuan) 二(三): 贫困村退出'一低五有'; definitions OUTSIDE THE SEEDS (Sichuan): 贫困发生率低于3%, 有集体经济收入、有硬化路、有卫生室、有文化室、有通信网络",
        "广元市《关于进一步完善脱贫攻坚工作体制机制的意见》二(三)：贫困村退出“一低五有”；各项含义按四川省公布的标准（系统默认值，所引政策文件未作规定，使用前按本省公布的标准核定）：贫困发生率低于3%，有集体经济收入、有硬化路、有卫生室、有文化室、有通信网络",
    ),
    (
        "62/2016: ",
        "seed 003 (Gansu) 六: 贫困县退出以贫困发生率降至3%以下为主要衡量标准，统筹考虑县域内农村人口住房、饮水、教育、医疗等综合因素",
        "《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》第十章第一节六：贫困县退出以贫困发生率降至3%以下为主要衡量标准，统筹考虑县域内农村人口住房、饮水、教育、医疗等综合因素",
    ),
    (
        "62/2016: ",
        "seed 003 (Gansu) 六: 贫困村退出以贫困发生率降至3%以下为主要衡量标准，统筹考虑村内基础设施、基本公共服务、产业发展、村容村貌等综合因素",
        "《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》第十章第一节六：贫困村退出以贫困发生率降至3%以下为主要衡量标准，统筹考虑村内基础设施、基本公共服务、产业发展、村容村貌等综合因素",
    ),
    (
        "national/2016: ",
        "national default OUTSIDE THE SEEDS: incidence 3%以下 as in seed 003",
        "全国默认：贫困发生率降至3%以下（同《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》第十章第一节六；系统默认值，所引政策文件未作规定，使用前按本省公布的标准核定）",
    ),
]


def _run(sql: str, **params: object) -> None:
    op.get_bind().execute(sa.text(sql), params)


def _rewrite(forward: bool) -> None:
    def pair(old: object, new: object) -> tuple[object, object]:
        return (old, new) if forward else (new, old)

    for old, new in (pair(*p) for p in POLICY_SOURCES):
        _run("UPDATE registry_policy SET source = :new WHERE source = :old", old=old, new=new)
    for key, *texts in WORDINGS:
        old, new = pair(*texts)
        _run(
            "UPDATE registry_policy SET comparisons = jsonb_set(comparisons, ARRAY[CAST(:key AS text), 'wording'], to_jsonb(CAST(:new AS text)))"
            " WHERE comparisons -> CAST(:key AS text) ->> 'wording' = :old",
            key=key,
            old=old,
            new=new,
        )
    for old, new in (pair(*p) for p in RELAPSE_ROUTES):
        _run(
            "UPDATE registry_policy SET relapse_routes = CAST(:new AS jsonb) WHERE relapse_routes = CAST(:old AS jsonb)",
            old=json.dumps(old, ensure_ascii=False),
            new=json.dumps(new, ensure_ascii=False),
        )
    for old, new in (pair(*p) for p in AREA_EXIT_SOURCES):
        _run("UPDATE area_exit_policy SET source = :new WHERE source = :old", old=old, new=new)
    # a request keeps the policy it was assessed under as "<prefix>/<year>: <source>"
    for head, *texts in ASSESSED_UNDER:
        old, new = pair(*texts)
        _run(
            "UPDATE area_exit_request SET policy_source = :new WHERE policy_source = :old",
            old=f"{head}{old}",
            new=f"{head}{new}",
        )


def upgrade() -> None:
    _rewrite(forward=True)


def downgrade() -> None:
    _rewrite(forward=False)
