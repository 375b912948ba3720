"""Where a text message goes (``notifications.services.sms_number``): the account's own mobile; else a member's
mobile from the member list (the form SMS takes, ``MobileField``); else a collective proposer's contact's phone if it
is a mobile. A landline gets no text message."""

import pytest
from django.db.models import Q

from tian.accounts.models import User
from tian.notifications import services as notifications
from tian.notifications.models import Delivery
from tian.organisations.models import CollectiveProposer


def _texted(user) -> list[str]:
    notifications.notify(user_condition=Q(pk=user.pk), key="test", kind="reminder", message="请查看。")
    return list(Delivery.objects.filter(notification__user=user, channel="sms").values_list("address", flat=True))


def test_the_accounts_own_mobile_first(world):
    User.objects.filter(pk=world.member.pk).update(phone="13811112222")
    assert _texted(User.objects.get(pk=world.member.pk)) == ["13811112222"]


def test_a_member_account_without_a_phone_is_texted_at_the_members_mobile(world):
    User.objects.filter(pk=world.member.pk).update(phone="")
    assert world.member.member.mobile == "13700000001"
    assert _texted(User.objects.get(pk=world.member.pk)) == ["13700000001"]


@pytest.mark.parametrize(("contact", "texted"), [("138-0000-0000", ["13800000000"]), ("0839-8620000", [])])
def test_a_collectives_account_is_texted_at_its_contacts_mobile_only(world, contact, texted):
    CollectiveProposer.objects.filter(pk=world.collective_org.pk).update(contact_phone=contact)
    User.objects.filter(pk=world.collective.pk).update(phone="")
    assert _texted(User.objects.get(pk=world.collective.pk)) == texted
