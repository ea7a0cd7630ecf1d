# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Every error of the API is JSON: ``{"detail": {"code", "message", "field"}}`` with a stable ``code``.

The fastapi add-on lets exceptions bubble up to Odoo, which rolls the transaction back (nothing half-done)
and answers with the exception's status and ``detail``. This middleware turns what is not already an
``ApiError`` (a body that does not match the schema, Odoo's UserError, AccessError...) into one on the way."""
import logging

from fastapi import HTTPException
from starlette.exceptions import HTTPException as StarletteHTTPException
from fastapi.exceptions import RequestValidationError

from odoo.exceptions import AccessDenied, AccessError, MissingError, UserError, ValidationError

from odoo.addons.fastapi.context import odoo_env_ctx


class ApiError(HTTPException):
    #: Odoo logs a request's exception at this level (a client's mistake is no server error)
    loglevel = logging.INFO

    def __init__(self, status, code, message, field=None, headers=None):
        super().__init__(status_code=status, detail={"code": code, "message": str(message), "field": field},
                         headers=headers)


def _env():
    return odoo_env_ctx.get()


def _location(loc):
    """'lines.0.quantity' from pydantic's ('body', 'lines', 0, 'quantity')."""
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


def validation_error(exc, env=None):
    env = env or _env()
    errors = exc.errors()
    first = errors[0] if errors else {}
    field = _location(first.get("loc", ()))
    kind = first.get("type", "")
    if kind == "json_invalid":
        return ApiError(400, "malformed_json", env._("The body is not valid JSON: %s", first.get("msg", "")))
    if kind == "missing":
        message = env._("The field %s is required.", field)
    elif kind == "extra_forbidden":
        message = env._("The field %s is not known: remove it (see the API's description).", field)
    else:
        message = env._("The field %(field)s is not valid: %(reason)s", field=field or "body",
                        reason=first.get("msg", ""))
    if len(errors) > 1:
        message += " " + env._("(%s more problems in the body.)", len(errors) - 1)
    return ApiError(422, "invalid_body", message, field)


def translate(exc, env=None):
    """The ``ApiError`` to answer for ``exc`` (``exc`` itself when it already is one)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, StarletteHTTPException):  # FastAPI's, and Starlette's own: unknown path, wrong method
        env = env or _env()
        if exc.status_code == 404:
            return ApiError(404, "not_found", env._("No such path in the API: see /api/sri/v1/docs."))
        if exc.status_code == 405:
            return ApiError(405, "method_not_allowed", env._(
                "This path does not take this method: see /api/sri/v1/docs."), headers=exc.headers)
        return ApiError(exc.status_code, "http_%s" % exc.status_code, exc.detail, headers=exc.headers)
    if isinstance(exc, RequestValidationError):
        return validation_error(exc, env)
    code = getattr(exc, "code", None)
    if isinstance(exc, UserError) and isinstance(code, str):  # the plans' PlanLimitError
        return ApiError(402, "plan_limit_%s" % code, exc.args[0])
    if isinstance(exc, (AccessDenied, AccessError)):
        return ApiError(403, "forbidden", exc.args[0] if exc.args else "Access denied")
    if isinstance(exc, MissingError):
        return ApiError(404, "not_found", exc.args[0])
    if isinstance(exc, ValidationError):
        return ApiError(422, "invalid_data", exc.args[0])
    if isinstance(exc, UserError):
        return ApiError(422, "rejected", exc.args[0])
    return None  # a real bug or a concurrency error Odoo retries: let it through untouched


class ErrorMiddleware:
    """ASGI middleware: re-raises every exception as the ``ApiError`` to answer."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            error = translate(exc)
            if error is None or error is exc:
                raise
            raise error from exc
