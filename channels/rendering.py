"""Per-channel rendering of the assistant's replies (pure functions, no I/O).

Rasa's REST channel answers with messages shaped ``{text, buttons?[{title, payload}], image?}``.
Telegram shows buttons as an inline keyboard whose ``callback_data`` may hold at most 64 bytes;
WhatsApp (through Twilio, without interactive templates) shows numbered options that the user
answers by number or by the option's text. Long texts are split on sentence boundaries.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from infra.texts import pick, texts

if TYPE_CHECKING:  # imported by render_telegram: the backend API imports this module too
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

TELEGRAM_TEXT_LIMIT = 4096
WHATSAPP_TEXT_LIMIT = 1600
CALLBACK_DATA_LIMIT = 64
# callback_data starting with this marker is a short key for a longer payload.
SHORT_KEY_MARKER = "~"

_DEVANAGARI = re.compile(r"[\u0900-\u097F]")
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
# Paragraph break, line break, then a sentence end (Latin or the Devanagari danda).
# Each pattern's match ends where a chunk may end (before the whitespace).
_PARAGRAPH = re.compile(r"\S(?=[ \t]*\n\s*\n)")
_LINE = re.compile(r"\S(?=[ \t]*\n)")
_SENTENCE = re.compile(r"[.!?\u0964\u0965][\"')\]]*(?=\s)")
_SPACE = re.compile(r"\S(?=\s)")


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One message from the assistant, channel-neutral."""

    text: str
    buttons: tuple[Button, ...] = ()

    @classmethod
    def from_rasa(cls, message: dict[str, object]) -> Reply:
        text = str(message.get("text") or "")
        image = message.get("image")
        if isinstance(image, str) and image:
            text = f"{text}\n{image}" if text else image
        raw_buttons = message.get("buttons")
        buttons: list[Button] = []
        if isinstance(raw_buttons, list):
            for raw in raw_buttons:
                if isinstance(raw, dict) and raw.get("title"):
                    title = str(raw["title"])
                    buttons.append(Button(title=title, payload=str(raw.get("payload") or title)))
        return cls(text=text, buttons=tuple(buttons))


def utf16_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji can count as two)."""
    return len(text.encode("utf-16-le")) // 2


def _longest_prefix(text: str, limit: int, length: Callable[[str], int]) -> int:
    """Index of the longest prefix of ``text`` whose ``length`` is <= ``limit``."""
    if length(text) <= limit:
        return len(text)
    low, high = 0, min(len(text), limit)
    while low < high:
        mid = (low + high + 1) // 2
        if length(text[:mid]) <= limit:
            low = mid
        else:
            high = mid - 1
    return low


def split_text(text: str, limit: int, length: Callable[[str], int] = utf16_length) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` units, preferring paragraph, line and
    sentence boundaries, then spaces; a hard cut only for a single overlong word.

    A boundary in the first half of the window is passed over for a coarser-grained one so
    that no chunk is needlessly tiny.
    """
    if limit <= 0:
        raise ValueError("limit must be positive")
    chunks: list[str] = []
    rest = text.strip()
    while rest:
        window = _longest_prefix(rest, limit, length)
        if window == len(rest):
            chunks.append(rest)
            break
        cut = _best_cut(rest, window)
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if head:
            chunks.append(head)
    return chunks or [""]


def _best_cut(text: str, window: int) -> int:
    # The character after the window is looked at too: a sentence ending exactly at the
    # window's edge, followed by a space, is a perfect cut.
    probe = text[: window + 1]
    candidates = [
        [m.end() for m in pattern.finditer(probe) if 0 < m.end() <= window]
        for pattern in (_PARAGRAPH, _LINE, _SENTENCE, _SPACE)
    ]
    for cuts in candidates:
        good = [cut for cut in cuts if cut >= window // 2]
        if good:
            return max(good)
    for cuts in candidates[2:]:
        if cuts:
            return max(cuts)
    return window


def is_hindi(text: str) -> bool:
    return bool(_DEVANAGARI.search(text))


# --- Telegram -------------------------------------------------------------------------------


def telegram_html(text: str) -> str:
    """Escape for ``parse_mode=HTML`` and keep the one markup the assistant uses: ``**bold**``.

    Everything else the user or assistant wrote (``<``, ``&``, ``*``, ``_``) is shown literally.
    """
    escaped = html.escape(text, quote=False)
    return _BOLD.sub(r"<b>\1</b>", escaped)


def short_key(payload: str) -> str:
    """A stable callback_data for a payload too long for Telegram's 64 bytes."""
    digest = hashlib.sha256(payload.encode("utf-8")).digest()
    return SHORT_KEY_MARKER + base64.urlsafe_b64encode(digest[:12]).decode("ascii")


def callback_data(payload: str) -> tuple[str, bool]:
    """The callback_data for a button payload and whether it is a short key to be stored."""
    if len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT and not payload.startswith(
        SHORT_KEY_MARKER
    ):
        return payload, False
    return short_key(payload), True


@dataclass(frozen=True)
class TelegramMessage:
    text: str  # HTML, escaped
    reply_markup: InlineKeyboardMarkup | None = None
    short_keys: dict[str, str] = field(default_factory=dict)  # key -> payload, to be stored


def render_telegram(reply: Reply) -> list[TelegramMessage]:
    """Split the text; the keyboard goes under the last chunk."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    chunks = split_text(reply.text, TELEGRAM_TEXT_LIMIT) if reply.text else []
    if not chunks and reply.buttons:
        chunks = ["\U0001f447"]  # Telegram refuses an empty text under a keyboard
    if not reply.buttons:
        return [TelegramMessage(text=telegram_html(chunk)) for chunk in chunks]
    short_keys: dict[str, str] = {}
    buttons: list[InlineKeyboardButton] = []
    for button in reply.buttons:
        if button.payload.startswith(("https://", "http://")):
            buttons.append(InlineKeyboardButton(button.title, url=button.payload))
            continue
        data, is_short = callback_data(button.payload)
        if is_short:
            short_keys[data] = button.payload
        buttons.append(InlineKeyboardButton(button.title, callback_data=data))
    per_row = 2 if all(len(b.title) <= 18 for b in reply.buttons) and len(buttons) > 3 else 1
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    rendered = [TelegramMessage(text=telegram_html(chunk)) for chunk in chunks[:-1]]
    rendered.append(
        TelegramMessage(
            text=telegram_html(chunks[-1]),
            reply_markup=InlineKeyboardMarkup(rows),
            short_keys=short_keys,
        )
    )
    return rendered


# --- WhatsApp -------------------------------------------------------------------------------

_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_NUMBER_ANSWER = re.compile(r"^\s*\(?(\d{1,2})[.)]?\s*$")


def _language(text: str) -> str:
    return "hi" if is_hindi(text) else "en"


@dataclass(frozen=True)
class WhatsAppMessage:
    body: str
    options: tuple[Button, ...] = ()  # the numbered options shown, remembered per user


def whatsapp_markup(text: str) -> str:
    """WhatsApp bolds with single asterisks."""
    return _BOLD.sub(r"*\1*", text)


def render_whatsapp(reply: Reply) -> list[WhatsAppMessage]:
    """Numbered options appended to the text, then split at 1600 characters."""
    text = whatsapp_markup(reply.text)
    options = tuple(b for b in reply.buttons if not b.payload.startswith(("https://", "http://")))
    links = [b for b in reply.buttons if b.payload.startswith(("https://", "http://"))]
    lines = [text] if text else []
    if links:
        lines.append("\n".join(f"{b.title}: {b.payload}" for b in links))
    if options:
        numbered = "\n".join(f"{i}. {b.title}" for i, b in enumerate(options, start=1))
        hint = pick(texts("citizen", "gateway")["choose_by_number"], _language(reply.text))
        lines.append(f"{numbered}\n\n{hint}")
    body = "\n\n".join(lines)
    chunks = split_text(body, WHATSAPP_TEXT_LIMIT, len)
    rendered = [WhatsAppMessage(body=chunk) for chunk in chunks[:-1]]
    rendered.append(WhatsAppMessage(body=chunks[-1], options=options))
    return rendered


def match_option(answer: str, options: Sequence[Button]) -> str | None:
    """The payload of the option the user chose, by number (``2``, ``2.``, ``(2)``, ``२``)
    or by its text (case-insensitive); None if the answer picks no option."""
    if not options:
        return None
    normalized = answer.translate(_DEVANAGARI_DIGITS)
    number = _NUMBER_ANSWER.match(normalized)
    if number:
        index = int(number.group(1))
        return options[index - 1].payload if 1 <= index <= len(options) else None
    folded = answer.strip().casefold()
    for option in options:
        if option.title.strip().casefold() == folded:
            return option.payload
    return None


def render_plain(reply: Reply) -> dict[str, object]:
    """The web chat keeps Rasa's shape; the page escapes the text itself."""
    message: dict[str, object] = {"text": reply.text}
    if reply.buttons:
        message["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    return message
