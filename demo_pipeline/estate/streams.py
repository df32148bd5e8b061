"""Seeded random streams: one independent generator per entity (and per day).

Every random draw in the estate comes from a stream named here, derived from the
one seed. Adding draws to one stream never shifts another, so a change to the
customers pool leaves the orders of an unchanged config byte-identical.
"""

from __future__ import annotations

import zlib

import numpy as np
from faker import Faker

# Locales for the synthetic people and companies: a European retailer paying in EUR.
FAKER_LOCALES = ["de_DE", "fr_FR", "nl_NL", "en_GB"]


def stream_id(name: str) -> int:
    """A stable integer for a stream name (crc32 is the same on every machine)."""
    return zlib.crc32(name.encode("utf-8"))


def rng_for(seed: int, stream: str, *parts: int) -> np.random.Generator:
    """The numpy generator of one named stream, optionally split further (by day)."""
    return np.random.default_rng(np.random.SeedSequence([seed, stream_id(stream), *parts]))


def faker_for(seed: int, stream: str) -> Faker:
    """A Faker seeded for one entity stream (only used for the small dimension pools)."""
    fake = Faker(FAKER_LOCALES)
    fake.seed_instance(seed * 1_000_003 + stream_id(stream))
    return fake
