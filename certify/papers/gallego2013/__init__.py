"""Gallego et al., Nat. Commun. 4, 2654 (2013): the majority Lemma, the balanced three-party functions,
its robustness and the quantum majority (claims, producers)."""
