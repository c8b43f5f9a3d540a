"""A Tessera study file (docs/tuning.md) read for the Optuna peer: the base job spec, the tuning section, its params as
Optuna suggestions, and dotted job-spec keys written into a spec dict (scripts/peer/optuna_tune.py)."""

from __future__ import annotations

import copy
import re
from typing import Any

import optuna
import yaml

# The metrics the API reports for a job (Metrics in proto/tessera/v1/common.proto).
METRICS = ("accuracy", "auc", "loss")


class StudyFileError(Exception):
    """The study file cannot be run by this peer; the message names the key."""


def load_study(path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(base job spec, tuning section) of a Tessera study file."""
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    if not isinstance(document, dict) or not isinstance(document.get("tuning"), dict):
        raise StudyFileError(f"{path}: not a study (a job spec with a tuning: mapping)")
    tuning = document["tuning"]
    base = {k: v for k, v in document.items() if k not in ("tuning", "kind", "apiVersion")}
    base["kind"] = "TrainingJob"
    for key in ("goal", "metric", "max_trials", "params"):
        if key not in tuning:
            raise StudyFileError(f"tuning.{key}: required")
    if tuning["goal"] not in ("maximize", "minimize"):
        raise StudyFileError(f"tuning.goal: maximize or minimize, got {tuning['goal']!r}")
    if tuning["metric"] not in METRICS:
        raise StudyFileError(f"tuning.metric: the API reports {', '.join(METRICS)}; got {tuning['metric']!r}")
    params = tuning["params"]
    if not isinstance(params, list) or not params:
        raise StudyFileError("tuning.params: a list of 1 or more params")
    for i, param in enumerate(params):
        at = f"tuning.params[{i}]"
        if not isinstance(param, dict) or not isinstance(param.get("key"), str):
            raise StudyFileError(f"{at}: a mapping with a key")
        kind = param.get("type")
        if kind in ("double", "integer"):
            if "min" not in param or "max" not in param:
                raise StudyFileError(f"{at}: {kind} needs min and max")
            sample = param["min"]
        elif kind in ("categorical", "discrete"):
            if not isinstance(param.get("values"), list) or not param["values"]:
                raise StudyFileError(f"{at}.values: a list of 1 or more values")
            sample = param["values"][0]
        else:
            raise StudyFileError(f"{at}.type: double, integer, categorical or discrete, got {kind!r}")
        try:
            set_key(copy.deepcopy(base), param["key"], sample)
        except StudyFileError as error:
            raise StudyFileError(f"{at}.key: {error}") from None
    return base, tuning


def split_key(key: str) -> tuple[list[str], int | None]:
    """`model.hidden[0]` and `model.hidden.0` → (["model", "hidden"], 0); `optimizer.type` → (["optimizer", "type"],
    None), as Sources/Tuning/Internal/ParamKey.swift reads them."""
    match = re.fullmatch(r"(.+)\[(\d+)\]", key)
    if match:
        return match.group(1).split("."), int(match.group(2))
    parts = key.split(".")
    if len(parts) > 1 and parts[-1].isdigit():
        return parts[:-1], int(parts[-1])
    return parts, None


def set_key(spec: dict[str, Any], key: str, value: Any) -> None:
    """Writes `value` at the dotted key (sections the spec leaves out are written in; a list entry must exist)."""
    path, index = split_key(key)
    node = spec
    for name in path[:-1]:
        child = node.get(name)
        if child is None:
            child = node[name] = {}
        if not isinstance(child, dict):
            raise StudyFileError(f"{key}: {name} is not a mapping in the base spec")
        node = child
    if index is None:
        node[path[-1]] = value
        return
    entries = node.get(path[-1])
    if not isinstance(entries, list) or index >= len(entries):
        raise StudyFileError(f"{key}: the base spec must write the list {'.'.join(path)} with entry {index}")
    entries[index] = value


def suggest(trial: optuna.Trial, param: dict[str, Any]) -> Any:
    """The Optuna suggestion for one `tuning.params` entry, named by its key."""
    key, kind, log = param["key"], param["type"], param.get("scale", "linear") == "log"
    if kind == "double":
        return trial.suggest_float(key, float(param["min"]), float(param["max"]), log=log)
    if kind == "integer":
        return trial.suggest_int(key, int(param["min"]), int(param["max"]), log=log)
    if kind in ("categorical", "discrete"):
        return trial.suggest_categorical(key, list(param["values"]))
    raise StudyFileError(f"tuning.params: {key}: unknown type {kind!r}")
