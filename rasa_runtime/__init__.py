"""Runtime wrappers for the Rasa processes (Rasa env, Python 3.10): the input channel that
answers only the gateway and the action server that answers only Rasa, and the contract they
share with the gateway (``contract.py``, standard library only). Kept apart from ``nlu/`` so
that changing them never retrains the model."""
