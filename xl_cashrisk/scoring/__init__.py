"""Buyer credit scoring (SPEC §1–§3, §6.1): published models, payment behaviour, the composite
scorecard, score ↔ PD, traffic-light bands and grades, credit limits and expected loss.

Modules: :mod:`.models` (Altman, Ohlson, Zmijewski, Piotroski), :mod:`.paydex` (PAYDEX),
:mod:`.config` (the scorecard as data), :mod:`.scorecard` (CREDITSCORE, explanation, whole register),
:mod:`.bands` (PD, band, letter, grade), :mod:`.limits` (credit limit, expected loss), :mod:`.terms`
(payment terms, CREDITTERMS).
"""

from xl_cashrisk.scoring.bands import (
    BAND_LABELS,
    BAND_MEANINGS,
    BAND_WORDS,
    BANDS,
    NOT_RATED,
    band_key,
    band_keys,
    band_of,
    credit_band,
    credit_grade,
    credit_letter,
    credit_pd,
    score_from_pd,
)
from xl_cashrisk.scoring.config import (
    Scorecard,
    ScorecardError,
    default_scorecard,
    load_scorecard,
    scorecard_from_table,
)
from xl_cashrisk.scoring.limits import (
    band_multiplier,
    credit_limit,
    expected_loss,
    insured_indemnity,
    limit_capacity,
    limit_need,
)
from xl_cashrisk.scoring.models import (
    ALTMAN_ZONES,
    PIOTROSKI_ITEMS,
    PIOTROSKI_SIGNALS,
    altman_model,
    altman_z,
    altman_zone,
    em_rating,
    ohlson_o,
    ohlson_p,
    ohlson_terms,
    piotroski_f,
    piotroski_signals,
    zmijewski_p,
    zmijewski_x,
)
from xl_cashrisk.scoring.paydex import UNAVAILABLE, paydex, paydex_points, paydex_to_dbt
from xl_cashrisk.scoring.scorecard import (
    ScoreResult,
    credit_score,
    explain,
    inputs_from_register,
    points_matrix,
    score_register,
)
from xl_cashrisk.scoring.terms import CASH_IN_ADVANCE, credit_terms, terms_multiplier, terms_words

__all__ = [
    "ALTMAN_ZONES", "BANDS", "BAND_LABELS", "BAND_MEANINGS", "BAND_WORDS", "CASH_IN_ADVANCE", "NOT_RATED",
    "PIOTROSKI_ITEMS", "PIOTROSKI_SIGNALS", "UNAVAILABLE", "ScoreResult", "Scorecard", "ScorecardError",
    "altman_model", "altman_z", "altman_zone", "band_key", "band_keys", "band_multiplier", "band_of",
    "credit_band", "credit_grade", "credit_letter", "credit_limit", "credit_pd", "credit_score", "credit_terms",
    "default_scorecard", "em_rating", "expected_loss", "explain", "inputs_from_register", "insured_indemnity",
    "limit_capacity", "limit_need", "load_scorecard", "ohlson_o", "ohlson_p", "ohlson_terms", "paydex",
    "paydex_points", "paydex_to_dbt", "piotroski_f", "piotroski_signals", "points_matrix", "score_from_pd",
    "score_register", "scorecard_from_table", "terms_multiplier", "terms_words", "zmijewski_p", "zmijewski_x",
]
