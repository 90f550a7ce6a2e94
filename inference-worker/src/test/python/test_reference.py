#!/usr/bin/python3
"""Checks reference.py against facts derivable by hand and against a second, loop-by-loop numpy forward pass.

Every test writes small random model / adapter directories in Hugging Face / PEFT layout into a temporary folder.
Run: /usr/bin/python3 -m unittest -v test_reference   (from this folder)
"""
import contextlib
import io
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference  # noqa: E402

PROJ = reference.PROJECTIONS

# ----------------------------------------------------------------------------------------------- fixtures


def to_bf16_bits(x):
    """float array -> uint16 bfloat16 bit patterns, round to nearest even."""
    u = np.asarray(x, dtype="<f4").view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype("<u2")


def stored(x, dtype):
    """The float64 value an array has after being stored as dtype."""
    if dtype == "BF16":
        return (to_bf16_bits(x).astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    return np.asarray(x).astype({"F32": "<f4", "F16": "<f2", "F64": "<f8"}[dtype]).astype(np.float64)


def write_safetensors(path, tensors, dtype="F32", reverse=False):
    """Writes {name: array} as one safetensors file; reverse lays the data out in the opposite order of the header."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    names = sorted(tensors, reverse=reverse)
    for name in names:
        a = np.asarray(tensors[name])
        if dtype == "BF16":
            raw = to_bf16_bits(a).tobytes()
        else:
            raw = a.astype({"F32": "<f4", "F16": "<f2", "F64": "<f8"}[dtype]).tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


BASE_CONFIG = {"hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 2, "num_attention_heads": 4,
               "num_key_value_heads": 2, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "vocab_size": 32,
               "tie_word_embeddings": False, "hidden_act": "silu"}
ARCH = {"llama": "LlamaForCausalLM", "qwen2": "Qwen2ForCausalLM", "mistral": "MistralForCausalLM"}


def random_weights(cfg, family, seed):
    """HF-named weights (float64 numpy) for config cfg."""
    rng = np.random.default_rng(seed)
    h, inter, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    hd = cfg.get("head_dim") or h // cfg["num_attention_heads"]
    nq, nkv = cfg["num_attention_heads"] * hd, cfg["num_key_value_heads"] * hd
    shapes = {"self_attn.q_proj": (nq, h), "self_attn.k_proj": (nkv, h), "self_attn.v_proj": (nkv, h),
              "self_attn.o_proj": (h, nq), "mlp.gate_proj": (inter, h), "mlp.up_proj": (inter, h),
              "mlp.down_proj": (h, inter)}
    w = {"model.embed_tokens.weight": rng.normal(0, 1, (v, h)), "model.norm.weight": 1 + 0.2 * rng.normal(size=h)}
    if not cfg.get("tie_word_embeddings"):
        w["lm_head.weight"] = rng.normal(0, 0.5, (v, h))
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = 1 + 0.2 * rng.normal(size=h)
        w[p + "post_attention_layernorm.weight"] = 1 + 0.2 * rng.normal(size=h)
        for name, shape in shapes.items():
            w[p + name + ".weight"] = rng.normal(0, 0.4, shape)
        attention_bias = ["q_proj", "k_proj", "v_proj", "o_proj"] if cfg.get("attention_bias") else []
        biased = {"qwen2": ["q_proj", "k_proj", "v_proj"], "llama": attention_bias}.get(family, [])
        for name in biased:
            w[p + f"self_attn.{name}.bias"] = rng.normal(0, 0.3, shapes["self_attn." + name][0])
    return w


def write_model(root, name, weights, family="llama", dtype="F32", shards=1, **overrides):
    """A model directory; returns (path, the weights as stored)."""
    d = os.path.join(root, name)
    os.makedirs(d)
    cfg = dict(BASE_CONFIG, architectures=[ARCH[family]], **overrides)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f)
    names = sorted(weights)
    if shards == 1:
        write_safetensors(os.path.join(d, "model.safetensors"), weights, dtype)
    else:
        weight_map = {}
        for s in range(shards):
            file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
            part = {n: weights[n] for n in names[s::shards]}
            write_safetensors(os.path.join(d, file), part, dtype, reverse=True)
            weight_map.update({n: file for n in part})
        with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f)
    return d, {n: stored(a, dtype) for n, a in weights.items()}


def make_model(root, name="m", family="llama", seed=0, dtype="F32", shards=1, **overrides):
    cfg = dict(BASE_CONFIG, **overrides)
    return write_model(root, name, random_weights(cfg, family, seed), family, dtype, shards, **overrides)


def write_adapter(root, name, tensors, **conf):
    """A PEFT adapter directory; tensors maps module key -> (A [r, in], B [out, r])."""
    d = os.path.join(root, name)
    os.makedirs(d)
    with open(os.path.join(d, "adapter_config.json"), "w") as f:
        json.dump(dict({"peft_type": "LORA", "base_model_name_or_path": "m", "bias": "none", "use_rslora": False},
                       **conf), f)
    flat = {}
    for key, (a, b) in tensors.items():
        flat[f"base_model.model.{key}.lora_A.weight"] = a
        flat[f"base_model.model.{key}.lora_B.weight"] = b
    write_safetensors(os.path.join(d, "adapter_model.safetensors"), flat)
    return d


def logits(model_dir, tokens, adapter_dir=None):
    return reference.Model(model_dir, adapter_dir).forward(tokens).numpy()


def rms(x, weight, eps):
    return weight * x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)


def silu(x):
    return x / (1 + np.exp(-x))


def naive_forward(w, cfg, tokens, position_scale=1.0):
    """Second implementation, written from the definitions rather than from transformers' tensor code: one position
    and one head at a time, RoPE as complex rotation of the pairs (i, i + head_dim/2), query head n reading key/value
    head n // group, softmax over the visible positions only."""
    h, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd, eps, theta = h // nh, cfg["rms_norm_eps"], cfg["rope_theta"]
    half, group = hd // 2, nh // nkv
    window = cfg.get("sliding_window")

    def lin(x, key):
        y = w[key + ".weight"] @ x
        return y + w[key + ".bias"] if key + ".bias" in w else y

    def rotate(vec, pos):
        z = (vec[:half] + 1j * vec[half:]) * np.exp(1j * pos * position_scale * theta ** (-2.0 * np.arange(half) / hd))
        return np.concatenate([z.real, z.imag])

    xs = [w["model.embed_tokens.weight"][t].copy() for t in tokens]
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        normed = [rms(x, w[p + "input_layernorm.weight"], eps) for x in xs]
        qs = [lin(x, p + "self_attn.q_proj").reshape(nh, hd) for x in normed]
        ks = [lin(x, p + "self_attn.k_proj").reshape(nkv, hd) for x in normed]
        vs = [lin(x, p + "self_attn.v_proj").reshape(nkv, hd) for x in normed]
        out = []
        for t in range(len(tokens)):
            visible = [s for s in range(t + 1) if window is None or t - s < window]
            heads = []
            for n in range(nh):
                q = rotate(qs[t][n], t)
                score = np.array([q @ rotate(ks[s][n // group], s) / math.sqrt(hd) for s in visible])
                e = np.exp(score - score.max())
                heads.append(sum(pr * vs[s][n // group] for pr, s in zip(e / e.sum(), visible)))
            out.append(xs[t] + lin(np.concatenate(heads), p + "self_attn.o_proj"))
        xs = []
        for x in out:
            m = rms(x, w[p + "post_attention_layernorm.weight"], eps)
            xs.append(x + lin(silu(lin(m, p + "mlp.gate_proj")) * lin(m, p + "mlp.up_proj"), p + "mlp.down_proj"))
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else w["lm_head.weight"]
    return np.array([head @ rms(x, w["model.norm.weight"], eps) for x in xs])


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.root = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()


# ----------------------------------------------------------------------------------------------- tests


class SafetensorsTests(TempDirTest):
    def test_when_bf16_bit_patterns_then_known_values(self):
        bits = [0x3F80, 0xC000, 0x3FC0, 0x4049, 0x7F80, 0xFF80, 0x0001, 0x8000]
        got = reference.decode_tensor(np.array(bits, dtype="<u2").tobytes(), "BF16", [2, 4]).flatten().tolist()
        self.assertEqual(got, [1.0, -2.0, 1.5, 3.140625, math.inf, -math.inf, 2.0 ** -133, -0.0])
        self.assertEqual(math.copysign(1, got[-1]), -1)

    def test_when_f16_bit_patterns_then_known_values(self):
        bits = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x3555]
        got = reference.decode_tensor(np.array(bits, dtype="<u2").tobytes(), "F16", [5]).tolist()
        self.assertEqual(got, [1.0, -2.0, 65504.0, 2.0 ** -24, 0.333251953125])

    def test_when_f32_file_then_names_shapes_and_values_read_back(self):
        a, b = np.arange(6.0).reshape(2, 3) / 7, np.array(2.5)
        path = os.path.join(self.root, "t.safetensors")
        write_safetensors(path, {"a": a, "b": b}, reverse=True)
        got = reference.read_safetensors(path)
        self.assertEqual(set(got), {"a", "b"})
        np.testing.assert_array_equal(got["a"].numpy(), a.astype(np.float32).astype(np.float64))
        self.assertEqual(tuple(got["b"].shape), ())
        self.assertEqual(got["b"].dtype, torch.float64)

    def test_when_wrong_byte_count_then_rejected(self):
        with self.assertRaises(ValueError):
            reference.decode_tensor(b"\x00" * 6, "F32", [2], "x")

    def test_when_sharded_index_then_same_logits_as_single_file(self):
        single, _ = make_model(self.root, "single", seed=3)
        sharded, _ = make_model(self.root, "sharded", seed=3, shards=3)
        np.testing.assert_array_equal(logits(single, [1, 5, 9]), logits(sharded, [1, 5, 9]))

    def test_when_bf16_or_f16_checkpoint_then_equals_f32_of_the_stored_values(self):
        for dtype in ("BF16", "F16"):
            low, w = make_model(self.root, "low" + dtype, seed=4, dtype=dtype)
            wide, _ = write_model(self.root, "wide" + dtype, w)
            np.testing.assert_array_equal(logits(low, [2, 3]), logits(wide, [2, 3]))


class RopeTests(unittest.TestCase):
    def cfg(self, head_dim, theta, scaling=None):
        return reference.Config(dict(BASE_CONFIG, architectures=["LlamaForCausalLM"], hidden_size=head_dim,
                                     num_attention_heads=1, num_key_value_heads=1, rope_theta=theta,
                                     rope_scaling=scaling))

    def test_when_position_zero_then_identity(self):
        x = torch.randn(3, 1, 8, dtype=torch.float64)
        cos, sin = reference.rope_cos_sin(reference.rope_inv_freq(self.cfg(8, 10000.0)), 1)
        torch.testing.assert_close(reference.apply_rope(x, cos, sin), x, rtol=0, atol=0)

    def test_when_head_dim_4_then_pairs_i_and_i_plus_half_rotate_by_position_times_frequency(self):
        # theta 100, head_dim 4: frequencies 100^0 = 1 and 100^-1/2 = 0.1; at position 3 the angles are 3 and 0.3.
        inv = reference.rope_inv_freq(self.cfg(4, 100.0))
        torch.testing.assert_close(inv, torch.tensor([1.0, 0.1], dtype=torch.float64), rtol=1e-15, atol=0)
        x0, x1, x2, x3 = 0.3, -1.2, 0.7, 2.0
        cos, sin = reference.rope_cos_sin(inv, 4)
        got = reference.apply_rope(torch.tensor([[[x0, x1, x2, x3]] * 4], dtype=torch.float64), cos, sin)[0, 3]
        a, b = 3.0, 0.3
        want = [x0 * math.cos(a) - x2 * math.sin(a), x1 * math.cos(b) - x3 * math.sin(b),
                x2 * math.cos(a) + x0 * math.sin(a), x3 * math.cos(b) + x1 * math.sin(b)]
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-14, atol=1e-15)

    def test_when_rotated_then_scores_depend_only_on_relative_position(self):
        cos, sin = reference.rope_cos_sin(reference.rope_inv_freq(self.cfg(8, 500.0)), 12)
        q, k = torch.randn(1, 1, 8, dtype=torch.float64), torch.randn(1, 1, 8, dtype=torch.float64)
        rq = reference.apply_rope(q.expand(1, 12, 8), cos, sin)[0]
        rk = reference.apply_rope(k.expand(1, 12, 8), cos, sin)[0]
        self.assertAlmostEqual(float(rq[7] @ rk[4]), float(rq[3] @ rk[0]), places=12)
        self.assertAlmostEqual(float(rq[5].norm()), float(q.norm()), places=12)

    def test_when_linear_scaling_then_frequencies_divided_by_factor(self):
        base = reference.rope_inv_freq(self.cfg(8, 10000.0))
        scaled = reference.rope_inv_freq(self.cfg(8, 10000.0, {"rope_type": "linear", "factor": 4.0}))
        legacy = reference.rope_inv_freq(self.cfg(8, 10000.0, {"type": "linear", "factor": 4.0}))
        torch.testing.assert_close(scaled, base / 4, rtol=0, atol=0)
        torch.testing.assert_close(legacy, scaled, rtol=0, atol=0)

    def test_when_llama3_scaling_then_high_kept_low_divided_medium_interpolated(self):
        # head_dim 8, theta 1e4: frequencies 1, 0.1, 0.01, 0.001, wavelengths 2π·(1, 10, 100, 1000).
        # Context 1000 with low/high factors 1/4 splits wavelengths at 1000 and 250: the first two frequencies stay,
        # the last is divided by 8, and 0.01 (wavelength 628.3) sits in between with weight s on the unscaled value.
        scaling = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                   "original_max_position_embeddings": 1000}
        got = reference.rope_inv_freq(self.cfg(8, 10000.0, scaling)).tolist()
        s = (1000 / (2 * math.pi * 100) - 1) / (4 - 1)
        want = [1.0, 0.1, (1 - s) * 0.01 / 8 + s * 0.01, 0.001 / 8]
        np.testing.assert_allclose(got, want, rtol=1e-14)

    def test_when_rope_parameters_layout_then_same_as_rope_theta_and_rope_scaling(self):
        scaling = {"rope_type": "linear", "factor": 3.0}
        legacy = reference.rope_inv_freq(self.cfg(8, 500.0, scaling))
        cfg = reference.Config(dict(BASE_CONFIG, architectures=["LlamaForCausalLM"], hidden_size=8,
                                    num_attention_heads=1, num_key_value_heads=1,
                                    rope_parameters=dict(scaling, rope_theta=500.0)))
        torch.testing.assert_close(reference.rope_inv_freq(cfg), legacy, rtol=0, atol=0)

    def test_when_unknown_scaling_then_rejected(self):
        with self.assertRaises(ValueError):
            reference.rope_inv_freq(self.cfg(8, 10000.0, {"rope_type": "yarn", "factor": 2.0}))


class ForwardTests(TempDirTest):
    def test_when_attention_and_mlp_outputs_zero_then_logits_are_lm_head_of_normed_embedding(self):
        cfg = dict(BASE_CONFIG, num_hidden_layers=1)
        w = random_weights(cfg, "llama", seed=1)
        w["model.layers.0.self_attn.o_proj.weight"][:] = 0
        w["model.layers.0.mlp.down_proj.weight"][:] = 0
        d, w = write_model(self.root, "m", w, num_hidden_layers=1)
        tokens = [4, 0, 31, 4]
        e = w["model.embed_tokens.weight"][tokens]
        want = rms(e, w["model.norm.weight"], 1e-5) @ w["lm_head.weight"].T
        np.testing.assert_allclose(logits(d, tokens), want, rtol=1e-12, atol=1e-12)

    def test_when_single_token_then_attention_is_value_projection(self):
        # One position: RoPE is the identity and softmax over one score is 1, so each query head returns the value of
        # its kv head: query heads 0, 1 read kv head 0 and heads 2, 3 read kv head 1, giving [v0 v0 v1 v1].
        cfg = dict(BASE_CONFIG, num_hidden_layers=1, tie_word_embeddings=True)
        d, w = write_model(self.root, "q", random_weights(cfg, "qwen2", 2), "qwen2", num_hidden_layers=1,
                           tie_word_embeddings=True)
        p, eps = "model.layers.0.", 1e-5
        x = w["model.embed_tokens.weight"][7]
        n = rms(x, w[p + "input_layernorm.weight"], eps)
        v = w[p + "self_attn.v_proj.weight"] @ n + w[p + "self_attn.v_proj.bias"]
        x = x + w[p + "self_attn.o_proj.weight"] @ np.repeat(v.reshape(2, 4), 2, axis=0).reshape(-1)
        m = rms(x, w[p + "post_attention_layernorm.weight"], eps)
        swiglu = silu(w[p + "mlp.gate_proj.weight"] @ m) * (w[p + "mlp.up_proj.weight"] @ m)
        x = x + w[p + "mlp.down_proj.weight"] @ swiglu
        want = w["model.embed_tokens.weight"] @ rms(x, w["model.norm.weight"], eps)
        np.testing.assert_allclose(logits(d, [7])[0], want, rtol=1e-12, atol=1e-12)

    def test_when_two_layers_then_matches_naive_per_position_implementation(self):
        for family, extra in (("llama", {}), ("qwen2", {"tie_word_embeddings": True}),
                              ("llama", {"attention_bias": True, "num_key_value_heads": 4})):
            with self.subTest(family=family, **extra):
                name = family + str(len(os.listdir(self.root)))
                d, w = make_model(self.root, name, family, seed=5, **extra)
                tokens = [3, 17, 17, 0, 29, 8]
                want = naive_forward(w, dict(BASE_CONFIG, **extra), tokens)
                np.testing.assert_allclose(logits(d, tokens), want, rtol=1e-10, atol=1e-10)

    def test_when_linear_rope_scaling_then_positions_divided_by_factor(self):
        d, w = make_model(self.root, seed=6, rope_scaling={"type": "linear", "factor": 2.0})
        tokens = [1, 2, 3, 4, 5]
        np.testing.assert_allclose(logits(d, tokens), naive_forward(w, BASE_CONFIG, tokens, position_scale=0.5),
                                   rtol=1e-10, atol=1e-10)

    def test_when_later_tokens_change_then_earlier_logits_do_not(self):
        d, _ = make_model(self.root, seed=7)
        model = reference.Model(d)
        a = model.forward([5, 6, 7, 8, 9]).numpy()
        b = model.forward([5, 6, 7, 30, 1, 2]).numpy()
        np.testing.assert_array_equal(a[:3], b[:3])
        self.assertFalse(np.allclose(a[3], b[3]))

    def test_when_kv_heads_repeated_then_gqa_equals_mha(self):
        gqa, w = make_model(self.root, "gqa", seed=8)
        mha = dict(w)
        for i in range(2):
            for name in ("k_proj", "v_proj"):
                key = f"model.layers.{i}.self_attn.{name}.weight"
                mha[key] = np.repeat(w[key].reshape(2, 4, 16), 2, axis=0).reshape(16, 16)
        mha_dir, _ = write_model(self.root, "mha", mha, num_key_value_heads=4)
        tokens = [9, 1, 22, 13, 4]
        np.testing.assert_allclose(logits(gqa, tokens), logits(mha_dir, tokens), rtol=1e-12, atol=1e-12)

    def test_when_mistral_sliding_window_then_older_tokens_invisible(self):
        # One layer, window 2: position t attends to t-1 and t only, so token t-2 cannot reach position t.
        d, w = make_model(self.root, "mis", "mistral", seed=9, num_hidden_layers=1, sliding_window=2)
        model = reference.Model(d)
        a = model.forward([1, 2, 3, 4]).numpy()
        b = model.forward([1, 9, 3, 4]).numpy()
        np.testing.assert_array_equal(a[3], b[3])
        self.assertFalse(np.allclose(a[2], b[2]))
        cfg = dict(BASE_CONFIG, num_hidden_layers=1, sliding_window=2)
        np.testing.assert_allclose(a, naive_forward(w, cfg, [1, 2, 3, 4]), rtol=1e-10, atol=1e-10)

    def test_when_qwen2_then_equals_llama_with_attention_bias_and_zero_o_bias(self):
        qwen, w = make_model(self.root, "qwen", "qwen2", seed=10)
        llama = dict(w)
        for i in range(2):
            llama[f"model.layers.{i}.self_attn.o_proj.bias"] = np.zeros(16)
        llama_dir, _ = write_model(self.root, "llama", llama, attention_bias=True)
        np.testing.assert_allclose(logits(qwen, [3, 1, 4]), logits(llama_dir, [3, 1, 4]), rtol=1e-13, atol=1e-13)

    def test_when_tied_then_equals_untied_with_lm_head_copied_from_embedding(self):
        tied, w = make_model(self.root, "tied", seed=11, tie_word_embeddings=True)
        untied_dir, _ = write_model(self.root, "untied", dict(w, **{"lm_head.weight": w["model.embed_tokens.weight"]}))
        np.testing.assert_array_equal(logits(tied, [1, 2]), logits(untied_dir, [1, 2]))


def lora_pair(rng, key, w, r):
    out_features, in_features = w[key + ".weight"].shape
    return stored(rng.normal(0, 0.5, (r, in_features)), "F32"), stored(rng.normal(0, 0.5, (out_features, r)), "F32")


class LoraTests(TempDirTest):
    def merged(self, w, tensors, scales):
        """Base weights with W + scale * B @ A folded in: the same delta computed the other way round."""
        m = dict(w)
        for key, (a, b) in tensors.items():
            m[key + ".weight"] = w[key + ".weight"] + scales[key] * (b @ a)
        return m

    def write_merged(self, name, w, tensors, scales):
        # F64, so that storing the merged weights adds no rounding of its own.
        return write_model(self.root, name, self.merged(w, tensors, scales), dtype="F64")[0]

    def test_when_lora_b_zero_then_equals_base(self):
        d, w = make_model(self.root, seed=12)
        keys = [f"model.layers.{i}.{p}" for i in range(2) for p in PROJ]
        rng = np.random.default_rng(0)
        tensors = {k: (lora_pair(rng, k, w, 4)[0], np.zeros_like(lora_pair(rng, k, w, 4)[1])) for k in keys}
        a = write_adapter(self.root, "zero", tensors, r=4, lora_alpha=8, target_modules=[p.split(".")[1] for p in PROJ])
        np.testing.assert_array_equal(logits(d, [1, 2, 3], a), logits(d, [1, 2, 3]))

    def test_when_adapter_applied_unmerged_then_equals_merged_weights(self):
        d, w = make_model(self.root, seed=13)
        rng = np.random.default_rng(1)
        names = [p.split(".")[1] for p in PROJ]
        keys = [f"model.layers.{i}.{p}" for i in range(2) for p in PROJ]
        for rslora in (False, True):
            with self.subTest(rslora=rslora):
                tensors = {k: lora_pair(rng, k, w, 4) for k in keys}
                a = write_adapter(self.root, f"all{rslora}", tensors, r=4, lora_alpha=16, use_rslora=rslora,
                                  target_modules=names)
                scale = 16 / math.sqrt(4) if rslora else 16 / 4
                m = self.write_merged(f"merged{rslora}", w, tensors, dict.fromkeys(keys, scale))
                np.testing.assert_allclose(logits(d, [4, 8, 15, 16], a), logits(m, [4, 8, 15, 16]),
                                           rtol=1e-11, atol=1e-11)

    def test_when_rank_and_alpha_patterns_then_per_module_rank_and_scale(self):
        d, w = make_model(self.root, seed=14)
        rng = np.random.default_rng(2)
        ranks = {"model.layers.0.self_attn.q_proj": 2, "model.layers.1.self_attn.q_proj": 4,
                 "model.layers.0.mlp.down_proj": 8, "model.layers.1.mlp.down_proj": 4}
        tensors = {k: lora_pair(rng, k, w, r) for k, r in ranks.items()}
        a = write_adapter(self.root, "pat", tensors, r=4, lora_alpha=8, target_modules=["q_proj", "down_proj"],
                          rank_pattern={"layers.0.self_attn.q_proj": 2, "model.layers.0.mlp.down_proj": 8},
                          alpha_pattern={"down_proj": 32})
        scales = {"model.layers.0.self_attn.q_proj": 8 / 2, "model.layers.1.self_attn.q_proj": 8 / 4,
                  "model.layers.0.mlp.down_proj": 32 / 8, "model.layers.1.mlp.down_proj": 32 / 4}
        m = self.write_merged("merged", w, tensors, scales)
        np.testing.assert_allclose(logits(d, [5, 3, 1], a), logits(m, [5, 3, 1]), rtol=1e-11, atol=1e-11)

    def test_when_module_not_targeted_then_its_weights_are_ignored(self):
        d, w = make_model(self.root, seed=15)
        rng = np.random.default_rng(3)
        q, v, g = "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj", "model.layers.0.mlp.gate_proj"
        tensors = {k: lora_pair(rng, k, w, 2) for k in (q, v, g)}
        m = self.write_merged("merged", w, {q: tensors[q]}, {q: 1.5})
        for name, conf in (("list", {"target_modules": ["q_proj"]}),
                           ("regex", {"target_modules": r".*\.self_attn\.q_proj"}),
                           ("layers", {"target_modules": ["q_proj", "gate_proj"], "layers_to_transform": [1]})):
            with self.subTest(name):
                a = write_adapter(self.root, name, tensors, r=2, lora_alpha=3, **conf)
                warnings = io.StringIO()
                with contextlib.redirect_stderr(warnings):
                    got = logits(d, [2, 7], a)
                np.testing.assert_allclose(got, logits(m, [2, 7]), rtol=1e-12, atol=1e-12)
                self.assertIn(f"{v} has LoRA weights but is not targeted", warnings.getvalue())

    def test_when_shapes_do_not_fit_then_rejected(self):
        d, w = make_model(self.root, seed=16)
        rng = np.random.default_rng(4)
        k = "model.layers.0.self_attn.k_proj"
        a, _ = lora_pair(rng, k, w, 2)
        bad = write_adapter(self.root, "bad", {k: (a, np.zeros((16, 2)))}, r=2, lora_alpha=2, target_modules=["k_proj"])
        with self.assertRaises(ValueError):
            reference.Model(d, bad)


class CliTests(TempDirTest):
    def test_when_run_then_writes_the_contract_and_greedy_continues_argmax(self):
        d, w = make_model(self.root, "tiny-llama", seed=17)
        rng = np.random.default_rng(5)
        k = "model.layers.0.self_attn.o_proj"
        a = write_adapter(self.root, "tenant-a", {k: lora_pair(rng, k, w, 2)}, r=2, lora_alpha=4,
                          target_modules=["o_proj"])
        inp, out = os.path.join(self.root, "in.json"), os.path.join(self.root, "out.json")
        with open(inp, "w") as f:
            json.dump({"prompts": [[1, 2, 3], [31]], "greedy_tokens": 4}, f)
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference.py")
        subprocess.run([sys.executable, script, "--model", d, "--adapter", a + "/", "--input", inp, "--out", out],
                       check=True)
        with open(out) as f:
            report = json.load(f)
        self.assertEqual((report["model"], report["adapter"], report["dtype"]), ("tiny-llama", "tenant-a", "float64"))
        model = reference.Model(d, a)
        for result, prompt in zip(report["results"], [[1, 2, 3], [31]]):
            self.assertEqual(result["prompt"], prompt)
            self.assertEqual(len(result["greedy"]), 4)
            # JSON floats round-trip exactly.
            np.testing.assert_array_equal(np.array(result["logits"]), model.forward(prompt).numpy())
            seq = prompt + result["greedy"]
            full = model.forward(seq).numpy()
            for step, token in enumerate(result["greedy"]):
                self.assertEqual(token, int(np.argmax(full[len(prompt) - 1 + step])))


if __name__ == "__main__":
    unittest.main()
