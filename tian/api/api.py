"""The JSON API at /api/v1/: one operation per action, each with named request and response schemas, calling the
same service functions as the pages (docs/api.md says how to use it, docs/api-changelog.md what changed)."""

from django.conf import settings
from ninja import NinjaAPI

from tian.api import cosigning, deprecated, errors, handling, idempotency, people, proposals
from tian.api.auth import BearerToken, SiteSession
from tian.api.parser import CleaningParser
from tian.api.throttles import AnonymousThrottle, SignedInThrottle

DESCRIPTION = """政协提案管理系统接口 (TiAn API), version 1.

* **Authentication**: `Authorization: Bearer <token>` (tokens are created under 账户 → API tokens); a call without
  a valid token answers 401 with `WWW-Authenticate: Bearer`.
* **Errors**: every refusal under /api/ is JSON `{"code": …, "message": …, "fields": {field: [messages]}}`.
* **Writes** answer the object they changed, with `links` to what the caller may do next.
* **Idempotency-Key** on a POST: a retry with the same key answers the first answer instead of acting twice.
* **ETag / If-Match**: GET /proposals/{id} gives an `ETag`; a PATCH with `If-Match` is refused (412) if the proposal
  changed since.
* **Lists** are paged (`page`, `page_size`); a page past the end is empty, with `next`/`previous` and `total`.

Versioning and deprecation: docs/api.md; changes: docs/api-changelog.md."""


class TianAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Django Ninja's schema, with the ``Idempotency-Key`` header every POST takes (``idempotency.py`` reads it
        for all of them, so it is declared here once rather than in each operation)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            post = operations.get("post")
            if post is not None and post.get("security"):
                post.setdefault("parameters", []).append(dict(idempotency.PARAMETER))
        return schema


api = TianAPI(
    title="TiAn API", version="1.9", urls_namespace="api", docs_url="/docs", description=DESCRIPTION,
    auth=[BearerToken(), SiteSession()],
    parser=CleaningParser(),  # control characters removed from JSON bodies (core/request_limits.py)
    throttle=[AnonymousThrottle(settings.API_RATE_ANONYMOUS), SignedInThrottle(settings.API_RATE_AUTHENTICATED)],
)
errors.install(api)
idempotency.install(api)
api.add_router("", proposals.public)
api.add_router("", proposals.router)
api.add_router("", cosigning.router)
api.add_router("", handling.router)
api.add_router("", handling.supervision_router)
api.add_router("", people.router)
api.add_router("", people.lookups)
api.add_router("", deprecated.router)
api.add_router("", "tian.api.suggest.router")  # suggested units (智能交办)
