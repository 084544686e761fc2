"""Trusted definitions: Bell scenarios and expressions, projector words and NPA levels, moment
matrices, and the no-signalling polytope. The kernel's checkers rebuild every problem from these."""
