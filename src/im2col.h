/*
 * The "im2col" records of few-channel layers (stems), shared by the fp32
 * and int8 igemm drivers (src/igemm.c, src/q8_igemm.c): the whole reduction
 * of an output pixel, R*S*C elements in (kernel row, kernel column,
 * channel) order, copied into a record of a task's stack buffer, so that
 * the micro-kernel runs it as one tap. For C of 1 to 4, a tap per kernel
 * position or row costs as much in pointers and loop as its products; one
 * tap has neither, and needs no indirection buffer or padded image copy.
 *
 * A record is built kernel row by kernel row (a row's S taps are S*C
 * consecutive elements of the NHWC image when dilation_w is 1): interior
 * pixels in 16-byte pieces, border pixels tap by tap through the row and
 * column tables (where the padding modes are mapped), zero-padding rows
 * from the zero row. Element size is a parameter: the copy moves bytes.
 */
#ifndef SIMDCONV_IM2COL_H
#define SIMDCONV_IM2COL_H

#include <stddef.h>

#include "conv_internal.h"
#include "tasks.h"

/* Bytes past a record's span that the 16-byte pieces write, and past a
 * row of the image (or the zero row) they may read: at most 15. */
#define SC_IM2COL_SLACK 16

/* What the copy of a layer's records needs (sc_im2col_init). */
typedef struct sc_im2col {
  const sc_problem *p;
  const ptrdiff_t *rowtab; /* [OH][R] element offsets, -1: zero padding */
  const ptrdiff_t *coltab; /* [OW][S] element offsets, -1: zero padding */
  /* The zero row: at least S*C elements + SC_IM2COL_SLACK bytes. */
  const void *zero;
  size_t esize;     /* bytes per element */
  size_t img_bytes; /* bytes of one image: no piece reads past them */
  size_t OW;
  size_t stride;       /* bytes between records: sc_im2col_stride() */
  size_t ow_lo, ow_hi; /* outputs whose S taps read real columns, unmapped */
} sc_im2col;

/* Bytes between records of kc_bytes: the slack for the last kernel row's
 * pieces, 16-byte aligned (a piece overrunning into the next record cost
 * a failed store forward per read). */
static inline size_t sc_im2col_stride(size_t kc_bytes) {
  return sc_round_up(kc_bytes + SC_IM2COL_SLACK - 1, 16);
}

/* The copy's description for problem p, shape s: tables of element
 * offsets in the image (rowtab ih * W*C, coltab iw * C, as the drivers
 * build them for mapped padding), elements of esize bytes, records of
 * kc_bytes. */
void sc_im2col_init(sc_im2col *c, const sc_problem *p, const sc_shape *s,
                    size_t esize, const ptrdiff_t *rowtab,
                    const ptrdiff_t *coltab, const void *zero,
                    size_t kc_bytes);

/* The records of output pixels [pix, pix + n) of image img into buf,
 * c->stride bytes apart. Writes up to SC_IM2COL_SLACK - 1 bytes past each
 * record's R*S*C elements (within its stride); reads only the image and
 * the zero row. */
void sc_im2col_tile(const sc_im2col *c, const void *img, size_t pix,
                    size_t n, void *buf);

/* The stack buffer of sc_im2col_tiles: chunks of tiles' records. A tile
 * of records fits (MR <= 8 records of at most 2 KiB, as the drivers'
 * plans bound them). */
#define SC_IM2COL_BUF 16384

/* Runs tile(arg, pix, rows, rec) on the tiles of MR pixels of [p0, p0 +
 * np) (p0 a multiple of MR), rec the record of pixel pix, those of the
 * next rows - 1 pixels c->stride bytes apart after it. The records are
 * copied a chunk of tiles at a time (up to SC_IM2COL_BUF bytes), then
 * the chunk's tiles run: a micro-kernel's loads of a record just copied
 * in overlapping 16-byte pieces would straddle two stores still in the
 * store buffer and wait for them (a failed store forward per 16 bytes of
 * a row: an int8 3x3 stem ran its copy as long as its arithmetic); the
 * rest of the chunk's copying gives the stores time to leave. The buffer
 * starts zeroed: slack or padding no piece reaches is 0, not undefined. */
typedef void (*sc_im2col_tile_fn)(void *arg, size_t pix, size_t rows,
                                  const unsigned char *rec);
void sc_im2col_tiles(const sc_im2col *c, const void *img, size_t p0,
                     size_t np, size_t mr, sc_im2col_tile_fn tile,
                     void *arg);

/* Tiles ahead whose output sc_im2col_prefetch_out() asks for. */
#define SC_IM2COL_OUT_AHEAD 8

/* Prefetches for writing the NHWC output (ch_stride 1; elements of esize
 * bytes, pixels ps elements apart) of channels [k0, k0 + nk) of the tile
 * SC_IM2COL_OUT_AHEAD tiles of mr after the one at pixel pix: layers of
 * little arithmetic per output element (a stem's 27 or 147 products)
 * otherwise wait on the misses of their stores, which the hardware fetches
 * no earlier than the store buffer drains. NCHW (a line per channel): not
 * worth it. (Past the output's end a prefetch does nothing.) */
static inline void sc_im2col_prefetch_out(const void *y, size_t esize,
                                          size_t pix, size_t mr, size_t ps,
                                          size_t ch_stride, size_t k0,
                                          size_t nk) {
  if (ch_stride != 1)
    return;
  const char *p =
      (const char *)y + ((pix + SC_IM2COL_OUT_AHEAD * mr) * ps + k0) * esize;
  const size_t bytes = ((mr - 1) * ps + nk) * esize;
  for (size_t o = 0; o < bytes; o += 64)
    __builtin_prefetch(p + o, 1);
}

#endif /* SIMDCONV_IM2COL_H */
