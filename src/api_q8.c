/*
 * The int8 object API: simdconv_create_q8 (validate, plan, pack the weights
 * with the zero-point compensation and the multipliers) and
 * simdconv_run_q8. The object, its planner, allocator and run are the fp32
 * path's (src/object.h); only the problem's dtype and the packing differ.
 */
#include <stdint.h>
#include <string.h>

#include "object.h"
#include "problem.h"
#include "q8.h"
#include "tasks.h"

/* Canonical weights and multipliers in one temporary allocation, the
 * per-channel overflow rule, then the kernel's packing. */
static simdconv_status q8_pack(simdconv_conv *conv, const simdconv_desc *d,
                               const simdconv_qparams *q,
                               const int8_t *weights, const int32_t *bias) {
  const sc_problem *p = &conv->problem;
  const size_t dims[] = {p->K, p->R, p->S, p->Cg};
  size_t w_bytes, tmp_bytes;
  if (!sc_product_ok(dims, 4, &w_bytes) ||
      __builtin_add_overflow(w_bytes, SC_ALIGNMENT, &tmp_bytes) ||
      __builtin_add_overflow(tmp_bytes, p->K * sizeof(float), &tmp_bytes))
    return SIMDCONV_ERR_SIZE_OVERFLOW;
  float *mult = sc_object_alloc(conv, tmp_bytes);
  if (mult == NULL)
    return SIMDCONV_ERR_OUT_OF_MEMORY;
  int8_t *krsc = (int8_t *)mult + sc_round_up(p->K * sizeof(float), SC_ALIGNMENT);
  sc_canonical_weights(d, p, weights, krsc, 1);
  sc_problem again;
  (void)sc_q8_problem_init(d, q, &again, mult); /* validated: the same */
  simdconv_status st = SIMDCONV_OK;
  conv->packed_bytes = conv->kernel->packed_size(conv->kernel, p);
  if (!sc_q8_sums_fit(p, krsc, bias))
    st = SIMDCONV_ERR_ACCUMULATOR_OVERFLOW;
  else if (conv->packed_bytes == SIZE_MAX)
    st = SIMDCONV_ERR_SIZE_OVERFLOW;
  else if ((conv->packed = sc_object_alloc(conv, conv->packed_bytes)) == NULL)
    st = SIMDCONV_ERR_OUT_OF_MEMORY;
  else
    conv->kernel->pack_q8(conv->kernel, p, krsc, bias, mult, conv->packed);
  sc_object_free(conv, mult);
  return st;
}

simdconv_status simdconv_create_q8(const simdconv_desc *desc,
                                   const simdconv_qparams *qparams,
                                   const int8_t *weights, const int32_t *bias,
                                   const simdconv_options *options,
                                   simdconv_conv **conv_out) {
  if (conv_out == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  *conv_out = NULL;
  if (desc == NULL || weights == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  /* int8 weights are bytes; the int32 bias must be aligned for int32
   * (qparams.weight_scales for float: sc_q8_problem_init). */
  if (!sc_ptr_aligned(bias, _Alignof(int32_t)))
    return SIMDCONV_ERR_MISALIGNED;
  sc_problem problem;
  simdconv_conv *conv = NULL;
  simdconv_status st = sc_q8_problem_init(desc, qparams, &problem, NULL);
  problem.has_bias = bias != NULL;
  if (st == SIMDCONV_OK)
    st = sc_object_new(&problem, options, &conv);
  if (st == SIMDCONV_OK)
    st = q8_pack(conv, desc, qparams, weights, bias);
  return sc_object_publish(conv, st, conv_out);
}

simdconv_status simdconv_run_q8(const simdconv_conv *conv, size_t batch,
                                size_t in_h, size_t in_w, const void *input,
                                void *output, void *workspace,
                                size_t workspace_size, pthreadpool_t pool) {
  if (conv == NULL || input == NULL || output == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  if (conv->problem.dtype != SC_DTYPE_Q8)
    return SIMDCONV_ERR_DTYPE_MISMATCH;
  return sc_object_run(conv, batch, in_h, in_w, input, NULL, 1.0f, output,
                       workspace, workspace_size, pool);
}
