"""Infrastructure every app process shares (the backend API, the worker, the gateway).

Settings, logging, request ids, HTTP metrics, rate-limit buckets and the body limit: nothing
here knows of tickets, chats or channels, and nothing here imports a product package
(``tests/test_structure.py`` holds it to that).
"""
