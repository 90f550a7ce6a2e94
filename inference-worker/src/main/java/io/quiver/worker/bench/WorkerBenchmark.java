package io.quiver.worker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.quiver.worker.adapter.AdapterSource;
import io.quiver.worker.demo.DemoModel;
import io.quiver.worker.engine.EngineConfig;
import io.quiver.worker.engine.GenerationEvent;
import io.quiver.worker.engine.GenerationRequest;
import io.quiver.worker.engine.InferenceEngine;
import io.quiver.worker.model.ModelConfig;
import io.quiver.worker.sampler.SamplingParams;
import io.quiver.worker.scheduler.SchedulerConfig;
import io.quiver.worker.tensor.Torch;
import io.quiver.worker.weights.DType;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Benchmarks the engine on a model of SmolLM2-135M's shape (random weights): decode
 * tokens/s (each request's tokens after its first, over the time since; see
 * {@code decode}) and output tokens/s (prefill included) at concurrency 1, 8 and 32 on
 * the base model and over 32 distinct rank-16 adapters on all seven projections, saved in
 * bf16 (as adapters trained on a bf16 model such as SmolLM2 are) and, for comparison, in
 * fp32; the fp32 matmul roofline; cold adapter loads of both kinds; peak resident memory.
 * Prints a table, then the same figures as JSON.
 *
 * <p>
 * Usage:
 * {@code bin/quiver bench worker [--work DIR] [--tokens N] [--rounds N] [--shape NAME]};
 * each concurrency runs base, bf16 adapters and fp32 adapters alternately {@code rounds}
 * times and reports the medians.
 */
public final class WorkerBenchmark {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String USAGE = """
			usage: bin/quiver bench worker [--work DIR] [--tokens N] [--rounds N] [--shape tiny|small|smollm2-135m]
			  --work DIR     where the generated model and adapters are kept (default .quiver/bench)
			  --tokens N     decode tokens per request (default 32)
			  --rounds N     alternated rounds of each scenario; medians are reported (default 3)
			  --shape NAME   the generated model's shape (default smollm2-135m)""";

	private WorkerBenchmark() {
	}

	private static int positive(String option, String value) {
		try {
			int n = Integer.parseInt(value);
			if (n > 0) {
				return n;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new IllegalArgumentException(option + " needs a positive whole number, not '" + value + "'");
	}

	private static void usageError(String message) {
		System.err.println("bench worker: " + message);
		System.err.println(USAGE);
		System.exit(2);
	}

	public static void main(String[] args) throws Exception {
		Path work = Path.of(".quiver/bench");
		int tokens = 32;
		int rounds = 3;
		DemoModel.Shape shape = DemoModel.Shape.SMOLLM2_135M;
		for (int i = 0; i < args.length; i += 2) {
			if (args[i].equals("--help") || args[i].equals("-h")) {
				System.out.println(USAGE);
				return;
			}
			if (!Set.of("--work", "--tokens", "--rounds", "--shape").contains(args[i])) {
				usageError("unknown option " + args[i]);
				return;
			}
			if (i + 1 >= args.length) {
				usageError("missing a value after " + args[i]);
				return;
			}
			try {
				switch (args[i]) {
					case "--work" -> work = Path.of(args[i + 1]);
					case "--tokens" -> tokens = positive(args[i], args[i + 1]);
					case "--rounds" -> rounds = positive(args[i], args[i + 1]);
					case "--shape" -> shape = DemoModel.Shape.named(args[i + 1]);
					default -> throw new IllegalStateException("unreachable: " + args[i]);
				}
			}
			catch (IllegalArgumentException ex) {
				usageError(ex.getMessage());
				return;
			}
		}
		Path model = work.resolve(shape.name());
		Path adapters = work.resolve(shape.name() + "-adapters");
		Path cold = work.resolve(shape.name() + "-cold");
		prepare(model, adapters, cold, shape);
		ModelConfig config = ModelConfig.read(model);
		Map<String, Object> results = new LinkedHashMap<>();
		results.put("model_shape", shape.name());
		results.put("parameters", config.parameterCount());
		results.put("decode_tokens_per_request", tokens);
		results.put("rounds", rounds);
		results.put("cpus", Runtime.getRuntime().availableProcessors());

		List<Double> matmul = new ArrayList<>();
		matmul.add(matmulGflops());

		EngineConfig engineConfig = new EngineConfig(new SchedulerConfig(32, 512, 512), 2048, 16,
				(int) ((1L << 30) / (16L * 2 * config.numLayers() * config.numKvHeads() * config.headDim() * 4)),
				8L << 30, 8L << 30);
		try (InferenceEngine engine = InferenceEngine.start(model, adapters, engineConfig)) {
			List<String> bf16Ids = new ArrayList<>();
			List<String> fp32Ids = new ArrayList<>();
			for (int i = 0; i < 32; i++) {
				bf16Ids.add(adapterName(DType.BF16, i));
				fp32Ids.add(adapterName(DType.F32, i));
			}
			for (String id : bf16Ids) {
				engine.preload(id, AdapterSource.LOCAL, false).get(120, TimeUnit.SECONDS);
			}
			for (String id : fp32Ids) {
				engine.preload(id, AdapterSource.LOCAL, false).get(120, TimeUnit.SECONDS);
			}
			// Warm up at the widest batch measured: the JIT compiles the Java kernels'
			// loops for 32-row passes, and the scenario measured first is not the one
			// that pays for it.
			for (List<String> ids : List.of(List.<String>of(), bf16Ids, fp32Ids)) {
				decode(engine, ids, 4, 8);
				decode(engine, ids, 32, 16);
			}
			Map<String, Double> base = new LinkedHashMap<>();
			Map<String, Double> bf16 = new LinkedHashMap<>();
			Map<String, Double> fp32 = new LinkedHashMap<>();
			Map<String, Double> baseOutput = new LinkedHashMap<>();
			Map<String, Double> bf16Output = new LinkedHashMap<>();
			for (int c : new int[] { 1, 8, 32 }) {
				// Alternate the scenarios and keep the medians, so that a noisy
				// neighbour on a shared machine weighs on all alike.
				List<Run> b = new ArrayList<>();
				List<Run> h = new ArrayList<>();
				List<Run> f = new ArrayList<>();
				for (int round = 0; round < rounds; round++) {
					if (c == 32) {
						matmul.add(matmulGflops());
					}
					// each round starts with another scenario, so that none always
					// follows the matmul measurement or the same other scenario
					for (int i = 0; i < 3; i++) {
						switch ((round + i) % 3) {
							case 0 -> b.add(decode(engine, List.of(), c, tokens));
							case 1 -> h.add(decode(engine, bf16Ids, c, tokens));
							default -> f.add(decode(engine, fp32Ids, c, tokens));
						}
					}
				}
				base.put("c" + c, round(percentile(b.stream().map(Run::decodeTokensPerSecond).toList(), 50)));
				bf16.put("c" + c, round(percentile(h.stream().map(Run::decodeTokensPerSecond).toList(), 50)));
				fp32.put("c" + c, round(percentile(f.stream().map(Run::decodeTokensPerSecond).toList(), 50)));
				baseOutput.put("c" + c, round(percentile(b.stream().map(Run::outputTokensPerSecond).toList(), 50)));
				bf16Output.put("c" + c, round(percentile(h.stream().map(Run::outputTokensPerSecond).toList(), 50)));
				if (c == 32) {
					// each round's adapter runs against the same round's base run: how
					// far the machine's noise moves the ratio within this one run
					results.put("adapter_to_base_ratio_c32_bf16_by_round", ratios(h, b));
					results.put("adapter_to_base_ratio_c32_fp32_by_round", ratios(f, b));
				}
			}
			results.put("decode_tokens_per_s_base", base);
			results.put("decode_tokens_per_s_32_adapters_bf16", bf16);
			results.put("decode_tokens_per_s_32_adapters_fp32", fp32);
			results.put("output_tokens_per_s_base", baseOutput);
			results.put("output_tokens_per_s_32_adapters_bf16", bf16Output);
			results.put("adapter_to_base_ratio_c32_bf16", round(bf16.get("c32") / base.get("c32")));
			results.put("adapter_to_base_ratio_c32_fp32", round(fp32.get("c32") / base.get("c32")));
			// The roofline is measured next to the runs it judges (median of the
			// measurements), so that load from elsewhere on the machine weighs on both.
			double gflops = percentile(matmul, 50);
			results.put("matmul_gflops_fp32", round(gflops));
			results.put("matmul_gflops_fp32_max",
					round(matmul.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
			double roofline = gflops * 1e9 / (2.0 * config.parameterCount());
			results.put("roofline_tokens_per_s", round(roofline));
			results.put("base_c32_fraction_of_roofline", round(base.get("c32") / roofline));

			for (DType dtype : List.of(DType.BF16, DType.F32)) {
				String kind = dtypeName(dtype);
				List<Double> loads = new ArrayList<>();
				List<Double> diskLoads = new ArrayList<>();
				List<Double> coldTtft = new ArrayList<>();
				List<Double> warmTtft = new ArrayList<>();
				for (int i = 0; i < COLD_ADAPTERS; i++) {
					Path dir = cold.resolve(coldName(dtype, i));
					String id = "cold/" + dir.getFileName();
					AdapterSource source = new AdapterSource(dir.toUri(), null);
					// the adapter's files in the page cache, as after a recent download;
					// then the same load once the kernel has dropped them, from the disk
					PageCache.read(dir);
					long started = System.nanoTime();
					engine.preload(id, source, false).get(120, TimeUnit.SECONDS);
					loads.add((System.nanoTime() - started) / 1e6);
					engine.evict(id).get(30, TimeUnit.SECONDS);
					if (PageCache.drop(dir)) {
						started = System.nanoTime();
						engine.preload(id, source, false).get(120, TimeUnit.SECONDS);
						diskLoads.add((System.nanoTime() - started) / 1e6);
						engine.evict(id).get(30, TimeUnit.SECONDS);
					}
					PageCache.read(dir);
					coldTtft.add(firstTokenMillis(engine, id, source));
					warmTtft.add(firstTokenMillis(engine, id, source));
					engine.evict(id).get(30, TimeUnit.SECONDS);
				}
				results.put("cold_adapter_load_ms_p50_" + kind, round(percentile(loads, 50)));
				results.put("cold_adapter_load_ms_p95_" + kind, round(percentile(loads, 95)));
				if (!diskLoads.isEmpty()) {
					results.put("cold_adapter_load_from_disk_ms_p50_" + kind, round(percentile(diskLoads, 50)));
					results.put("cold_adapter_load_from_disk_ms_p95_" + kind, round(percentile(diskLoads, 95)));
				}
				results.put("cold_adapter_extra_ttft_ms_p50_" + kind,
						round(percentile(coldTtft, 50) - percentile(warmTtft, 50)));
				results.put("warm_ttft_ms_p50_" + kind, round(percentile(warmTtft, 50)));
			}
		}
		results.put("peak_rss_mb", peakRssMb());
		print(results);
	}

	private static final int COLD_ADAPTERS = 10;

	private static String dtypeName(DType dtype) {
		return (dtype == DType.BF16) ? "bf16" : "fp32";
	}

	private static String adapterName(DType dtype, int i) {
		return String.format(Locale.ROOT, "bench-%s-%02d", dtypeName(dtype), i);
	}

	private static String coldName(DType dtype, int i) {
		return String.format(Locale.ROOT, "cold-%s-%02d", dtypeName(dtype), i);
	}

	private static void prepare(Path model, Path adapters, Path cold, DemoModel.Shape shape) throws IOException {
		if (!Files.isRegularFile(model.resolve("model.safetensors"))) {
			System.err.println("Generating a " + shape.name() + "-shaped model in " + model + " ...");
			DemoModel.generate(model, shape);
		}
		for (DType dtype : List.of(DType.BF16, DType.F32)) {
			if (!Files.isDirectory(adapters.resolve(adapterName(dtype, 31)))) {
				System.err
					.println("Generating 32 rank-16 " + dtypeName(dtype) + " adapters on all seven projections ...");
				List<DemoModel.AdapterSpec> specs = new ArrayList<>();
				for (int i = 0; i < 32; i++) {
					specs.add(new DemoModel.AdapterSpec(adapterName(dtype, i), 16, 32, DemoModel.ALL_MODULES, false,
							dtype));
				}
				DemoModel.generateAdapters(model, adapters, specs);
			}
			if (!Files.isDirectory(cold.resolve(coldName(dtype, COLD_ADAPTERS - 1)))) {
				List<DemoModel.AdapterSpec> specs = new ArrayList<>();
				for (int i = 0; i < COLD_ADAPTERS; i++) {
					specs.add(
							new DemoModel.AdapterSpec(coldName(dtype, i), 16, 32, DemoModel.ALL_MODULES, false, dtype));
				}
				DemoModel.generateAdapters(model, cold, specs);
			}
		}
	}

	/** Measured fp32 GFLOP/s of a large square matmul on this machine. */
	private static double matmulGflops() {
		try (NDManager manager = Torch.newManager()) {
			int n = 1024;
			NDArray a = manager.randomNormal(new Shape(n, n));
			NDArray b = manager.randomNormal(new Shape(n, n));
			for (int i = 0; i < 3; i++) {
				a.matMul(b).close();
			}
			int runs = 20;
			long started = System.nanoTime();
			for (int i = 0; i < runs; i++) {
				a.matMul(b).close();
			}
			double seconds = (System.nanoTime() - started) / 1e9;
			return 2.0 * n * n * n * runs / seconds / 1e9;
		}
	}

	/** One run's throughput: its decode phase alone, and from submission to the end. */
	private record Run(double decodeTokensPerSecond, double outputTokensPerSecond) {
	}

	/** Each round's decode rate against the same round's base rate. */
	private static List<Double> ratios(List<Run> adapters, List<Run> base) {
		List<Double> ratios = new ArrayList<>();
		for (int i = 0; i < adapters.size(); i++) {
			ratios.add(Math.round(adapters.get(i).decodeTokensPerSecond() / base.get(i).decodeTokensPerSecond() * 100)
					/ 100.0);
		}
		return ratios;
	}

	/**
	 * Runs {@code concurrency} requests at once, each generating {@code tokens} tokens.
	 * The decode rate is each request's own: the tokens drawn after the first that
	 * reached it, over the time from then to its end, summed over the requests (the
	 * batch's rate, since they decode side by side). A request's first delta can come a
	 * step or more after its first token was drawn (a token whose text is an incomplete
	 * character arrives with the next), so the tokens are counted from the delta's
	 * {@code drawn}, not assumed. The output rate counts every token over the whole run,
	 * prefill included.
	 */
	private static Run decode(InferenceEngine engine, List<String> adapters, int concurrency, int tokens)
			throws Exception {
		List<CompletableFuture<Timeline>> done = new ArrayList<>();
		long started = System.nanoTime();
		for (int i = 0; i < concurrency; i++) {
			String adapter = adapters.isEmpty() ? null : adapters.get(i % adapters.size());
			int[] prompt = new int[16];
			for (int t = 0; t < prompt.length; t++) {
				prompt[t] = 3 + (i * 131 + t * 17) % 200;
			}
			GenerationRequest request = new GenerationRequest("bench-" + System.nanoTime() + "-" + i, adapter, null,
					prompt, new SamplingParams(0, 1, 0, 0, 0, 0, 1, null, -1), tokens, List.of(), Set.of(), true, 1);
			done.add(submit(engine, request));
		}
		int generated = 0;
		long ended = started;
		double decodeRate = 0;
		for (CompletableFuture<Timeline> f : done) {
			Timeline t = f.get(600, TimeUnit.SECONDS);
			generated += t.generated();
			ended = Math.max(ended, t.ended());
			if (t.generated() > t.firstDrawn()) {
				decodeRate += (t.generated() - t.firstDrawn()) / ((t.ended() - t.firstDelta()) / 1e9);
			}
		}
		return new Run(decodeRate, generated / ((ended - started) / 1e9));
	}

	/**
	 * A request's run: when its first delta came and how many tokens it brought, when it
	 * completed and how many tokens it drew.
	 */
	private record Timeline(long firstDelta, int firstDrawn, long ended, int generated) {
	}

	private static CompletableFuture<Timeline> submit(InferenceEngine engine, GenerationRequest request) {
		CompletableFuture<Timeline> done = new CompletableFuture<>();
		long[] firstDelta = { -1 };
		int[] firstDrawn = { 0 };
		// the engine thread calls the listener, one event after the other
		engine.submit(request, (event) -> {
			if (event instanceof GenerationEvent.Delta d) {
				if (firstDelta[0] < 0) {
					firstDelta[0] = System.nanoTime();
					firstDrawn[0] = d.drawn();
				}
			}
			else if (event instanceof GenerationEvent.Completed c) {
				long now = System.nanoTime();
				done.complete((firstDelta[0] < 0) ? new Timeline(now, c.completionTokens(), now, c.completionTokens())
						: new Timeline(firstDelta[0], firstDrawn[0], now, c.completionTokens()));
			}
			else if (event instanceof GenerationEvent.Failed f) {
				done.completeExceptionally(new IllegalStateException(f.message()));
			}
		});
		return done;
	}

	private static double firstTokenMillis(InferenceEngine engine, String adapter, AdapterSource source)
			throws Exception {
		CompletableFuture<Double> first = new CompletableFuture<>();
		long started = System.nanoTime();
		GenerationRequest request = new GenerationRequest("ttft-" + System.nanoTime(), adapter, source,
				new int[] { 3, 4, 5, 6, 7, 8, 9, 10 }, SamplingParams.GREEDY, 1, List.of(), Set.of(), true, 1);
		engine.submit(request, (event) -> {
			if (event instanceof GenerationEvent.Finished || event instanceof GenerationEvent.Delta) {
				first.complete((System.nanoTime() - started) / 1e6);
			}
			else if (event instanceof GenerationEvent.Failed f) {
				first.completeExceptionally(new IllegalStateException(f.message()));
			}
		});
		return first.get(120, TimeUnit.SECONDS);
	}

	private static double percentile(List<Double> values, int p) {
		double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
	}

	private static long peakRssMb() throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
			if (line.startsWith("VmHWM:")) {
				return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
			}
		}
		return -1;
	}

	private static double round(double value) {
		return Math.round(value * 1000) / 1000.0;
	}

	private static void print(Map<String, Object> results) {
		System.out.println();
		System.out.println("Quiver worker benchmark (" + results.get("model_shape") + ", " + results.get("parameters")
				+ " parameters, " + results.get("cpus") + " CPUs)");
		System.out.println();
		@SuppressWarnings("unchecked")
		Map<String, Double> base = (Map<String, Double>) results.get("decode_tokens_per_s_base");
		System.out.printf(Locale.ROOT, "%-34s %12s %12s %12s%n", "decode tokens/s", "c=1", "c=8", "c=32");
		System.out.printf(Locale.ROOT, "%-34s %12.1f %12.1f %12.1f%n", "base model", base.get("c1"), base.get("c8"),
				base.get("c32"));
		for (String kind : List.of("bf16", "fp32")) {
			@SuppressWarnings("unchecked")
			Map<String, Double> lora = (Map<String, Double>) results.get("decode_tokens_per_s_32_adapters_" + kind);
			System.out.printf(Locale.ROOT, "%-34s %12.1f %12.1f %12.1f%n", "32 rank-16 " + kind + " adapters",
					lora.get("c1"), lora.get("c8"), lora.get("c32"));
			System.out.printf(Locale.ROOT, "%-34s %12.3f %12.3f %12.3f%n", "  adapters / base",
					lora.get("c1") / base.get("c1"), lora.get("c8") / base.get("c8"),
					lora.get("c32") / base.get("c32"));
		}
		@SuppressWarnings("unchecked")
		Map<String, Double> baseOut = (Map<String, Double>) results.get("output_tokens_per_s_base");
		@SuppressWarnings("unchecked")
		Map<String, Double> loraOut = (Map<String, Double>) results.get("output_tokens_per_s_32_adapters_bf16");
		System.out.printf(Locale.ROOT, "%-34s %12.1f %12.1f %12.1f%n", "output tokens/s incl. prefill, base",
				baseOut.get("c1"), baseOut.get("c8"), baseOut.get("c32"));
		System.out.printf(Locale.ROOT, "%-34s %12.1f %12.1f %12.1f%n", "  the same, 32 bf16 adapters",
				loraOut.get("c1"), loraOut.get("c8"), loraOut.get("c32"));
		System.out.println();
		String[][] rows = { { "fp32 matmul GFLOP/s (1024^3)", "matmul_gflops_fp32" },
				{ "fp32 matmul GFLOP/s, best", "matmul_gflops_fp32_max" },
				{ "roofline tokens/s (GFLOP/s / 2P)", "roofline_tokens_per_s" },
				{ "base c=32 fraction of roofline", "base_c32_fraction_of_roofline" },
				{ "adapters/base at c=32, bf16", "adapter_to_base_ratio_c32_bf16" },
				{ "adapters/base at c=32, fp32", "adapter_to_base_ratio_c32_fp32" },
				{ "  by round, bf16", "adapter_to_base_ratio_c32_bf16_by_round" },
				{ "  by round, fp32", "adapter_to_base_ratio_c32_fp32_by_round" },
				{ "cold adapter load p50 ms, bf16", "cold_adapter_load_ms_p50_bf16" },
				{ "cold adapter load p95 ms, bf16", "cold_adapter_load_ms_p95_bf16" },
				{ "cold adapter load p50 ms, fp32", "cold_adapter_load_ms_p50_fp32" },
				{ "cold adapter load p95 ms, fp32", "cold_adapter_load_ms_p95_fp32" },
				{ "  from disk, p50 ms, bf16", "cold_adapter_load_from_disk_ms_p50_bf16" },
				{ "  from disk, p95 ms, bf16", "cold_adapter_load_from_disk_ms_p95_bf16" },
				{ "  from disk, p50 ms, fp32", "cold_adapter_load_from_disk_ms_p50_fp32" },
				{ "  from disk, p95 ms, fp32", "cold_adapter_load_from_disk_ms_p95_fp32" },
				{ "extra TTFT, cold bf16 adapter ms", "cold_adapter_extra_ttft_ms_p50_bf16" },
				{ "extra TTFT, cold fp32 adapter ms", "cold_adapter_extra_ttft_ms_p50_fp32" },
				{ "warm TTFT p50 ms", "warm_ttft_ms_p50_fp32" }, { "peak RSS MB", "peak_rss_mb" } };
		for (String[] row : rows) {
			System.out.printf(Locale.ROOT, "%-34s %12s%n", row[0], results.get(row[1]));
		}
		System.out.println();
		ObjectNode json = JSON.valueToTree(results);
		System.out.println(JSON.writeValueAsString(json));
	}

}
