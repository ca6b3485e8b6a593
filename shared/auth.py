"""Bearer JWT (RS256) authentication and area scoping.

Tokens carry ``sub``, ``roles`` and ``area`` (a 12-digit division code). Every read and write is
scoped to that area's subtree (its code prefix). Algorithms are pinned; ``exp``, ``iat``, ``iss``,
``aud`` and ``sub`` are required. In development the public key is a local PEM; in production a
JWKS URL.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from jwt.algorithms import RSAAlgorithm
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from shared.areas import AreaCode, InvalidAreaCode
from shared.errors import Forbidden, Unauthorized
from shared.settings import ServiceSettings

__all__ = [
    "ROLES",
    "ROLE_WORDS",
    "Admin",
    "AreaScope",
    "CurrentUser",
    "Principal",
    "TokenVerifier",
    "admin_only",
    "authenticate",
    "caller_of",
    "current_user_dependency",
    "require_roles",
    "role_refusal",
]

ROLES = frozenset(
    {"registrar", "approver", "finance", "cadre", "inspector", "evaluator", "auditor", "admin", "service"}
)
# A role as a clerk names it, in a refusal that tells who may do the thing (required_roles keeps the
# codes for the administrator who grants them)
ROLE_WORDS: dict[str, str] = {
    "registrar": "登记人员",
    "approver": "审批人",
    "finance": "财务人员",
    "cadre": "帮扶干部",
    "inspector": "督查人员",
    "evaluator": "第三方评估人员",
    "auditor": "审计人员",
    "admin": "管理员",
    "service": "系统服务",
    "complaint_handler": "12317举报承办人",
}
ALGORITHMS = ["RS256"]


@dataclass(frozen=True)
class Principal:
    sub: str
    roles: frozenset[str]
    area_code: str
    name: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # Worked out once per principal (a verified token's is kept across its requests: TokenVerifier)
    @cached_property
    def area(self) -> AreaCode:
        return AreaCode.parse(self.area_code)

    @cached_property
    def area_prefix(self) -> str:
        return self.area.prefix

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def covers(self, area_code: str) -> bool:
        return area_code.startswith(self.area_prefix)

    @property
    def actor(self) -> str:
        return self.sub


# Verified tokens kept per process (raw token -> principal): a clerk's client sends the same token
# with every request, and an RS256 check costs more than the rest of a card read's Python. An
# entry lives until the token's ``exp`` and at most VERIFIED_TTL_S (so a key withdrawn from the
# JWKS stops being honoured within that time); the least recently used go first past the size.
VERIFIED_CACHE_SIZE = 4096
VERIFIED_TTL_S = 300.0


class TokenVerifier:
    def __init__(self, settings: ServiceSettings) -> None:
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None
        pem = None if self._jwks else settings.public_key_pem()
        # Parsed once: PyJWT would parse the PEM again for every token it is given as text.
        self._public_key: Any = _parse_public_key(pem) if pem else None
        self._verified: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    async def _key_for(self, token: str) -> Any:
        if self._jwks is not None:
            jwks = self._jwks
            signing_key = await run_in_threadpool(jwks.get_signing_key_from_jwt, token)
            return signing_key.key
        if not self._public_key:
            raise Unauthorized(
                "This service has no key to verify tokens with; ask ops to configure one",
                detail_zh="本服务未配置验证登录凭证的密钥，请联系运维人员",
            )
        return self._public_key

    async def verify(self, token: str) -> Principal:
        now = time.time()  # the same clock PyJWT checks ``exp`` against
        cached = self._verified.get(token)
        if cached is not None:
            if cached[0] > now:
                self._verified.move_to_end(token)
                return cached[1]
            del self._verified[token]
        principal = await self._verify(token)
        exp = principal.claims.get("exp")
        if isinstance(exp, int | float):
            self._verified[token] = (min(float(exp), now + VERIFIED_TTL_S), principal)
            if len(self._verified) > VERIFIED_CACHE_SIZE:
                self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> Principal:
        try:
            key = await self._key_for(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized(
                "Your session has expired; sign in again", detail_zh="登录已过期，请重新登录"
            ) from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthorized(
                f"The access token is not valid: {exc}", detail_zh="登录凭证无效，请重新登录"
            ) from exc
        roles = claims.get("roles") or []
        area = claims.get("area")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise Unauthorized(
                "The access token's roles claim must be a list of role names",
                detail_zh="登录凭证中的角色信息有误，请联系管理员",
            )
        try:
            area_code = AreaCode.parse(str(area)).code
        except InvalidAreaCode as exc:
            raise Unauthorized(
                "The access token carries no valid area code",
                detail_zh="登录凭证中没有有效的地区代码，请联系管理员",
            ) from exc
        return Principal(
            sub=str(claims["sub"]),
            roles=frozenset(roles),
            area_code=area_code,
            name=claims.get("name"),
            claims=claims,
        )


def _parse_public_key(pem: str) -> Any:
    """The PEM as the key object PyJWT verifies with; a key that cannot be parsed is left as text
    so the error surfaces per request (401), as before."""
    try:
        return RSAAlgorithm(RSAAlgorithm.SHA256).prepare_key(pem)
    except (jwt.PyJWTError, ValueError, TypeError):
        return pem


async def authenticate(request: Request) -> Principal:
    """The caller of this request, from its bearer token (verified once per request: the gate's
    principal is taken as it is, without reading the request's headers into a Headers object)."""
    verified = _verified(request.scope)
    if verified is not None:
        return verified
    return await caller_of(request.scope, request.headers.get("authorization"))


def _verified(scope: Scope) -> Principal | None:
    """The principal already verified for this request (by the gate, or an earlier dependency)."""
    cached = scope.get("state", {}).get("principal")
    return cached if isinstance(cached, Principal) else None


async def caller_of(scope: Scope, authorization: str | None) -> Principal:
    """:func:`authenticate` of the request of ``scope`` whose (first) Authorization header is
    ``authorization`` (None: it has none), for a middleware that has read the headers already."""
    verified = _verified(scope)
    if verified is not None:
        return verified
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(
            "Send an access token as 'Authorization: Bearer <token>'",
            detail_zh="请先登录（请求头 Authorization: Bearer <凭证>）",
        )
    verifier: TokenVerifier = scope["app"].state.verifier
    principal = await verifier.verify(token.strip())
    # what ``request.state.principal = ...`` stores, without building a State object for it
    scope.setdefault("state", {})["principal"] = principal
    return principal


class _BearerUser(HTTPBearer):
    """The caller, as a dependency that is itself the bearer scheme: FastAPI puts ``bearerAuth`` in
    OpenAPI (securitySchemes, and ``security`` on exactly the operations that need a token, so
    Swagger UI's "Authorize" sends it) and the route gets the principal in one step, without a
    sub-dependency that only declared the scheme (a tenth of a card read's dependency solving)."""

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        return await authenticate(request)


current_user_dependency = _BearerUser(
    scheme_name="bearerAuth",
    bearerFormat="JWT",
    description="An access token (RS256 JWT) from the identity provider, or `jingzhun token` in development.",
    auto_error=False,  # the 401 is authenticate()'s problem+json
)


CurrentUser = Annotated[Principal, Depends(current_user_dependency)]


async def _area_scope(user: CurrentUser) -> str:
    return user.area_prefix


AreaScope = Annotated[str, Depends(_area_scope)]


def role_refusal(roles: Iterable[str]) -> Forbidden:
    """403 naming the roles that may do it: the codes in ``required_roles``, the words in the detail."""
    codes = sorted(roles)
    words = [ROLE_WORDS.get(code, code) for code in codes]
    return Forbidden(
        f"This action needs one of the roles: {', '.join(codes)}",
        detail_zh=f"此操作需要以下角色之一：{'、'.join(words)}；请由有该角色的人员办理，或联系管理员调整角色",
        required_roles=codes,
        required_roles_labels=words,
    )


def require_roles(*roles: str) -> Callable[..., Any]:
    """A dependency that lets only the named roles (or admin) through."""
    allowed = frozenset(roles) | {"admin"}

    async def dependency(user: CurrentUser) -> Principal:
        if not user.roles & allowed:
            raise role_refusal(roles)
        return user

    dependency.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]  # read by shared.bodyguard
    return dependency


# Administrators (of every service: policy records, schemes, clients, the feed's subscriptions).
admin_only = require_roles("admin")
Admin = Annotated[Principal, Depends(admin_only)]
