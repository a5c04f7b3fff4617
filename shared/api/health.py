"""Health endpoints: liveness (the process answers) and readiness (its database answers too).

/health/live/ touches nothing but the process, so an orchestrator restarts a web process
only when it is stuck, never because its database is away (a restart cannot help then);
/health/ready/ takes it out of the load balancer while its database does not answer.
/health/ is readiness under its old name, for the callers that poll it (the launcher).
"""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connections
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers

from shared.api.lean import LeanReadApi

DUMMY_ENGINE = "django.db.backends.dummy"


HEALTH = inline_serializer(
    "Health",
    {
        "service": serializers.CharField(),
        "status": serializers.CharField(),
        "database": serializers.CharField(),
    },
)
LIVENESS = inline_serializer(
    "Liveness", {"service": serializers.CharField(), "status": serializers.CharField()}
)


class HealthLiveApi(LeanReadApi):
    @extend_schema(
        responses={200: LIVENESS},
        description="200 while the process answers; checks no dependency (liveness).",
    )
    def get(self, request):
        return self.drf_answer(request)

    def read(self, request):
        return {"service": settings.SERVICE_NAME, "status": "ok"}, 200


class HealthReadyApi(LeanReadApi):
    @extend_schema(
        responses={200: HEALTH, 503: HEALTH},
        description="200 when the service and its database answer, 503 otherwise (readiness).",
    )
    def get(self, request):
        return self.drf_answer(request)

    def read(self, request):
        body = {"service": settings.SERVICE_NAME, "status": "ok", "database": "none"}
        # Services without a database get Django's dummy backend, which answers nothing.
        engine = settings.DATABASES.get("default", {}).get("ENGINE", DUMMY_ENGINE)
        if engine != DUMMY_ENGINE:
            try:
                with connections["default"].cursor() as cursor:
                    cursor.execute("SELECT 1")
                body["database"] = "ok"
            except DatabaseError:
                body.update(status="unavailable", database="unavailable")
                return body, 503
        return body, 200
