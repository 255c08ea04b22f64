"""What the worker and the gateway import (and what they must not): memory is per module."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "transformers", "sentence_transformers", "sklearn", "scipy", "pandas")


def _modules_after(code: str) -> set[str]:
    # Modules really loaded (a None entry in sys.modules is an import kept out on purpose).
    script = f"import sys\n{code}\nprint('\\n'.join(m for m, v in sys.modules.items() if v))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    return set(result.stdout.split())


@pytest.mark.parametrize(
    "entry",
    [
        # What `python -m backend worker` runs (the entry point's module code, then the worker).
        "import backend.__main__, backend.worker",
        # What `python -m bot serve` runs.
        "import bot.__main__",
    ],
)
def test_worker_and_gateway_load_no_model_libraries(entry: str) -> None:
    modules = _modules_after(entry)
    assert not {m.split(".")[0] for m in modules} & set(HEAVY)
    # twilio (and requests) only where WhatsApp is configured (channels/clients.py, the
    # gateway's whatsapp_channel.py)
    assert not {m.split(".")[0] for m in modules} & {"twilio", "requests"}
    assert "backend.embeddings" not in modules and "backend.schemes.search" not in modules


@pytest.mark.parametrize("entry", ["import backend.__main__", "import bot.__main__"])
def test_entry_points_keep_httpx_command_line_client_out(entry: str) -> None:
    modules = _modules_after(f"{entry}\nimport httpx\nassert callable(httpx.main)")
    assert "httpx" in modules
    assert not {"httpx._main", "rich", "pygments"} & modules


def test_the_api_process_loads_no_chat_client_library() -> None:
    # It imports channels.senders (through backend.outbox) but sends on no channel itself.
    modules = _modules_after("import backend.__main__, backend.api.app")
    assert not {m.split(".")[0] for m in modules} & {"telegram", "aiohttp", "twilio", "requests"}
