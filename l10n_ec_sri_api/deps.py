# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Who calls: ``Authorization: Bearer <Odoo API key>``, over HTTPS (or from loopback), for one of the
user's companies (``X-SRI-RUC``), within the token's rate and the company's plan."""
import ipaddress
import math
import time
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from odoo.api import Environment

from odoo.addons.base.models.res_users import INDEX_SIZE, KEY_CRYPT_CONTEXT
from odoo.addons.fastapi.dependencies import odoo_env

from .errors import ApiError

API_KEY_SCOPE = "l10n_ec_sri_api"
DEFAULT_RATE_LIMIT = 600  # requests per window and token
DEFAULT_RATE_WINDOW = 60  # seconds

bearer = HTTPBearer(auto_error=False, scheme_name="OdooApiKey", description=(
    "An Odoo API key of the user the calls act for (Preferences > Account Security > New API Key). "
    "It acts with that user's rights and companies."))


def _loopback(host):
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _check_transport(request, env):
    """Plain HTTP only from the machine itself: behind a reverse proxy, Odoo's ``proxy_mode`` makes the
    scheme and the client's address the proxy's forwarded ones."""
    if request.url.scheme != "https" and not _loopback(request.client.host if request.client else None):
        raise ApiError(403, "https_required", env._(
            "The API answers over HTTPS only (plain HTTP is accepted from this machine only)."))


def _rate_limit(env, key_id):
    """A fixed window per API key, counted in a row of its own committed at once by a short transaction of
    its own (a refused or failed request counts too). Over the limit: 429 with ``Retry-After``."""
    params = env["ir.config_parameter"].sudo()
    limit = int(params.get_param("l10n_ec_sri_api.rate_limit", DEFAULT_RATE_LIMIT) or 0)
    if limit <= 0:
        return
    window = max(int(params.get_param("l10n_ec_sri_api.rate_window", DEFAULT_RATE_WINDOW) or 1), 1)
    now = time.time()
    start = int(now // window * window)
    query = """
        INSERT INTO l10n_ec_sri_api_rate (key_id, window_start, hits) VALUES (%s, %s, 1)
        ON CONFLICT (key_id) DO UPDATE
           SET hits = CASE WHEN l10n_ec_sri_api_rate.window_start = EXCLUDED.window_start
                           THEN l10n_ec_sri_api_rate.hits + 1 ELSE 1 END,
               window_start = EXCLUDED.window_start
        RETURNING hits
    """
    if env.registry.in_test_mode():
        # tests share one cursor, which another thread cannot open again: the count goes with the request
        env.cr.execute(query, [key_id, start])
        hits = env.cr.fetchone()[0]
    else:
        with env.registry.cursor() as cr:
            # concurrent hits of one key wait for each other's row lock, then count on the committed value
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cr.execute(query, [key_id, start])
            hits = cr.fetchone()[0]
    if hits > limit:
        retry = max(math.ceil(start + window - now), 1)
        raise ApiError(429, "rate_limited", env._(
            "Too many requests with this API key: at most %(limit)s every %(window)s seconds. Try again in "
            "%(retry)s seconds.", limit=limit, window=window, retry=retry), headers={"Retry-After": str(retry)})


def _key_id(env, key):
    """(user id, API key id) of a valid key, else (None, None). Odoo's own check decides (hashed keys, expiry,
    active user; a key of no scope or of this API's scope); the key's id (the rate limit's counter) is then the
    user's key of that index, verified again only in the rare case of two keys sharing an index."""
    uid = env["res.users.apikeys"].sudo()._check_credentials(scope=API_KEY_SCOPE, key=key)
    if not uid:
        return None, None
    env.cr.execute("SELECT id, key FROM res_users_apikeys WHERE user_id = %s AND index = %s",
                   [uid, key[:INDEX_SIZE]])
    rows = env.cr.fetchall()
    if len(rows) == 1:
        return uid, rows[0][0]
    for key_id, hashed in rows:
        if KEY_CRYPT_CONTEXT.verify(key, hashed):
            return uid, key_id
    return None, None


def authenticated_env(
    request: Request,
    env: Annotated[Environment, Depends(odoo_env)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ruc: Annotated[str | None, Header(alias="X-SRI-RUC", description=(
        "RUC of the company to act for, among the user's companies; the user's default company when "
        "absent."), examples=["0992345675001"])] = None,
) -> Environment:
    """The environment of the token's user, in the chosen company (its only allowed company)."""
    _check_transport(request, env)
    if not credentials or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise ApiError(401, "missing_token", env._(
            "Send an Odoo API key in the header Authorization: Bearer <key>."),
            headers={"WWW-Authenticate": "Bearer"})
    uid, key_id = _key_id(env, credentials.credentials)
    if not uid:
        raise ApiError(401, "invalid_token", env._(
            "The API key is not valid: it may have been revoked or have expired, or its user archived. "
            "Create a new one in the user's preferences."), headers={"WWW-Authenticate": "Bearer"})
    user = env(user=uid, su=False).user
    context = dict(env.context, l10n_ec_sri_api_key_id=key_id)
    if not request.headers.get("Accept-Language"):
        context["lang"] = user.lang  # the user's language, as in Odoo's screens
    user_env = env(user=uid, su=False, context=context)
    _rate_limit(user_env, key_id)
    if ruc:
        company = user.sudo().company_ids.filtered(lambda c: c.vat == ruc.strip())[:1]
        if not company:
            raise ApiError(404, "company_not_found", user_env._(
                "No company with RUC %s among this user's companies.", ruc), "X-SRI-RUC")
    else:
        company = user.sudo().company_id
    user_env = user_env(context=dict(context, allowed_company_ids=company.ids))
    if hasattr(company, "_l10n_ec_sri_plan_check"):  # the plans module is installed
        user_env["res.company"].browse(company.id)._l10n_ec_sri_plan_check("api")
    return user_env


AuthEnv = Annotated[Environment, Depends(authenticated_env)]
