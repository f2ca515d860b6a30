"""Exact amount left in a well-mixed finite donor over a membrane with a perfect sink below.

Donor: thickness a (volume per area), concentration C_d(t), C_d(0) = C0. Membrane 0 < x < L:
diffusivity D, membrane/donor partition K, c(0, t) = K C_d(t), c(L, t) = 0, c(x, 0) = 0; the
donor loses what enters: a dC_d/dt = D ∂c/∂x(0, t). Separation of variables gives modes
sin(β (L − x)/L) exp(−D β² t/L²) with β tan β = K L/a (Crank, The Mathematics of Diffusion,
2nd ed., §4.3.5 for the same eigencondition with a well-stirred solution of limited volume).
The modes are orthogonal in the inner product ∫ f g dx + (a/K) f(0) g(0), which gives

    C_d(t)/C0 = (a/K) Σ sin²β_n / N_n exp(−D β_n² t/L²),
    N_n = (L/2)(1 − sin 2β_n/(2β_n)) + (a/K) sin²β_n.

The weights sum to 1 (C_d(0) = C0): checked here with 4000 modes.
"""
import math

from scipy.optimize import brentq


def roots(alpha, n):
    """The first n positive roots of β sin β − α cos β = 0 (one in each (kπ, kπ + π/2))."""
    f = lambda b: b * math.sin(b) - alpha * math.cos(b)
    return [brentq(f, k * math.pi + 1e-14, k * math.pi + math.pi / 2 - 1e-14, xtol=1e-15)
            for k in range(n)]


def donor_fraction(t, a, L, D, K, nmodes=400):
    """C_d(t)/C0."""
    s = 0.0
    for b in roots(K * L / a, nmodes):
        sb2 = math.sin(b) ** 2
        N = L / 2 * (1 - math.sin(2 * b) / (2 * b)) + a / K * sb2
        s += a / K * sb2 / N * math.exp(-D * b * b * t / (L * L))
    return s


if __name__ == "__main__":
    import sys
    a, L, D, K = (float(x) for x in sys.argv[1:5])
    w = donor_fraction(0.0, a, L, D, K, 4000)
    print(f"sum of the mode weights (4000 modes) = {w:.6f} (1 exact)")
