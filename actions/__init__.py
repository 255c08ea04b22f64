"""Custom actions of the grievance assistant (the rasa-sdk action server).

They talk to the backend only over its service API (``actions.backend_client``) and never
import backend code: the two run in different Python environments. They share ``routing``'s
pure modules (the category list, the urgency reader), which both environments can run.
"""


def warm_up() -> None:
    """Fit what the actions would otherwise fit on their first message (the urgency reader
    behind the caring reply, a few seconds): the action server calls it before serving."""
    from infra.memory import release_free_memory
    from routing.urgency_model import shipped_reader

    shipped_reader()
    release_free_memory()  # the fit's scratch: about 38 MB back
