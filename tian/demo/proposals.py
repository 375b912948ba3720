"""The demo committee's proposals: No. 15 of 2023 exactly as on the seed page, and a few hundred others.

Every proposal is made by the service functions, step by step, each step by the role that owns it and
dated with ``at=``, so the demo's timelines, numbers, letters and statistics are what the real system
would have produced. The choices (topics, proposers, how far each proposal got) come from seeded
``random.Random`` instances, so every load produces the same proposals. Years before the current one
are mostly closed; the current year (2026 in the demo) has work waiting for every role.

Loading is all or nothing (one transaction) and happens only while the committee has no proposals, so
running ``load_demo`` again changes nothing.
"""

import datetime
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from tian.accounts.models import User
from tian.core.calendar import add_months
from tian.deadlines import services as deadlines
from tian.demo import data
from tian.handling import services as handling
from tian.handling.models import REPLYING_ROLES, Assignment, ContactRecord, Rating, Reply, UnitRole
from tian.organisations.models import (
    CollectiveProposer,
    LeadOfficial,
    Member,
    Session,
    SupervisingOffice,
    Unit,
)
from tian.proposals import services as proposals
from tian.proposals.events import quiet
from tian.proposals.models import DeclineForward, DeclineGround, Proposal, TopicCategory
from tian.proposals.selectors import proposer_members
from tian.search import index as search_index
from tian.supervision import services as supervision
from tian.supervision.models import SupervisionActivity

TZ = ZoneInfo("Asia/Shanghai")
STAFF = "tiwei"
# The demo's "today" never passes the end of the last demo session's year.
DEMO_YEAR_END = datetime.datetime(2026, 12, 31, 12, 0, tzinfo=TZ)
SEED_NUMBER = 15

# ---------------------------------------------------------------------------------------------------
# Proposal No. 15 of 2023, character for character as the legacy system shows it (its ASCII punctuation
# included). One string per paragraph.

SEED_TITLE = "关于加强全区未成年人关爱保护工作的建议"
SEED_PROPOSER, SEED_COSIGNER = "刘安泽", "徐丽娟"
SEED_LEAD_UNIT = "区民政局"
SEED_ASSISTING_UNITS = ("区教科局", "区司法局", "区公安分局", "区妇联")
SEED_OFFICES = ("区政府办公室", "区委目标绩效办")
SEED_LEAD_OFFICIAL = "杨金军"
SEED_CONTACT = ("贺威", "13795952836")

SEED_BODY = (
    (
        "未成年人是祖国的未来、民族的希望,做好未成年人关爱保相关护工作,是坚持以人为本、加强和创"
        "新社会治理、促进社会和谐稳定、推动经济社会协调发展的一项基础性工作。教育好、培养好未成年"
        "人,维护好他们的合法权益,使之成为有理想、有道德、有文化、有纪律的社会主义合格建设者和接"
        "班人,既关系到每个家庭的幸福,更关系到社会的长远发展。为此,提出如下建议:"
    ),
    (
        "一是要在提高认识上着力。未成年人关爱保护工作是关系国家民族前途命运的工作,是等不起的民生"
        "工程,更是一项民心工程。要进一步强化党委领导、政府负责、民政牵头、部门协同、社会参与,优"
        "化资源配置,加强协调配合,组织动员社会力量投入到未保工作上来。要健全共同参与、加强高位推"
        "动,不断完善区级未成年人关爱保护联席会议制度,每年至少召开两次联席会议,研究、分析、推进"
        "未保工作;要落实好强制报告制度,切实把未保工作做细做实,使涉及未成年人权益保护工作的每一"
        "件事和案件都得到妥善处置。要加大监督检查力度,把未保工作开展情况作为平安建设考核重要内容"
        "落到实处,并酌情考虑提高考核权重。"
    ),
    (
        "二是要在加大保障上着力。要充实未保工作力量,按照省民政厅要求,参照相关县区做法,大力促进"
        "民政部门内设机构职能整合、规范,单独设立未成年人关爱保护职能股室,增加1一2名人员编制,"
        "尤其要加强基层未保工作力量。要加大投入,逐步提高未保工作经费占财政预算支出比例,建设一批"
        "文化体育活动场所,儿童友好照明设施,家庭教育培训中心,配齐0一6岁公立托幼机构卫生保健人"
        "员,完善医疗健康服务,强化兜底监护能力,加强困境儿童保障,做到未保工作有机构负责、有专人"
        "办事、有经费保障。"
    ),
    (
        "三是要在补齐短板上着力。要进一步健全未保工作协调机制,建设使用好乡镇未保工作站,加强儿童"
        "督导员、儿童主任专业化建设。要积极指导和推进家庭教育,把提升家长教育水平放在家庭教育首位"
        ",建立并完善乡镇、村(社区)的家长学校,面向社会广泛开展家庭教育宣传,普及家庭教育知识,"
        "推广家庭教育成功经验,提高家长科学教育子女的能力。要强化父母监护和委托照护的监督,重点强"
        "化单亲家庭、再婚家庭以及托管家庭的监护责任,教育广大家长或委托监护人依法履行对未成年子女"
        "的监护职责和抚养义务。要加强供给,整合社会资源,探索建立免费开放长效机制,稳步推进文体设"
        "施在节假日和双休日对未成年人免费或优惠开放。要高度重视心理健康服务队伍建设,不断补充专业"
        "心理教师,鼓励在编教师考证,真正建立一支有资质有水平能满足需要的心理咨询师队伍。要发挥好"
        "法治副校长作用,加大普法宣传力度,提高未成年人法治意识和自护能力,预防未成年人犯罪和侵害"
        "未成年人犯罪,培育扶持未成年人司法类社会工作服务机构,持续整治校园周边环境,开展好防欺凌"
        "防性侵教育活动,以更大力度更实举措保障未成年人合法权益。要尽快发展普惠托育服务,建设普惠"
        "托育机构,推进托育一体化建设,多渠道提供托育服务,完善0一3周岁以下婴幼儿照护财政补贴政"
        "策。"
    ),
    (
        "四是要在动员社会力量上着力。未保工作是全社会瞩目的工作,要引导社会力量高度关注广泛参与未"
        "保工作,充分发挥社会组织、专业机构、爱心企业、爱心人士、志愿者和各类慈善组织的重要作用,"
        "面向未成年人广泛开展公益项目、专项慈善捐助、法律援助、个案互助等服务活动。要设立专项资金"
        ",用于社会工作者、志愿者队伍建设和购买第三方服务。要加强社会工作者队伍建设,壮大未保工作"
        "志愿者队伍,吸引一批有情怀懂专业的人士投身到未保工作中来。"
    ),
)

SEED_REPLY = (
    (
        "首先感谢您对我区未成年人关爱保护工作的关注和支持,您提出的《关于加强全区未成年人关爱保护"
        "工作的建议》(第15号建议)已收悉,我局高度重视,统筹谋划,多措并举抓好工作落实,现将有"
        "关办理情况答复如下:"
    ),
    (
        "未成年人是祖国的未来,未成年人保护工作是一项涉及千家万户的民心工程。为了维护好未成年人合"
        "法权益,培育他们成为有理想、有道德、有文化、有纪律的社会主义合格建设者和接班人,在区委区"
        "政府的领导下,不断提升未成年人保护关爱水平,推动我区未保工作高质量发展。一是加强组织领导"
        "。调整成立以区长为组长的朝天区未成年人保护工作领导小组,建立未成年人保护工作领导小组议事"
        "协调机制,优化资源配置,各成员部门加强协调配合,形成“党委领导、政府负责、民政牵头、部门"
        "协同、社会参与”的工作格局。每年至少召开两次联席会议,研究、分析当前未保工作形势,解决重"
        "点、难点问题。加大对辖区内困境未成年人、留守儿童以及其他特殊困难群体的走访排查,确保未保"
        "工作在末端落实落细,使关爱保护不漏掉任何一个孩子。二是加强阵地建设。按照省市区要求,成立"
        "区未成年人保护中心,已建成未成年人保护工作站12个、未成年保护工作点(家)139个、未成"
        "年人保护工作服务站6个,全区配齐配强儿童督导员12人、儿童主任139名,形成了覆盖区、乡"
        "、村三级未成年人保护网和联动救助机制。三是加大保障力度。根据最低生活保障分类施保政策,向"
        "生活在最低保障线下的困难家庭学生倾斜,加大救助力度,将1570名未成年人纳入低保,2人纳"
        "入特困供养。截止9月底,累计发放孤儿养育金12.36万元,事实无人抚养儿童生活补贴29."
        "04万余元,“福彩圆梦·孤儿助学工程3万元。四是提升关爱保护水平。我区留守儿童现象突出,"
        "为解决农村留守儿童监护难的问题,在朝天一小开展美术制作活动、之江中学开展校园足球特殊课堂"
        "、曾家中学创立“绣美曾家”刺绣社团、中子实验学校设立臻品手工坊,以“2+2”延伸替代服务"
        "活动为抓手,培养孩子的兴趣爱好,开拓其视野,塑造美好心理,为健康成长与将来发展打下坚实基"
        "础。五是保障合法权益。积极推进家庭教育指导,强化父母监护和委托照护的监督。关注未成年人心"
        "理健康,逐步建立一支有资质有水平的心理健康服务队伍。加大对强制报告制度的督查检查力度,审"
        "慎处理每一起涉及未成年人权益保护的案例。配齐配强法治副校长,提升普法力度和范围,预防未成"
        "年人犯罪和侵害未成年人犯罪。持续开展校园周边环境治理,消除危害未成年人身心健康的安全隐患"
        "。重点开展校园防欺凌防性侵教育活动,为未成年人提供法律援助服务,以扎实有力的举措保障未成"
        "年人合法权益。六是引导社会参与。未保工作是全社会广泛关注的工作,采取未保宣传进校园、进社"
        "区等多种形式,广泛动员社会力量参与到未保工作之中。加大对未成年人相关社会组织的培育指导,"
        "以第三方购买的形式将专业社工组织引入未保工作之中,不断加强我区社会工作者队伍建设,营造有"
        "利于未成年人成长的良好社会氛围。"
    ),
    (
        "我们将持续用力用心做好未成年人关爱保护工作,对本提案的办理结果,请您在网上就满意度进行评"
        "价反馈,期待您一如既往对全区未成年人关爱保护工作予以关注关心。"
    ),
)


def _dt(year, month, day, hour=9, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TZ)


def _days(n: float) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _minutes(n: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


@contextmanager
def _quietly():
    """The demo's events are history: nobody is notified of them (no bell, email or SMS), and each proposal
    is indexed for search once at the end instead of after every event.

    """
    with quiet(index=False):
        yield


# For the units' contact persons (fictional).
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建林波斌宇浩凯健俊帆"


class Cast:
    """The demo committee's people and lists, looked up once; every actor is the user of that name."""

    def __init__(self, committee, anchor: datetime.datetime):
        self.committee = committee
        self.anchor = anchor
        self.latest = anchor - datetime.timedelta(minutes=30)
        self.users = {u.username: u for u in User.objects.all()}
        self.staff = self.users[STAFF]
        members = {m.name: m for m in Member.objects.filter(committee=committee, is_active=True)}
        self.members = {name: members[name] for name, *_ in data.MEMBERS if name in members}
        self.member_list = list(self.members.values())
        units = {u.name: u for u in Unit.objects.filter(committee=committee, is_active=True)}
        self.units = {name: units[name] for name, *_ in data.UNITS if name in units}
        self.offices = {o.name: o for o in SupervisingOffice.objects.filter(committee=committee, is_active=True)}
        officials = {o.name: o for o in LeadOfficial.objects.filter(committee=committee, is_active=True)}
        self.officials = {name: officials[name] for name, _ in data.LEAD_OFFICIALS if name in officials}
        collectives = {c.name: c for c in CollectiveProposer.objects.filter(committee=committee, is_active=True)}
        self.collectives = [collectives[name] for name, *_ in data.COLLECTIVE_PROPOSERS if name in collectives]
        self.categories = {c.name: c for c in TopicCategory.objects.filter(committee=committee)}
        self.grounds = list(DeclineGround.objects.filter(committee=committee, is_active=True))
        self.sessions = {s.year: s for s in Session.objects.filter(term__committee=committee).select_related("term")}
        self.topics = {t[0]: t for t in data.PROPOSAL_TOPICS}
        self._document_numbers: dict[tuple[str, int], int] = {}
        self._contacts: dict[str, tuple[str, str]] = {SEED_LEAD_UNIT: SEED_CONTACT}

    def user(self, name: str) -> User:
        return self.users[name]

    def contact(self, unit: Unit) -> tuple[str, str]:
        """The unit's contact person for replies: the same person and phone every year."""
        if unit.name not in self._contacts:
            rng = random.Random(f"contact:{unit.name}")
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            phone = f"1{rng.choice('3589')}{rng.randrange(10 ** 9):09d}"
            self._contacts[unit.name] = (name, phone)
        return self._contacts[unit.name]

    def document_number(self, unit: Unit, year: int) -> str:
        key = (unit.name, year)
        self._document_numbers[key] = self._document_numbers.get(key, 8 + len(unit.name) * 3) + 1
        abbreviation = unit.name.removeprefix("区")[0]
        return f"朝{abbreviation}函〔{year}〕{self._document_numbers[key]}号"


# ---------------------------------------------------------------------------------------------------
# Plans: what happens to each generated proposal, and when.

# The milestones of a proposal's life in order; a plan's path is the part it reaches.
MILESTONES = ("draft", "submit", "returned", "resubmit", "review", "assign", "sign", "work", "reply", "cosign",
              "supervise", "evaluate", "reply2", "cosign2", "supervise2", "evaluate2", "close", "disclose")
ROUND_TWO = ("reply2", "cosign2", "supervise2", "evaluate2")

# How far each fate gets: its last milestone.
LAST_MILESTONE = {
    "draft": "draft", "submitted": "submit", "returned": "returned", "withdrawn": "review",
    "declined": "review", "merged": "review", "registered": "review", "assigned": "assign", "signed": "sign",
    "reassign_pending": "sign", "working": "work", "extension_pending": "work", "reply_draft": "reply",
    "cosigning": "reply", "supervision": "cosign", "sup_returned": "supervise", "replied": "supervise",
    "evaluated": "evaluate", "rehandling": "evaluate", "rehandled_replied": "supervise2", "closed": "disclose",
    "closed_rehandled": "disclose",
}
REHANDLED = {"rehandling", "rehandled_replied", "closed_rehandled"}
FINISHED = {"closed", "closed_rehandled", "declined", "merged", "withdrawn"}
NOT_REGISTERED = {"draft", "submitted", "returned", "withdrawn", "declined", "merged"}
WAITING_FOR_UNITS = {"signed", "working", "extension_pending", "reply_draft"}

# How many proposals of each fate each year gets. Earlier years are history; the current one is busy.
YEAR_FATES = {
    2021: {"declined": 2, "merged": 1, "withdrawn": 1, "returned": 1, "closed_rehandled": 1, "closed": 34},
    2022: {"declined": 3, "merged": 1, "withdrawn": 1, "draft": 1, "closed_rehandled": 1, "closed": 33},
    2023: {"declined": 2, "merged": 2, "withdrawn": 1, "closed_rehandled": 2, "closed": 34},
    2024: {"declined": 2, "merged": 1, "withdrawn": 2, "returned": 1, "closed_rehandled": 1, "closed": 35},
    2025: {"declined": 3, "merged": 1, "withdrawn": 1, "draft": 1, "closed_rehandled": 2, "closed": 34},
    2026: {"draft": 3, "submitted": 4, "returned": 2, "withdrawn": 1, "declined": 2, "merged": 1, "registered": 3,
           "assigned": 3, "signed": 2, "working": 3, "reassign_pending": 1, "extension_pending": 1,
           "reply_draft": 2, "cosigning": 2, "supervision": 3, "sup_returned": 1, "replied": 4, "evaluated": 2,
           "rehandling": 1, "rehandled_replied": 1, "closed": 6, "closed_rehandled": 1},
}

# Proposals of the current year that give each demo login something to do on its home page.
SHOWCASE = {
    2026: (
        {"fate": "assigned", "topic": "关于完善农村互助养老服务体系的建议"},
        {"fate": "working", "topic": "关于加强农村留守老人养老保障的建议", "key": True, "officials": ["杨金军"],
         "offices": ["区政府办公室", "区委目标绩效办"]},
        {"fate": "cosigning", "topic": "关于推进医养结合发展的建议", "unsigned_unit": "区民政局"},
        {"fate": "supervision", "topic": "关于推进智慧社区建设的建议", "lead": "刘安泽", "offices": ["区政府办公室"]},
        {"fate": "replied", "topic": "关于加强中小学生心理健康教育的建议", "lead": "刘安泽",
         "cosigners": ["徐丽娟", "张晓燕"]},
        {"fate": "draft", "topic": "关于完善矛盾纠纷多元化解机制的建议", "lead": "刘安泽"},
        {"fate": "submitted", "topic": "关于加强乡村教师队伍建设的建议", "lead": "徐丽娟", "late_invites": ["刘安泽"]},
        {"fate": "replied", "topic": "关于加强残疾人就业帮扶的建议", "collective": "民革朝天区支部"},
        {"fate": "supervision", "topic": "关于加强森林防火工作的建议", "key": True, "officials": ["杨金军"],
         "offices": ["区政府办公室"]},
    ),
}

TITLE_VARIANTS = (("关于加强", "关于进一步加强"), ("关于完善", "关于进一步完善"), ("关于推进", "关于加快推进"),
                  ("关于提升", "关于持续提升"), ("关于加快", "关于进一步加快"), ("关于规范", "关于进一步规范"),
                  ("关于做", "关于持续做"), ("关于促进", "关于进一步促进"), ("关于保障", "关于切实保障"))


@dataclass
class Plan:
    year: int
    fate: str
    rng: random.Random
    topic: tuple
    title: str
    lead: Member | None = None
    collective: CollectiveProposer | None = None
    on_paper: bool = False
    cosigners: list = field(default_factory=list)  # [(member, True | False | None)]; None: never answers
    late_invites: list = field(default_factory=list)  # members invited just now, still to answer
    three_parts: bool = False
    consent: bool = True
    lead_unit: Unit | None = None
    assisting: list = field(default_factory=list)
    separate: list = field(default_factory=list)
    is_key: bool = False
    officials: list = field(default_factory=list)
    offices: list = field(default_factory=list)
    returned_first: bool = False
    reassign: str = ""  # approved, refused or pending
    extension: str = ""  # approved or pending
    sup_return: bool = False
    unsigned_unit: str = ""
    disclose: bool = False
    merge_into: "Plan | None" = None
    merged_in: list = field(default_factory=list)
    path: list = field(default_factory=list)
    times: dict = field(default_factory=dict)
    proposal: Proposal | None = None

    @property
    def category(self) -> str:
        return self.topic[1]

    def at(self, name: str) -> datetime.datetime:
        return self.times[name]

    def after(self, name: str, fraction: float) -> datetime.datetime:
        """A moment between milestone ``name`` and the next one the plan reaches."""
        start = self.times[name]
        following = self.path[self.path.index(name) + 1]
        return start + (self.times[following] - start) * fraction

    def between(self, first: str, second: str, fraction: float) -> datetime.datetime:
        return self.times[first] + (self.times[second] - self.times[first]) * fraction


def _vary(title: str, rng: random.Random, chance: float = 0.35) -> str:
    if rng.random() < chance:
        for old, new in TITLE_VARIANTS:
            if title.startswith(old) and not title.startswith(new):
                return new + title[len(old):]
    return title


def _path(plan: Plan) -> list[str]:
    last = LAST_MILESTONE[plan.fate]
    path = []
    for name in MILESTONES:
        if name == "returned" and not (plan.returned_first or plan.fate == "returned"):
            continue
        if name == "resubmit" and not plan.returned_first:
            continue
        if name in ROUND_TWO and plan.fate not in REHANDLED:
            continue
        path.append(name)
        if name == last:
            break
    return [*path, "end"]


def _gap(name: str, rng: random.Random) -> datetime.timedelta:
    """Typical time from the previous milestone to ``name``."""
    low, high = {
        "submit": (0.05, 1.2), "returned": (3, 12), "resubmit": (2, 8), "review": (4, 14), "assign": (5, 14),
        "sign": (0.5, 4), "work": (10, 40), "reply": (20, 70), "cosign": (2, 9), "supervise": (1, 6),
        "evaluate": (5, 20), "reply2": (20, 50), "cosign2": (2, 7), "supervise2": (1, 5), "evaluate2": (5, 15),
        "close": (7, 30), "disclose": (2, 15), "end": (0.5, 3),
    }[name]
    return _days(rng.uniform(low, high))


def _random_day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + _days(rng.randrange((last - first).days + 1))


def _schedule(cast: Cast, plan: Plan) -> None:
    """Give each milestone of the plan's path a time: plenary proposals in the plenary window, recess
    ones from March on; in the current year, unfinished proposals end shortly before today."""
    rng, session = plan.rng, cast.sessions[plan.year]
    if rng.random() < 0.8:
        if rng.random() < 0.75:
            day = _random_day(rng, session.plenary_start, session.plenary_end)
        else:
            day = _random_day(rng, session.submissions_open_on, session.plenary_start)
    else:
        day = _random_day(rng, datetime.date(plan.year, 3, 1), datetime.date(plan.year, 9, 30))
    t = datetime.datetime.combine(day, datetime.time(rng.randint(8, 20), rng.randrange(60)), tzinfo=TZ)
    times = {}
    for name in plan.path:
        if name != "draft":
            t = t + _gap(name, rng)
        if name == "review" and session.is_plenary_date(timezone.localdate(times["submit"])):
            # Plenary proposals are reviewed together a week or three after the plenary.
            batch = datetime.datetime.combine(session.plenary_end + _days(rng.randint(8, 22)),
                                              datetime.time(rng.randint(9, 17), rng.randrange(60)), tzinfo=TZ)
            t = max(t, batch)
        times[name] = t
    if plan.year == cast.anchor.year and plan.fate not in FINISHED:
        lag = rng.uniform(1, 60) if plan.fate in WAITING_FOR_UNITS else rng.uniform(0.3, 12)
        times = _shift(times, cast.anchor - _days(lag) - times["end"])
    if times["end"] > cast.latest:
        times = _shift(times, cast.latest - times["end"])
    earliest = datetime.datetime.combine(session.submissions_open_on + _days(1), datetime.time(9), tzinfo=TZ)
    if times["draft"] < earliest:  # too long a story for the time left: tell it faster
        start, end = times["draft"], times["end"]
        factor = (end - earliest) / (end - start)
        times = {name: earliest + (value - start) * factor for name, value in times.items()}
    plan.times = times


def _shift(times: dict, delta: datetime.timedelta) -> dict:
    return {name: value + delta for name, value in times.items()}


def _schedule_merged(cast: Cast, plan: Plan) -> None:
    """A proposal merged into another was written about the same time and reviewed right after it."""
    rng, target = plan.rng, plan.merge_into.times
    draft = target["draft"] + datetime.timedelta(hours=rng.uniform(2, 40))
    submit = draft + _gap("submit", rng)
    review = max(submit + _days(1), target["review"] + datetime.timedelta(hours=rng.uniform(1, 5)))
    plan.times = {"draft": draft, "submit": submit, "review": review, "end": review + _days(1)}


def _units(cast: Cast, names) -> list[Unit]:
    return [cast.units[name] for name in names if name in cast.units]


def _offices_for(cast: Cast, unit: Unit, rng: random.Random) -> list[SupervisingOffice]:
    party_side = unit.kind in (Unit.Kind.PARTY_COMMITTEE, Unit.Kind.ORGANISATION, Unit.Kind.JUDICIAL)
    offices = [cast.offices["区委办公室" if party_side else "区政府办公室"]]
    if rng.random() < 0.3:
        offices.append(cast.offices["区委目标绩效办"])
    return offices


def _make_plan(cast: Cast, year: int, index: int, fate: str, topic: tuple, spec: dict) -> Plan:
    rng = random.Random(f"{year}:{index}:{fate}:{topic[0]}")
    plan = Plan(year=year, fate=fate, rng=rng, topic=topic, title=topic[0] if spec else _vary(topic[0], rng))
    if spec.get("collective"):
        plan.collective = next(c for c in cast.collectives if c.name == spec["collective"])
    elif spec.get("lead"):
        plan.lead = cast.members[spec["lead"]]
    elif not spec and rng.random() < 0.1:
        plan.collective = rng.choice(cast.collectives)
    else:
        plan.lead = rng.choice(cast.member_list)
    if plan.lead is not None:
        plan.on_paper = not spec and rng.random() < 0.06
        if "cosigners" in spec:
            plan.cosigners = [(cast.members[name], True) for name in spec["cosigners"]]
        else:
            count = rng.choices((0, 1, 2, 3, 4), weights=(30, 30, 22, 13, 5))[0]
            others = [m for m in cast.member_list if m.pk != plan.lead.pk]
            plan.cosigners = [(m, rng.choices((True, False, None), weights=(85, 8, 7))[0])
                              for m in rng.sample(others, count)]
        plan.late_invites = [cast.members[name] for name in spec.get("late_invites", ())]
    plan.three_parts = rng.random() < 0.1
    plan.consent = rng.random() < 0.92

    units = _units(cast, topic[2])
    plan.unsigned_unit = spec.get("unsigned_unit", "")
    if len(units) >= 2 and not spec and fate != "cosigning" and rng.random() < 0.12:
        plan.separate = units
    else:
        plan.lead_unit, plan.assisting = units[0], units[1:]
        if fate == "cosigning" and not plan.assisting:
            spare = [u for u in _units(cast, ("区财政局", "区发改局")) if u.pk != plan.lead_unit.pk]
            plan.assisting = spare[:1]
    first_unit = plan.lead_unit or plan.separate[0]
    plan.is_key = spec.get("key", not spec and rng.random() < 0.1)
    if "offices" in spec:
        plan.offices = [cast.offices[name] for name in spec["offices"]]
    elif plan.is_key or fate in ("supervision", "sup_returned") or rng.random() < 0.85:
        plan.offices = _offices_for(cast, first_unit, rng)
    if "officials" in spec:
        plan.officials = [cast.officials[name] for name in spec["officials"]]
    elif plan.is_key or rng.random() < 0.35:
        names = list(cast.officials)  # the first, 杨金军, leads on most proposals
        plan.officials = [cast.officials[rng.choices(names, weights=[4] + [1] * (len(names) - 1))[0]]]

    path_names = set(MILESTONES[MILESTONES.index("review"):MILESTONES.index(LAST_MILESTONE[fate]) + 1])
    plan.returned_first = (not spec and fate not in ("draft", "returned", "merged") and "review" in path_names
                           and rng.random() < 0.08)
    if fate == "reassign_pending":
        plan.reassign = "pending"
    elif "sign" in path_names and not spec and rng.random() < 0.07:
        plan.reassign = rng.choice(("approved", "approved", "refused"))
    if fate == "extension_pending":
        plan.extension = "pending"
    elif "reply" in path_names and not spec and rng.random() < 0.08:
        plan.extension = "approved"
    plan.sup_return = "evaluate" in path_names and not spec and rng.random() < 0.06
    plan.disclose = plan.consent and rng.random() < 0.9
    plan.path = _path(plan)
    return plan


def _plans_for(cast: Cast, year: int) -> list[Plan]:
    rng = random.Random(f"demo-proposals-{year}")
    counts = dict(YEAR_FATES[year])
    showcase = SHOWCASE.get(year, ())
    for spec in showcase:
        counts[spec["fate"]] -= 1
    fates = [fate for fate, n in counts.items() for _ in range(n) if fate != "merged"]
    rng.shuffle(fates)
    used = {spec["topic"] for spec in showcase}
    if year == 2023:
        used.add(SEED_TITLE)
    free = [t for t in data.PROPOSAL_TOPICS if t[0] not in used]
    topics = rng.sample(free, len(fates))
    plans = [_make_plan(cast, year, i, spec["fate"], cast.topics[spec["topic"]], spec)
             for i, spec in enumerate(showcase)]
    plans += [_make_plan(cast, year, len(showcase) + i, fate, topic, {})
              for i, (fate, topic) in enumerate(zip(fates, topics, strict=True))]
    for plan in plans:
        _schedule(cast, plan)
    targets = [p for p in plans if p.fate not in NOT_REGISTERED and p.at("review") < cast.latest - _days(2)]
    for i in range(counts.get("merged", 0)):
        target = rng.choice(targets)
        targets.remove(target)
        topic = target.topic
        plan = _make_plan(cast, year, 1000 + i, "merged", topic, {})
        while plan.lead is None or plan.lead == target.lead:
            plan.collective, plan.lead = None, rng.choice(cast.member_list)
        plan.cosigners = [(m, answer) for m, answer in plan.cosigners if m.pk != plan.lead.pk]
        plan.title = _vary(topic[0], plan.rng, chance=1.0)
        if plan.title == target.title:
            plan.title = plan.title.replace("的建议", "的几点建议")
        plan.merge_into = target
        target.merged_in.append(plan)
        _schedule_merged(cast, plan)
    return plans


# ---------------------------------------------------------------------------------------------------
# Texts.

RETURN_NOTES = (
    "建议内容较为笼统，请进一步明确具体措施和责任单位后重新提交。",
    "请补充问题分析部分，并精简正文后重新提交。",
    "标题与正文内容不够一致，请修改后重新提交。",
)
DECLINE_NOTES = (
    "经提案审查，该件不符合立案条件，已按程序转有关部门参考。",
    "该件所提问题属个案诉求，不予立案，已转相关部门研究处理。",
    "经审查，该件建议缺乏可操作性，不予立案。",
)
WITHDRAW_NOTES = (
    "经与有关部门沟通，所提问题已在推进解决，申请撤回。",
    "拟进一步调研后再行提出，申请撤回。",
)
CONTACT_SUMMARIES = (
    "电话联系提案人，了解提案背景和具体诉求，沟通办理思路。",
    "登门走访提案人，通报办理工作安排，听取意见建议。",
    "邀请提案人参加办理工作座谈会，共同研究解决措施。",
    "与提案人面对面沟通，就答复内容征求意见。",
)
OPINIONS = (
    "我单位同意主办单位的办理意见。在职责范围内，我们将加强协作配合，做好相关政策保障和业务指导工作。",
    "经研究，我单位将结合年度工作计划，积极配合主办单位落实提案所提建议，并及时通报工作进展。",
    "我单位已对提案涉及本部门的内容进行梳理，提出具体措施如下：加强部门联动，做好数据共享和资源整合。",
)
REASSIGN_REASONS = "该提案所涉事项主要不属于我单位职责范围，建议改由{unit}办理。"
REASSIGN_REFUSALS = "经研究，该事项与你单位职责密切相关，请继续办理。"
EXTENSION_REASON = "该提案涉及项目需争取上级资金支持，调研论证周期较长，申请延期答复。"
SUPERVISION_RETURN = "答复内容较为笼统，请补充具体措施、责任单位和完成时限后重新报送。"
SUPERVISION_APPROVALS = ("答复内容具体，措施可行，同意。", "同意答复。", "")
ACTIVITY_NOTES = "召开重点提案办理推进会，听取提案人意见，研究解决办理中的困难和问题，明确下一步工作措施。"
SATISFIED_FEEDBACK = ("非常满意", "办理认真，答复具体", "承办单位主动沟通，措施切实可行", "答复及时，感谢承办单位认真办理", "")
BASIC_FEEDBACK = ("希望继续跟进落实", "基本满意，部分问题仍需跟进解决", "落实进度较慢，希望加快推进")
DISSATISFIED_FEEDBACK = ("答复较笼统，建议加大力度", "所提问题未得到实质解决，希望重新办理")
OUTCOME_LINES = {
    "A": "目前，您提出的主要问题已得到解决，相关措施已落实到位。",
    "B": "目前，相关工作正在推进，部分事项已列入年度工作计划逐步解决。",
    "C": "受财力和客观条件限制，部分建议暂时难以实施，我们将留作今后工作参考，积极创造条件逐步解决。",
}
NON_DISCLOSURE_REASONS = ("涉及内部工作信息，暂不宜公开", "涉及具体企业经营情况")


def _split_topic(text: str) -> tuple[str, list[str]]:
    """The topic's situation and its suggestions (一是…、二是…、三是…), one suggestion a paragraph."""
    intro, rest = text.split("为此，建议：", 1)
    suggestions = [part.strip().rstrip("；。") + "。" for part in rest.split("；") if part.strip()]
    return intro, suggestions


def _content(cast: Cast, plan: Plan) -> dict:
    intro, suggestions = _split_topic(plan.topic[3])
    fields = {"title": plan.title, "category": cast.categories[plan.category], "disclosure_consent": plan.consent}
    if not plan.consent:
        fields["non_disclosure_reason"] = plan.rng.choice(NON_DISCLOSURE_REASONS)
    background, _, analysis = intro.partition("。")
    if plan.three_parts and analysis.strip():
        fields.update(background=background + "。", analysis=analysis.strip(), suggestions="\n".join(suggestions))
    else:
        fields["body"] = "\n".join([intro + "为此，建议：", *suggestions])
    if plan.collective is not None:
        fields.update(contact_name=plan.collective.contact_name, contact_phone=plan.collective.contact_phone)
    else:
        fields["contact_phone"] = plan.lead.mobile
    return fields


def _points(plan: Plan) -> list[str]:
    """The suggestions' headlines: 一是健全……机制，明确…… → 健全……机制."""
    _, suggestions = _split_topic(plan.topic[3])
    return [s[2:].split("，")[0].rstrip("。") for s in suggestions if s[:2] in ("一是", "二是", "三是", "四是")]


def _reply_body(plan: Plan, proposal: Proposal, outcome: str, round_: int) -> str:
    opening, measures, closing = data.REPLY_PARAGRAPHS[plan.category]
    reference = f"您提出的《{proposal.title}》（第{proposal.number}号建议）"
    if round_ == 2:
        opening = (f"收到您对{proposal.number_year}提案第一次答复的意见后，我单位高度重视，再次组织专题研究，"
                   "并上门听取了您的意见。现将重新办理情况答复如下：")
    elif "您提出的建议" in opening:
        opening = opening.replace("您提出的建议", reference, 1)
    elif "您的建议" in opening:
        opening = opening.replace("您的建议", reference, 1)
    else:
        opening = f"{reference}已收悉。{opening}"
    points = "”“".join(_points(plan)[:2])
    specific = f"针对您提出的“{points}”等建议，我们逐条研究，明确了责任股室和完成时限。" if points else ""
    return "\n".join([opening, measures, specific + OUTCOME_LINES[outcome], closing])


def _rating(rng: random.Random, satisfied: int = 78) -> tuple[str, str]:
    if rng.randrange(100) < satisfied:
        return Rating.SATISFIED, rng.choice(SATISFIED_FEEDBACK)
    return Rating.BASICALLY_SATISFIED, rng.choice(BASIC_FEEDBACK)


# ---------------------------------------------------------------------------------------------------
# Playing a plan through the services.


def _fresh(proposal: Proposal) -> Proposal:
    return Proposal.objects.get(pk=proposal.pk)


def _replying(proposal: Proposal) -> list[Assignment]:
    return list(proposal.assignments.filter(role__in=REPLYING_ROLES)
                .exclude(status=Assignment.Status.REMOVED).select_related("unit").order_by("id"))


class Player:
    """Plays one plan: each step through its service, by the user whose job it is, at the plan's time."""

    def __init__(self, cast: Cast, plan: Plan):
        self.cast, self.plan, self.rng = cast, plan, plan.rng
        self.staff = cast.staff
        name = plan.collective.name if plan.collective is not None else plan.lead.name
        self.proposer = cast.user(name)
        self.author = self.staff if plan.on_paper else self.proposer

    def when(self, moment: datetime.datetime) -> datetime.datetime:
        return min(moment, self.cast.latest)

    def play(self) -> Proposal:
        plan = self.plan
        fate = plan.fate
        p = self.draft()
        if fate == "draft":
            return p
        p = proposals.proposal_submit(proposal=p, by=self.author, at=plan.at("submit"))
        if "returned" in plan.path:
            p = proposals.proposal_return(proposal=p, by=self.staff, note=self.rng.choice(RETURN_NOTES),
                                          at=plan.at("returned"))
            if fate == "returned":
                return p
            p = self.revise(p)
        if plan.late_invites:
            proposals.cosign_invite(proposal=p, by=self.proposer, members=plan.late_invites,
                                    at=self.cast.latest - _minutes(20))
        if fate == "submitted":
            return p
        if not self.review(p):
            return p
        p = _fresh(p)
        if fate == "registered":
            return p
        p = self.assign(p)
        if fate == "assigned":
            return p
        self.sign_for(p)
        if fate in ("signed", "reassign_pending"):
            return p
        self.work(p)
        if fate in ("working", "extension_pending"):
            return p
        self.write_replies(p, 1, plan.at("reply"), submit=fate != "reply_draft")
        if fate == "reply_draft":
            return p
        self.cosign(p, 1, plan.at("reply"), plan.after("reply", 1.0), partial=fate == "cosigning")
        if fate in ("cosigning", "supervision"):
            return p
        self.supervise(p, 1, "supervise")
        if fate == "sup_returned":
            return p
        self.evaluate(p, "supervise", lead=fate != "replied", dissatisfied=fate in REHANDLED)
        if fate in ("replied", "evaluated"):
            return _fresh(p)
        if fate in REHANDLED:
            if fate == "rehandling":
                if self.rng.random() < 0.5:
                    self.write_replies(p, 2, plan.after("evaluate", 0.6), submit=False)
                return _fresh(p)
            self.write_replies(p, 2, plan.at("reply2"))
            self.cosign(p, 2, plan.at("reply2"), plan.at("cosign2"))
            self.supervise(p, 2, "supervise2")
            if fate == "rehandled_replied":
                return _fresh(p)
            self.evaluate(p, "supervise2", lead=True)
        p = proposals.proposal_close(proposal=_fresh(p), by=self.staff, at=plan.at("close"))
        if plan.disclose:
            p = proposals.proposal_disclose(proposal=p, by=self.staff, at=plan.at("disclose"))
        return p

    def draft(self) -> Proposal:
        plan, cast = self.plan, self.cast
        suggested = _units(cast, plan.topic[2])
        p = proposals.proposal_create_draft(by=self.author, committee=cast.committee, lead_member=plan.lead,
                                            collective=plan.collective, suggested_units=suggested,
                                            at=plan.at("draft"), **_content(cast, plan))
        plan.proposal = p
        if plan.on_paper:  # the co-signers signed the paper form; the office records those signatures
            signed = [m for m, answer in plan.cosigners if answer]
            if signed:
                proposals.cosign_record_on_paper(proposal=p, by=self.staff, members=signed,
                                                 at=plan.after("draft", 0.05))
        elif plan.cosigners:
            invited_at = plan.after("draft", 0.05)
            invitations = proposals.cosign_invite(proposal=p, by=self.proposer,
                                                  members=[m for m, _ in plan.cosigners], at=invited_at)
            answers = [(invited_at + _minutes(self.rng.uniform(15, 150)), i, invitation, member, answer)
                       for i, (invitation, (member, answer)) in enumerate(zip(invitations, plan.cosigners, strict=True))]
            for at, _, invitation, member, answer in sorted(answers, key=lambda a: a[:2]):
                if answer is not None:
                    proposals.cosign_respond(cosignature=invitation, by=cast.user(member.name), accept=answer,
                                             at=self.when(at))
        return p

    def revise(self, p: Proposal) -> Proposal:
        plan = self.plan
        units = "、".join(u.name for u in ([plan.lead_unit] if plan.lead_unit else []) + plan.assisting + plan.separate)
        addition = f"建议由{units}负责，明确任务分工和完成时限，确保各项措施落到实处。"
        if p.body:
            p = proposals.proposal_update_draft(proposal=p, by=self.author, body=f"{p.body}\n{addition}")
        else:
            p = proposals.proposal_update_draft(proposal=p, by=self.author,
                                                suggestions=f"{p.suggestions}\n{addition}")
        return proposals.proposal_submit(proposal=p, by=self.author, at=plan.at("resubmit"))

    def review(self, p: Proposal) -> bool:
        """Register the proposal, or end its story here. True when it was registered."""
        plan, rng, at = self.plan, self.rng, self.plan.at("review")
        if plan.fate == "withdrawn":
            proposals.proposal_withdraw(proposal=p, by=self.author, note=rng.choice(WITHDRAW_NOTES), at=at)
        elif plan.fate == "declined":
            forward = rng.choices(DeclineForward.values, weights=(60, 25, 15))[0]
            proposals.proposal_decline(proposal=p, by=self.staff, ground=rng.choice(self.cast.grounds),
                                       forward=forward, note=rng.choice(DECLINE_NOTES), at=at)
        elif plan.fate == "merged":
            target = plan.merge_into.proposal
            proposals.proposal_merge(proposal=p, into=target, by=self.staff, at=at,
                                     note=f"与《{target.title}》内容相近，并案办理。")
        else:
            proposals.proposal_register(proposal=p, by=self.staff, at=at)
            for merged in plan.merged_in:  # reviewed together with this one
                Player(self.cast, merged).play()
            return True
        return False

    def assign(self, p: Proposal) -> Proposal:
        plan = self.plan
        at = plan.at("assign")
        p = handling.proposal_assign(
            proposal=p, by=self.staff, lead_units=[plan.lead_unit] if plan.lead_unit else [],
            assisting_units=plan.assisting, separate_units=plan.separate, assigned_on=timezone.localdate(at),
            is_key=plan.is_key, lead_officials=plan.officials, supervising_offices=plan.offices, at=at)
        if plan.reassign:
            self.reassign(p)
        return p

    def reassign(self, p: Proposal) -> None:
        plan, rng, cast = self.plan, self.rng, self.cast
        assignments = list(p.assignments.select_related("unit").order_by("id"))
        assignment = rng.choice(assignments)
        taken = {a.unit_id for a in assignments}
        candidates = [u for u in cast.units.values() if u.pk not in taken and u.kind == Unit.Kind.GOVERNMENT]
        new_unit = rng.choice(candidates)
        request = handling.reassignment_request(
            assignment=assignment, by=cast.user(assignment.unit.name), suggested_unit=new_unit.name,
            reason=REASSIGN_REASONS.format(unit=new_unit.name), at=self.when(plan.after("assign", 0.3)))
        if plan.reassign == "approved":
            handling.reassignment_approve(request=request, by=self.staff, new_unit=new_unit,
                                          note="同意调整承办单位。", at=self.when(plan.after("assign", 0.6)))
        elif plan.reassign == "refused":
            handling.reassignment_refuse(request=request, by=self.staff, note=REASSIGN_REFUSALS,
                                         at=self.when(plan.after("assign", 0.6)))

    def sign_for(self, p: Proposal) -> None:
        waiting = p.assignments.filter(status=Assignment.Status.ASSIGNED).select_related("unit").order_by("id")
        for i, assignment in enumerate(waiting):
            handling.assignment_sign_for(assignment=assignment, by=self.cast.user(assignment.unit.name),
                                         at=self.when(self.plan.at("sign") + _minutes(23 * i)))

    def work(self, p: Proposal) -> None:
        """办前沟通, 会办意见, supervision activities on key proposals and extension requests."""
        plan, rng, cast = self.plan, self.rng, self.cast
        steps = []  # (when, order, step): done in the order of their times, as they happened
        for assignment in _replying(p):
            if rng.random() < 0.8:
                at = self.when(plan.between("sign", "work", rng.uniform(0.1, 0.6)))
                steps.append((at, len(steps), partial(
                    handling.contact_record, assignment=assignment, by=cast.user(assignment.unit.name),
                    method=rng.choice(ContactRecord.Method.values[:3]), contacted_on=timezone.localdate(at),
                    summary=rng.choice(CONTACT_SUMMARIES), at=at)))
        assisting = p.assignments.filter(role=UnitRole.ASSISTING, status=Assignment.Status.SIGNED)
        for assignment in assisting.select_related("unit").order_by("id"):
            if rng.random() < 0.9:
                at = self.when(plan.between("sign", "work", rng.uniform(0.4, 1.0)))
                steps.append((at, len(steps), partial(
                    handling.opinion_send, assignment=assignment, by=cast.user(assignment.unit.name),
                    body=rng.choice(OPINIONS), at=at)))
        if plan.is_key and plan.officials:
            at = self.when(plan.between("sign", "work", 0.7))
            official = plan.officials[0]
            steps.append((at, len(steps), partial(
                deadlines.supervision_activity_record, proposal=_fresh(p), by=cast.user(official.name),
                kind=rng.choice(SupervisionActivity.Kind.values), held_on=timezone.localdate(at),
                participants=f"{official.title}{official.name}、提案人、承办单位负责人", notes=ACTIVITY_NOTES, at=at)))
        for _, _, step in sorted(steps, key=lambda step: step[:2]):
            step()
        if plan.extension:
            assignment = _replying(p)[0]
            requested = min(add_months(assignment.deadline, 1),
                            add_months(assignment.assigned_on, cast.committee.extension_cap_months))
            extension = deadlines.extension_request(
                assignment=assignment, by=cast.user(assignment.unit.name), requested_deadline=requested,
                reason=EXTENSION_REASON, at=self.when(plan.after("work", 0.3)))
            if plan.extension == "approved":
                deadlines.extension_approve(extension=extension, by=self.staff, note="同意延期。",
                                            at=self.when(plan.after("work", 0.5)))

    def write_replies(self, p: Proposal, round_: int, at: datetime.datetime, *, submit: bool = True) -> None:
        """Each replying unit writes its reply (and sends it on, unless ``submit`` is false)."""
        proposal = _fresh(p)
        for i, assignment in enumerate(_replying(proposal)):
            unit, moment = assignment.unit, self.when(at + datetime.timedelta(hours=3 * i))
            outcome = self.rng.choices("ABC", weights=(50, 38, 12))[0]
            contact_name, contact_phone = self.cast.contact(unit)
            handler = self.cast.user(unit.name)
            reply = handling.reply_save(
                assignment=assignment, by=handler, at=moment, body=_reply_body(self.plan, proposal, outcome, round_),
                outcome=outcome, document_number=self.cast.document_number(unit, moment.year),
                contact_name=contact_name, contact_phone=contact_phone, reply_date=timezone.localdate(moment))
            if submit:
                handling.reply_submit(reply=reply, by=handler, at=self.when(moment + datetime.timedelta(hours=2)))

    def cosign(self, p: Proposal, round_: int, start: datetime.datetime, end: datetime.datetime,
               partial: bool = False) -> None:
        """会签 by the assisting units between ``start`` and ``end``; with ``partial`` one has not signed yet."""
        for reply in p.replies.filter(round=round_, status=Reply.Status.COSIGNING).order_by("id"):
            signatures = list(reply.cosignatures.select_related("unit").order_by("id"))
            if partial:
                missing = next((s for s in signatures if s.unit.name == self.plan.unsigned_unit), signatures[-1])
                signatures.remove(missing)
            for i, signature in enumerate(signatures, start=1):
                at = self.when(start + (end - start) * (0.3 + 0.7 * i / (len(signatures) + partial)))
                handling.reply_cosign(reply=reply, by=self.cast.user(signature.unit.name), at=at)

    def supervise(self, p: Proposal, round_: int, milestone: str) -> None:
        """督办审核 of every reply waiting for it; replies may first be returned, revised and sent again."""
        plan, rng = self.plan, self.rng
        replies = list(p.replies.filter(round=round_, status=Reply.Status.SUPERVISION).order_by("id"))
        reviewers = [self.cast.user(rng.choice(plan.offices).name) for _ in replies]
        hours = [datetime.timedelta(hours=i) for i in range(len(replies))]
        at = plan.at(milestone)
        if plan.fate == "sup_returned" or (plan.sup_return and round_ == 1):
            for reply, reviewer, hour in zip(replies, reviewers, hours, strict=True):
                supervision.reply_return(reply=reply, by=reviewer, comments=SUPERVISION_RETURN, at=at + hour)
            if plan.fate == "sup_returned":
                return
            for reply, hour in zip(replies, hours, strict=True):
                handler = self.cast.user(reply.unit.name)
                revised = reply.body.replace(OUTCOME_LINES[reply.outcome],
                                             "我们已制定具体工作方案，明确责任单位和完成时限。" + OUTCOME_LINES[reply.outcome])
                handling.reply_save(assignment=reply.assignment, by=handler, body=revised)
                handling.reply_submit(reply=reply, by=handler, at=plan.after(milestone, 0.1) + hour)
            self.cosign(p, round_, plan.after(milestone, 0.1), plan.after(milestone, 0.25))
            at = plan.after(milestone, 0.3)
        for reply, reviewer, hour in zip(replies, reviewers, hours, strict=True):
            reply = Reply.objects.get(pk=reply.pk)
            outcome = reply.outcome
            if rng.random() < 0.05:
                outcome = {"A": "B", "B": "A", "C": "B"}[outcome]
            supervision.reply_approve(reply=reply, by=reviewer, outcome=outcome,
                                      comments=rng.choice(SUPERVISION_APPROVALS), at=self.when(at + hour))

    def evaluate(self, p: Proposal, milestone: str, *, lead: bool, dissatisfied: bool = False) -> None:
        """满意度评价: the co-signers (some on paper, entered by staff), then the lead proposer."""
        plan, rng, cast = self.plan, self.rng, self.cast
        p = _fresh(p)
        evaluations = []
        for member in proposer_members(p):
            if member.pk == p.lead_member_id or rng.random() < 0.25:
                continue
            result, feedback = _rating(rng)
            at = self.when(plan.after(milestone, rng.uniform(0.45, 0.9)))
            if rng.random() < 0.1:  # a paper form, entered by the proposal office
                kwargs = {"by": self.staff, "member": member, "contacted": True}
            else:
                kwargs = {"by": cast.user(member.name), "contacted": rng.random() < 0.9}
            evaluations.append((at, len(evaluations), partial(
                handling.evaluation_submit, proposal=p, result=result, feedback=feedback, attitude=result, at=at,
                **kwargs)))
        for _, _, evaluation in sorted(evaluations, key=lambda e: e[:2]):
            evaluation()
        if not lead:
            return
        if dissatisfied:
            result, feedback = Rating.DISSATISFIED, rng.choice(DISSATISFIED_FEEDBACK)
        else:
            result, feedback = _rating(rng, satisfied=70 if milestone == "supervise" else 55)
        attitude = Rating.SATISFIED if rng.random() < 0.8 else Rating.BASICALLY_SATISFIED
        after_milestone = plan.path[plan.path.index(milestone) + 1]
        at = self.when(plan.at(after_milestone))
        if rng.random() < 0.08:
            handling.evaluation_submit(proposal=p, by=self.staff, member=p.lead_member, result=result,
                                       feedback=feedback, attitude=attitude, contacted=True, at=at)
        else:
            handling.evaluation_submit(proposal=p, by=self.proposer, result=result, feedback=feedback,
                                       attitude=attitude, contacted=True, at=at)


# ---------------------------------------------------------------------------------------------------
# The seed page's proposal.


def _play_seed(cast: Cast, registered_at: datetime.datetime) -> Proposal:
    """七届三次全会第15号委员提案, step by step as the seed page records it."""
    staff, member = cast.staff, cast.members[SEED_PROPOSER]
    proposer, cosigner = cast.user(SEED_PROPOSER), cast.user(SEED_COSIGNER)
    lead_unit = cast.units[SEED_LEAD_UNIT]
    assisting = [cast.units[name] for name in SEED_ASSISTING_UNITS]
    p = proposals.proposal_create_draft(
        by=proposer, committee=cast.committee, lead_member=member, at=_dt(2023, 2, 15, 8, 40),
        suggested_units=[lead_unit, cast.units["区教科局"], cast.units["区妇联"]], title=SEED_TITLE,
        body="\n".join(SEED_BODY), category=cast.categories["社会建设"], disclosure_consent=True,
        contact_phone=member.mobile)
    (invitation,) = proposals.cosign_invite(proposal=p, by=proposer, members=[cast.members[SEED_COSIGNER]],
                                            at=_dt(2023, 2, 15, 9, 5))
    proposals.cosign_respond(cosignature=invitation, by=cosigner, accept=True, at=_dt(2023, 2, 15, 9, 48))
    p = proposals.proposal_submit(proposal=p, by=proposer, at=_dt(2023, 2, 15, 10, 12))
    p = proposals.proposal_register(proposal=p, by=staff, at=registered_at)
    if p.number != SEED_NUMBER:
        raise AssertionError(f"the seed proposal got number {p.number}, not {SEED_NUMBER}")
    p = handling.proposal_assign(
        proposal=p, by=staff, lead_units=[lead_unit], assisting_units=assisting,
        assigned_on=datetime.date(2023, 3, 16), is_key=False, lead_officials=[cast.officials[SEED_LEAD_OFFICIAL]],
        supervising_offices=[cast.offices[name] for name in SEED_OFFICES], at=_dt(2023, 3, 16, 10, 0))
    assignments = {a.unit.name: a for a in p.assignments.select_related("unit")}
    sign_times = [_dt(2023, 3, 17, 9, 26), _dt(2023, 3, 17, 15, 3), _dt(2023, 3, 20, 10, 11),
                  _dt(2023, 3, 20, 16, 40), _dt(2023, 3, 21, 9, 15)]
    for name, at in zip((SEED_LEAD_UNIT, *SEED_ASSISTING_UNITS), sign_times, strict=True):
        handling.assignment_sign_for(assignment=assignments[name], by=cast.user(name), at=at)
    lead = assignments[SEED_LEAD_UNIT]
    handler = cast.user(SEED_LEAD_UNIT)
    handling.contact_record(assignment=lead, by=handler, method=ContactRecord.Method.PHONE,
                            contacted_on=datetime.date(2023, 4, 11), at=_dt(2023, 4, 11, 15, 20),
                            summary="电话联系刘安泽委员，了解提案背景和具体诉求，沟通办理思路。")
    for name, day, text in (
        ("区教科局", 8, "我局将配齐配强法治副校长，加强中小学心理健康教育和心理教师队伍建设，做好防欺凌防性侵教育。"),
        ("区司法局", 10, "我局将加大未成年人法治宣传力度，为未成年人提供法律援助服务。"),
        ("区公安分局", 12, "我局将持续开展校园周边环境治理，依法严厉打击侵害未成年人违法犯罪。"),
        ("区妇联", 15, "我会将积极推进家庭教育指导服务，强化父母监护责任，关爱留守儿童和困境儿童。"),
    ):
        handling.opinion_send(assignment=assignments[name], by=cast.user(name), body=text, at=_dt(2023, 5, day, 10))
    handling.contact_record(assignment=lead, by=handler, method=ContactRecord.Method.VISIT,
                            contacted_on=datetime.date(2023, 9, 26), at=_dt(2023, 9, 26, 16, 0),
                            summary="走访刘安泽、徐丽娟委员，通报全区未成年人关爱保护工作进展，就答复内容征求意见。")
    contact_name, contact_phone = SEED_CONTACT
    reply = handling.reply_save(assignment=lead, by=handler, body="\n".join(SEED_REPLY), outcome="A",
                                contact_name=contact_name, contact_phone=contact_phone,
                                reply_date=datetime.date(2023, 10, 11), at=_dt(2023, 10, 11, 9, 30))
    handling.reply_submit(reply=reply, by=handler, at=_dt(2023, 10, 11, 16, 5))
    for name, at in zip(SEED_ASSISTING_UNITS, [_dt(2023, 10, 20, 9, 2), _dt(2023, 10, 20, 9, 41),
                                               _dt(2023, 10, 20, 10, 26), _dt(2023, 10, 20, 11, 8)], strict=True):
        handling.reply_cosign(reply=reply, by=cast.user(name), at=at)
    supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=cast.user(SEED_OFFICES[0]),
                              comments="答复内容具体，措施可行，同意。", at=_dt(2023, 10, 24, 10, 30))
    p = _fresh(p)
    handling.evaluation_submit(proposal=p, by=cosigner, result=Rating.SATISFIED, attitude=Rating.SATISFIED,
                               contacted=True, at=_dt(2023, 10, 30, 20, 15))
    handling.evaluation_submit(proposal=p, by=proposer, result=Rating.SATISFIED, attitude=Rating.SATISFIED,
                               contacted=True, feedback="非常满意", at=_dt(2023, 11, 2, 9, 50))
    p = proposals.proposal_close(proposal=p, by=staff, at=_dt(2023, 11, 20, 10, 0))
    return proposals.proposal_disclose(proposal=p, by=staff, at=_dt(2023, 11, 24, 10, 0))


def _seed_registration_time(plans: list[Plan]) -> datetime.datetime:
    """Between the 14th and the 15th registration of 2023, so that the seed is No. 15."""
    registered = sorted(p.at("review") for p in plans if p.fate not in NOT_REGISTERED)
    before, after = registered[SEED_NUMBER - 2], registered[SEED_NUMBER - 1]
    moment = before + (after - before) / 2
    if not (_dt(2023, 2, 15, 11) < moment < _dt(2023, 3, 16)):
        raise AssertionError(f"the 2023 registrations leave no place for the seed proposal ({moment})")
    return moment


# ---------------------------------------------------------------------------------------------------
# Loading.


def _load_year(cast: Cast, year: int) -> None:
    plans = _plans_for(cast, year)
    # Registrations are numbered in the order they happen: play the proposals in the order of review.
    steps = [(p.times.get("review", p.at("draft")), i, Player(cast, p).play) for i, p in enumerate(plans)]
    if year == 2023:
        registered_at = _seed_registration_time(plans)
        steps.append((registered_at, -1, lambda: _play_seed(cast, registered_at)))
    for _, _, play in sorted(steps, key=lambda step: step[:2]):
        play()


def load_proposals(committee) -> dict:
    """Create the demo proposals unless the committee already has proposals. Returns counts."""
    existing = Proposal.objects.filter(committee=committee).count()
    if existing:
        return {"created": 0, "total": existing}
    cast = Cast(committee, min(timezone.now(), DEMO_YEAR_END))
    with _quietly(), transaction.atomic():
        for year in sorted(cast.sessions):
            if year in YEAR_FATES and cast.sessions[year].plenary_start < cast.anchor.date():
                _load_year(cast, year)
    with transaction.atomic():
        for pk in Proposal.objects.filter(committee=committee).values_list("pk", flat=True):
            search_index.index_proposal(pk)
    total = Proposal.objects.filter(committee=committee).count()
    return {"created": total, "total": total}
