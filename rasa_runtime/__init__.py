"""Runtime wrappers for the Rasa processes (Rasa env, Python 3.10): the action server that
answers only Rasa. Kept apart from ``nlu/`` so that changing them never retrains the model."""
