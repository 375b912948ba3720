"""The workflow declaration: which buttons each role gets at each stage, and that the services never
accept what the declaration does not offer."""

import pytest
from django.utils import translation

from tests.test_lifecycle_services import ACTIONS, ROLES, build
from tian.proposals import workflow
from tian.proposals.models import State

HANDLING = {"record_contact", "request_reassignment", "sign_for"}
LEAD_UNIT = HANDLING | {"request_extension"}
ASSISTING_UNIT = HANDLING | {"send_opinion"}
STAFF_DURING_HANDLING = {"adjust_assignment", "decide_extension", "decide_reassignment", "remind", "set_key"}

# What ``workflow.available`` offers each role at each stage of the standard case (lead unit 区民政局,
# assisting unit 区教科局, supervised by 区政府办公室, lead official 杨金军); roles not listed get nothing.
BUTTONS = {
    "draft": {"member": {"edit", "invite_cosigners", "submit", "withdraw"}, "cosigner": {"respond_cosign"}},
    "submitted": {"member": {"invite_cosigners", "withdraw"}, "cosigner": {"respond_cosign"},
                  "staff": {"register", "decline", "merge", "return"}},
    "registered": {"staff": {"assign"}},
    "assigned": {"staff": STAFF_DURING_HANDLING, "lead_handler": LEAD_UNIT,
                 "assisting_handler": ASSISTING_UNIT, "supervisor": {"remind"}},
    "handling": {"staff": STAFF_DURING_HANDLING, "lead_handler": LEAD_UNIT | {"write_reply"},
                 "assisting_handler": ASSISTING_UNIT | {"cosign_reply"},
                 "supervisor": {"remind", "review_reply"}},
    "replied": {"member": {"evaluate"}, "cosigner": {"evaluate"},
                "staff": {"close", "disclose", "record_paper_evaluation", "record_paper_follow_up", "rehandle",
                          "set_key"},
                "lead_handler": {"report_follow_up"}},
    "closed": {"staff": {"disclose", "record_paper_follow_up"}, "lead_handler": {"report_follow_up"}},
}


@pytest.mark.parametrize("stage", list(BUTTONS))
def test_each_role_gets_the_buttons_of_its_work(world, stage):
    proposal = build(world, stage).proposal
    offered = {role: set(workflow.available(getattr(world, role), proposal)) for role in ROLES}
    assert offered == {role: BUTTONS[stage].get(role, set()) for role in ROLES}


# The declaration's transition behind each service call of the lifecycle tests.
TRANSITION_OF = {
    "withdraw_invitation": "invite_cosigners", "approve_reassignment": "decide_reassignment",
    "refuse_reassignment": "decide_reassignment", "save_reply": "write_reply", "submit_reply": "write_reply",
    "approve_reply": "review_reply", "return_reply": "review_reply",
    "paper_evaluation": "record_paper_evaluation",
}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_the_roles_a_service_accepts_are_offered_the_button(world, name):
    action = ACTIONS[name]
    transition = TRANSITION_OF.get(name, name)
    assert transition in workflow.TRANSITIONS
    proposal = build(world, action.stage, **dict(action.build)).proposal
    offered = {role for role in ROLES if workflow.allowed(getattr(world, role), proposal, transition)}
    assert action.allowed <= offered


def test_the_wrong_role_is_told_before_the_wrong_state(world):
    proposal = build(world, "draft").proposal
    with pytest.raises(workflow.WorkflowError) as caught:
        workflow.check(world.stranger, proposal, "register")
    assert caught.value.code == workflow.NOT_ALLOWED
    with pytest.raises(workflow.WorkflowError) as caught:
        workflow.check(world.staff, proposal, "register")
    assert caught.value.code == workflow.INVALID_STATE


def test_refusals_speak_chinese(world):
    proposal = build(world, "draft").proposal
    with translation.override("zh-hans"):
        with pytest.raises(workflow.WorkflowError) as caught:
            workflow.check(world.staff, proposal, "register")
        assert str(caught.value.message) == "提案处于“草稿”状态，不能执行此操作。"
        assert str(workflow.MSG_NOT_ALLOWED) == "您无权执行此操作。"


def test_the_declaration_is_well_formed():
    for name, transition in workflow.TRANSITIONS.items():
        # a step no person takes (it follows another) has no permission, every other one has
        assert transition.name == name and bool(transition.perms) != (name in workflow.FOLLOW_ON)
        assert transition.sources <= set(State.values)
        assert transition.target is None or transition.target in State.values
    # irreversible steps ask for confirmation before the button acts
    for name in ("submit", "withdraw", "rehandle", "close", "disclose"):
        assert workflow.TRANSITIONS[name].confirm
