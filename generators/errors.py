"""Errors raised while building the site. Messages name the page, file or key,
what was expected and what was found."""

from __future__ import annotations


class SiteError(Exception):
    """Base of every error the site build raises on purpose."""


class MissingMetricError(SiteError, LookupError):
    """A page or generator asked for a metric key the catalogue does not hold."""


class SourceFileError(SiteError):
    """A hand-written source (ADR, owner data, case-study file) is malformed."""


class StepError(SiteError):
    """A step of the site build (pipeline, benchmarks, mkdocs) failed."""
