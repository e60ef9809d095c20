"""What a process document file holds: one process, or several (a list, or
{"processes": [...]} as task/demo/processes.json), and picking among them."""

from __future__ import annotations

from typing import Any


class DocumentChoiceError(ValueError):
    """The file holds no process, or several without a way to tell which is meant."""


def _name(document: Any) -> str:
    process = document.get("process") if isinstance(document, dict) else None
    return str(process.get("name")) if isinstance(process, dict) else "?"


def documents_in(data: Any) -> list[Any]:
    """The process documents a loaded JSON file holds (a lone document is a list of one)."""
    if isinstance(data, dict) and isinstance(data.get("processes"), list):
        return data["processes"]
    if isinstance(data, list):
        return data
    return [data]


def pick(documents: list[Any], choice: str) -> Any:
    """The document named `choice` (a process name, id, or 1-based number in the file)."""
    for document in documents:
        process = document.get("process") if isinstance(document, dict) else None
        if isinstance(process, dict) and choice in (str(process.get("name")),
                                                    str(process.get("id"))):
            return document
    if choice.isdigit() and 1 <= int(choice) <= len(documents):
        return documents[int(choice) - 1]
    raise DocumentChoiceError(f"no process {choice!r} in the file; it holds: "
                              f"{describe(documents)}")


def describe(documents: list[Any]) -> str:
    """'1 PicoTCDv3, 2 Quick-Clean, …' for a message."""
    return ", ".join(f"{i} {_name(d)}" for i, d in enumerate(documents, 1))
