"""Base models and the scheduler's bookkeeping. No domain rules live here."""

from __future__ import annotations

from django.db import models


class TimeStampedModel(models.Model):
    """Adds `created_at` and `updated_at`, maintained by the database layer on save."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class OrgOwnedModel(TimeStampedModel):
    """A row that belongs to exactly one organization. Selectors always filter on it."""

    organization = models.ForeignKey(
        "people.Organization", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        abstract = True


class ScheduledRun(models.Model):
    """One row per (periodic job, time slot) that was enqueued.

    The unique constraint is what makes the scheduler safe to run on several machines at once:
    only the process whose insert wins enqueues the job for that slot.
    """

    job = models.CharField(max_length=200)
    slot = models.BigIntegerField(help_text="Seconds since the epoch at the start of the slot.")
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="scheduledrun_job_slot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.job}@{self.slot}"


class TaskLease(models.Model):
    """Proof of life for one django-tasks-db task while a worker runs it.

    `chorus worker` writes the row when it claims a task and refreshes `heartbeat_at` every
    `TASK_HEARTBEAT_SECONDS` while the task runs. A RUNNING task whose heartbeat is older than
    `TASK_LEASE_SECONDS` belongs to a worker that died (SIGKILL, OOM, lost machine): the
    scheduler puts it back in the queue (`chorus.common.taskqueue.tasks_recover_lost`) and
    counts the lost run in `lost_runs`; after `TASK_MAX_ATTEMPTS` lost runs the task is failed
    instead, so a task that kills its worker cannot loop forever.
    """

    task = models.OneToOneField(
        "django_tasks_database.DBTaskResult",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="chorus_lease",
    )
    worker_id = models.CharField(max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(null=True, db_index=True)
    lost_runs = models.PositiveIntegerField(default=0)
    last_lost_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"lease of {self.task_id} ({self.lost_runs} lost runs)"


class TaskOutbox(models.Model):
    """A task that could not be handed to Redis (RQ backend) because Redis was unreachable.

    `chorus.common.task_backends.OutboxRQBackend` writes it instead of raising, so the change
    that enqueued the task (already committed) never loses its follow-up work; the scheduler
    loop of every `chorus worker` sends these to Redis, oldest first, once it answers again
    (`chorus.common.taskqueue.tasks_outbox_flush`).
    """

    task_path = models.TextField()
    args_kwargs = models.JSONField()
    queue_name = models.CharField(max_length=32, default="default")
    priority = models.IntegerField(default=0)
    run_after = models.DateTimeField(null=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.task_path} (waiting for Redis since {self.created_at:%Y-%m-%d %H:%M})"
