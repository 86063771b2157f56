"""The Bot Framework messaging endpoint: validated activities from Teams."""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from chorus.integrations.teams.connector import TeamsError, TokenInvalid, validate_request
from chorus.integrations.teams.services import activity_handle

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def messages(request: HttpRequest) -> HttpResponse:
    try:
        activity = json.loads(request.body or b"")
    except ValueError:
        activity = None
    if not isinstance(activity, dict):
        return JsonResponse({"detail": "Send one Bot Framework activity as a JSON object."},
                            status=400)
    try:
        validate_request(authorization=request.headers.get("Authorization", ""),
                         activity=activity)
    except TokenInvalid as exc:
        return JsonResponse({"detail": f"Not a valid Bot Framework request: {exc}"}, status=401)
    try:
        activity_handle(activity=activity)
    except TeamsError as exc:
        logger.warning("Teams reply failed: %s", exc.message)
        return JsonResponse({"detail": "The reply could not be sent."}, status=502)
    return HttpResponse(status=200)
