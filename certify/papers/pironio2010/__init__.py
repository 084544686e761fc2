"""Pironio et al., Nature 464, 1021 (2010): curve c, Tsirelson, the G(I) curves, Table 1 (claims,
producers, Figs. 2 and 3)."""
