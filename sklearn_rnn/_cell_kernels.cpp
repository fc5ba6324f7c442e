// The GRU's step loops for sklearn_rnn._cells, built on first use with
// torch.utils.cpp_extension.load (a C++ compiler and ninja are needed; the
// package falls back to the same loops in torch operations without them).
//
// Per step, one GEMM (h @ W_hh^T) goes to ATen; the gates' elementwise maths
// runs as plain loops and two vectorised activations instead of a dozen
// tensor operations, which at the package's usual sizes (batch 64, hidden
// 32) cost more than the GEMM itself. Input projections are one GEMM per
// block of steps; weight gradients of all steps are single GEMMs done in
// Python after the backward loop. Layout: time-major, gates in torch's order
// (r, z, n), and n = tanh(x_n + b_in + r * (h W_hn^T + b_hn)) as in nn.GRU.

#include <ATen/Dispatch.h>
#include <ATen/core/Tensor.h>
#include <ATen/ops/addmm.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/zeros.h>
#include <torch/library.h>

#include <algorithm>
#include <optional>
#include <tuple>

namespace {

// The forward loop. x: (T, B, I) time-major input, contiguous. Step t's
// output goes to out[t], or, with `last` defined, to out[t % 2] (two steps
// kept, the one before feeding the next), and each sequence's output at its
// last step (`lengths[b] - 1`; T - 1 without `lengths`) is copied to
// last[b]. With `save`, rz, n and ghn get every step's activations (see
// gru_forward); otherwise they are one step's scratch space.
void gru_loop(const at::Tensor& x, const at::Tensor& w_ih,
              const at::Tensor& b_ih, const at::Tensor& w_hh,
              const at::Tensor& b_hh, bool save, const at::Tensor& out,
              const at::Tensor& rz, const at::Tensor& n, const at::Tensor& ghn,
              const int64_t* lengths, const at::Tensor& last) {
  const int64_t T = x.size(0), B = x.size(1), I = x.size(2), H = w_hh.size(1);
  const bool ring = last.defined();
  const auto opts = x.options();
  auto gh = at::empty({B, 3 * H}, opts);
  const auto h0 = at::zeros({B, H}, opts);
  const auto w_ih_t = w_ih.t();
  const auto w_hh_t = w_hh.t();
  // Input projections of a block of steps at a time: one GEMM per block,
  // and a block small enough to stay in cache (large prediction batches
  // would otherwise hold every step's projections at once). One buffer
  // serves every block: a fresh array per block, freed before the next,
  // would be split by the loop's small allocations, and the heap would grow
  // by a block's projections again and again.
  const int64_t block =
      std::min(T, std::max<int64_t>(1, (int64_t(1) << 16) / (B * 3 * H)));
  auto gx = at::empty({block * B, 3 * H}, opts);
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "gru_forward", [&] {
    for (int64_t t = 0; t < T; ++t) {
      if (t % block == 0) {
        const int64_t steps = std::min(block, T - t);
        auto gx_block = gx.narrow(0, 0, steps * B);
        at::addmm_out(gx_block, b_ih,
                      x.narrow(0, t, steps).reshape({steps * B, I}), w_ih_t);
      }
      const int64_t slot = ring ? t % 2 : t;
      const auto h_prev = t == 0 ? h0 : out[ring ? (t - 1) % 2 : t - 1];
      at::addmm_out(gh, b_hh, h_prev, w_hh_t);
      const int64_t s = save ? t : 0;
      const scalar_t* gx_t = gx.data_ptr<scalar_t>() + (t % block) * B * 3 * H;
      const scalar_t* gh_p = gh.data_ptr<scalar_t>();
      const scalar_t* hp = h_prev.data_ptr<scalar_t>();
      scalar_t* o = out.data_ptr<scalar_t>() + slot * B * H;
      scalar_t* rz_t = rz.data_ptr<scalar_t>() + s * B * 2 * H;
      scalar_t* n_t = n.data_ptr<scalar_t>() + s * B * H;
      scalar_t* ghn_t = ghn.data_ptr<scalar_t>() + s * B * H;
      // Transcendentals go to ATen's vectorised sigmoid (a scalar std::exp
      // per element is several times slower, and ATen's tanh several times
      // slower than its sigmoid: tanh(a) = 2 sigmoid(2a) - 1 instead); the
      // rest are plain loops.
      for (int64_t b = 0; b < B; ++b) {
        for (int64_t j = 0; j < 2 * H; ++j) {
          rz_t[b * 2 * H + j] = gx_t[b * 3 * H + j] + gh_p[b * 3 * H + j];
        }
      }
      rz[s].sigmoid_();
      for (int64_t b = 0; b < B; ++b) {
        for (int64_t j = 0; j < H; ++j) {
          const int64_t g = b * 3 * H + 2 * H + j, k = b * H + j;
          ghn_t[k] = gh_p[g];
          n_t[k] = 2 * (gx_t[g] + rz_t[b * 2 * H + j] * gh_p[g]);
        }
      }
      n[s].sigmoid_();
      for (int64_t b = 0; b < B; ++b) {
        for (int64_t j = 0; j < H; ++j) {
          const int64_t k = b * H + j;
          const scalar_t z = rz_t[b * 2 * H + H + j];
          const scalar_t nv = 2 * n_t[k] - 1;
          n_t[k] = nv;
          o[k] = nv + z * (hp[k] - nv);
        }
      }
      if (ring) {
        scalar_t* l = last.data_ptr<scalar_t>();
        for (int64_t b = 0; b < B; ++b) {
          if ((lengths ? lengths[b] : T) - 1 == t) {
            std::copy(o + b * H, o + (b + 1) * H, l + b * H);
          }
        }
      }
    }
  });
}

// x: (T, B, I) time-major input. Returns the outputs (T, B, H) and, with
// `save`, what the backward pass needs: r and z (T, B, 2H), n (T, B, H) and
// the recurrent part of n's pre-activation, h W_hn^T + b_hn (T, B, H);
// without it (inference) those three are one step's scratch space.
std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor> gru_forward(
    const at::Tensor& x_in, const at::Tensor& w_ih, const at::Tensor& b_ih,
    const at::Tensor& w_hh, const at::Tensor& b_hh, bool save) {
  const auto x = x_in.contiguous();
  const int64_t T = x.size(0), B = x.size(1), H = w_hh.size(1);
  const int64_t S = save ? T : 1;  // steps of saved activations
  const auto opts = x.options();
  auto out = at::empty({T, B, H}, opts);
  auto rz = at::empty({S, B, 2 * H}, opts);
  auto n = at::empty({S, B, H}, opts);
  auto ghn = at::empty({S, B, H}, opts);
  gru_loop(x, w_ih, b_ih, w_hh, b_hh, save, out, rz, n, ghn, nullptr,
           at::Tensor());
  return {out, rz, n, ghn};
}

// Inference when only each sequence's output at its last step is read:
// the outputs of gru_forward(x, ..., false) at steps lengths - 1 (int64,
// each in 1 ... T; undefined: every sequence's last step), (B, H), the
// same values, while the loop keeps two steps' outputs rather than T.
at::Tensor gru_last(const at::Tensor& x_in, const at::Tensor& w_ih,
                    const at::Tensor& b_ih, const at::Tensor& w_hh,
                    const at::Tensor& b_hh,
                    const std::optional<at::Tensor>& lengths_in) {
  const auto x = x_in.contiguous();
  const int64_t T = x.size(0), B = x.size(1), H = w_hh.size(1);
  at::Tensor lengths;
  if (lengths_in.has_value() && lengths_in->defined()) {
    lengths = lengths_in->to(at::kLong).contiguous();
    TORCH_CHECK(lengths.dim() == 1 && lengths.size(0) == B,
                "gru_last: lengths must have one value per sequence");
    TORCH_CHECK(B == 0 || (lengths.min().item<int64_t>() >= 1 &&
                           lengths.max().item<int64_t>() <= T),
                "gru_last: lengths must lie in 1 ... the number of steps");
  }
  const auto opts = x.options();
  auto out = at::empty({std::min<int64_t>(T, 2), B, H}, opts);
  auto rz = at::empty({1, B, 2 * H}, opts);
  auto n = at::empty({1, B, H}, opts);
  auto ghn = at::empty({1, B, H}, opts);
  auto last = at::empty({B, H}, opts);
  gru_loop(x, w_ih, b_ih, w_hh, b_hh, false, out, rz, n, ghn,
           lengths.defined() ? lengths.data_ptr<int64_t>() : nullptr, last);
  return last;
}

// Backward through time. dout: (T, B, H) gradient of the outputs. Returns
// the gradients of the recurrent projections dgh (T, B, 3H) and n's slot of
// the input projections' gradients (T, B, H; their r and z slots are dgh's);
// the caller turns them into weight, bias and input gradients with one GEMM
// each.
std::tuple<at::Tensor, at::Tensor> gru_backward(
    const at::Tensor& dout_in, const at::Tensor& w_hh, const at::Tensor& out,
    const at::Tensor& rz, const at::Tensor& n, const at::Tensor& ghn) {
  const auto dout = dout_in.contiguous();
  const int64_t T = out.size(0), B = out.size(1), H = out.size(2);
  const auto opts = out.options();
  // The input projections' gradients equal the recurrent ones but for n's
  // slot (dan rather than dan * r): only that slot is kept apart.
  auto dan_all = at::empty({T, B, H}, opts);
  auto dgh = at::empty({T, B, 3 * H}, opts);
  auto dh_next = at::zeros({B, H}, opts);
  auto carry = at::empty({B, H}, opts);
  AT_DISPATCH_FLOATING_TYPES(out.scalar_type(), "gru_backward", [&] {
    for (int64_t t = T - 1; t >= 0; --t) {
      const scalar_t* do_t = dout.data_ptr<scalar_t>() + t * B * H;
      const scalar_t* hp =
          t > 0 ? out.data_ptr<scalar_t>() + (t - 1) * B * H : nullptr;
      const scalar_t* rz_t = rz.data_ptr<scalar_t>() + t * B * 2 * H;
      const scalar_t* n_t = n.data_ptr<scalar_t>() + t * B * H;
      const scalar_t* ghn_t = ghn.data_ptr<scalar_t>() + t * B * H;
      const scalar_t* dn_p = dh_next.data_ptr<scalar_t>();
      scalar_t* dan_t = dan_all.data_ptr<scalar_t>() + t * B * H;
      scalar_t* dgh_t = dgh.data_ptr<scalar_t>() + t * B * 3 * H;
      scalar_t* c = carry.data_ptr<scalar_t>();
      for (int64_t b = 0; b < B; ++b) {
        for (int64_t j = 0; j < H; ++j) {
          const int64_t g = b * 3 * H + j, k = b * H + j;
          const scalar_t r = rz_t[b * 2 * H + j];
          const scalar_t z = rz_t[b * 2 * H + H + j];
          const scalar_t nv = n_t[k];
          const scalar_t h_prev = hp ? hp[k] : scalar_t(0);
          const scalar_t dh = do_t[k] + dn_p[k];
          const scalar_t dan = dh * (scalar_t(1) - z) * (scalar_t(1) - nv * nv);
          const scalar_t daz = dh * (h_prev - nv) * z * (scalar_t(1) - z);
          const scalar_t dar = dan * ghn_t[k] * r * (scalar_t(1) - r);
          dan_t[k] = dan;
          dgh_t[g] = dar;
          dgh_t[g + H] = daz;
          dgh_t[g + 2 * H] = dan * r;
          c[k] = dh * z;
        }
      }
      if (t > 0) {
        at::addmm_out(dh_next, carry, dgh[t], w_hh);
      }
    }
  });
  return {dgh, dan_all};
}

}  // namespace

TORCH_LIBRARY(sklearn_rnn_cells, m) {
  m.def("gru_forward(Tensor x, Tensor w_ih, Tensor b_ih, Tensor w_hh, "
        "Tensor b_hh, bool save) -> (Tensor, Tensor, Tensor, Tensor)");
  m.def("gru_last(Tensor x, Tensor w_ih, Tensor b_ih, Tensor w_hh, "
        "Tensor b_hh, Tensor? lengths) -> Tensor");
  m.def("gru_backward(Tensor dout, Tensor w_hh, Tensor out, Tensor rz, "
        "Tensor n, Tensor ghn) -> (Tensor, Tensor)");
}

TORCH_LIBRARY_IMPL(sklearn_rnn_cells, CPU, m) {
  m.impl("gru_forward", gru_forward);
  m.impl("gru_last", gru_last);
  m.impl("gru_backward", gru_backward);
}
