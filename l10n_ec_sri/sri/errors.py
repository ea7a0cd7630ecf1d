"""Exceptions raised by the SRI core. Messages are in Spanish: they reach users as they are."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem in one place: ``path`` names the field (``infoTributaria/ruc``,
    ``detalles/detalle[2]/cantidad``, ``buyer.identification``), ``message`` says what to fix."""

    path: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}" if self.path else self.message


class SriError(Exception):
    """Base class of every error of the core."""


class SriValidationError(SriError, ValueError):
    """Input that cannot become a valid SRI document. ``errors`` lists each problem."""

    def __init__(self, errors, title="Datos no válidos para el SRI"):
        if isinstance(errors, (str, FieldError)):
            errors = [errors]
        self.errors = [e if isinstance(e, FieldError) else FieldError("", str(e)) for e in errors]
        self.title = title
        super().__init__(title + ":\n" + "\n".join(f"- {e}" for e in self.errors))


class CertificateError(SriError):
    """A .p12 that cannot be used: wrong password, expired, not for signing, unreadable."""


class SignatureError(SriError):
    """A signature that cannot be made or does not verify."""
