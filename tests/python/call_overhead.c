/* The C side of the Python call-overhead measurement (overhead.py): a 1x1
 * convolution with 8 input and 8 output channels on one 8x8 NCHW image,
 * the smallest layer anyone would time.
 *
 *   call_overhead [BLOCKS [CALLS]]      (default 30 blocks of 200 calls)
 *
 * Prints one line per block: the mean time per call, in microseconds, of
 * simdconv_run() on a prepacked object and of create + run + destroy, the
 * work behind simdconv.Conv2d.__call__ and simdconv.conv2d(). overhead.py
 * runs it in rounds between its own blocks, so that C and Python see the
 * same machine load, and takes the medians. */
#include <simdconv.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { C = 8, K = 8, H = 8, W = 8 };

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec * 1e-3;
}

static float x[C * H * W], w[K * C], b[K], y[K * H * W];

static int oneshot(const simdconv_desc *d) {
  simdconv_conv *conv;
  if (simdconv_create(d, w, b, NULL, &conv) != SIMDCONV_OK)
    return 1;
  simdconv_status st = simdconv_run(conv, 1, H, W, x, y, NULL, 0, NULL);
  simdconv_destroy(conv);
  return st != SIMDCONV_OK;
}

int main(int argc, char **argv) {
  int blocks = argc > 1 ? atoi(argv[1]) : 30;
  int calls = argc > 2 ? atoi(argv[2]) : 200;
  if (blocks < 1 || calls < 1)
    return 2;
  for (int i = 0; i < C * H * W; i++)
    x[i] = (float)(i % 7) - 3.0f;
  for (int i = 0; i < K * C; i++)
    w[i] = (float)(i % 5) - 2.0f;
  simdconv_desc d;
  simdconv_desc_init(&d, C, K, 1, 1);
  simdconv_conv *conv;
  if (simdconv_create(&d, w, b, NULL, &conv) != SIMDCONV_OK)
    return 1;
  int bad = 0;
  for (int k = 0; k < blocks; k++) {
    double t0 = now_us();
    for (int i = 0; i < calls; i++)
      bad |= simdconv_run(conv, 1, H, W, x, y, NULL, 0, NULL) != SIMDCONV_OK;
    double t1 = now_us();
    for (int i = 0; i < calls; i++)
      bad |= oneshot(&d);
    double t2 = now_us();
    printf("%.4f %.4f\n", (t1 - t0) / calls, (t2 - t1) / calls);
  }
  simdconv_destroy(conv);
  return bad;
}
