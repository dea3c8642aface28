"""Generated bank files never crash or hang the loader (bounded here; benchmarks/fuzz_bank.py runs long)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from support.bank_fuzz import check, yaml_texts


@settings(max_examples=150, deadline=5000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(yaml_texts)
def test_bank_loader_survives_generated_files(text):
    check(text)
