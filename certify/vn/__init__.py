"""Untrusted producers of Brown-Fawzi-Fawzi von Neumann entropy certificates (kinds vn.node, vn.bound).

`quadrature`: Gauss-Radau nodes and weights in high precision, and rational node intervals;
`produce`: problem definitions, the conic data of one node, solve, round, and the certificates.
Everything here is checked by `certify.kernel.vn`.
"""
