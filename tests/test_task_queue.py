"""Each installation's tasks on a queue of its own, taken by its own worker only (docs/operations.md, "Several
committees in one database"): a worker of another installation sharing the database would send a mail with its own
address in the links, or compute another committee's statistics."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from tian.notifications.tasks import send_delivery

ROOT = Path(__file__).resolve().parent.parent


def _settings_of(**env) -> dict:
    """What a process started with ``env`` decides: its queue, its backend's queues and each task's queue."""
    code = ("import django, json; django.setup(); from django.conf import settings;"
            "from tian.notifications.tasks import send_delivery; from tian.proposals.tasks import after_event;"
            "from tian.stats.warming import compute_viewed; from tian.suggest.tasks import train_unit_model;"
            "print(json.dumps({'queue': settings.TASK_QUEUE, 'queues': settings.TASKS['default']['QUEUES'],"
            "'tasks': sorted({t.queue_name for t in (send_delivery, after_event, compute_viewed, train_unit_model)})}))")
    environ = {k: v for k, v in os.environ.items() if k not in ("TIAN_COMMITTEE_ID", "TASK_QUEUE")}
    environ.update(DJANGO_SETTINGS_MODULE="tian.settings", DEBUG="1", **env)
    done = subprocess.run([sys.executable, "-c", code], env=environ, cwd=ROOT, capture_output=True, text=True,
                          check=False)
    return json.loads(done.stdout) if done.returncode == 0 else {"error": done.stderr}


def test_an_installation_of_one_committee_queues_its_tasks_as_before():
    assert _settings_of() == {"queue": "default", "queues": ["default"], "tasks": ["default"]}


def test_an_installation_serving_a_committee_of_a_shared_database_queues_under_its_committee():
    assert _settings_of(TIAN_COMMITTEE_ID="7") == {"queue": "committee-7", "queues": ["committee-7"],
                                                   "tasks": ["committee-7"]}
    assert _settings_of(TIAN_COMMITTEE_ID="7", TASK_QUEUE="north")["tasks"] == ["north"]


def test_a_queue_name_the_task_table_cannot_hold_is_refused_at_start():
    assert "TASK_QUEUE" in _settings_of(TASK_QUEUE="two words")["error"]
    assert "TASK_QUEUE" in _settings_of(TASK_QUEUE="x" * 33)["error"]


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_its_own_installations_tasks_only():
    shared = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["committee-1", "committee-2"]}}
    with override_settings(TASKS=shared):
        mine = send_delivery.using(queue_name="committee-1").enqueue(999_999)
        theirs = send_delivery.using(queue_name="committee-2").enqueue(999_998)
        with override_settings(TASK_QUEUE="committee-1"):
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    rows = {str(r.pk): r for r in DBTaskResult.objects.all()}
    assert rows[mine.id].status == "SUCCESSFUL" and rows[mine.id].return_value == "missing"
    assert rows[theirs.id].status == "READY"  # left for the other installation's worker
