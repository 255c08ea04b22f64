#!/usr/bin/env bash
# Train the Rasa model when its inputs changed (hash of config, domain and training data).
set -euo pipefail
[[ -f domain.yml && -f config.yml ]] || { echo "no assistant yet: nothing to train"; exit 0; }
# Everything training reads: config, domain, training data and the custom NLU components.
want=$(cat config.yml domain.yml $(find nlu -type f \( -name '*.yml' -o -name '*.py' \) | sort) \
  | sha256sum | cut -d' ' -f1)
stamp=models/.inputs.sha256
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -f models/grievance.tar.gz ]]; then
  exit 0
fi
echo "==> training the Rasa model"
mkdir -p models
.venv-rasa/bin/rasa train --data nlu --config config.yml --domain domain.yml \
  --out models --fixed-model-name grievance
echo "$want" > "$stamp"
