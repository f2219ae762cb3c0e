#!/usr/bin/env python3
"""Fits the rational tanh of app/.../train/LstmCell.java and checks it in single precision.

tanh(x) ~ x P(x^2) / Q(x^2) on [0, 9] (P of degree 6, Q of degree 3 with Q(0) = 1), minimising the
relative error by Sanathanan-Koerner iteration (linear least squares, reweighted by the previous
denominator) with Lawson-style weights towards the worst points. Prints the coefficients as Java
float literals and the single-precision error over [-12, 12]. Needs numpy.
"""
import numpy as np

L = 9.0                      # beyond 9, tanh is 1 in single precision
NP, NQ = 7, 3

xs = np.linspace(1e-5, L, 40000)
t = np.tanh(xs)
s = (xs / L) ** 2            # scaled variable: well-conditioned columns
q_prev = np.ones_like(xs)
w = np.ones_like(xs)
best = None
for _ in range(200):
    a = np.concatenate([np.stack([xs * s ** k for k in range(NP)], 1),
                        -np.stack([t * s ** k for k in range(1, NQ + 1)], 1)], 1)
    wt = w / (t * q_prev)
    coef, *_ = np.linalg.lstsq(a * wt[:, None], t * wt, rcond=None)
    p, q = coef[:NP], np.concatenate([[1.0], coef[NP:]])
    qv = np.polyval(q[::-1], s)
    err = np.abs(xs * np.polyval(p[::-1], s) / qv - t) / t
    if best is None or err.max() < best[0]:
        best = (err.max(), p.copy(), q.copy())
    q_prev = qv
    w = w * (err / err.max()) ** 0.2 + 1e-9
    w /= w.max()

e, p, q = best
pu = np.array([p[k] / L ** (2 * k) for k in range(NP)], dtype=np.float32)   # back to powers of x^2
qu = np.array([q[k] / L ** (2 * k) for k in range(NQ + 1)], dtype=np.float32)
x = np.linspace(-12, 12, 2000001).astype(np.float32)
v = np.clip(x, np.float32(-L), np.float32(L))
u = v * v
num = np.float32(0)
for k in range(NP - 1, -1, -1):
    num = num * u + pu[k]
den = np.float32(0)
for k in range(NQ, -1, -1):
    den = den * u + qu[k]
y = v * num / den
print(f"double precision: max relative error {e:.3g}")
print(f"single precision: max absolute error {np.max(np.abs(y - np.tanh(x.astype(np.float64)))):.3g}")
print("P:", ", ".join(repr(float(c)) + "f" for c in pu))
print("Q:", ", ".join(repr(float(c)) + "f" for c in qu))
