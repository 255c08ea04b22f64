"""The officers' dashboard: server-rendered pages on top of the admin API's queue and actions."""
