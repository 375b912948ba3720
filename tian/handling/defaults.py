"""The lists every committee starts with (topic categories, decline grounds, outcome classes); staff can change
them afterwards. Here, above both the proposals and handling apps whose rows they are."""

from tian.handling.models import OutcomeClass
from tian.proposals.models import DeclineGround, TopicCategory

TOPIC_CATEGORIES = ("经济建设", "政治建设", "文化建设", "社会建设", "生态文明", "党的建设", "其他")
DECLINE_GROUNDS = (
    "涉及国家秘密的",
    "违反党和国家方针政策或法律法规的",
    "涉及党员对党内人事问题意见的",
    "涉及民主党派内部事务的",
    "涉及处于诉讼、仲裁或纪检监察程序中的案件的",
    "属于学术探讨的",
    "为提案人本人及其亲属解决个人问题的",
    "宣传推介具体作品、产品的",
    "对具体人员进行指控的",
    "没有具体建议或建议不可行的",
)
OUTCOME_CLASSES = (
    ("A", "全部或主要问题已解决"),
    ("B", "正在解决或列入计划逐步解决"),
    ("C", "因条件限制暂时不能解决,留作参考"),
)


def ensure_committee_lists(committee) -> None:
    """Create the default categories, decline grounds and outcome classes where the committee has none."""
    if not TopicCategory.objects.filter(committee=committee).exists():
        TopicCategory.objects.bulk_create(
            [TopicCategory(committee=committee, name=name, order=i) for i, name in enumerate(TOPIC_CATEGORIES)])
    if not DeclineGround.objects.filter(committee=committee).exists():
        DeclineGround.objects.bulk_create(
            [DeclineGround(committee=committee, text=text, order=i) for i, text in enumerate(DECLINE_GROUNDS)])
    if not OutcomeClass.objects.filter(committee=committee).exists():
        OutcomeClass.objects.bulk_create([OutcomeClass(committee=committee, code=code, label=label, order=i)
                                          for i, (code, label) in enumerate(OUTCOME_CLASSES)])
