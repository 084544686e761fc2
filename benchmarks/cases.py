"""The benchmark families as Bell problems: one source for bench_ladder and bench_vs_peers."""


def bell_family(family: str):
    """(scenario, objective expression, constraint expression or None) of a benchmark family: "chsh",
    "p00" (P(00|00) subject to CHSH), "i3322", or "merminK" (K parties)."""
    from certify.expressions import i3322
    from certify.kernel.defs.scenario import Scenario, chsh, make_expression
    from lp_checks.mermin import mermin_operator

    if family == "chsh":
        return Scenario((2, 2), (2, 2)), chsh(), None
    if family == "p00":
        scenario = Scenario((2, 2), (2, 2))
        return scenario, make_expression(scenario, [([0, 0], [0, 0], 1)]), chsh()
    if family == "i3322":
        return (*i3322(), None)
    parties = int(family.removeprefix("mermin"))
    return Scenario((2,) * parties, (2,) * parties), mermin_operator(parties), None
