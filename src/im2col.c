/*
 * The im2col records of the fp32 and int8 igemm drivers (src/im2col.h).
 * Portable, compiled without ISA flags: the copy is loads and stores of
 * 16-byte pieces, which every target has.
 */
#include "im2col.h"

#include <string.h>

#include "padding.h"

void sc_im2col_init(sc_im2col *c, const sc_problem *p, const sc_shape *s,
                    size_t esize, const ptrdiff_t *rowtab,
                    const ptrdiff_t *coltab, const void *zero,
                    size_t kc_bytes) {
  /* The outputs [lo, hi) whose S taps all read real columns, unmapped
   * (dilation_w 1). */
  size_t lo, hi;
  sc_pad_interior(s->W, s->OW, p->S, p->stride_w, 1, p->pad_left, &lo, &hi);
  *c = (sc_im2col){.p = p,
                   .rowtab = rowtab,
                   .coltab = coltab,
                   .zero = zero,
                   .esize = esize,
                   .img_bytes = s->H * s->W * p->C * esize,
                   .OW = s->OW,
                   .stride = sc_im2col_stride(kc_bytes),
                   .ow_lo = lo,
                   .ow_hi = hi};
}

/* The bytes of one kernel row, span bytes at s, for m pixels (sstep bytes
 * apart in the image, dstep apart in the buffer), in 16-byte pieces: up
 * to 15 bytes past each span are read (the caller checks that they lie in
 * the image) and written (the next kernel row's bytes, written after
 * these, or the record's slack). Pixel-inner: a load and a store per
 * piece. */
static void im2col_spans(unsigned char *d, size_t dstep,
                         const unsigned char *s, size_t sstep, size_t span,
                         size_t m) {
  for (size_t o = 0; o < span; o += 16)
    for (size_t i = 0; i < m; i++)
      memcpy(d + i * dstep + o, s + i * sstep + o, 16);
}

/* The span of pixel ow tap by tap (border pixels, and those whose pieces
 * would read past the image): each tap's C elements from its mapped
 * column of row x, or the zero row. Exact, no overrun. */
static void im2col_taps(const sc_im2col *c, const unsigned char *x,
                        size_t ow, unsigned char *d) {
  const size_t S = c->p->S, e = c->esize, tap = c->p->C * e;
  for (size_t q = 0; q < S; q++, d += tap) {
    const ptrdiff_t col = c->coltab[ow * S + q];
    memcpy(d, col >= 0 ? x + (size_t)col * e : c->zero, tap);
  }
}

/* Kernel row r of pixels [ow, ow + m) of output row oh, into the records
 * at d (c->stride apart): the interior (every tap a real column of the
 * row, [ow_lo, ow_hi)) in pieces as far as they stay in the image, the
 * rest tap by tap; a zero-padding row from the zero row. */
static void im2col_row(const sc_im2col *c, const unsigned char *img,
                       size_t oh, size_t r, size_t ow, size_t m,
                       unsigned char *d) {
  const sc_problem *p = c->p;
  const size_t e = c->esize, tap = p->C * e, span = p->S * tap;
  const size_t ks = c->stride, step = p->stride_w * tap, end = ow + m;
  const ptrdiff_t row = c->rowtab[oh * p->R + r];
  if (row < 0) { /* zero-padding row: the zero row holds span + 15 */
    im2col_spans(d, ks, c->zero, 0, span, m);
    return;
  }
  const unsigned char *x = img + (size_t)row * e;
  /* Pieces of pixel i read up to (i*sw - pl)*C + round_up(span, 16) bytes
   * past the row: the interior pixels for which that is in the image. */
  const ptrdiff_t room = (ptrdiff_t)c->img_bytes - row * (ptrdiff_t)e -
                         (ptrdiff_t)sc_round_up(span, 16) +
                         (ptrdiff_t)(p->pad_left * tap);
  size_t hi = room < 0 ? 0 : (size_t)room / step + 1;
  hi = hi < c->ow_hi ? hi : c->ow_hi;
  hi = hi < end ? hi : end;
  hi = hi > ow ? hi : ow;
  size_t lo = c->ow_lo > ow ? c->ow_lo : ow;
  lo = lo < hi ? lo : hi; /* ow <= lo <= hi <= end */
  for (size_t i = ow; i < lo; i++)
    im2col_taps(c, x, i, d + (i - ow) * ks);
  if (hi > lo) /* (coltab has no entry at lo = OW) */
    im2col_spans(d + (lo - ow) * ks, ks,
                 x + (size_t)c->coltab[lo * p->S] * e, step, span, hi - lo);
  for (size_t i = hi; i < end; i++)
    im2col_taps(c, x, i, d + (i - ow) * ks);
}

void sc_im2col_tile(const sc_im2col *c, const void *img, size_t pix,
                    size_t n, void *buf) {
  const size_t span = c->p->S * c->p->C * c->esize;
  unsigned char *d = buf;
  while (n > 0) {
    const size_t oh = pix / c->OW, ow = pix % c->OW;
    const size_t m = c->OW - ow < n ? c->OW - ow : n;
    for (size_t r = 0; r < c->p->R; r++)
      im2col_row(c, img, oh, r, ow, m, d + r * span);
    pix += m;
    n -= m;
    d += m * c->stride;
  }
}

void sc_im2col_tiles(const sc_im2col *c, const void *img, size_t p0,
                     size_t np, size_t mr, sc_im2col_tile_fn tile,
                     void *arg) {
  unsigned char buf[SC_IM2COL_BUF] __attribute__((aligned(64)));
  const size_t ks = c->stride, chunk = (SC_IM2COL_BUF / (mr * ks)) * mr;
  memset(buf, 0, (chunk < np ? chunk : np) * ks);
  for (size_t c0 = p0; c0 < p0 + np; c0 += chunk) {
    const size_t cn = p0 + np - c0 < chunk ? p0 + np - c0 : chunk;
    sc_im2col_tile(c, img, c0, cn, buf);
    for (size_t pix = c0; pix < c0 + cn; pix += mr)
      tile(arg, pix, c0 + cn - pix < mr ? c0 + cn - pix : mr,
           buf + (pix - c0) * ks);
  }
}
