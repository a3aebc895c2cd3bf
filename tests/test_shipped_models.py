"""The models shipped in saved_models/: one per preset (but `notebook`), each meeting its target."""

import math

import pytest

from core.evaluate import evaluate
from core.presets import DEFAULT_OPPONENT, PRESETS
from core.quiz import DIFFICULTIES, PLAYABLE_EXACT, level_scores, unplayable_reason
from core.store import default_models_dir, load_predictor, read_info

SHIPPED = [name for name in PRESETS if name != "notebook"]
FRESH_SAMPLES = 2_000
CHECK_SEED = 424_242  # distinct from training and from the evaluation recorded at save time


def allowed_shortfall(target: float, samples: int) -> float:
    """Three standard errors of an exact-match estimate from ``samples`` draws at ``target``."""
    return 3 * math.sqrt(target * (1 - target) / samples)


def test_default_opponent_is_shipped():
    assert (default_models_dir() / DEFAULT_OPPONENT / "spec.json").is_file()


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_model_meets_its_target_on_fresh_samples(name):
    preset = PRESETS[name]
    predictor = load_predictor(name)
    assert predictor.spec == preset.spec
    info = read_info(default_models_dir() / name)
    assert info.metrics["samples"] >= 10_000 and info.metrics["exact_match"] >= preset.target_exact
    scores = evaluate(predictor.probabilities, predictor.spec, FRESH_SAMPLES, seed=CHECK_SEED)
    if preset.target_exact == 1.0:
        assert scores.exact_correct == FRESH_SAMPLES, [e.line() for e in scores.examples]
    else:
        floor = preset.target_exact - allowed_shortfall(preset.target_exact, FRESH_SAMPLES)
        assert scores.exact_match >= floor, [e.line() for e in scores.examples]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_model_files_stay_small(name):
    folder = default_models_dir() / name
    assert sum(f.stat().st_size for f in folder.iterdir()) <= 2 * 1024 * 1024


@pytest.mark.parametrize("name", SHIPPED)
def test_the_quiz_offers_each_shipped_model_its_full_level_and_only_levels_it_plays(name):
    predictor = load_predictor(name)
    scores = level_scores(predictor)
    assert set(scores) == set(DIFFICULTIES) and scores["full"] >= PLAYABLE_EXACT
    for level, score in scores.items():
        reason = unplayable_reason(predictor, level, scores)
        assert bool(reason) == (score < PLAYABLE_EXACT)
    if name == "long-addition":  # learned from 9-digit numbers: misreads 7+8
        assert scores["easy"] < PLAYABLE_EXACT and "easy" in unplayable_reason(
            predictor, "easy", scores
        )
