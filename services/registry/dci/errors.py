"""Refusals of the DCI registry API: problem+json whose ``errors`` member carries the DCI error
code (``[{"code": "err.signature.invalid", "message": "…"}]``, as the DCI HttpErrorResponse)."""

from __future__ import annotations

from typing import Any

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from shared.ratelimit import RateLimitExceeded

__all__ = [
    "DciClientExists",
    "DciClientNotFound",
    "DciDuplicateMessage",
    "DciMessageInvalid",
    "DciRateLimited",
    "DciSenderInvalid",
    "DciSignatureInvalid",
    "DciTransactionNotFound",
    "dci_errors",
]


def dci_errors(code: str, message: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message}]}


class DciSignatureInvalid(Unauthorized):
    type_slug = "dci-signature-invalid"
    title = "The DCI message signature is missing or wrong"
    title_zh = "报文签名缺失或不正确"
    hint_zh = "用本平台登记的密钥对 header 和 message 重新签名（见 docs/DCI.md）"
    hint_en = "Sign header and message with the key registered for your client (docs/DCI.md)"


class DciSenderInvalid(Forbidden):
    type_slug = "dci-sender-invalid"
    title = "The sender is not a registered DCI client"
    title_zh = "发送方不是已登记的对接系统"
    hint_zh = "sender_id 应为登记的客户端编号，且与访问令牌的主体一致"
    hint_en = "sender_id must be your registered client id, the subject of your access token"


class DciMessageInvalid(InvalidInput):
    type_slug = "dci-message-invalid"
    title = "The DCI message header is not acceptable"
    title_zh = "报文头不符合要求"
    hint_zh = "按 errors 中的代码改正报文头后重发"
    hint_en = "Correct the header as the code in errors says, then send again"


class DciDuplicateMessage(Conflict):
    type_slug = "dci-message-duplicate"
    title = "This message id was already received"
    title_zh = "该报文编号已收到过"
    hint_zh = "每条报文使用新的 message_id；查询结果请用 txn/status"
    hint_en = "Use a new message_id for every message; ask txn/status for an earlier one's outcome"


class DciRateLimited(RateLimitExceeded):
    type_slug = "dci-rate-limited"
    title = "Too many searches from this DCI client"
    title_zh = "该对接系统查询过于频繁"
    hint_zh = "按 Retry-After 所示秒数后再查；协议约定的频率见客户端登记"
    hint_en = "Wait the seconds in Retry-After; the agreed rate is on the client's registration"


class DciClientNotFound(NotFound):
    type_slug = "dci-client-not-found"
    title = "DCI client not found"
    title_zh = "未找到该对接系统"
    hint_zh = "检查客户端编号"
    hint_en = "Check the client id"


class DciClientExists(Conflict):
    type_slug = "dci-client-exists"
    title = "A DCI client with this id exists"
    title_zh = "该对接系统编号已存在"
    hint_zh = "换一个编号，或修改已有的客户端"
    hint_en = "Choose another id, or change the existing client"


class DciTransactionNotFound(NotFound):
    type_slug = "dci-transaction-not-found"
    title = "No such DCI transaction of this client"
    title_zh = "未找到该对接事务"
    hint_zh = "检查 transaction_id 或 correlation_id，且该事务由您的系统发起"
    hint_en = "Check the transaction_id or correlation_id was sent by your client"
