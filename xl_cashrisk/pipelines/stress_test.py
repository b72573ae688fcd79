"""Run the stress test: the 13-week forecast built from the workbook, every scenario, correlated defaults.

Inputs (DataFrames and settings, as the readers return them): the AR ledger, the buyer register
(optional; PDs from its ``pd`` column, from given scores, or scored here with
:func:`xl_cashrisk.scoring.score_register`), the Forecast table (weekly lines), the scenario library
and the insurance policy. Composition, nothing re-derived:

* receipts of open invoices at ``due date + the buyer's own DBT`` (:func:`receivables.buyer_payment_history`,
  :func:`stress.receipts_from_invoices`), overdue items by the ``overdue_rule`` setting; new sales
  invoiced through each week and collected after the sales terms (an invoice dated the last day of its
  week, so week-w sales arrive in week ``w + ceil(terms/7)``, SPEC §8.2 S7); other receipts on the
  first day of their week. All dated, so payment-delay scenarios re-bucket by day;
* disbursements: supplier payments are the variable part (a revenue drop may scale them), the rest fixed;
* insurance: each buyer's indemnity is the policy's share of its eligible open invoices within its limit
  (:func:`insurance.insured_exposure`, then :func:`insurance.indemnity` with the NQL and minimum
  retention), paid ``proof_of_debt + settlement`` days after an insolvency, or after the waiting period
  too for protracted default (setting ``default_event``), SPEC §7.3. The policy-year AFL and maximum
  liability are not deducted per buyer;
* scenarios: :func:`stress.run_stress` (SPEC §8.2–8.3);
* correlated defaults: :func:`portfolio.simulate_losses` (fixed seed, antithetic) with EAD = open AR,
  1-year PDs and LGD ``loss_lgd``, gross and net of the indemnities, checked against the exact
  one-factor distribution :func:`portfolio.loss_distribution` (global factor only); and the
  :func:`portfolio.prob_cash_below_zero` model with PDs converted to the 13-week horizon, every buyer
  defaulting at the start of week 1 (the conservative case) — both from the same simulated scenarios
  (:func:`portfolio.simulate_losses_and_cash`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from xl_cashrisk import insurance as ins
from xl_cashrisk import portfolio as pf
from xl_cashrisk import receivables as rc
from xl_cashrisk import stress as st
from xl_cashrisk.errors import InputError, Location
from xl_cashrisk.schemas.forecast import FORECAST, INFLOW_LINES, OUTFLOW_LINES, SCENARIOS
from xl_cashrisk.settings import ForecastOptions, Settings, StressOptions

__all__ = ["ALPHAS", "StressFrames", "StressTestResult", "run_stress_test", "stress_from_inputs"]

ALPHAS = (0.95, 0.99)
NEW_SALES_ID = "(new sales)"
OTHER_RECEIPTS_ID = "(other receipts)"
HISTOGRAM_BINS = 30


@dataclass
class StressTestResult:
    """Everything the reports and the front ends show (the run stamp is the report's:
    :func:`xl_cashrisk.reports.stress_results.stress_stamp`)."""

    settings: Settings
    start: dt.date
    forecast: st.CashForecast
    results: list[st.StressResult]
    scenarios: pd.DataFrame  # one row per scenario (SPEC §8.3 metrics), index id
    paths: pd.DataFrame  # week, week_start, ending cash per scenario id
    weekly: pd.DataFrame  # base case, one row per week, every line
    monthly: pd.DataFrame  # base case by calendar month of the week's start
    buyers: pd.DataFrame  # per buyer: exposure, pd, lgd, indemnity, region, sector, ...
    loss_stats: pd.DataFrame  # measure × (MC gross, MC net, exact gross, exact net)
    histogram: pd.DataFrame  # simulated loss distribution in bins
    losses: pf.LossSample
    exact_gross: pf.LossDistribution
    exact_net: pf.LossDistribution
    prob_cash_negative: float
    prob_buffer_breach: float
    seed: int
    sims: int
    scorecard_version: str  # "" when every PD was given
    fingerprint: str  # SHA-256 of the inputs (:func:`_fingerprint`)
    timings: dict[str, float] = field(default_factory=dict)
    policy: ins.Policy = field(default_factory=ins.Policy)  # the credit-insurance policy the run applied

    @property
    def base(self) -> st.StressResult:
        return self.results[0]

    def worst(self) -> pd.Series:
        """The scenario with the lowest minimum cash."""
        return self.scenarios.loc[self.scenarios["min_cash"].idxmin()]


# ----------------------------------------------------------------------------------------------
# Options


@dataclass(frozen=True)
class _Options:
    """The forecast and stress options of one run (the settings' groups), with the simulations and seed
    given for this run (default: the settings')."""

    forecast: ForecastOptions
    stress: StressOptions
    sims: int
    seed: int

    @classmethod
    def of(cls, settings: Settings, sims: int | None, seed: int | None) -> _Options:
        o = cls(settings.forecast, settings.stress, int(settings.stress.stress_sims if sims is None else sims),
                int(settings.stress.stress_seed if seed is None else seed))
        if o.sims < 2:
            raise InputError(f"the number of simulations must be at least 2, got {o.sims}")
        return o

    def items(self) -> list[tuple[str, object]]:
        """Every forecast and stress option as (key, value), for the input fingerprint."""
        return [(f.name, getattr(g, f.name)) for g in (self.forecast, self.stress) for f in dataclasses.fields(g)]


def _overdue_rule(rule: str):
    if rule.startswith("spread"):
        return int(rule[len("spread"):])
    return rule


# ----------------------------------------------------------------------------------------------
# Building the forecast


def _weekly_frame(forecast: pd.DataFrame | None) -> pd.DataFrame:
    lines = [*INFLOW_LINES, *OUTFLOW_LINES, "financing"]
    out = pd.DataFrame(0.0, index=pd.Index(range(1, st.WEEKS + 1), name="week"), columns=lines)
    out["sales_terms_days"] = np.nan
    if forecast is None or forecast.empty:
        return out
    if "week" not in forecast:
        raise InputError("the Forecast table has no Week column", Location(None, FORECAST.sheet))
    weeks = pd.to_numeric(forecast["week"], errors="coerce")
    bad = weeks.isna() | ~weeks.between(1, st.WEEKS) | (weeks % 1 != 0)
    if bad.any():
        raise InputError(f"week must be a whole number 1..{st.WEEKS}", Location(None, FORECAST.sheet, int(weeks.index[bad][0])
                         if isinstance(weeks.index[bad][0], (int, np.integer)) else None, "Week 周次"))
    if weeks.duplicated().any():
        raise InputError(f"week {int(weeks[weeks.duplicated()].iloc[0])} appears twice", Location(None, FORECAST.sheet))
    f = forecast.assign(week=weeks.astype(int)).set_index("week")
    for c in [*lines, "sales_terms_days"]:
        if c in f:
            out.loc[f.index, c] = pd.to_numeric(f[c], errors="coerce").to_numpy(dtype=float)
    out[lines] = out[lines].fillna(0.0)
    return out


def _dated_items(week_table: pd.DataFrame, start: np.datetime64, home: str, terms: int, delay: int) -> pd.DataFrame:
    """New-sales collections and other receipts as dated items (same columns as the invoice items)."""
    weeks = week_table.index.to_numpy()
    week_start = start + (7 * (weeks - 1)).astype("timedelta64[D]")
    t = week_table["sales_terms_days"].fillna(terms).to_numpy(dtype=float)
    sales_pay = week_start + np.timedelta64(6, "D") + (t + delay).astype(np.int64).astype("timedelta64[D]")
    parts = [
        pd.DataFrame({"buyer_id": NEW_SALES_ID, "invoice_no": [f"sales week {w}" for w in weeks], "currency": home,
                      "pay_date": sales_pay, "amount_hc": week_table["new_sales"].to_numpy(float), "source": "sales"}),
        pd.DataFrame({"buyer_id": OTHER_RECEIPTS_ID, "invoice_no": [f"other week {w}" for w in weeks],
                      "currency": home, "pay_date": week_start, "amount_hc": week_table["other_receipts"].to_numpy(float),
                      "source": "other"}),
    ]
    items = pd.concat(parts, ignore_index=True)
    items["pay_date"] = pd.to_datetime(items["pay_date"])
    return items[items["amount_hc"] != 0]


def _buyer_pds(register: pd.DataFrame | None, ledger_buyers: pd.Index, ledger: pd.DataFrame, settings: Settings,
               scores: pd.DataFrame | None, unrated_pd: float, scorecard=None) -> tuple[pd.Series, str, pd.Series]:
    """PD per buyer, where it came from, and the scorecard version (if scored). Buyers are scored by
    the same pipeline as ``xl-cashrisk score`` (the workbook's scorecard, the ledger's payment record)."""
    from xl_cashrisk.pipelines.scoring import run_scoring

    version = ""
    pds = pd.Series(np.nan, index=ledger_buyers, dtype=float)
    source = pd.Series("unrated", index=ledger_buyers, dtype=object)
    if scores is not None and "pd" in scores:
        sc = scores.set_index("buyer_id") if "buyer_id" in scores else scores
        given = pd.to_numeric(sc["pd"], errors="coerce")
        given.index = given.index.astype(str)
        pds = given.reindex(pds.index.union(given.index))
        source = pd.Series(np.where(pds.notna(), "scores", "unrated"), index=pds.index, dtype=object)
        if "scorecard_version" in sc and len(sc):
            version = str(sc["scorecard_version"].dropna().iloc[0]) if sc["scorecard_version"].notna().any() else ""
    else:
        if register is None or register.empty:  # no register: score on the ledger's payment record alone
            register = pd.DataFrame({"buyer_id": ledger_buyers.astype(str)})
        reg = register.assign(buyer_id=register["buyer_id"].astype(str)).drop_duplicates("buyer_id")
        reg = reg.set_index("buyer_id")
        index = reg.index.union(pds.index)
        if "pd" in reg and reg["pd"].notna().any():
            pds = pd.to_numeric(reg["pd"], errors="coerce").reindex(index)
            source = pd.Series(np.where(pds.notna(), "register", "unrated"), index=index, dtype=object)
        else:
            result = run_scoring(reg.reset_index(), settings, ledger, scorecard=scorecard)
            scored = result.scored
            pds = pd.Series(pd.to_numeric(scored["pd"], errors="coerce").to_numpy(dtype=float),
                            index=scored["buyer_id"].astype(str)).reindex(index)
            source = pd.Series(np.where(pds.notna(), "scored", "unrated"), index=index, dtype=object)
            version = result.scorecard.version
    bad = pds.notna() & ~pds.between(0, 1)
    if bad.any():
        raise InputError(f"PD of buyer {bad.index[bad][0]} must be a decimal between 0 and 1, got {pds[bad].iloc[0]!r}")
    return pds.fillna(unrated_pd), version, source.reindex(pds.index).fillna("unrated")


def _indemnities(ledger_hc: pd.DataFrame, buyers: pd.DataFrame, policy: ins.Policy) -> pd.Series:
    """Insurer's payment if the buyer defaults on all its open invoices (SPEC §7.2, per claim)."""
    if ledger_hc.empty:
        return pd.Series(0.0, index=buyers.index)
    exp = ins.insured_exposure(ledger_hc, policy, limits=buyers["insured_limit"],  # buyer_id → value
                               countries=buyers["country"])
    by = ins.insured_exposure_by_buyer(exp)
    within = by["within_limit"].reindex(buyers.index).fillna(0.0).to_numpy()
    pct = np.asarray(ins.cover_pct(policy, np.full(len(buyers), ins.COMMERCIAL),
                                   buyers["country"].to_numpy(dtype=str)), dtype=float).reshape(-1)
    paid = ins.indemnity(within, within, pct, 0.0, policy.non_qualifying_loss, 0.0, policy.minimum_retention)
    return pd.Series(np.asarray(paid, dtype=float).reshape(-1), index=buyers.index)


def _hash_values(h, values) -> None:
    """Feed one column (or index) to ``h``: its values, not their text, so a million-row ledger hashes
    in a fraction of a second. Numbers, booleans and dates as their bytes (one NaN bit pattern);
    Arrow-backed strings as their offsets, characters and validity; anything else (object columns,
    other extension arrays) through pandas' per-value hash."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "biufcmM":
        a = np.ascontiguousarray(values)
        if a.dtype.kind in "fc":
            nan = np.isnan(a)
            if nan.any():
                a = np.where(nan, np.nan, a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.reshape(-1).view(np.uint8))
        return
    if pd.api.types.is_string_dtype(values.dtype) and hasattr(values, "__arrow_array__"):
        import pyarrow as pa

        arr = pa.chunked_array(values.__arrow_array__()).cast(pa.large_string())
        valid = arr.is_valid().to_numpy(zero_copy_only=False)
        arr = arr.fill_null("").combine_chunks()
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset: arr.offset + len(arr) + 1]
        h.update(f"arrow-string{len(arr)}".encode())
        h.update(np.ascontiguousarray(valid, dtype=bool).view(np.uint8))
        h.update((offsets - offsets[0]).view(np.uint8))
        data = arr.buffers()[2]
        if data is not None and len(arr):
            h.update(memoryview(data)[int(offsets[0]): int(offsets[-1])])
        return
    h.update(f"hashed{len(values)}".encode())
    obj = np.asarray(values, dtype=object)
    try:
        h.update(pd.util.hash_array(obj).view(np.uint8))
    except TypeError:  # unhashable cells (lists…): their text
        h.update("\x1f".join(map(repr, obj.tolist())).encode("utf-8", "surrogatepass"))


def _values(x: pd.Series | pd.Index):
    return x.to_numpy() if isinstance(x.dtype, np.dtype) else x.array


def _fingerprint(frames: Mapping[str, object]) -> str:
    """SHA-256 of the run's inputs: each frame's shape, column names, dtypes, index and column values
    (see :func:`_hash_values`), anything else by its ``repr``. Same inputs, same fingerprint; any
    changed value, column or row changes it."""
    h = hashlib.sha256()
    for key, obj in frames.items():
        h.update(key.encode())
        if isinstance(obj, pd.DataFrame):
            h.update(repr((obj.shape, [str(c) for c in obj.columns], [str(t) for t in obj.dtypes])).encode("utf-8"))
            index = obj.index.to_flat_index() if isinstance(obj.index, pd.MultiIndex) else obj.index
            if isinstance(index, pd.RangeIndex):
                h.update(repr(index).encode("utf-8"))
            else:
                _hash_values(h, _values(index))
            for i in range(obj.shape[1]):
                _hash_values(h, _values(obj.iloc[:, i]))
        else:
            h.update(repr(obj).encode("utf-8"))
    return h.hexdigest()


# ----------------------------------------------------------------------------------------------
# The run


def run_stress_test(
    ledger: pd.DataFrame,
    settings: Settings,
    *,
    register: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    scenarios: Iterable[st.Scenario] | None = None,
    policy: ins.Policy | None = None,
    scores: pd.DataFrame | None = None,
    sims: int | None = None,
    seed: int | None = None,
    run: Iterable[str] | None = None,
    scorecard=None,
    on_step: Callable[[str], None] | None = None,
) -> StressTestResult:
    """The whole stress test on validated frames; deterministic for a given seed.

    ``scenarios`` is the library (default: the standard one); ``run`` the ids to report (default: all; the
    base case always runs); ``scorecard`` scores buyers without a PD (default: from ``settings``).
    Steps: options, the dated receipts, the buyers (exposure, PD, insurance), the scenarios, the
    correlated-default losses, the input fingerprint. ``on_step(text)`` is called as each of the three
    long steps starts (forecast, scenarios, simulation: a progress bar).
    """
    step = on_step or (lambda text: None)
    step("building the 13-week forecast")
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    opts = _Options.of(settings, sims, seed)
    policy = policy or ins.Policy()
    scenarios = list(st.STANDARD_SCENARIOS if scenarios is None else scenarios)
    plan = _Plan.of(settings, opts)
    receipts = _receipts(ledger, forecast, plan, opts)
    buyers, scorecard_version = _buyers(ledger, register, scores, settings, scorecard, policy, plan, receipts, opts)
    timings["forecast"] = time.perf_counter() - t0

    fc = _cash_forecast(receipts, buyers, policy, plan, opts)
    step(f"running {len(scenarios)} scenarios")
    t1 = time.perf_counter()
    results, table = _run_scenarios(fc, scenarios, run)
    timings["scenarios"] = time.perf_counter() - t1
    week_starts = pd.to_datetime(plan.start + (7 * np.arange(st.WEEKS)).astype("timedelta64[D]"))
    paths = pd.DataFrame({"week": np.arange(1, st.WEEKS + 1), "week_start": week_starts})
    for r in results:
        paths[r.scenario.id] = r.weekly["ending_cash"].to_numpy()
    weekly = _weekly_view(results[0], receipts.lines, receipts.week_table, fc, week_starts)

    step(f"simulating correlated defaults ({opts.sims:,} runs)")
    losses = _correlated_losses(buyers, receipts.lines, results[0], fc, opts, timings)
    timings["total"] = time.perf_counter() - t0
    fingerprint = _fingerprint({"ledger": ledger, "register": register if register is not None else "",
                                "forecast": forecast if forecast is not None else "",
                                "scenarios": [repr(s) for s in scenarios], "policy": repr(policy),
                                "scores": scores if scores is not None else "",
                                "settings": (plan.as_of, plan.home, sorted(plan.fx.items()),
                                             sorted(opts.items(), key=str))})
    return StressTestResult(settings, plan.start_date, fc, results, table, paths, weekly, _monthly_view(weekly),
                            buyers, losses.stats, losses.histogram, losses.sample, losses.exact_gross,
                            losses.exact_net, losses.p_negative, losses.p_buffer, opts.seed, opts.sims,
                            scorecard_version, fingerprint, timings, policy)


class StressFrames(Protocol):
    """What :func:`stress_from_inputs` runs on: the frames a reader gives
    (:class:`xl_cashrisk.io.inputs.StressInputs`)."""

    settings: Settings
    ledger: pd.DataFrame
    register: pd.DataFrame | None
    forecast: pd.DataFrame | None
    scenarios: list[st.Scenario]
    policy: ins.Policy
    run: tuple[str, ...] | None
    scorecard: object


def stress_from_inputs(inputs: StressFrames, *, sims: int | None = None, seed: int | None = None,
                       on_step: Callable[[str], None] | None = None) -> StressTestResult:
    """The stress test on what a reader read (the workbook's library, the ids to run, its scorecard)."""
    return run_stress_test(inputs.ledger, inputs.settings, register=inputs.register, forecast=inputs.forecast,
                           scenarios=inputs.scenarios, policy=inputs.policy, sims=sims, seed=seed, run=inputs.run,
                           scorecard=inputs.scorecard, on_step=on_step)


@dataclass(frozen=True)
class _Plan:
    """The run's dates and currencies: as-of date, forecast start, home currency, FX to home."""

    as_of: dt.date
    start_date: dt.date
    start: np.datetime64
    home: str
    fx: dict[str, float]

    @classmethod
    def of(cls, settings: Settings, opts: _Options) -> _Plan:
        home = settings.home_currency.upper()
        start_date = opts.forecast.forecast_start or settings.as_of + dt.timedelta(days=1)
        fx = {**{k.upper(): float(v) for k, v in settings.fx_rates.items()}, home: 1.0}
        return cls(settings.as_of, start_date, np.datetime64(start_date, "D"), home, fx)


@dataclass(frozen=True)
class _Receipts:
    dbt: pd.Series  # each buyer's own days beyond terms
    items: pd.DataFrame  # every dated receipt: open invoices, new sales, other receipts
    week_table: pd.DataFrame  # the Forecast sheet by week
    lines: pd.DataFrame  # receipts per week (st.receipts_from_items)


def _receipts(ledger: pd.DataFrame, forecast: pd.DataFrame | None, plan: _Plan, opts: _Options) -> _Receipts:
    """Receipts of open invoices at due date + the buyer's own DBT, the overdue ones by the overdue rule;
    new-sales collections and other receipts from the Forecast sheet."""
    history = rc.buyer_payment_history(ledger, plan.as_of, fx=plan.fx, home_currency=plan.home)
    history["buyer_id"] = history["buyer_id"].astype(str)
    dbt = history.set_index("buyer_id")["dbt"].fillna(0.0)
    paid_col = ledger["paid_amount"].fillna(0.0) if "paid_amount" in ledger else 0.0
    if ((ledger["amount"].astype(float) - paid_col).abs() > 0.005).any():
        items = st.receipts_from_invoices(ledger, plan.start_date, dbt=dbt, fx_rates=plan.fx, home_currency=plan.home,
                                          overdue=_overdue_rule(str(opts.forecast.overdue_rule)))
    else:  # nothing open: receipts come from the Forecast sheet alone
        items = pd.DataFrame(columns=["buyer_id", "invoice_no", "currency", "pay_date", "amount_hc", "source"])
    week_table = _weekly_frame(forecast)
    items = pd.concat([items, _dated_items(week_table, plan.start, plan.home, int(opts.forecast.sales_terms_days),
                                           int(opts.forecast.sales_delay_days))], ignore_index=True)
    return _Receipts(dbt, items, week_table, st.receipts_from_items(items, plan.start_date))


def _buyers(ledger: pd.DataFrame, register: pd.DataFrame | None, scores: pd.DataFrame | None, settings: Settings,
            scorecard, policy: ins.Policy, plan: _Plan, receipts: _Receipts, opts: _Options) -> tuple[pd.DataFrame, str]:
    """Per buyer: exposure (open AR in home currency), PD and where it came from, LGD, the insured limit and
    indemnity, the claim timing and political cover; and the scorecard version that gave the PDs."""
    led = ledger.copy()
    led["buyer_id"] = led["buyer_id"].astype(str)
    cur = led["currency"].astype(str).str.upper() if "currency" in led else pd.Series(plan.home, index=led.index)
    paid = led["paid_amount"].fillna(0.0) if "paid_amount" in led else 0.0
    led["open_amount"] = (led["amount"].astype(float) - paid) * cur.map(plan.fx).astype(float)
    open_by = led.groupby("buyer_id")["open_amount"].sum().clip(lower=0.0)
    pds, scorecard_version, pd_source = _buyer_pds(register, open_by.index, ledger, settings, scores,
                                                   float(opts.stress.unrated_pd), scorecard)
    buyers = pd.DataFrame(index=pds.index.astype(str))
    buyers.index.name = "buyer_id"
    reg = None
    if register is not None and not register.empty:
        reg = register.assign(buyer_id=register["buyer_id"].astype(str)).drop_duplicates("buyer_id").set_index("buyer_id")
    for col in ("buyer_name", "country", "region", "sector"):
        buyers[col] = reg[col].reindex(buyers.index) if reg is not None and col in reg else None
    if buyers["buyer_name"].isna().all() and "buyer_name" in led:
        buyers["buyer_name"] = led.groupby("buyer_id")["buyer_name"].first().reindex(buyers.index)
    buyers["country"] = buyers["country"].fillna(policy.home_country).astype(str).str.upper()
    buyers["exposure"] = open_by.reindex(buyers.index).fillna(0.0)
    buyers["dbt"] = receipts.dbt.reindex(buyers.index)
    buyers["pd"] = pds.to_numpy()
    buyers["pd_source"] = pd_source.reindex(buyers.index).to_numpy()
    buyers["lgd"] = float(opts.stress.stress_lgd)
    limit = reg["insurer_limit"] if reg is not None and "insurer_limit" in reg else pd.Series(dtype=float)
    buyers["insured_limit"] = pd.to_numeric(limit, errors="coerce").reindex(buyers.index)
    buyers["indemnity"] = _indemnities(led[led["open_amount"] > 0.005], buyers, policy)
    protracted = opts.stress.default_event == "protracted"
    buyers["waiting_days"] = policy.proof_of_debt_days + (policy.waiting_period if protracted else 0)
    buyers["settlement_days"] = policy.settlement_days
    home_country = policy.home_country.upper()
    buyers["political_cover"] = policy.political_cover & (buyers["country"] != home_country) & np.asarray(
        ins.cover_pct(policy, np.full(len(buyers), ins.POLITICAL), buyers["country"].to_numpy(dtype=str)) > 0
    ).reshape(-1)
    return buyers, scorecard_version


def _cash_forecast(receipts: _Receipts, buyers: pd.DataFrame, policy: ins.Policy, plan: _Plan,
                   opts: _Options) -> st.CashForecast:
    """The 13-week forecast the scenarios run on: supplier payments the variable part, the rest fixed."""
    week_table, f = receipts.week_table, opts.forecast
    return st.CashForecast(
        opening_cash=float(f.opening_cash), receipts=receipts.lines,
        disbursements=week_table[[k for k in OUTFLOW_LINES if k != "supplier_payments"]].sum(axis=1).to_numpy(),
        variable_disbursements=week_table["supplier_payments"].to_numpy(), financing=week_table["financing"].to_numpy(),
        buyers=buyers, facility_limit=float(f.facility_limit), drawn=float(f.facility_drawn),
        min_cash_buffer=float(f.min_cash_buffer), min_liquidity=float(f.min_liquidity), spot=plan.fx,
        terms_days=int(f.sales_terms_days), insured_pct=policy.indemnity_pct,
        settlement_days=policy.settlement_days, lgd=float(opts.stress.stress_lgd), items=receipts.items,
        start=plan.start_date)


def _run_scenarios(fc: st.CashForecast, scenarios: list[st.Scenario], run: Iterable[str] | None
                   ) -> tuple[list[st.StressResult], pd.DataFrame]:
    """Every scenario of the library (:func:`stress.run_stress`); reported: ``run`` and the base case."""
    try:
        results, table = st.run_stress(fc, scenarios)
    except ValueError as exc:
        raise InputError(f"scenarios: {exc}", Location(None, SCENARIOS.sheet)) from None
    if run is not None:
        keep = {*run, results[0].scenario.id}
        results = [x for x in results if x.scenario.id in keep]
        table = table.loc[[x.scenario.id for x in results]]
    return results, table


@dataclass(frozen=True)
class _Losses:
    sample: pf.LossSample
    exact_gross: pf.LossDistribution
    exact_net: pf.LossDistribution
    stats: pd.DataFrame
    histogram: pd.DataFrame
    p_negative: float
    p_buffer: float


def _correlated_losses(buyers: pd.DataFrame, lines: pd.DataFrame, base: st.StressResult, fc: st.CashForecast,
                       opts: _Options, timings: dict[str, float]) -> _Losses:
    """1-year credit losses of correlated defaults, gross and net of indemnities (Monte Carlo, checked against
    the exact one-factor distribution), and the probabilities of cash below zero and below the buffer."""
    s = opts.stress
    book = buyers[buyers["exposure"] > 0]
    ead, p = book["exposure"].to_numpy(), book["pd"].to_numpy()
    lgd = float(s.loss_lgd)
    rho, rho_r, rho_s = float(s.stress_rho), float(s.stress_rho_region), float(s.stress_rho_sector)
    if rho + rho_r + rho_s >= 1:
        raise InputError(f"stress_rho + stress_rho_region + stress_rho_sector must be below 1, got {rho + rho_r + rho_s:g}")
    base_cash = base.weekly["ending_cash"].to_numpy()
    if book.empty:  # no open receivables: no credit loss, cash risk from the forecast alone
        zeros = np.zeros(opts.sims)
        losses = pf.LossSample(zeros, zeros.copy(), opts.seed, True)
        exact = pf.LossDistribution(np.array([0.0]), np.array([1.0]))
        timings["monte_carlo"] = timings["exact"] = timings["prob_cash"] = 0.0
        return _Losses(losses, exact, exact, _loss_stats(losses, exact, exact, ead, p, lgd, np.zeros(0), True),
                       _histogram(losses), float((base_cash < 0).any()), float((base_cash < fc.min_cash_buffer).any()))
    t2 = time.perf_counter()
    # credit losses and the cash paths from one set of scenarios (the random draws are the costly part):
    # cash paths with PDs over the 13 weeks, every defaulter defaulting at the start of week 1, its
    # indemnity paid after the waiting and settlement days; measured against zero and the buffer
    ar = lines[lines["source"] == "ar"].groupby("buyer_id")[list(st.WEEK_COLUMNS)].sum()
    ar = ar.reindex(book.index).fillna(0.0)
    claim_weeks = np.ceil((book["waiting_days"].to_numpy(float) + book["settlement_days"].to_numpy(float)) / 7.0)
    losses, (p_neg, p_buf) = pf.simulate_losses_and_cash(
        ead, p, lgd, rho, base_cash, ar.to_numpy(), rho_region=rho_r, rho_sector=rho_s,
        region=book["region"].fillna("").astype(str).to_numpy(),
        sector=book["sector"].fillna("").astype(str).to_numpy(),
        insured=book["indemnity"].to_numpy(), n_sims=opts.sims, seed=opts.seed, default_week=1,
        indemnity=book["indemnity"].to_numpy(), claim_weeks=claim_weeks, horizon_pd=True,
        threshold=[0.0, fc.min_cash_buffer])
    timings["monte_carlo"] = time.perf_counter() - t2
    timings["prob_cash"] = 0.0  # part of the Monte Carlo
    t3 = time.perf_counter()
    gross_l, net_l = pf.buyer_losses(ead, lgd, book["indemnity"].to_numpy())
    exact_gross = pf.loss_distribution(gross_l, p, rho)
    exact_net = pf.loss_distribution(net_l, p, rho)
    timings["exact"] = time.perf_counter() - t3
    stats = _loss_stats(losses, exact_gross, exact_net, ead, p, lgd, book["indemnity"].to_numpy(),
                        one_factor=rho_r == 0 and rho_s == 0)
    return _Losses(losses, exact_gross, exact_net, stats, _histogram(losses), float(p_neg), float(p_buf))


def _weekly_view(base: st.StressResult, lines: pd.DataFrame, week_table: pd.DataFrame, fc: st.CashForecast,
                 week_starts: pd.DatetimeIndex) -> pd.DataFrame:
    by_source = lines.groupby("source")[list(st.WEEK_COLUMNS)].sum()
    w = base.weekly
    out = pd.DataFrame({"week": w.index.to_numpy(), "week_start": week_starts,
                        "week_end": week_starts + pd.Timedelta(days=6)})
    out["opening_cash"] = np.concatenate([[fc.opening_cash], w["ending_cash"].to_numpy()[:-1]])
    for src, key in (("ar", "ar_collections"), ("sales", "new_sales_collections"), ("other", "other_receipts")):
        out[key] = by_source.loc[src].to_numpy() if src in by_source.index else 0.0
    out["indemnity"] = w["indemnity"].to_numpy()
    out["total_receipts"] = out[["ar_collections", "new_sales_collections", "other_receipts", "indemnity"]].sum(axis=1)
    for k in OUTFLOW_LINES:
        out[k] = week_table[k].to_numpy()
    out["total_disbursements"] = w["disbursements"].to_numpy()
    out["net_operating_cf"] = out["total_receipts"] - out["total_disbursements"]
    out["financing"] = w["financing"].to_numpy()
    out["ending_cash"] = w["ending_cash"].to_numpy()
    out["drawn"] = w["drawn"].to_numpy()
    out["availability"] = fc.facility_limit - out["drawn"]
    out["liquidity"] = w["liquidity"].to_numpy()
    out["headroom"] = w["headroom"].to_numpy()
    out["new_sales_invoiced"] = week_table["new_sales"].to_numpy()
    return out


def _monthly_view(weekly: pd.DataFrame) -> pd.DataFrame:
    """Weeks grouped by the calendar month of their first day: flows summed, balances at month end."""
    month = weekly["week_start"].dt.strftime("%Y-%m")
    flows = ["ar_collections", "new_sales_collections", "other_receipts", "indemnity", "total_receipts",
             *OUTFLOW_LINES, "total_disbursements", "net_operating_cf", "financing"]
    g = weekly.groupby(month, sort=True)
    out = g[flows].sum()
    out.insert(0, "weeks", g["week"].agg(lambda s: f"{s.min()}–{s.max()}" if s.min() != s.max() else str(s.min())))
    out["opening_cash"] = g["opening_cash"].first()
    out["ending_cash"] = g["ending_cash"].last()
    out["min_ending_cash"] = g["ending_cash"].min()
    out["liquidity"] = g["liquidity"].last()
    return out.reset_index(names="month")


def _loss_stats(losses: pf.LossSample, exact_gross: pf.LossDistribution, exact_net: pf.LossDistribution, ead, p,
                lgd: float, insured, one_factor: bool) -> pd.DataFrame:
    rows = [("el", "Expected loss", "预期损失", losses.el(), losses.el(net=True), exact_gross.el, exact_net.el)]
    for a in ALPHAS:
        tag = f"{round(a * 100)}"
        rows.append((f"var{tag}", f"VaR {tag} %", f"风险价值 {tag}%", losses.var(a), losses.var(a, net=True),
                     exact_gross.var(a), exact_net.var(a)))
        rows.append((f"es{tag}", f"Expected shortfall {tag} %", f"预期短缺 {tag}%", losses.es(a), losses.es(a, net=True),
                     exact_gross.es(a), exact_net.es(a)))
    out = pd.DataFrame(rows, columns=["key", "measure", "measure_zh", "mc_gross", "mc_net", "exact_gross", "exact_net"])
    out["el_formula_gross"] = np.nan
    out.loc[0, "el_formula_gross"] = pf.portfolio_el(ead, p, lgd)
    out["note"] = "" if one_factor else "exact: global factor only"
    return out


def _histogram(losses: pf.LossSample) -> pd.DataFrame:
    hi = float(max(losses.gross.max(), 1.0))
    edges = np.linspace(0.0, hi, HISTOGRAM_BINS + 1)
    g, _ = np.histogram(losses.gross, bins=edges)
    n, _ = np.histogram(losses.net, bins=edges)
    s = losses.gross.size
    return pd.DataFrame({"bin_from": edges[:-1], "bin_to": edges[1:], "midpoint": (edges[:-1] + edges[1:]) / 2,
                         "share_gross": g / s, "share_net": n / s})
