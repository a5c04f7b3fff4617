"""The lab's page and its JSON API: thin views over stacks.lab.services and selectors."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import Context, Engine
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from shared import rules
from shared.api.errors import ServiceUnavailable
from stacks.lab import registry, selectors, services
from stacks.launcher import StackError
from stacks.routes import READ_STRATEGIES

LIST_LIMIT_MAX = 50
MODERATION_DELAY_MAX_MS = 5000  # the client waits 10 s at most for an answer
EVENTS_LIMIT_MAX = 100
MESSAGE_MAX = 2000  # a process's log tail is long; the page shows its start

# The lab is not one of the monolith's apps: its templates are found here, not by APP_DIRS.
TEMPLATES = Engine(dirs=[str(Path(__file__).parent / "templates")], debug=False)


def lab_page(request):
    """The page: both columns, the faults panel and the event timeline (filled in by lab.js)."""
    context = {
        "csrf_token": get_token(request),
        "stacks": list(registry.current()),
        "api_docs": _api_docs(),
        "strategies": READ_STRATEGIES,
        "msg_pending": rules.MSG_COMMENT_PENDING,
        "msg_rejected": rules.MSG_COMMENT_REJECTED,
        "forbidden_word": rules.FORBIDDEN_WORD,
        "title_max": rules.TITLE_MAX_LENGTH,
        "content_max": rules.CONTENT_MAX_LENGTH,
    }
    html = TEMPLATES.get_template("lab/index.html").render(Context(context))
    return HttpResponse(html)


def _api_docs() -> list[dict]:
    """Each service's Swagger UI and Redoc (shared/api/urls.py), for the page's links."""
    return [
        {"stack": kind, "service": service, "url": url.rstrip("/")}
        for kind, state in registry.current().items()
        for service, url in state.stack.urls.items()
    ]


class LabApi(APIView):
    """Same-origin JSON API: writes need the CSRF token the page carries; lab lookups that
    find nothing are 404s."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            SessionAuthentication().enforce_csrf(request)

    def handle_exception(self, exc):
        if isinstance(exc, registry.LabNotFound):
            exc = exceptions.NotFound(str(exc))
        elif isinstance(exc, StackError):  # e.g. a process that exited instead of starting
            exc = ServiceUnavailable("launcher", str(exc)[:MESSAGE_MAX])
        return super().handle_exception(exc)


class LabStateApi(LabApi):
    def get(self, request):
        return Response(selectors.lab_state())


class PostCollectionApi(LabApi):
    """GET: read the post list through a read strategy; POST: create a post."""

    class ParamsSerializer(serializers.Serializer):
        strategy = serializers.ChoiceField(choices=list(READ_STRATEGIES), default="query")
        limit = serializers.IntegerField(min_value=1, max_value=LIST_LIMIT_MAX, default=10)

    class InputSerializer(serializers.Serializer):
        title = serializers.JSONField(help_text="Passed to the stack as it is.")

    def get(self, request, kind):
        params = _valid(self.ParamsSerializer, request.query_params)
        return Response(selectors.post_list(kind=kind, **params))

    def post(self, request, kind):
        data = _valid(self.InputSerializer, request.data)
        return Response(services.post_create(kind=kind, title=data["title"]))


class PostDetailApi(LabApi):
    def get(self, request, kind, post_id):
        return Response(selectors.post_get(kind=kind, post_id=post_id))


class CommentCreateApi(LabApi):
    class InputSerializer(serializers.Serializer):
        content = serializers.JSONField(help_text="Passed to the stack as it is.")

    def post(self, request, kind, post_id):
        data = _valid(self.InputSerializer, request.data)
        return Response(services.comment_add(kind=kind, post_id=post_id, content=data["content"]))


class ActionDetailApi(LabApi):
    def get(self, request, request_id):
        return Response(selectors.action_progress(request_id=request_id))


class ProcessStopApi(LabApi):
    def post(self, request, kind, name):
        services.process_stop(kind=kind, name=name)
        return Response(selectors.lab_state())


class ProcessStartApi(LabApi):
    def post(self, request, kind, name):
        services.process_start(kind=kind, name=name)
        return Response(selectors.lab_state())


class ModerationDelayApi(LabApi):
    class InputSerializer(serializers.Serializer):
        ms = serializers.IntegerField(min_value=0, max_value=MODERATION_DELAY_MAX_MS)

    def post(self, request, kind):
        data = _valid(self.InputSerializer, request.data)
        services.moderation_delay_set(kind=kind, delay_ms=data["ms"])
        return Response(selectors.lab_state())


class EventListApi(LabApi):
    class ParamsSerializer(serializers.Serializer):
        limit = serializers.IntegerField(min_value=1, max_value=EVENTS_LIMIT_MAX, default=20)

    def get(self, request, kind):
        params = _valid(self.ParamsSerializer, request.query_params)
        return Response(selectors.recent_events(kind=kind, **params))


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
