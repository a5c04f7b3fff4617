"""The OpenAPI schema every service serves: its error answers and text rules, said once."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from shared.api.permissions import INTERNAL_TOKEN_HEADER, HasInternalToken
from shared.api.serializers import ErrorOutputSerializer, StrictCharField

BODY_METHODS = ("POST", "PUT", "PATCH")

ERROR_ANSWERS = {
    400: "Bad input: `fields` names each bad field or parameter (`body` for the body itself).",
    403: f"An internal endpoint without the right {INTERNAL_TOKEN_HEADER} header.",
    404: "No such post, or no such path (an id that is not a whole number in range).",
    413: "The body is larger than the limit; refused before it is read.",
    415: "The body is not application/json.",
    503: "A dependency (database, broker, another service) cannot answer; `service` names "
    "it and Retry-After says when to try again.",
}


class BlogAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, plus the error answers each operation can give."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in self._error_statuses():
            answer = OpenApiResponse(ErrorOutputSerializer, description=ERROR_ANSWERS[status])
            responses.setdefault(
                str(status), self._get_response_for_code(answer, str(status), direction=direction)
            )
        return responses

    def _error_statuses(self) -> list[int]:
        has_body = self.method in BODY_METHODS and self.get_request_serializer() is not None
        has_query = bool(self.get_override_parameters())
        statuses = [400] if has_body or has_query else []
        if any(isinstance(check, HasInternalToken) for check in self.view.get_permissions()):
            statuses.append(403)
        if "{" in self.path:
            statuses.append(404)
        if has_body:
            statuses += [413, 415]
        return [*statuses, 503]

    def _insert_field_validators(self, field, schema):
        # A StrictCharField trims before it checks, which maxLength cannot say: one pattern
        # says it all (see shared.api.serializers.trimmed_text_pattern).
        if isinstance(field, StrictCharField):
            schema["pattern"] = field.schema_pattern
            return
        super()._insert_field_validators(field, schema)
