"""Custom actions of the grievance assistant (the rasa-sdk action server).

They talk to the backend only over its service API (``actions.backend_client``) and never
import backend or routing code: the two run in different Python environments.
"""
