"""Deadlines: the working-day calendar staff can correct, deadline status (due / due soon / overdue),
extensions, reminders and escalation (催办), and the B-class follow-up a year after the reply (回头看)."""
