"""Infrastructure every process shares, in either Python environment (the app's 3.11 and
Rasa's 3.10): the standard library only (the text catalogue also reads YAML, which both have),
so that the gateway, the backend, the worker, Rasa and the action server can all import it."""
