"""Predictions over the TensorFlow Serving REST API a Tessera worker serves (`workerd --serve-model FILE`,
docs/serving.md): `POST /v1/models/NAME:predict` with `{"instances": [...]}`."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import numpy as np

from .errors import ServingError
from .settings import split_address


def _instances(instances: Any) -> list:
    if isinstance(instances, np.ndarray):
        rows = instances.tolist()
        return rows if instances.ndim > 1 else [rows]
    rows = list(instances)
    return [r.tolist() if isinstance(r, np.ndarray) else r for r in rows]


def _request(url: str, body: bytes | None, token: str | None, timeout: float) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        text = error.read().decode("utf-8", errors="replace")
        try:
            message = json.loads(text).get("error", text)
        except (ValueError, AttributeError):
            message = text
        raise ServingError(error.code, message) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ServingError(0, f"cannot reach {url}: {reason}") from None


def _base(address: str) -> str:
    if address.startswith(("http://", "https://")):
        return address.rstrip("/")
    split_address(address)
    return f"http://{address}"


def predict(model: str, instances: Any, address: str, token: str | None = None, timeout: float = 10.0) -> np.ndarray:
    """Predictions of `model` (the job's name unless the server was given --serve-name) for `instances` — rows of raw
    numbers in the export's feature order (a 2-D array or list of lists) or dicts of named values — as an array with
    one row per instance: class probabilities, P(label = 1) or the regressed value."""
    return predict_url(f"{_base(address)}/v1/models/{urllib.parse.quote(model, safe='')}", instances, token, timeout)


def predict_url(url: str, instances: Any, token: str | None = None, timeout: float = 10.0) -> np.ndarray:
    """Predictions from the model at `url` ("http://host:port/v1/models/NAME", as a serving replica lists it)."""
    answer = _request(f"{url.rstrip('/')}:predict", json.dumps({"instances": _instances(instances)}).encode(), token,
                      timeout)
    if not isinstance(answer, dict) or "predictions" not in answer:
        raise ServingError(200, f"{url} answered without predictions: {str(answer)[:200]}")
    return np.asarray(answer["predictions"], dtype=np.float64)


def model_status(model: str, address: str, token: str | None = None, timeout: float = 10.0) -> dict:
    """TF Serving's version status of `model` (`GET /v1/models/NAME`); the version is the job step exported."""
    return _request(f"{_base(address)}/v1/models/{urllib.parse.quote(model, safe='')}", None, token, timeout)
