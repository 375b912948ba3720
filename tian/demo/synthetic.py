"""Synthetic data at provincial and national scale, for benchmarks: a committee with terms and sessions,
~2,000 members, ~200 units and N proposals across every state, with co-signers, assignments, replies,
evaluations, events and notifications, in the style of the seed. Deterministic for a seed.

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
from tian.proposals.models import CoSignature, Event, NumberSequence, Proposal, State, TopicCategory

TZ = ZoneInfo("Asia/Shanghai")
BATCH = 2000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢傅钟"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建林波斌宇浩凯健俊帆琳雪梅晨阳"
UNIT_WORDS = ["发展改革", "教育", "科技", "工业信息化", "民族宗教", "公安", "民政", "司法", "财政", "人力资源社会保障",
              "自然资源", "生态环境", "住房城乡建设", "交通运输", "水利", "农业农村", "商务", "文化旅游", "卫生健康",
              "退役军人事务", "应急管理", "审计", "市场监管", "广播电视", "体育", "统计", "医疗保障", "林业",
              "乡村振兴", "信访", "数据", "粮食和物资储备", "能源", "邮政管理", "气象", "金融", "地方志", "供销",
              "机关事务", "国资"]
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
    users = _bulk(User, [User(username=f"syn-m{m.pk}", full_name=m.name, member=m, password=password)
                         for m in members] + [User(username=f"syn-u{u.pk}", full_name=u.name, unit=u, password=password)
                                              for u in units])
    _bulk(RoleGrant, [RoleGrant(user=u, role=Role.MEMBER if u.member_id else Role.UNIT_HANDLER) for u in users])
    staff = User.objects.filter(role_grants__role=Role.STAFF).first()
    if staff is None:
        staff = User.objects.create(username=f"syn-staff-{seed}", full_name="合成提案委", password=password)
        RoleGrant.objects.create(user=staff, role=Role.STAFF)
    user_of_member = {u.member_id: u for u in users if u.member_id}
    categories = list(TopicCategory.objects.filter(committee=committee))
    topics = data.PROPOSAL_TOPICS
    say(f"units: {len(units)}, users: {len(users)}")

    numbers = {y: NumberSequence.objects.get_or_create(committee=committee, year=y)[0] for y in years}
    rows, plans = [], []
    for index in range(proposals):
        year = years[index * len(years) // proposals]
        state = rng.choice(FINAL_STATES if year < today.year else OPEN_STATES)
        title, category_name, _units, body = topics[index % len(topics)]
        lead = rng.choice(members)
        submitted = datetime.date(year, 1, rng.randint(5, 24)) if rng.random() < 0.8 else datetime.date(
            year, rng.randint(2, 10), rng.randint(1, 28))
        if submitted > today:
            submitted = today - datetime.timedelta(days=rng.randint(1, 30))
        proposal = Proposal(committee=committee, session=sessions[year], year=year, lead_member=lead,
                            created_by=user_of_member[lead.pk], title=f"{title[:-3]}({index % 997})的建议",
                            body=body, category=next((c for c in categories if c.name == category_name), categories[0]),
                            state=state, is_plenary=submitted.month == 1, disclosure_consent=rng.random() < 0.8,
                            created_at=_moment(submitted, rng))
        if state != State.DRAFT:
            proposal.submitted_at = _moment(submitted, rng)
        if state not in (State.DRAFT, State.SUBMITTED, State.RETURNED, State.DECLINED, State.MERGED, State.WITHDRAWN):
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
    for proposal in created:
        for order, member in enumerate(rng.sample(members, rng.randint(0, 3)), start=1):
            if member.pk != proposal.lead_member_id:
                cosigns.append(CoSignature(proposal=proposal, member=member, order=order, status="accepted",
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
            chosen = rng.sample(units, rng.randint(1, 3))
            for role_index, unit in enumerate(chosen):
                assignments.append(Assignment(
                    proposal=proposal, unit=unit, role=UnitRole.LEAD if role_index == 0 else UnitRole.ASSISTING,
                    status="signed" if proposal.state != State.ASSIGNED else "assigned",
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
        if assignment.role != UnitRole.LEAD or proposal.state not in (State.REPLIED, State.CLOSED, State.REHANDLING):
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
        if proposal.state in (State.CLOSED, State.REHANDLING) or rng.random() < 0.5:
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
