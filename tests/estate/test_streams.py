"""Seeded streams: the shared, narrowed Faker gives the names a fresh default Faker gives."""

from __future__ import annotations

import pytest
from faker import Faker

from demo_pipeline.estate.streams import FAKER_LOCALES, faker_for, stream_id


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_faker_for_gives_what_a_new_faker_with_every_provider_gives(seed):
    """One Faker per process, reseeded per stream and loading only the providers the pools
    use, draws the same cities, companies and names as a new Faker for each stream."""

    def draws(fake: Faker) -> list[str]:
        return [f() for f in (fake.city, fake.company, fake.last_name, fake.first_name)]

    for stream in ("warehouses", "suppliers", "products", "customers", "warehouses"):
        fresh = Faker(FAKER_LOCALES)
        fresh.seed_instance(seed * 1_000_003 + stream_id(stream))
        expected = [draws(fresh) for _ in range(10)]
        shared = faker_for(seed, stream)
        assert [draws(shared) for _ in range(10)] == expected
