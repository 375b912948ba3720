"""The suggestions page of the office (智能交办): the committee's model (its versions, what it learned from, how it
measured, "retrain"), how often suggestions were taken per unit, the rules for a committee without history and the
unit mapping. A form with errors is shown again as it was sent, with the messages beside its fields."""

import logging

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm
from tian.organisations.selectors import current_committee
from tian.suggest import selectors, services
from tian.suggest.forms import MappingForm, RuleForm
from tian.suggest.models import UnitMapping, UnitRule
from tian.suggest.tasks import train_unit_model

logger = logging.getLogger("tian.suggest")


def _committee():
    committee = current_committee()
    if committee is None:
        raise Http404
    return committee


def _page(request, committee, *, rule_form=None, mapping_form=None, status=200):
    models = selectors.models_of(committee)
    mappings = list(UnitMapping.objects.filter(committee=committee).select_related("old_unit")
                    .prefetch_related("new_units"))
    return render(request, "suggest/manage.html", {
        "model": models[0] if models else None, "models": models,
        "outcomes": selectors.outcomes_by_unit(committee),
        "rules": UnitRule.objects.filter(committee=committee).select_related("unit"),
        "mappings": mappings,
        "rule_form": rule_form or RuleForm(committee=committee, prefix="rule"),
        "mapping_form": mapping_form or MappingForm(committee=committee, prefix="mapping"),
    }, status=status)


@require_permission(Perm.ASSIGN)
def manage(request):
    return _page(request, _committee())


@require_permission(Perm.ASSIGN)
@require_POST
def retrain(request):
    committee = _committee()
    try:
        train_unit_model.enqueue(committee.pk, request.user.pk)
    except Exception:  # the queue cannot be reached: train now, as the events' followers do
        logger.exception("could not queue the training of committee %s; training now", committee.pk)
        services.unit_model_train(committee=committee, by=request.user)
    messages.success(request, _("Training has started; the new version appears here when it is done."))
    return redirect("suggest:manage")


@require_permission(Perm.ASSIGN)
def rule(request, pk=None):
    committee = _committee()
    instance = get_object_or_404(UnitRule, pk=pk, committee=committee) if pk else None
    if request.method != "POST":
        return _page(request, committee, rule_form=RuleForm(instance=instance, committee=committee, prefix="rule"))
    form = RuleForm(request.POST, instance=instance, committee=committee, prefix="rule")
    if not form.is_valid():
        return _page(request, committee, rule_form=form, status=422)
    saved = services.unit_rule_save(rule=form.save(commit=False), by=request.user)
    messages.success(request, _("The rule is saved."))
    return redirect(f"{reverse('suggest:manage')}#rule-{saved.pk}")


@require_permission(Perm.ASSIGN)
@require_POST
def rule_delete(request, pk):
    services.unit_rule_delete(rule=get_object_or_404(UnitRule, pk=pk, committee=_committee()), by=request.user)
    messages.success(request, _("The rule is deleted."))
    return redirect(f"{reverse('suggest:manage')}#rules")


@require_permission(Perm.ASSIGN)
def mapping(request, pk=None):
    committee = _committee()
    instance = get_object_or_404(UnitMapping, pk=pk, committee=committee) if pk else None
    if request.method != "POST":
        return _page(request, committee,
                     mapping_form=MappingForm(instance=instance, committee=committee, prefix="mapping"))
    form = MappingForm(request.POST, instance=instance, committee=committee, prefix="mapping")
    if not form.is_valid():
        return _page(request, committee, mapping_form=form, status=422)
    saved = services.unit_mapping_save(mapping=form.save(commit=False), new_units=form.cleaned_data["new_units"],
                                       by=request.user)
    messages.success(request, _("The unit mapping is saved; it counts from the next training."))
    return redirect(f"{reverse('suggest:manage')}#mapping-{saved.pk}")


@require_permission(Perm.ASSIGN)
@require_POST
def mapping_delete(request, pk):
    services.unit_mapping_delete(mapping=get_object_or_404(UnitMapping, pk=pk, committee=_committee()),
                                 by=request.user)
    messages.success(request, _("The unit mapping is deleted."))
    return redirect(f"{reverse('suggest:manage')}#mappings")
