/* The batched sweep's arithmetic as plain vectorized C: the reference the compiled
 * kernel (glassnet.engines.batched) is measured against in benchmarks/sweep_c.py.
 *
 * Full-batch gradient descent of many networks of one small architecture, sigmoid
 * layers, half squared error: per iteration and network the forward pass of every
 * example, the loss and the post's error sum, the deltas, the gradient sums and the
 * update (applied only where the loss is finite), and the first iteration whose
 * error sum reached a target: the operations of the kernel's hot loop, in its
 * order, with the same polynomial exp (glassnet/engines/fastexp.py, its fused
 * multiply-adds where LLVM contracts them). Networks are the innermost index of
 * every array (W[p * n + t] is parameter p of network t), the loop over them is
 * vectorized (omp simd), chunks of CHUNK networks train all their iterations at a
 * time, and OpenMP threads take the chunks.
 *
 * Sizes are compile-time constants: -DN_IN=3 -DN_HID=4 -DN_SAMPLES=4 -DBIAS=1
 * (N_HID=0: no hidden layer; one output unit). Built at benchmark time, e.g.
 *   gcc -O3 -march=native -fopenmp -ffp-contract=off -shared -fPIC sweep_c.c -o sweep_c.so
 * (-ffp-contract=off: no fused multiply-adds beyond the exp's explicit fma()).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#ifndef N_IN
#define N_IN 3
#endif
#ifndef N_HID
#define N_HID 0
#endif
#ifndef N_SAMPLES
#define N_SAMPLES 4
#endif
#ifndef BIAS
#define BIAS 0
#endif
#define CHUNK 512
/* every loop inside the one over networks is written out, so that that one is vectorized */
#define UNROLL _Pragma("GCC unroll 256")

#if N_HID > 0
#define N_W (N_IN * N_HID + N_HID)
#define N_B (BIAS ? N_HID + 1 : 0)
#else
#define N_W N_IN
#define N_B (BIAS ? 1 : 0)
#endif
#define N_PARAMS (N_W + N_B)

/* glassnet.engines.fastexp.exp */
#define LOG2E 1.4426950408889634
#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10
#define ROUND 6755399441055744.0
#define ROUND_BITS 0x4338000000000000LL
#define MAX_ARG 709.782712893384
#define MIN_ARG -745.1332191019412

static inline double pow2(int64_t n)
{
    int64_t bits = (n + 1023) << 52;
    double out;
    memcpy(&out, &bits, sizeof out);
    return out;
}

static inline double fexp(double x)
{
    double xc = x < -746.0 ? -746.0 : x;
    xc = xc > 710.0 ? 710.0 : xc;
    double t = fma(xc, LOG2E, ROUND);
    double n_float = t - ROUND;
    double r = fma(-n_float, LN2_LO, fma(-n_float, LN2_HI, xc));
    double p = fma(r, 1.0 / 6227020800.0, 1.0 / 479001600.0);
    p = fma(r, p, 1.0 / 39916800.0);
    p = fma(r, p, 1.0 / 3628800.0);
    p = fma(r, p, 1.0 / 362880.0);
    p = fma(r, p, 1.0 / 40320.0);
    p = fma(r, p, 1.0 / 5040.0);
    p = fma(r, p, 1.0 / 720.0);
    p = fma(r, p, 1.0 / 120.0);
    p = fma(r, p, 1.0 / 24.0);
    p = fma(r, p, 1.0 / 6.0);
    p = fma(r, p, 1.0 / 2.0);
    double e_r = 1.0 + fma(r * r, p, r);
    int64_t bits;
    memcpy(&bits, &t, sizeof bits);
    int64_t n = bits - ROUND_BITS;
    int64_t n1 = n >> 1;
    double y = e_r * pow2(n1) * pow2(n - n1);
    y = x > MAX_ARG ? INFINITY : y;
    return x < MIN_ARG ? 0.0 : y;
}

static inline double sigmoid(double z) { return 1.0 / (1.0 + fexp(-z)); }

/* `yes ? a : b` as bits, so that gcc keeps the store of its result unconditional (from
 * `W[i] = good ? new : W[i]` it would make a conditional store, which AVX2 cannot mask) */
static inline double pick(int64_t yes, double a, double b)
{
    int64_t mask = -yes, bits_a, bits_b, bits;
    memcpy(&bits_a, &a, sizeof bits_a);
    memcpy(&bits_b, &b, sizeof bits_b);
    bits = (bits_a & mask) | (bits_b & ~mask);
    double out;
    memcpy(&out, &bits, sizeof out);
    return out;
}

/* Train networks 0 .. n-1 for `iterations` updates, then pass #N (the final params'
 * forward pass). W: (N_PARAMS, n), updated in place (weights layer by layer, row-major
 * (n_in, n_out), then the biases). Returns nothing; err/loss: the final pass's figures;
 * reach: the first pass whose error sum was <= target (-1: none). */
void train(const double *X, const double *y, double *W, const double *rate, long n,
           long iterations, double target, double *err, double *loss, int64_t *reach)
{
#pragma omp parallel for schedule(dynamic, 1)
    for (long lo = 0; lo < n; lo += CHUNK) {
        long hi = lo + CHUNK < n ? lo + CHUNK : n;
        for (long t = lo; t < hi; t++) reach[t] = -1;
        for (long k = 0; k <= iterations; k++) {
            int train = k < iterations;
#pragma omp simd
            for (long t = lo; t < hi; t++) {
                double lr = rate[t];
                double w[N_PARAMS];
                UNROLL
                for (int p = 0; p < N_PARAMS; p++) w[p] = W[p * n + t];
                double err_sum = 0.0, loss_sum = 0.0;
                double acc[N_PARAMS];
                UNROLL
                for (int p = 0; p < N_PARAMS; p++) acc[p] = 0.0;
                UNROLL
                for (int i = 0; i < N_SAMPLES; i++) {
                    const double *x = X + i * N_IN;
#if N_HID > 0
                    double a1[N_HID], d1[N_HID];
                    UNROLL
                    for (int j = 0; j < N_HID; j++) {
                        double z = x[0] * w[j];
                        UNROLL
                        for (int m = 1; m < N_IN; m++) z += x[m] * w[m * N_HID + j];
                        if (BIAS) z += w[N_W + j];
                        a1[j] = sigmoid(z);
                    }
                    double z = a1[0] * w[N_IN * N_HID];
                    UNROLL
                    for (int m = 1; m < N_HID; m++) z += a1[m] * w[N_IN * N_HID + m];
                    if (BIAS) z += w[N_W + N_HID];
                    double a = sigmoid(z);
#else
                    double z = x[0] * w[0];
                    UNROLL
                    for (int m = 1; m < N_IN; m++) z += x[m] * w[m];
                    if (BIAS) z += w[N_W];
                    double a = sigmoid(z);
#endif
                    double e = y[i] - a;
                    loss_sum += e * e;
                    err_sum += fabs(e);
                    double d = e * (a * (1.0 - a));
#if N_HID > 0
                    UNROLL
                    for (int m = 0; m < N_HID; m++) {
                        d1[m] = (d * w[N_IN * N_HID + m]) * (a1[m] * (1.0 - a1[m]));
                        acc[N_IN * N_HID + m] += a1[m] * d;
                    }
                    if (BIAS) acc[N_W + N_HID] += d;
                    UNROLL
                    for (int m = 0; m < N_IN; m++)
                        UNROLL
                        for (int j = 0; j < N_HID; j++) acc[m * N_HID + j] += x[m] * d1[j];
                    if (BIAS)
                        UNROLL
                        for (int j = 0; j < N_HID; j++) acc[N_W + j] += d1[j];
#else
                    UNROLL
                    for (int m = 0; m < N_IN; m++) acc[m] += x[m] * d;
                    if (BIAS) acc[N_W] += d;
#endif
                }
                double l = 0.5 * loss_sum;
                int64_t good = (fabs(l) < INFINITY) & train;
                UNROLL
                for (int p = 0; p < N_PARAMS; p++) {
                    double g = -acc[p];
                    double upd = -(lr * g);
                    W[p * n + t] = pick(good, w[p] + upd, w[p]);
                }
                err[t] = err_sum;
                loss[t] = l;
                int64_t r = reach[t];
                int64_t now = -(int64_t)((r < 0) & (err_sum <= target));
                reach[t] = (k & now) | (r & ~now);
            }
        }
    }
}
