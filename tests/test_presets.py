"""Presets and overrides: what `seq2add train` flags and the app's form turn into."""

from dataclasses import replace

import pytest

from core.presets import PRESETS, SETTING_NAMES, build_settings, preset_matching
from core.spec import SpecError


def test_a_preset_with_no_overrides_is_the_preset():
    for name, preset in PRESETS.items():
        assert build_settings(name, {}) == (preset.spec, preset.model, preset.training)


def test_overrides_apply_and_none_means_not_given():
    spec, model, training = build_settings(
        "notebook-perfect", {"terms": "2-4", "largest": 99, "lr": 0.005, "stop_at": None}
    )
    assert (spec.min_terms, spec.max_terms, spec.largest) == (2, 4, 99)
    assert training.learning_rate == 0.005
    assert training.stop_at_exact == PRESETS["notebook-perfect"].training.stop_at_exact == 1.0
    assert model == PRESETS["notebook-perfect"].model


def test_unset_switches_an_optional_setting_off():
    preset = PRESETS["notebook-perfect"].training
    assert preset.clip_norm is not None and preset.stop_at_exact is not None
    training = build_settings("notebook-perfect", {"patience": 3}, unset=["stop_at"])[2]
    assert training.stop_at_exact is None and training.clip_norm == preset.clip_norm
    assert training.patience == 3


def test_only_optional_settings_can_be_switched_off():
    with pytest.raises(SpecError, match="'samples' can't be switched off"):
        build_settings("notebook", {}, unset=["samples"])


def test_unknown_and_invalid_overrides_name_the_field():
    with pytest.raises(SpecError, match="unknown setting 'speed'"):
        build_settings("notebook", {"speed": 2})
    with pytest.raises(SpecError) as refused:
        build_settings("notebook", {"stop_at": 1.5})
    assert refused.value.field == "stop_at_exact"
    assert "stop_at" in SETTING_NAMES


def test_settings_recognised_as_the_preset_they_are():
    for name, preset in PRESETS.items():
        assert preset_matching(preset.spec, preset.model, preset.training) == name
        # As a saved model records it once the app has set its own checkpoints:
        recorded = replace(preset.training, checkpoints=0)
        assert preset_matching(preset.spec, preset.model, recorded) == name
    spec, model, training = build_settings("notebook", {"epochs": 2})
    assert preset_matching(spec, model, training) is None
