"""The gateway between chat channels (Telegram, WhatsApp, web chat) and the assistant.

What it shares with the notification worker (senders, rendering, the channels' tables) lives in
``channels/``; the infrastructure of every app process in ``core/``.
"""
