"""Typed failures of the NOMAD client; each says what went wrong and what to do about it.

Every exception carries `.hint` (one sentence for a lab user) and `.response` (the HTTP
response, when there was one). Messages never contain a password or a token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import requests

    from cams_module.nomad.models import Entry, Upload


__all__ = [
    "AccessDenied", "AuthenticationError", "ConfigError", "ForbiddenError", "NomadError",
    "NomadTimeout", "NomadUnavailable", "NotFoundError", "ProcessingFailed", "RequestRejected",
]


class NomadError(Exception):
    """Base class of every NOMAD client failure."""

    default_hint = "Check the NOMAD address and try again."

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        response: requests.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint or self.default_hint
        self.response = response

    @property
    def status_code(self) -> int | None:
        """HTTP status of the answer that caused the failure, if any."""
        return None if self.response is None else self.response.status_code

    def describe(self) -> str:
        """The message and the hint, as shown to a user."""
        return f"{self.message} {self.hint}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ConfigError(NomadError):
    """The client configuration is missing or unusable (raised before any request)."""

    default_hint = (
        "Set NOMAD_URL and either NOMAD_TOKEN or NOMAD_USERNAME and NOMAD_PASSWORD, "
        "or point NOMAD_CONFIG to a configuration file."
    )


class AuthenticationError(NomadError):
    """NOMAD did not accept the credentials or the token."""

    default_hint = (
        "Check NOMAD_USERNAME and NOMAD_PASSWORD, or create a new token in the NOMAD GUI "
        "and set NOMAD_TOKEN."
    )


class ForbiddenError(NomadError):
    """The account is known but may not do this."""

    default_hint = (
        "Use the account that owns the upload, or ask its owner to add you as a coauthor."
    )


class AccessDenied(ForbiddenError, AuthenticationError):
    """NOMAD answered 401 although the login is valid: this account has no rights to the
    upload (NOMAD uses 401 for that). Caught by both `ForbiddenError` and
    `AuthenticationError` handlers."""

    default_hint = ForbiddenError.default_hint


class NotFoundError(NomadError):
    """The upload, entry, dataset or schema does not exist (or is not visible to you)."""

    default_hint = (
        "Check the id; the upload may have been deleted, or it belongs to another account."
    )


class RequestRejected(NomadError):
    """NOMAD understood the request and refused it; `.detail` is NOMAD's own reason."""

    default_hint = "Fix what NOMAD's message names and try again."

    def __init__(self, message: str, *, detail: str = "", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.detail = detail


class NomadUnavailable(NomadError):
    """NOMAD could not be reached or failed on its side (after the allowed retries)."""

    default_hint = (
        "NOMAD may be down or overloaded: try again in a few minutes; if it persists, "
        "check NOMAD_URL and the network, or contact the NOMAD operators."
    )


class NomadTimeout(NomadError):
    """Processing did not finish before the deadline; the upload itself is still there."""

    def __init__(self, message: str, *, upload_id: str, hint: str | None = None,
                 upload: Upload | None = None, **kwargs: Any) -> None:
        hint = hint or (
            f"NOMAD keeps processing in the background: check later with "
            f"`cams-nomad status {upload_id}` or open the upload in the NOMAD GUI."
        )
        super().__init__(message, hint=hint, **kwargs)
        self.upload_id = upload_id
        self.upload = upload


class ProcessingFailed(NomadError):
    """NOMAD processed the upload but the upload or some of its entries failed."""

    def __init__(self, upload: Upload, failed_entries: list[Entry], *,
                 hint: str | None = None, **kwargs: Any) -> None:
        self.upload = upload
        self.failed_entries = failed_entries
        super().__init__(
            _processing_message(upload, failed_entries),
            hint=hint or (
                "Correct the named values in CAMS (or the archive files) and upload again; "
                "the NOMAD GUI link shows every entry's log."
            ),
            **kwargs,
        )


def _processing_message(upload: Upload, failed: list[Entry]) -> str:
    """One paragraph naming each failed entry by its file and its first errors."""
    name = f" '{upload.upload_name}'" if upload.upload_name else ""
    if not failed:
        errors = "; ".join(upload.errors) or upload.last_status_message or "no reason given"
        return f"NOMAD could not process upload {upload.upload_id}{name}: {errors}."
    parts = []
    for entry in failed:
        reason = "; ".join(entry.errors[:3]) or "failed without an error message"
        if len(entry.errors) > 3:
            reason += f" (+{len(entry.errors) - 3} more)"
        parts.append(f"{entry.mainfile}: {reason}")
    return (
        f"NOMAD could not process {len(failed)} of {len(upload.entries)} entries of upload "
        f"{upload.upload_id}{name}: " + " | ".join(parts)
    )
