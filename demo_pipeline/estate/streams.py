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
# The providers the dimension pools call (names, companies, cities). Loading Faker's
# other twenty-odd providers costs time (it lists each one's locale folders) and no
# random draw: the pools come out the same.
FAKER_PROVIDERS = ["faker.providers.person", "faker.providers.company", "faker.providers.address"]


def stream_id(name: str) -> int:
    """A stable integer for a stream name (crc32 is the same on every machine)."""
    return zlib.crc32(name.encode("utf-8"))


def rng_for(seed: int, stream: str, *parts: int) -> np.random.Generator:
    """The numpy generator of one named stream, optionally split further (by day)."""
    return np.random.default_rng(np.random.SeedSequence([seed, stream_id(stream), *parts]))


_faker: Faker | None = None


def faker_for(seed: int, stream: str) -> Faker:
    """A Faker seeded for one entity stream (only used for the small dimension pools).

    There is one Faker per process, seeded again on each call: creating one scans
    Faker's provider folders for every locale (about 0.1 s each time), and reseeding
    gives every locale a fresh random generator, so the names are the ones a new Faker
    would give. The returned Faker is therefore valid until the next call."""
    global _faker
    if _faker is None:
        _faker = Faker(FAKER_LOCALES, providers=FAKER_PROVIDERS)
    _faker.seed_instance(seed * 1_000_003 + stream_id(stream))
    return _faker
