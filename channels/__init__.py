"""The chat channels (Telegram, WhatsApp, web chat), as both the gateway (``bot/``) and the
notification worker (``backend/``) speak to them: the senders and the providers' clients,
rendering for each channel, the texts of status labels and the gateway's messages, masking
of chat identities in logs, and the channels' tables (``tables.py``: written by the gateway,
created by the backend's migrations).

It imports ``core`` and ``infra`` only, never ``bot`` or ``backend``.
"""
