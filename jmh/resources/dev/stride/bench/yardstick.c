/*
 * The benchmarks' C yardstick (dev.stride.bench.Yardstick compiles and calls it): the loops a C
 * programmer would write for the memory-only pattern and for PyTorch's Adam, AdamW and SGD with
 * momentum, over the same buffers as Stride's step. Built with -O3 -march=native -fno-math-errno
 * and, where the compiler has it, -fopenmp: on more than one thread each thread takes an equal
 * share (whole cache lines), as OpenMP's static schedule does.
 */
#include <math.h>
#include <stddef.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* 1 if built with OpenMP: without it, every call runs on the calling thread alone. */
int yardstick_openmp(void) {
#ifdef _OPENMP
  return 1;
#else
  return 0;
#endif
}

typedef void (*range_fn)(const void *args, long from, long to);

/* f over [0, n) on `threads` threads: one parallel region, equal shares of whole cache lines. */
static void run(range_fn f, const void *args, long n, int threads) {
#ifdef _OPENMP
  if (threads > 1) {
#pragma omp parallel num_threads(threads)
    {
      int t = omp_get_thread_num();
      int count = omp_get_num_threads();
      long per = (n / count + 15) & ~15L;
      long from = t * per < n ? t * per : n;
      long to = t == count - 1 ? n : (from + per < n ? from + per : n);
      f(args, from, to);
    }
    return;
  }
#endif
  (void) threads;
  f(args, 0, n);
}

/*
 * The memory-only pattern with k state buffers, as the Java MemoryLimit: reads p, g and the k
 * buffers, writes the k buffers, then p; additions only, 4 * (2k + 3) bytes per element.
 */
struct memory {
  float *p;
  const float *g;
  float *s[4];
  int k;
};

static inline __attribute__((always_inline)) void memory_k(const struct memory *a, int k,
                                                            long from, long to) {
  float *restrict p = a->p;
  const float *restrict g = a->g;
  float *restrict s0 = a->s[0], *restrict s1 = a->s[1], *restrict s2 = a->s[2],
                *restrict s3 = a->s[3];
  for (long i = from; i < to; i++) {
    float gi = g[i];
    float pi = p[i] + gi;
    if (k > 0) { float s = s0[i] + gi; s0[i] = s; pi += s; }
    if (k > 1) { float s = s1[i] + gi; s1[i] = s; pi -= s; }
    if (k > 2) { float s = s2[i] + gi; s2[i] = s; pi += s; }
    if (k > 3) { float s = s3[i] + gi; s3[i] = s; pi -= s; }
    p[i] = pi;
  }
}

static void memory_range(const void *args, long from, long to) {
  const struct memory *a = args;
  switch (a->k) { /* one loop per count, each with its own streams */
    case 0: memory_k(a, 0, from, to); break;
    case 1: memory_k(a, 1, from, to); break;
    case 2: memory_k(a, 2, from, to); break;
    case 3: memory_k(a, 3, from, to); break;
    default: memory_k(a, 4, from, to); break;
  }
}

void yardstick_memory(int k, float *p, const float *g, float *s0, float *s1, float *s2, float *s3,
                      long n, int threads) {
  struct memory a = {p, g, {s0, s1, s2, s3}, k};
  run(memory_range, &a, n, threads);
}

/*
 * PyTorch's Adam (weight decay as an L2 term) or AdamW (decoupled), its single-tensor form:
 * m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g*g; denom = sqrt(v)/sqrt(bc2) + eps;
 * p -= lr/bc1 * m / denom: one square root and two divisions per element.
 */
struct adam {
  float *p;
  const float *g;
  float *m, *v;
  float beta1, beta2, eps, weight_decay, decay, step_size, bias_correction2_sqrt;
  int decoupled;
};

static void adam_range(const void *args, long from, long to) {
  const struct adam *a = args;
  float *restrict p = a->p;
  const float *restrict g = a->g;
  float *restrict m = a->m, *restrict v = a->v;
  const float beta1 = a->beta1, beta2 = a->beta2, eps = a->eps, wd = a->weight_decay;
  const float decay = a->decay, step_size = a->step_size, bc2 = a->bias_correction2_sqrt;
  if (a->decoupled) {
    for (long i = from; i < to; i++) {
      float grad = g[i];
      p[i] *= decay;
      m[i] = beta1 * m[i] + (1 - beta1) * grad;
      v[i] = beta2 * v[i] + (1 - beta2) * grad * grad;
      float denom = sqrtf(v[i]) / bc2 + eps;
      p[i] -= step_size * m[i] / denom;
    }
  } else {
    for (long i = from; i < to; i++) {
      float grad = g[i] + wd * p[i];
      m[i] = beta1 * m[i] + (1 - beta1) * grad;
      v[i] = beta2 * v[i] + (1 - beta2) * grad * grad;
      float denom = sqrtf(v[i]) / bc2 + eps;
      p[i] -= step_size * m[i] / denom;
    }
  }
}

void yardstick_adam(float *p, const float *g, float *m, float *v, long n, long step, float lr,
                    float beta1, float beta2, float eps, float weight_decay, int decoupled,
                    int threads) {
  struct adam a = {p, g, m, v, beta1, beta2, eps, decoupled ? 0 : weight_decay,
                   1 - lr * weight_decay, lr / (float) (1 - pow(beta1, (double) step)),
                   (float) sqrt(1 - pow(beta2, (double) step)), decoupled};
  run(adam_range, &a, n, threads);
}

/* PyTorch's SGD with momentum: b = momentum*b + (1-dampening)*g; p -= lr*b. */
struct sgd_momentum {
  float *p;
  const float *g;
  float *b;
  float lr, momentum, dampening;
};

static void sgd_momentum_range(const void *args, long from, long to) {
  const struct sgd_momentum *a = args;
  float *restrict p = a->p;
  const float *restrict g = a->g;
  float *restrict b = a->b;
  const float lr = a->lr, momentum = a->momentum, dampening = a->dampening;
  for (long i = from; i < to; i++) {
    b[i] = momentum * b[i] + (1 - dampening) * g[i];
    p[i] -= lr * b[i];
  }
}

void yardstick_sgd_momentum(float *p, const float *g, float *b, long n, float lr, float momentum,
                            float dampening, int threads) {
  struct sgd_momentum a = {p, g, b, lr, momentum, dampening};
  run(sgd_momentum_range, &a, n, threads);
}
