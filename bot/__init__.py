"""The gateway between chat channels (Telegram, WhatsApp, web chat) and the assistant.

It also holds the senders the backend's notification worker uses (``bot.senders``).
"""
