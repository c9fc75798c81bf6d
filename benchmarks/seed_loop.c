/* The seed's training loop as plain C: one sigmoid layer, half squared error,
 * full-batch gradient descent, recording the loss and error sum of every
 * iteration. The practical speed limit the compiled kernel is compared with.
 *
 * Build: gcc -O2 -shared -fPIC seed_loop.c -o seed_loop.so -lm
 * Called from benchmarks/run.py through ctypes.
 */
#include <math.h>

long seed_loop(const double *X, const double *y, long n_samples, long n_in,
               double *W, double learning_rate, long iterations,
               double *loss_hist, double *err_hist)
{
    double a[64], delta[64];
    if (n_samples > 64) return -1;
    for (long k = 0; k < iterations; k++) {
        double loss = 0.0, err = 0.0;
        for (long i = 0; i < n_samples; i++) {
            double z = 0.0;
            for (long m = 0; m < n_in; m++) z += X[i * n_in + m] * W[m];
            a[i] = 1.0 / (1.0 + exp(-z));
            double e = y[i] - a[i];
            loss += e * e;
            err += fabs(e);
            delta[i] = e * (a[i] * (1.0 - a[i]));
        }
        loss_hist[k] = 0.5 * loss;
        err_hist[k] = err;
        for (long m = 0; m < n_in; m++) {
            double g = 0.0;
            for (long i = 0; i < n_samples; i++) g += X[i * n_in + m] * delta[i];
            W[m] += learning_rate * g;
        }
    }
    return iterations;
}
