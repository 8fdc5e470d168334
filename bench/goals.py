"""What every benchmark reports: measured value, goal, ratio (> 1 misses), pass or miss.

Each result is printed as one human line and one machine line (``RESULT\t…``) that
``bench/run`` gathers into its summary table. ``--smoke`` runs use tiny sizes and report
results as ``smoke`` (no timing gate); a benchmark then fails only if it breaks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The simulator's daily hits in the lookup benchmarks: enough never to run out, and its
#: answers state the hits left (``quotaLimiter``) as newer gateways do, so the lookup step
#: pays for taking that count as the truth.
NEWER_GATEWAY_QUOTA = 10_000_000

@dataclass(frozen=True)
class Result:
    """One measured figure against its goal."""

    name: str
    measured: float
    goal: float
    unit: str
    higher_is_better: bool = False

    @property
    def ratio(self) -> float:
        """Above 1 misses the goal, whichever direction the goal points."""
        if self.higher_is_better:
            return self.goal / self.measured if self.measured > 0 else float("inf")
        return self.measured / self.goal if self.goal > 0 else float("inf")

    @property
    def passed(self) -> bool:
        """True when the goal is met."""
        return self.ratio <= 1.0


@dataclass
class Scorecard:
    """Collects a benchmark's results and gives its exit code."""

    smoke: bool = False
    results: list[Result] = field(default_factory=list)

    def add(
        self, name: str, measured: float, goal: float, unit: str, *, higher_is_better: bool = False
    ) -> Result:
        """Record and print one result."""
        result = Result(name, measured, goal, unit, higher_is_better)
        self.results.append(result)
        sign = ">=" if higher_is_better else "<="
        verdict = "smoke" if self.smoke else ("pass" if result.passed else "MISS")
        print(
            f"{name}: {_fmt(measured)} {unit} (goal {sign} {_fmt(goal)} {unit}), "
            f"ratio {result.ratio:.3f}: {verdict}"
        )
        print(
            f"RESULT\t{name}\t{_fmt(measured)}\t{sign} {_fmt(goal)}\t{unit}\t"
            f"{result.ratio:.3f}\t{verdict}",
            flush=True,
        )
        return result

    def exit_code(self) -> int:
        """0 when every goal was met (always 0 in a smoke run that got this far)."""
        if self.smoke:
            return 0
        return 0 if all(result.passed for result in self.results) else 1


def _fmt(value: float) -> str:
    if value == int(value) and abs(value) >= 10:
        return str(int(value))
    return f"{value:.4g}" if abs(value) < 100 else f"{value:.1f}"
