"""Synthetic data at provincial and national scale, for benchmarks: a committee with terms and sessions,
~2,000 members, ~200 units and N proposals across every state, with co-signers, assignments, replies,
evaluations, events and notifications, in the style of the seed. Deterministic for a seed.

Units relate to topics as they do in a real committee, with noise (the unit suggestions learn from it and are
measured on it): each of the seed's sixty topics has a lead unit and up to three assisting units among the
synthetic ones (`TOPIC_UNITS`, from the units the seed's proposers intend); about three in four proposals of a
topic get that lead, one in seven a plausible other (an assisting unit of the topic, or the lead of a topic of the
same category), the rest any unit. The wording varies too: the title's form, the order and choice of sentences,
now and then a sentence from a neighbouring topic.

Unlike the demo, rows are written in bulk (not through the service functions): 100,000 proposals must
load in minutes. The numbers, states and events are consistent with what the services would have written.
"""

import datetime
import math
import random
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction

from tian.accounts.models import RoleGrant, User
from tian.accounts.roles import Role
from tian.demo import data
from tian.handling.defaults import ensure_committee_lists
from tian.handling.models import Assignment, Evaluation, Rating, Reply, UnitRole
from tian.notifications.models import Notification
from tian.organisations.models import (
    Committee,
    LeadOfficial,
    Member,
    Party,
    Sector,
    Session,
    SupervisingOffice,
    Term,
    Unit,
)
from tian.proposals.models import (
    ANSWERED,
    BEFORE_REGISTRATION,
    FINISHED,
    CoSignature,
    Event,
    NumberSequence,
    Proposal,
    State,
    TopicCategory,
)

TZ = ZoneInfo("Asia/Shanghai")
BATCH = 2000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢傅钟"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建林波斌宇浩凯健俊帆琳雪梅晨阳"
UNIT_WORDS = ["发展改革", "教育", "科技", "工业信息化", "民族宗教", "公安", "民政", "司法", "财政", "人力资源社会保障",
              "自然资源", "生态环境", "住房城乡建设", "交通运输", "水利", "农业农村", "商务", "文化旅游", "卫生健康",
              "退役军人事务", "应急管理", "审计", "市场监管", "广播电视", "体育", "统计", "医疗保障", "林业",
              "乡村振兴", "信访", "数据", "粮食和物资储备", "能源", "邮政管理", "气象", "金融", "地方志", "供销",
              "机关事务", "国资"]
# The seed's units (tian/demo/data.py UNITS) as synthetic units ("{word}{suffix}", see `generate`).
SYNTHETIC_UNIT = {
    "区发改局": "发展改革厅", "区经信局": "工业信息化厅", "区教科局": "教育厅", "区公安分局": "公安厅",
    "区民政局": "民政厅", "区司法局": "司法厅", "区财政局": "财政厅", "区人社局": "人力资源社会保障厅",
    "区自然资源局": "自然资源厅", "区生态环境分局": "生态环境厅", "区住建局": "住房城乡建设厅",
    "区交通运输局": "交通运输厅", "区水利局": "水利厅", "区农业农村局": "农业农村厅", "区商务局": "商务厅",
    "区文广旅局": "文化旅游厅", "区卫健局": "卫生健康厅", "区退役军人局": "退役军人事务厅",
    "区应急管理局": "应急管理厅", "区审计局": "审计厅", "区市场监管局": "市场监管厅", "区统计局": "统计厅",
    "区医保局": "医疗保障厅", "区林业局": "林业厅", "区城管执法局": "住房城乡建设局", "区信访局": "信访厅",
    "区乡村振兴局": "乡村振兴厅", "区委组织部": "机关事务厅", "区委宣传部": "广播电视厅",
    "区总工会": "人力资源社会保障委员会", "团区委": "教育委员会", "区妇联": "民政委员会", "区科协": "科技厅",
    "区残联": "民政中心", "区法院": "司法局", "区检察院": "司法委员会", "国网朝天供电公司": "能源厅",
    "区融媒体中心": "广播电视中心", "朝天镇": "乡村振兴局", "羊木镇": "乡村振兴中心", "曾家镇": "乡村振兴办公室",
    "中子镇": "交通运输中心", "沙河镇": "应急管理中心",
}
# The title's forms; {core} is the topic between 关于 and 的建议, {n} keeps titles apart.
TITLE_FORMS = ("关于{core}({n})的建议", "关于{core}({n})的建议", "关于进一步{core}({n})的建议",
               "关于{core}({n})的提案", "{core}({n})的建议", "关于{core}({n})的几点建议")
OPENINGS = ("", "", "", "经过调研，", "近年来群众反映较多的是：", "据走访了解，")
FINAL_STATES = [State.CLOSED] * 14 + [State.REPLIED, State.DECLINED, State.MERGED, State.WITHDRAWN]
OPEN_STATES = [State.SUBMITTED, State.REGISTERED, State.ASSIGNED, State.HANDLING, State.HANDLING, State.REPLIED,
               State.REHANDLING, State.CLOSED, State.CLOSED, State.DRAFT, State.RETURNED, State.DECLINED]


def _bulk(model, rows):
    created = []
    for start in range(0, len(rows), BATCH):
        created += model.objects.bulk_create(rows[start:start + BATCH])
    return created


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59), tzinfo=TZ)


@transaction.atomic
def generate(*, proposals: int, seed: int = 1, today: datetime.date | None = None, stdout=None) -> dict:
    rng = random.Random(seed)
    today = today or datetime.date.today()
    say = (lambda text: stdout.write(text)) if stdout else (lambda text: None)
    committee = Committee.objects.order_by("pk").first() or Committee.objects.create(**data.COMMITTEE)
    ensure_committee_lists(committee)
    per_year = min(max(proposals, 1), 6000)
    years = list(range(today.year - math.ceil(proposals / per_year) + 1, today.year + 1))
    # Terms of five years, a session each year.
    sessions = {}
    for year in years:
        number = (year - years[0]) // 5 + 1
        term, _ = Term.objects.get_or_create(committee=committee, number=number + 10, defaults={
            "start_date": datetime.date(years[0] + (number - 1) * 5, 1, 1),
            "end_date": datetime.date(years[0] + number * 5 - 1, 12, 31)})
        session = Session.objects.filter(term__committee=committee, year=year).first() or Session.objects.create(
            term=term, number=(year - years[0]) % 5 + 1, year=year, submissions_open_on=datetime.date(year, 1, 3),
            plenary_start=datetime.date(year, 1, 20), plenary_end=datetime.date(year, 1, 24),
            plenary_deadline=datetime.date(year, 1, 24))
        sessions[year] = session
    sectors = [Sector.objects.get_or_create(committee=committee, name=n)[0] for n in data.SECTORS]
    parties = [Party.objects.get_or_create(committee=committee, name=n)[0] for n in data.PARTIES]
    existing = set(Member.objects.filter(committee=committee).values_list("name", flat=True))
    names = []
    while len(names) < 2000:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if name not in existing:
            existing.add(name)
            names.append(name)
    members = _bulk(Member, [Member(committee=committee, name=n, sector=rng.choice(sectors),
                                    party=rng.choice(parties), mobile=f"13{rng.randint(100000000, 999999999)}")
                             for n in names])
    say(f"members: {len(members)}")
    unit_names = [f"{w}{suffix}" for suffix in ("厅", "局", "委员会", "中心", "办公室") for w in UNIT_WORDS][:200]
    units = _bulk(Unit, [Unit(committee=committee, name=f"合成{n}", full_name=f"合成省{n}", order=i,
                              office_phone=f"028-8{i:06d}", leader=rng.choice(SURNAMES) + rng.choice(GIVEN))
                         for i, n in enumerate(unit_names)])
    offices = [SupervisingOffice.objects.get_or_create(committee=committee, name=f"合成督办室{i}")[0] for i in range(5)]
    officials = [LeadOfficial.objects.get_or_create(committee=committee, name=f"合成领导{i}")[0] for i in range(10)]
    password = make_password("synthetic-Data-1")
    users = _bulk(User, [User(username=f"syn-m{m.pk}", full_name=m.name, member=m, password=password,
                              committee=committee) for m in members]
                  + [User(username=f"syn-u{u.pk}", full_name=u.name, unit=u, password=password, committee=committee)
                     for u in units])
    _bulk(RoleGrant, [RoleGrant(user=u, role=Role.MEMBER if u.member_id else Role.UNIT_HANDLER) for u in users])
    staff = User.objects.filter(role_grants__role=Role.STAFF).first()
    if staff is None:
        staff = User.objects.create(username=f"syn-staff-{seed}", full_name="合成提案委", password=password,
                                    committee=committee)
        RoleGrant.objects.create(user=staff, role=Role.STAFF)
    user_of_member = {u.member_id: u for u in users if u.member_id}
    categories = list(TopicCategory.objects.filter(committee=committee))
    topics = data.PROPOSAL_TOPICS
    plan = _topic_plans(units)
    # Units and wording draw from their own generator: the rest of the data is as it was for a seed.
    vary = random.Random(f"{seed}:units and wording")
    say(f"units: {len(units)}, users: {len(users)}")

    numbers = {y: NumberSequence.objects.get_or_create(committee=committee, year=y)[0] for y in years}
    rows, plans = [], []
    for index in range(proposals):
        year = years[index * len(years) // proposals]
        state = rng.choice(FINAL_STATES if year < today.year else OPEN_STATES)
        _title, category_name, _units, _body = topics[index % len(topics)]
        title, body = _wording(index, vary)
        lead = rng.choice(members)
        submitted = datetime.date(year, 1, rng.randint(5, 24)) if rng.random() < 0.8 else datetime.date(
            year, rng.randint(2, 10), rng.randint(1, 28))
        if submitted > today:
            submitted = today - datetime.timedelta(days=rng.randint(1, 30))
        proposal = Proposal(committee=committee, session=sessions[year], year=year, lead_member=lead,
                            created_by=user_of_member[lead.pk], title=title,
                            body=body, category=next((c for c in categories if c.name == category_name), categories[0]),
                            state=state, is_plenary=submitted.month == 1, disclosure_consent=rng.random() < 0.8,
                            created_at=_moment(submitted, rng))
        if state != State.DRAFT:
            proposal.submitted_at = _moment(submitted, rng)
        if state not in BEFORE_REGISTRATION | (FINISHED - {State.CLOSED}):  # registered: it has a number
            numbers[year].last_number += 1
            proposal.number = numbers[year].last_number
            proposal.registered_at = proposal.submitted_at + datetime.timedelta(days=rng.randint(5, 20))
            proposal.assigned_on = (proposal.registered_at + datetime.timedelta(days=7)).date()
        proposal.is_key = proposal.number is not None and rng.random() < 0.02
        proposal.is_public = state == State.CLOSED and proposal.disclosure_consent and rng.random() < 0.7
        rows.append(proposal)
        plans.append(state)
    for sequence in numbers.values():
        sequence.save(update_fields=["last_number"])
    created = _bulk(Proposal, rows)
    say(f"proposals: {len(created)}")

    cosigns, assignments, events, notifications = [], [], [], []
    for index, proposal in enumerate(created):
        for order, member in enumerate(rng.sample(members, rng.randint(0, 3)), start=1):
            if member.pk != proposal.lead_member_id:
                cosigns.append(CoSignature(proposal=proposal, member=member, order=order, status=CoSignature.Status.ACCEPTED,
                                           invited_at=proposal.created_at, expires_at=proposal.created_at,
                                           responded_at=proposal.created_at))
        events.append(Event(proposal=proposal, actor_id=proposal.created_by_id, at=proposal.created_at,
                            action="proposal.drafted", to_state=State.DRAFT))
        if proposal.submitted_at:
            events.append(Event(proposal=proposal, actor_id=proposal.created_by_id, at=proposal.submitted_at,
                                action="proposal.submitted", from_state=State.DRAFT, to_state=State.SUBMITTED))
        if proposal.number:
            events.append(Event(proposal=proposal, actor=staff, at=proposal.registered_at, action="proposal.registered",
                                from_state=State.SUBMITTED, to_state=State.REGISTERED, data={"number": proposal.number}))
            notifications.append(Notification(user_id=proposal.created_by_id, proposal=proposal, kind="proposal.registered",
                                              key=f"syn:{proposal.pk}", message=f"您的提案《{proposal.title}》已立案。",
                                              url=f"/proposals/{proposal.pk}/", created_at=proposal.registered_at))
        if proposal.assigned_on and proposal.state != State.REGISTERED:
            chosen = _units_for(plan[index % len(topics)], units, vary)
            for role_index, unit in enumerate(chosen):
                signed = proposal.state != State.ASSIGNED  # signed for the day after the assignment
                assignments.append(Assignment(
                    proposal=proposal, unit=unit, role=UnitRole.LEAD if role_index == 0 else UnitRole.ASSISTING,
                    status=Assignment.Status.SIGNED if signed else Assignment.Status.ASSIGNED,
                    signed_at=datetime.datetime.combine(proposal.assigned_on + datetime.timedelta(days=1), datetime.time(9),
                                                        tzinfo=TZ) if signed else None,
                    assigned_on=proposal.assigned_on, deadline=proposal.assigned_on + datetime.timedelta(days=91),
                    reassignment_deadline=proposal.assigned_on + datetime.timedelta(days=9)))
            events.append(Event(proposal=proposal, actor=staff, at=_moment(proposal.assigned_on, rng),
                                action="proposal.assigned", from_state=State.REGISTERED, to_state=State.ASSIGNED))
    _bulk(CoSignature, cosigns)
    key = [p for p in created if p.is_key]
    _bulk(Proposal.supervising_offices.through, [Proposal.supervising_offices.through(
        proposal_id=p.pk, supervisingoffice_id=rng.choice(offices).pk) for p in key])
    _bulk(Proposal.lead_officials.through, [Proposal.lead_officials.through(
        proposal_id=p.pk, leadofficial_id=rng.choice(officials).pk) for p in key])
    assignments = _bulk(Assignment, assignments)
    say(f"assignments: {len(assignments)}")
    by_proposal = {p.pk: p for p in created}
    replies, evaluations = [], []
    for assignment in assignments:
        proposal = by_proposal[assignment.proposal_id]
        if assignment.role != UnitRole.LEAD or proposal.state not in ANSWERED | {State.REHANDLING}:
            continue
        day = min(assignment.assigned_on + datetime.timedelta(days=rng.randint(30, 110)), today)
        released = _moment(day, rng)
        replies.append(Reply(proposal=proposal, assignment=assignment, unit_id=assignment.unit_id, round=1,
                             status=Reply.Status.RELEASED, body=body_for(proposal, rng), outcome=rng.choice("AAABBC"),
                             contact_name=rng.choice(SURNAMES) + rng.choice(GIVEN), contact_phone="028-86000000",
                             reply_date=day, cosigned_on=day, submitted_at=released, released_at=released,
                             created_by_id=staff.pk))
        events.append(Event(proposal=proposal, actor=staff, at=released, action="proposal.replied",
                            from_state=State.HANDLING, to_state=State.REPLIED))
        if proposal.state != State.REPLIED or rng.random() < 0.5:  # closed or sent back: it was rated
            result = Rating.DISSATISFIED if proposal.state == State.REHANDLING else rng.choice(
                [Rating.SATISFIED] * 6 + [Rating.BASICALLY_SATISFIED] * 3 + [Rating.DISSATISFIED])
            evaluations.append(Evaluation(proposal=proposal, round=1, member_id=proposal.lead_member_id, result=result,
                                          is_lead=True, entered_by_id=proposal.created_by_id,
                                          at=released + datetime.timedelta(days=5)))
        if proposal.state == State.CLOSED:
            events.append(Event(proposal=proposal, actor=staff, at=released + datetime.timedelta(days=20),
                                action="proposal.closed", from_state=State.REPLIED, to_state=State.CLOSED))
    _bulk(Reply, replies)
    _bulk(Evaluation, evaluations)
    _bulk(Event, events)
    _bulk(Notification, notifications)
    say(f"replies: {len(replies)}, evaluations: {len(evaluations)}, events: {len(events)}")
    return {"proposals": len(created), "members": len(members), "units": len(units), "events": len(events)}


def body_for(proposal: Proposal, rng: random.Random) -> str:
    paragraphs = data.REPLY_PARAGRAPHS.get(proposal.category.name if proposal.category_id else "",
                                           next(iter(data.REPLY_PARAGRAPHS.values())))
    return "\n".join(paragraphs)


def _topic_plans(units: list[Unit]) -> list[tuple[Unit, list[Unit], list[Unit]]]:
    """Per topic: its lead unit, its likely assisting units, and plausible other leads (the topic's assisting
    units and the leads of topics of the same category)."""
    by_name = {unit.name: unit for unit in units}
    named = [[by_name[f"合成{SYNTHETIC_UNIT[name]}"] for name in intended]
             for _title, _category, intended, _body in data.PROPOSAL_TOPICS]
    plans = []
    for topic, (_title, category, _intended, _body) in zip(named, data.PROPOSAL_TOPICS, strict=True):
        lead, assisting = topic[0], list(dict.fromkeys(u for u in topic[1:] if u != topic[0]))[:3]
        neighbours = {other[0] for other, (_t, c, _i, _b) in zip(named, data.PROPOSAL_TOPICS, strict=True) if c == category}
        plausible = list(dict.fromkeys(assisting + sorted(neighbours - {lead}, key=lambda unit: unit.pk)))
        plans.append((lead, assisting, plausible or [lead]))
    return plans


def _units_for(plan, units: list[Unit], rng: random.Random) -> list[Unit]:
    """The lead first, then the assisting units: the topic's own mostly, a plausible other or a random one now
    and then."""
    lead, assisting, plausible = plan
    draw = rng.random()
    if draw < 0.75:
        chosen = lead
    elif draw < 0.9:
        chosen = rng.choice(plausible)
    else:
        chosen = rng.choice(units)
    helpers = [unit for unit in assisting + ([lead] if chosen != lead else []) if rng.random() < 0.8]
    if rng.random() < 0.15:
        helpers.append(rng.choice(units))
    return [chosen] + [unit for unit in dict.fromkeys(helpers) if unit != chosen][:3]


def _wording(index: int, rng: random.Random) -> tuple[str, str]:
    """A title and a body for the index-th proposal, worded differently from others of its topic: a form of the
    title, background sentences in another order, one of the suggestions left out, a sentence of a topic of the
    same category now and then."""
    topics = data.PROPOSAL_TOPICS
    title, category, _units, body = topics[index % len(topics)]
    core = title.removeprefix("关于").removesuffix("的建议")
    title = rng.choice(TITLE_FORMS).format(core=core, n=index % 997)
    background, _, proposals = body.partition("为此，建议")
    sentences = [s + "。" for s in background.split("。") if s]
    rng.shuffle(sentences)
    if len(sentences) > 1 and rng.random() < 0.3:
        sentences.pop()
    if rng.random() < 0.2:
        other = topics[rng.randrange(len(topics))]
        if other[1] == category:
            sentences.append(other[3].split("。")[0] + "。")
    points = proposals.split("；")
    if len(points) > 2 and rng.random() < 0.3:
        points.pop(rng.randrange(1, len(points)))
    return title, rng.choice(OPENINGS) + "".join(sentences) + ("为此，建议" + "；".join(points) if proposals else "")
