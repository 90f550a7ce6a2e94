#!/usr/bin/python3
"""Independent float64 reference forward pass for the engine's golden tests.

Computes the logits of Llama / Qwen2 / Mistral checkpoints in Hugging Face layout, optionally with one PEFT LoRA
adapter applied unmerged, the way `transformers` (modeling_llama.py, modeling_qwen2.py, modeling_mistral.py) and
`peft` (tuners/lora) define them, but in float64 on the CPU so that the reference carries no rounding error of its
own worth speaking of. It deliberately shares no code with the Java engine.

    /usr/bin/python3 reference.py --model DIR [--adapter DIR] --input FILE --out FILE

input:  {"prompts": [[token ids], ...], "greedy_tokens": N}
output: {"model": name, "adapter": name or null, "dtype": "float64",
         "results": [{"prompt": [...], "logits": [[vocab floats] per prompt position], "greedy": [N ids]}]}
"""
import argparse
import json
import math
import mmap
import os
import re
import sys

import numpy as np
import torch

DTYPE = torch.float64

# ----------------------------------------------------------------------------------------------- safetensors

_NUMPY_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2"}


def read_safetensors(path):
    """Reads every tensor of a .safetensors file as a float64 torch tensor, keyed by name.

    Layout: 8-byte little-endian header length n, n bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}}
    (plus an optional "__metadata__" entry), then the raw little-endian data; offsets count from the end of the header.
    """
    tensors = {}
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        header_len = int.from_bytes(data[:8], "little")
        header = json.loads(bytes(data[8:8 + header_len]))
        base = 8 + header_len
        for name, info in header.items():
            if name == "__metadata__":
                continue
            begin, end = info["data_offsets"]
            tensors[name] = decode_tensor(data[base + begin:base + end], info["dtype"], info["shape"], name)
    return tensors


def decode_tensor(raw, dtype, shape, name="tensor"):
    """Raw little-endian bytes -> float64 tensor of the given shape (F64, F32, F16 or BF16)."""
    count = math.prod(shape)
    if dtype == "BF16":
        # bfloat16 is the upper half of an IEEE float32: widen by shifting the 16 bits into the high half.
        expected = 2 * count
        bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        values = bits.view(np.float32)
    elif dtype in _NUMPY_DTYPES:
        values = np.frombuffer(raw, dtype=_NUMPY_DTYPES[dtype])
        expected = values.itemsize * count
    else:
        raise ValueError(f"{name}: unsupported safetensors dtype {dtype}")
    if len(raw) != expected:
        raise ValueError(f"{name}: {len(raw)} bytes do not hold {dtype}{list(shape)}")
    return torch.from_numpy(values.astype(np.float64).reshape(shape))


def read_checkpoint(model_dir):
    """model.safetensors, or the shards named by model.safetensors.index.json ({"weight_map": {name: file}})."""
    index_path = os.path.join(model_dir, "model.safetensors.index.json")
    if not os.path.exists(index_path):
        return read_safetensors(os.path.join(model_dir, "model.safetensors"))
    with open(index_path) as f:
        weight_map = json.load(f)["weight_map"]
    tensors = {}
    for shard in sorted(set(weight_map.values())):
        for name, tensor in read_safetensors(os.path.join(model_dir, shard)).items():
            if weight_map.get(name) == shard:
                tensors[name] = tensor
    missing = sorted(set(weight_map) - set(tensors))
    if missing:
        raise ValueError(f"index names tensors its shards lack: {missing[:5]}")
    return tensors


# ----------------------------------------------------------------------------------------------- config

FAMILIES = {"LlamaForCausalLM": "llama", "Qwen2ForCausalLM": "qwen2", "MistralForCausalLM": "mistral"}


class Config:
    """The config.json fields the forward pass reads, with the defaults of LlamaConfig / Qwen2Config / MistralConfig."""

    def __init__(self, c):
        arch = (c.get("architectures") or [None])[0]
        if arch not in FAMILIES:
            raise ValueError(f"unsupported architecture {arch}; expected one of {sorted(FAMILIES)}")
        self.family = FAMILIES[arch]
        self.hidden_size = c["hidden_size"]
        self.num_layers = c["num_hidden_layers"]
        self.num_heads = c["num_attention_heads"]
        # An absent num_key_value_heads means 32 in Qwen2Config, 8 in MistralConfig, and plain MHA in LlamaConfig.
        kv_default = {"qwen2": 32, "mistral": 8}.get(self.family, self.num_heads)
        self.num_kv_heads = c.get("num_key_value_heads", kv_default) or self.num_heads
        self.head_dim = c.get("head_dim") or self.hidden_size // self.num_heads
        self.rms_norm_eps = c.get("rms_norm_eps", 1e-6)
        self.rope_theta = c.get("rope_theta", 10000.0)
        self.rope_scaling = c.get("rope_scaling")
        if c.get("rope_parameters"):
            # Newer transformers write theta and scaling together: {"rope_type": ..., "rope_theta": ..., ...}.
            self.rope_theta = c["rope_parameters"].get("rope_theta", self.rope_theta)
            self.rope_scaling = c["rope_parameters"]
        self.tie_word_embeddings = c.get("tie_word_embeddings", False)
        if c.get("hidden_act", "silu") != "silu":
            raise ValueError(f"unsupported hidden_act {c['hidden_act']}")
        if c.get("partial_rotary_factor", 1.0) != 1.0:
            raise ValueError("partial_rotary_factor is not supported")
        if self.num_heads % self.num_kv_heads:
            raise ValueError("num_attention_heads must be a multiple of num_key_value_heads")
        # Biases: Qwen2 always has q/k/v biases and none elsewhere; Llama has them where attention_bias / mlp_bias say.
        if self.family == "qwen2":
            self.biased = {"q_proj", "k_proj", "v_proj"}
        elif self.family == "llama":
            self.biased = ({"q_proj", "k_proj", "v_proj", "o_proj"} if c.get("attention_bias") else set()) | (
                {"gate_proj", "up_proj", "down_proj"} if c.get("mlp_bias") else set())
        else:
            self.biased = set()
        # Sliding-window attention, per layer (None = full causal attention). MistralConfig defaults the window to 4096;
        # Qwen2 uses it only with use_sliding_window, and then only from layer max_window_layers on.
        window = None
        if self.family == "mistral":
            window = c.get("sliding_window", 4096)
        elif self.family == "qwen2" and c.get("use_sliding_window", False):
            window = c.get("sliding_window", 4096)
        if c.get("layer_types"):
            self.windows = [window if t == "sliding_attention" else None for t in c["layer_types"]]
        elif self.family == "qwen2":
            first = c.get("max_window_layers", 28)
            self.windows = [window if i >= first else None for i in range(self.num_layers)]
        else:
            self.windows = [window] * self.num_layers


# ----------------------------------------------------------------------------------------------- RoPE

def rope_inv_freq(cfg):
    """Per-pair rotation frequencies [head_dim/2]; mirrors transformers' modeling_rope_utils
    _compute_default_rope_parameters, _compute_linear_scaling_rope_parameters and _compute_llama3_parameters."""
    dim = cfg.head_dim
    inv_freq = 1.0 / (cfg.rope_theta ** (torch.arange(0, dim, 2, dtype=DTYPE) / dim))
    scaling = cfg.rope_scaling
    kind = None if scaling is None else scaling.get("rope_type", scaling.get("type"))
    if kind in (None, "default"):
        return inv_freq
    if kind == "linear":
        # Positions divided by factor, i.e. every frequency divided by it.
        return inv_freq / scaling["factor"]
    if kind == "llama3":
        factor = scaling["factor"]
        low_freq_factor, high_freq_factor = scaling["low_freq_factor"], scaling["high_freq_factor"]
        old_context_len = scaling["original_max_position_embeddings"]
        low_freq_wavelen = old_context_len / low_freq_factor
        high_freq_wavelen = old_context_len / high_freq_factor
        wavelen = 2 * math.pi / inv_freq
        # Long wavelengths are slowed down by factor, short ones kept, the band between interpolated smoothly.
        scaled = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
        smooth = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = (wavelen >= high_freq_wavelen) & (wavelen <= low_freq_wavelen)
        return torch.where(medium, smoothed, scaled)
    raise ValueError(f"unsupported rope_scaling kind {kind}")


def rope_cos_sin(inv_freq, seq_len):
    """cos, sin [seq_len, head_dim] for positions 0..seq_len-1; mirrors LlamaRotaryEmbedding.forward:
    emb = cat(freqs, freqs), so dimension i pairs with dimension i + head_dim/2."""
    freqs = torch.outer(torch.arange(seq_len, dtype=DTYPE), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    """Mirrors transformers' rotate_half: [x1, x2] -> [-x2, x1] over the last dimension."""
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rope(x, cos, sin):
    """x [heads, seq, head_dim]; mirrors apply_rotary_pos_emb."""
    return x * cos + rotate_half(x) * sin


# ----------------------------------------------------------------------------------------------- LoRA (PEFT)

PROJECTIONS = ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
               "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")
_MODULE_KEY = re.compile(r"model\.layers\.(\d+)\.(" + "|".join(re.escape(p) for p in PROJECTIONS) + ")")
_LORA_TENSOR = re.compile(r"base_model\.model\.(.+)\.lora_([AB])(?:\.[^.]+)?\.weight")


def _matches(spec, key):
    """PEFT's check_target_module_exists: a string is a regex the whole key must match; a list names modules by
    exact key or by key suffix after a dot."""
    if isinstance(spec, str):
        return spec == "all-linear" or re.fullmatch(spec, key) is not None
    return any(key == t or key.endswith("." + t) for t in spec)


def _pattern_value(pattern, key, default):
    """PEFT's get_pattern_key: the first rank_pattern / alpha_pattern key that matches the end of the module key."""
    for k, value in (pattern or {}).items():
        if re.match(rf"(^|.*\.){k}$", key):
            return value
    return default


def read_adapter(adapter_dir, weights):
    """PEFT LoRA adapter -> {module key: (A [r, in], B [out, r], scale)}; the delta of module key is
    scale * (x A^T) B^T, with scale = alpha / r, or alpha / sqrt(r) when use_rslora (peft LoraLayer.update_layer)."""
    with open(os.path.join(adapter_dir, "adapter_config.json")) as f:
        conf = json.load(f)
    if conf.get("peft_type", "LORA") != "LORA":
        raise ValueError(f"unsupported peft_type {conf['peft_type']}")
    for flag in ("use_dora", "fan_in_fan_out"):
        if conf.get(flag):
            raise ValueError(f"{flag} adapters are not supported")
    if conf.get("bias", "none") != "none":
        raise ValueError("adapters that train biases are not supported")
    # PEFT's default for these model types (TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING) is q_proj and v_proj.
    targets = conf.get("target_modules") or ["q_proj", "v_proj"]
    layers = conf.get("layers_to_transform")
    layers = [layers] if isinstance(layers, int) else layers
    excluded = conf.get("exclude_modules")

    def targeted(key, layer):
        if excluded and _matches(excluded, key):
            return False
        return _matches(targets, key) and (layers is None or layer in layers)

    pairs = {}
    for name, tensor in read_safetensors(os.path.join(adapter_dir, "adapter_model.safetensors")).items():
        m = _LORA_TENSOR.fullmatch(name)
        if not m or not _MODULE_KEY.fullmatch(m.group(1)):
            raise ValueError(f"unsupported adapter tensor {name}")
        pairs.setdefault(m.group(1), {})[m.group(2)] = tensor

    lora = {}
    for key, ab in sorted(pairs.items()):
        if not targeted(key, int(_MODULE_KEY.fullmatch(key).group(1))):
            # PEFT builds no LoRA layer for a module outside target_modules, so its weights are never loaded.
            print(f"warning: {key} has LoRA weights but is not targeted; ignored", file=sys.stderr)
            continue
        if set(ab) != {"A", "B"}:
            raise ValueError(f"{key}: needs both lora_A and lora_B")
        a, b = ab["A"], ab["B"]
        out_features, in_features = weights[key + ".weight"].shape
        r = _pattern_value(conf.get("rank_pattern"), key, conf["r"])
        alpha = _pattern_value(conf.get("alpha_pattern"), key, conf["lora_alpha"])
        if a.shape != (r, in_features) or b.shape != (out_features, r):
            raise ValueError(f"{key}: lora_A {list(a.shape)} / lora_B {list(b.shape)} do not fit rank {r} "
                             f"and base weight [{out_features}, {in_features}]")
        scale = alpha / math.sqrt(r) if conf.get("use_rslora") else alpha / r
        lora[key] = (a, b, scale)
    # A targeted module without saved weights keeps PEFT's initial lora_B = 0: no delta, nothing to add.
    return lora


# ----------------------------------------------------------------------------------------------- model

class Model:
    def __init__(self, model_dir, adapter_dir=None):
        with open(os.path.join(model_dir, "config.json")) as f:
            self.cfg = Config(json.load(f))
        self.w = read_checkpoint(model_dir)
        self.lora = read_adapter(adapter_dir, self.w) if adapter_dir else {}
        self.inv_freq = rope_inv_freq(self.cfg)
        # LlamaForCausalLM ties lm_head to embed_tokens when tie_word_embeddings, whatever the file holds.
        self.lm_head = self.w["model.embed_tokens.weight"] if self.cfg.tie_word_embeddings else self.w["lm_head.weight"]
        for i in range(self.cfg.num_layers):
            for p in PROJECTIONS:
                if p.split(".")[1] in self.cfg.biased and f"model.layers.{i}.{p}.bias" not in self.w:
                    raise ValueError(f"config expects model.layers.{i}.{p}.bias, the checkpoint lacks it")

    def linear(self, x, key):
        """nn.Linear (y = x W^T + b) plus, when the adapter targets key, PEFT's unmerged LoRA delta."""
        y = x @ self.w[key + ".weight"].T
        if key.rsplit(".", 1)[1] in self.cfg.biased:
            y = y + self.w[key + ".bias"]
        if key in self.lora:
            a, b, scale = self.lora[key]
            y = y + scale * ((x @ a.T) @ b.T)
        return y

    def rms_norm(self, x, key):
        """LlamaRMSNorm / Qwen2RMSNorm: weight * x / sqrt(mean(x^2) + eps) over the hidden dimension."""
        variance = x.pow(2).mean(-1, keepdim=True)
        return self.w[key + ".weight"] * (x * torch.rsqrt(variance + self.cfg.rms_norm_eps))

    def attention(self, x, i, cos, sin):
        """x [seq, hidden] -> [seq, hidden]; mirrors LlamaAttention.forward with eager_attention_forward."""
        cfg, prefix, seq = self.cfg, f"model.layers.{i}.self_attn.", x.shape[0]
        q = self.linear(x, prefix + "q_proj").view(seq, cfg.num_heads, cfg.head_dim).transpose(0, 1)
        k = self.linear(x, prefix + "k_proj").view(seq, cfg.num_kv_heads, cfg.head_dim).transpose(0, 1)
        v = self.linear(x, prefix + "v_proj").view(seq, cfg.num_kv_heads, cfg.head_dim).transpose(0, 1)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        # repeat_kv: key/value head j serves query heads j*g .. j*g+g-1, g = num_heads / num_kv_heads.
        group = cfg.num_heads // cfg.num_kv_heads
        k, v = k.repeat_interleave(group, dim=0), v.repeat_interleave(group, dim=0)
        scores = (q @ k.transpose(1, 2)) * cfg.head_dim ** -0.5  # [heads, seq, seq]
        # Query t sees key s when s <= t (and t - s < window under sliding-window attention).
        t = torch.arange(seq).view(-1, 1)
        s = torch.arange(seq).view(1, -1)
        visible = s <= t
        if cfg.windows[i] is not None:
            visible &= (t - s) < cfg.windows[i]
        scores = scores.masked_fill(~visible, float("-inf"))
        out = torch.softmax(scores, dim=-1) @ v  # [heads, seq, head_dim]
        return self.linear(out.transpose(0, 1).reshape(seq, cfg.num_heads * cfg.head_dim), prefix + "o_proj")

    def mlp(self, x, i):
        """LlamaMLP: down_proj(silu(gate_proj(x)) * up_proj(x))."""
        prefix = f"model.layers.{i}.mlp."
        gate = self.linear(x, prefix + "gate_proj")
        return self.linear(torch.nn.functional.silu(gate) * self.linear(x, prefix + "up_proj"), prefix + "down_proj")

    def forward(self, tokens):
        """Token ids [seq] -> logits [seq, vocab], float64; mirrors LlamaForCausalLM.forward without a cache."""
        embed = self.w["model.embed_tokens.weight"]
        if not tokens or min(tokens) < 0 or max(tokens) >= embed.shape[0]:
            raise ValueError(f"prompt must be non-empty token ids in [0, {embed.shape[0]})")
        h = embed[torch.tensor(tokens)]
        cos, sin = rope_cos_sin(self.inv_freq, len(tokens))
        for i in range(self.cfg.num_layers):
            h = h + self.attention(self.rms_norm(h, f"model.layers.{i}.input_layernorm"), i, cos, sin)
            h = h + self.mlp(self.rms_norm(h, f"model.layers.{i}.post_attention_layernorm"), i)
        return self.rms_norm(h, "model.norm") @ self.lm_head.T

    def greedy(self, prompt, steps, first_logits=None):
        """steps argmax tokens (lowest id on ties), each fed back with a full recompute; no stop on EOS."""
        tokens, chosen = list(prompt), []
        logits = first_logits if first_logits is not None else self.forward(tokens)
        for step in range(steps):
            if step:
                logits = self.forward(tokens)
            token = int(np.argmax(logits[-1].numpy()))
            chosen.append(token)
            tokens.append(token)
        return chosen


def dir_name(path):
    return os.path.basename(os.path.normpath(path))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="Hugging Face model directory")
    parser.add_argument("--adapter", help="PEFT LoRA adapter directory")
    parser.add_argument("--input", required=True, help='JSON {"prompts": [[ids], ...], "greedy_tokens": N}')
    parser.add_argument("--out", required=True, help="JSON file to write")
    args = parser.parse_args(argv)
    with open(args.input) as f:
        request = json.load(f)
    model = Model(args.model, args.adapter)
    results = []
    for prompt in request["prompts"]:
        with torch.no_grad():
            logits = model.forward(prompt)
            greedy = model.greedy(prompt, request.get("greedy_tokens", 0), logits)
        results.append({"prompt": prompt, "logits": logits.tolist(), "greedy": greedy})
    report = {"model": dir_name(args.model), "adapter": dir_name(args.adapter) if args.adapter else None,
              "dtype": "float64", "results": results}
    with open(args.out, "w") as f:
        json.dump(report, f, allow_nan=False)  # floats are written by repr: shortest text that round-trips exactly


if __name__ == "__main__":
    main()
