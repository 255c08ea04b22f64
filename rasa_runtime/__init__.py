"""Runtime of the Rasa processes (Rasa env, Python 3.10), apart from the model's pipeline so
that changing it never retrains the model: the input channel that answers only the gateway
(``channels.py``), the action server that answers only Rasa (``actions_server.py``), the
speed-ups of Rasa 3.6.21 internals (``speedups.py``, refused on any other Rasa), the
memory-first tracker store (``tracker_store.py``), and the contract they share with the
gateway (``contract.py``, standard library only)."""
