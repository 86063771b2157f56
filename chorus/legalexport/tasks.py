"""Building a legal export bundle in the worker (never in a request)."""

from __future__ import annotations

from django_tasks import task


@task()
def legal_export_build_task(*, job_id: int) -> None:
    from chorus.legalexport.services import export_build

    export_build(job_id=job_id)
