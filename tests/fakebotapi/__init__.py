"""A fake Telegram Bot API server for end-to-end tests, benchmarks and fault-injection soaks.

    with FakeBotApi() as api:
        env = api.bot_env()               # TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL, ...
        parent = api.user("Anna", "Example", username="anna_example")
        api.send_text(parent, "/start")
        reply = api.wait_for_message(api.private_chat(parent))

See server.py for the HTTP behaviour and faults.py for the fault plan.
"""

from .faults import TRANSIENT_KINDS, CallMatcher, Fault, FaultKind, FaultPlan, InjectedFault
from .httpwire import UploadedFile
from .server import DEFAULT_TOKEN, ApiError, Call, FakeBotApi, FloodLimits, Mark, SentMessage
from .tghtml import EntityParseError, parse_html, utf16_len
from .updates import FakeChat, FakeUser, text_entities

__all__ = [
    "DEFAULT_TOKEN",
    "TRANSIENT_KINDS",
    "ApiError",
    "Call",
    "CallMatcher",
    "EntityParseError",
    "FakeBotApi",
    "FakeChat",
    "FakeUser",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "FloodLimits",
    "InjectedFault",
    "Mark",
    "SentMessage",
    "UploadedFile",
    "parse_html",
    "text_entities",
    "utf16_len",
]
