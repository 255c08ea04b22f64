"""What the gateway itself says to users, and the status labels of template messages, in
English and Hindi (notifications' texts: backend/notifications.py).

Hinglish users read the English texts (Latin script), which is what they type in.
"""

from __future__ import annotations

from channels.rendering import is_hindi

Language = str  # "en" | "hi" | "hinglish"

_GATEWAY_TEXTS: dict[str, dict[str, str]] = {
    "assistant_unavailable": {
        "en": (
            "Sorry, our assistant is briefly unavailable. Your message is saved and "
            "we will reply here as soon as it is back. No need to send it again."
        ),
        "hi": (
            "क्षमा करें, हमारा सहायक अभी कुछ देर के लिए उपलब्ध नहीं है। आपका संदेश सुरक्षित है, "
            "सहायक के लौटते ही हम यहीं जवाब देंगे। इसे दोबारा भेजने की ज़रूरत नहीं है।"
        ),
    },
    "message_saved": {
        "en": "Saved. We will reply as soon as the assistant is back.",
        "hi": "संदेश सुरक्षित है। सहायक के लौटते ही जवाब मिलेगा।",
    },
    "attachment_kept": {
        "en": (
            "Thank you, we have kept your attachment. It will be added to the grievance "
            "you are filing."
        ),
        "hi": "धन्यवाद, आपका अटैचमेंट सुरक्षित रख लिया गया है। इसे आपकी शिकायत के साथ जोड़ा जाएगा।",
    },
    "edited_message": {
        "en": "I cannot read edited messages. Please send the corrected text as a new message.",
        "hi": "मैं बदले गए संदेश नहीं पढ़ पाता। कृपया सही संदेश नया भेजें।",
    },
    "group_chat": {
        "en": (
            "I handle grievances one to one, to keep your details private. "
            "Please message me directly."
        ),
        "hi": "आपकी जानकारी निजी रखने के लिए मैं शिकायतें केवल सीधे चैट में लेता हूँ। कृपया मुझे सीधे संदेश भेजें।",
    },
    "unsupported_message": {
        "en": "I can read text messages only. Please type your message.",
        "hi": "मैं केवल लिखे हुए संदेश पढ़ सकता हूँ। कृपया अपना संदेश टाइप करें।",
    },
    "too_fast": {
        "en": (
            "You are sending messages too fast. Please wait a few seconds, then send your "
            "message again."
        ),
        "hi": "आप बहुत जल्दी-जल्दी संदेश भेज रहे हैं। कृपया कुछ सेकंड रुकें, फिर अपना संदेश दोबारा भेजें।",
    },
    "button_expired": {
        "en": "That button has expired. Please type your answer.",
        "hi": "यह बटन अब काम नहीं करता। कृपया अपना जवाब टाइप करें।",
    },
}


def language_of(*hints: str | None) -> str:
    """``hi`` if any hint is Hindi (a Telegram ``language_code`` or Devanagari text)."""
    for hint in hints:
        if not hint:
            continue
        if hint.lower() in ("hi", "hi-in") or hint.lower().startswith("hi-") or is_hindi(hint):
            return "hi"
    return "en"


def gateway_text(key: str, language: str) -> str:
    texts = _GATEWAY_TEXTS[key]
    return texts["hi"] if language == "hi" else texts["en"]


# --- status notifications -------------------------------------------------------------------

STATUS_LABELS: dict[str, dict[str, str]] = {
    "new": {"en": "received", "hi": "प्राप्त"},
    "routed": {"en": "sent to the department", "hi": "विभाग को भेजी गई"},
    "acknowledged": {"en": "acknowledged by an officer", "hi": "अधिकारी ने स्वीकार की"},
    "in_progress": {"en": "being worked on", "hi": "कार्रवाई जारी"},
    "awaiting_info": {"en": "waiting for your reply", "hi": "आपके जवाब की प्रतीक्षा"},
    "resolved": {"en": "resolved", "hi": "निपटाई गई"},
    "closed": {"en": "closed", "hi": "बंद"},
    "rejected": {"en": "rejected", "hi": "अस्वीकृत"},
    "reopened": {"en": "reopened", "hi": "फिर से खोली गई"},
}


def status_label(status: str | None, language: str) -> str:
    if not status:
        return ""
    labels = STATUS_LABELS.get(status)
    if labels is None:
        return status.replace("_", " ")
    return labels["hi"] if language == "hi" else labels["en"]
