package io.quiver.worker.adapter;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.quiver.worker.demo.DemoModel;
import io.quiver.worker.model.ModelConfig;
import io.quiver.worker.model.ModelFamily;
import io.quiver.worker.model.RopeScaling;
import io.quiver.worker.tensor.Torch;
import io.quiver.worker.weights.DType;
import io.quiver.worker.weights.SafeTensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.within;

/**
 * The bank's batched paths (the CPU kernel and PyTorch's batched matmul) and its
 * per-adapter path against a plain loop over {@code x·Aᵀ·Bᵀ}, with mixed ranks and target
 * modules in one batch.
 */
class LoraBankTests {

	private static final ModelConfig CONFIG = new ModelConfig(ModelFamily.LLAMA, 320, 64, 96, 2, 4, 2, 16, 1e-5, 10000,
			RopeScaling.NONE, 1024, false, false, 1, List.of(2), 0);

	// widths and ranks that are no multiple of any vector's lanes, so that every
	// remainder loop of the kernel runs
	private static final ModelConfig ODD = new ModelConfig(ModelFamily.LLAMA, 320, 60, 90, 2, 5, 1, 14, 1e-5, 10000,
			RopeScaling.NONE, 1024, false, false, 1, List.of(2), 0);

	@Test
	void whenRowsOfManyAdaptersRunBatchedThenEachRowGetsItsOwnDelta() {
		assertBatchedAndSingleRowsMatchTheLoop(CONFIG, new int[] { 0, 0, 1, 2, 2, 2, 3 }, false, true);
		assertBatchedAndSingleRowsMatchTheLoop(CONFIG, new int[] { 0, 0, 1, 2, 2, 2, 3 }, false, false);
	}

	@Test
	void whenEachSlotHasOneRowInSlotOrderThenTheRowsAreUsedInPlace() {
		assertBatchedAndSingleRowsMatchTheLoop(CONFIG, new int[] { 0, 1, 2, 3 }, true, true);
		assertBatchedAndSingleRowsMatchTheLoop(CONFIG, new int[] { 0, 1, 2, 3 }, true, false);
	}

	@Test
	void whenWidthsAndRanksAreNoMultipleOfTheVectorLanesThenTheKernelStillMatches() {
		assertBatchedAndSingleRowsMatchTheLoop(ODD, new int[] { 3, 0, 1, 2, 2, 1 }, false, true);
	}

	@Test
	void whenRowsOfAdaptersAlikeAreComputedTwoByTwoThenEachGetsItsOwnDelta() {
		// the kernel computes two rows of the order at a time, side by side where their
		// adapters have the same rank, modules and copy: here rows of one adapter, of the
		// two bf16 ones, of two unlike (one after the other), of the two fp32 ones, and
		// the odd last alone
		int[] adapterOfRow = { 0, 1, 2, 3, 1, 0, 3, 2, 0 };
		assertBatchedAndSingleRowsMatchTheLoop(CONFIG, alikeAdapters(CONFIG, new Random(5)), adapterOfRow, false, true);
		assertBatchedAndSingleRowsMatchTheLoop(ODD, alikeAdapters(ODD, new Random(5)), adapterOfRow, false, true);
		assertOnlyTheBanksRowsGetDeltas(alikeAdapters(CONFIG, new Random(6)), adapterOfRow);
		assertOnlyTheBanksRowsGetDeltas(alikeAdapters(CONFIG, new Random(6)), new int[] { 2, -1, 3, 0, -1, 1, 1 });
	}

	@Test
	void whenTheBankGrowsPastTheKernelsViewsThenItsBf16AdaptersAreReadInFp32() {
		// two slots' q/k/v first factors, the widest layer slice, fit; four slots' do not
		long limit = LoraBank.maxViewBytes;
		LoraBank.maxViewBytes = 2L * 3 * 8 * 64 * Float.BYTES;
		List<LoraWeights> adapters = alikeAdapters(CONFIG, new Random(7));
		try (NDManager manager = Torch.newManager(); LoraBank bank = new LoraBank(CONFIG, 8, manager, 2)) {
			// the two bf16 adapters go to the kernel alone, their fp32 factors unwritten
			int[] slotOfRow = add(bank, adapters.subList(0, 2), new int[] { 0, 1 });
			assertThat(bank.addsToArrays()).isTrue();
			int[] grown = { slotOfRow[0], slotOfRow[1], bank.add(adapters.get(2)) };
			assertThat(bank.addsToArrays()).isFalse();
			int[] adapterOfRow = { 0, 1, 2 };
			for (LoraGroup group : LoraGroup.values()) {
				int in = LoraWeights.inputWidth(group.modules().get(0), CONFIG);
				int out = group.modules().stream().mapToInt((m) -> LoraWeights.outputWidth(m, CONFIG)).sum();
				float[] x = randoms(new Random(8), 3 * in);
				NDArray y = manager.zeros(new Shape(3, out));
				bank.addBatched(1, group, LoraBank.BankRows.of(grown, manager), 0, manager.create(x, new Shape(3, in)),
						y);
				float[] expected = naive(CONFIG, adapters, adapterOfRow, group, x, in, out);
				float[] got = y.toFloatArray();
				for (int i = 0; i < expected.length; i++) {
					assertThat(got[i]).as("%s %d", group, i).isCloseTo(expected[i], within(1e-4f));
				}
			}
		}
		finally {
			LoraBank.maxViewBytes = limit;
		}
	}

	@Test
	void whenTheJvmHasTheVectorApiThenTheKernelRuns() {
		// the build starts tests with --add-modules jdk.incubator.vector, as every
		// launcher of the worker does; without it the kernel half of these tests would
		// quietly test PyTorch twice
		assertThat(LoraRowsKernel.available()).isTrue();
	}

	private static void assertBatchedAndSingleRowsMatchTheLoop(ModelConfig config, int[] adapterOfRow, boolean inPlace,
			boolean kernel) {
		Random random = new Random(1);
		assertBatchedAndSingleRowsMatchTheLoop(config, mixedAdapters(config, random), adapterOfRow, inPlace, kernel);
	}

	private static void assertBatchedAndSingleRowsMatchTheLoop(ModelConfig config, List<LoraWeights> adapters,
			int[] adapterOfRow, boolean inPlace, boolean kernel) {
		Random random = new Random(1);
		try (NDManager manager = Torch.newManager()) {
			LoraBank bank = new LoraBank(config, 8, manager, 2);
			LoraBank.preferRowsKernel(kernel);
			int[] slotOfRow = add(bank, adapters, adapterOfRow);
			assertThat(LoraBank.BankRows.of(slotOfRow, manager).inPlace()).isEqualTo(inPlace);
			for (LoraGroup group : LoraGroup.values()) {
				int in = LoraWeights.inputWidth(group.modules().get(0), config);
				int out = group.modules().stream().mapToInt((m) -> LoraWeights.outputWidth(m, config)).sum();
				float[] x = new float[adapterOfRow.length * in];
				for (int i = 0; i < x.length; i++) {
					x[i] = (float) random.nextGaussian();
				}
				NDArray input = manager.create(x, new Shape(adapterOfRow.length, in));
				NDArray batched = manager.zeros(new Shape(adapterOfRow.length, out));
				bank.addBatched(1, group, LoraBank.BankRows.of(slotOfRow, manager), 0, input, batched);
				NDArray single = manager.zeros(new Shape(adapterOfRow.length, out));
				for (int r = 0; r < adapterOfRow.length; r++) {
					bank.addSegment(1, group, slotOfRow[r], input.get("{}:{}", r, r + 1),
							single.get("{}:{}", r, r + 1));
				}
				float[] expected = naive(config, adapters, adapterOfRow, group, x, in, out);
				float[] got = batched.toFloatArray();
				float[] gotSingle = single.toFloatArray();
				for (int i = 0; i < expected.length; i++) {
					assertThat(got[i]).as("batched (kernel %s) %s %d", kernel, group, i)
						.isCloseTo(expected[i], within(1e-4f));
					assertThat(gotSingle[i]).as("single %s %d", group, i).isCloseTo(expected[i], within(1e-4f));
				}
			}
			bank.close();
		}
		finally {
			LoraBank.preferRowsKernel(true);
		}
	}

	/**
	 * Three ranks, mixed modules, two adapters saved in bf16 (which the kernel reads from
	 * the bank's bf16 copy) and scales other than 1.
	 */
	private static List<LoraWeights> mixedAdapters(ModelConfig config, Random random) {
		return List.of(weights(config, "a", 3, List.of("q_proj", "v_proj"), 0.5, false, random),
				weights(config, "b", 7, LoraWeights.MODULES, 2.0, true, random),
				weights(config, "c", 2, List.of("k_proj", "up_proj"), 1.3, false, random),
				weights(config, "d", 4, List.of("gate_proj", "down_proj", "o_proj"), 0.7, true, random));
	}

	/**
	 * Two pairs of adapters alike, on all seven modules: two saved in bf16 at rank 7
	 * (below the bank's), two in fp32 at the bank's rank 8, each with a scale of its own.
	 */
	private static List<LoraWeights> alikeAdapters(ModelConfig config, Random random) {
		return List.of(weights(config, "e", 7, LoraWeights.MODULES, 0.5, true, random),
				weights(config, "f", 7, LoraWeights.MODULES, 2.0, true, random),
				weights(config, "g", 8, LoraWeights.MODULES, 1.3, false, random),
				weights(config, "h", 8, LoraWeights.MODULES, 0.7, false, random));
	}

	/**
	 * Adds the adapters to the bank and gives each row's slot ({@code -1}: a skipped
	 * row).
	 */
	private static int[] add(LoraBank bank, List<LoraWeights> adapters, int[] adapterOfRow) {
		int[] slots = new int[adapters.size()];
		for (int i = 0; i < slots.length; i++) {
			slots[i] = bank.add(adapters.get(i));
		}
		int[] slotOfRow = new int[adapterOfRow.length];
		for (int r = 0; r < slotOfRow.length; r++) {
			slotOfRow[r] = (adapterOfRow[r] < 0) ? LoraBank.BankRows.SKIPPED : slots[adapterOfRow[r]];
		}
		return slotOfRow;
	}

	/** How a tensor of the batch lies in memory. */
	private enum Layout {

		/** Row-major. */
		ROWS,

		/** A transposed view of a contiguous tensor, as a projection's output. */
		TRANSPOSED,

		/** Columns of a wider tensor: neither. */
		STRIDED;

		NDArray of(NDManager manager, float[] values, int rows, int cols) {
			NDArray array = switch (this) {
				case ROWS -> manager.create(values, new Shape(rows, cols));
				case TRANSPOSED -> manager.create(transpose(values, rows, cols), new Shape(cols, rows)).transpose();
				case STRIDED -> manager.create(values, new Shape(rows, cols))
					.concat(manager.zeros(new Shape(rows, 3)), 1)
					.get(new NDIndex(":, :{}", cols));
			};
			assertThat(Torch.isContiguous(array)).as("%s is row-major", this).isEqualTo(this == ROWS);
			assertThat(Torch.isContiguous(array.transpose())).as("%s is transposed", this)
				.isEqualTo(this == TRANSPOSED);
			return array;
		}

		private static float[] transpose(float[] values, int rows, int cols) {
			float[] transposed = new float[values.length];
			for (int r = 0; r < rows; r++) {
				for (int c = 0; c < cols; c++) {
					transposed[c * rows + r] = values[r * cols + c];
				}
			}
			return transposed;
		}

	}

	/**
	 * Where the deltas go: a tensor in one of the layouts, or (null) a Java array of
	 * row-major rows, which only the kernel adds to.
	 */
	private static final List<Layout> OUTPUTS = Arrays.asList(Layout.ROWS, Layout.TRANSPOSED, Layout.STRIDED, null);

	@Test
	void whenTheBanksRowsAreSomeOfTheBatchInAnyLayoutThenOnlyTheyGetDeltas() {
		assertOnlyTheBanksRowsGetDeltas(new int[] { 1, 0, 3, 2, 1 });
		// Rows and widths past 8 × 8 tiles, so that a transposed output and input go
		// through the tiles and their remainders.
		int[] many = new int[19];
		for (int r = 0; r < many.length; r++) {
			many[r] = (r * 7) % 4;
		}
		assertOnlyTheBanksRowsGetDeltas(many);
	}

	@Test
	void whenRowsBetweenTheBanksRowsAreSkippedThenTheKernelLeavesThemAsTheyAre() {
		// a prefill pass's layout: a bank's decode and prefill rows in one call, with the
		// base model's rows and another bank's between them (-1: skipped)
		assertOnlyTheBanksRowsGetDeltas(new int[] { 1, 3, -1, -1, 2, 2, 2, -1, 0, 0 });
		int[] many = new int[19];
		for (int r = 0; r < many.length; r++) {
			many[r] = (r % 5 == 2) ? -1 : (r * 7) % 4;
		}
		assertOnlyTheBanksRowsGetDeltas(many);
	}

	private static void assertOnlyTheBanksRowsGetDeltas(int[] adapterOfRow) {
		assertOnlyTheBanksRowsGetDeltas(mixedAdapters(CONFIG, new Random(3)), adapterOfRow);
	}

	private static void assertOnlyTheBanksRowsGetDeltas(List<LoraWeights> adapters, int[] adapterOfRow) {
		Random random = new Random(3);
		int first = 2;
		int n = adapterOfRow.length + 3;
		try (NDManager manager = Torch.newManager(); LoraBank bank = new LoraBank(CONFIG, 8, manager, 2)) {
			int[] slotOfRow = add(bank, adapters, adapterOfRow);
			boolean skips = Arrays.stream(adapterOfRow).anyMatch((a) -> a < 0);
			// PyTorch's batched matmuls take no skipped rows
			for (boolean kernel : skips ? new boolean[] { true } : new boolean[] { true, false }) {
				LoraBank.preferRowsKernel(kernel);
				for (Layout inputLayout : Layout.values()) {
					for (Layout outputLayout : OUTPUTS) {
						for (LoraGroup group : LoraGroup.values()) {
							int in = LoraWeights.inputWidth(group.modules().get(0), CONFIG);
							int out = group.modules()
								.stream()
								.mapToInt((m) -> LoraWeights.outputWidth(m, CONFIG))
								.sum();
							float[] x = new float[n * in];
							for (int i = 0; i < x.length; i++) {
								x[i] = (float) random.nextGaussian();
							}
							float[] y = new float[n * out];
							Arrays.fill(y, 1f);
							LoraBank.BankRows rows = skips ? LoraBank.BankRows.ofRows(slotOfRow)
									: LoraBank.BankRows.of(slotOfRow, manager);
							NDArray input = inputLayout.of(manager, x, n, in);
							float[] got;
							if (outputLayout != null) {
								NDArray output = outputLayout.of(manager, y, n, out);
								bank.addBatched(1, group, rows, first, input, output);
								got = output.toFloatArray();
							}
							else if (kernel) {
								assertThat(bank.addsToArrays()).isTrue();
								bank.addBatched(1, group, rows, first, input, y);
								got = y;
							}
							else {
								assertThat(bank.addsToArrays()).isFalse();
								assertThatIllegalStateException()
									.isThrownBy(() -> bank.addBatched(1, group, rows, first, input, y));
								continue;
							}
							float[] expected = naive(CONFIG, adapters, adapterOfRow, group,
									Arrays.copyOfRange(x, first * in, (first + adapterOfRow.length) * in), in, out);
							for (int i = 0; i < got.length; i++) {
								int row = i / out;
								boolean ours = row >= first && row < first + adapterOfRow.length;
								float want = 1f + (ours ? expected[(row - first) * out + i % out] : 0f);
								assertThat(got[i])
									.as("kernel %s, input %s, output %s, %s, row %d column %d", kernel, inputLayout,
											(outputLayout != null) ? outputLayout : "a Java array", group, row, i % out)
									.isCloseTo(want, within(1e-4f));
							}
						}
					}
				}
			}
		}
		finally {
			LoraBank.preferRowsKernel(true);
		}
	}

	@Test
	void whenAnAdapterIsStoredInBf16ThenItsSlotAlsoHoldsTheBf16Copy() {
		Random random = new Random(2);
		try (NDManager manager = Torch.newManager(); LoraBank bank = new LoraBank(CONFIG, 8, manager, 2)) {
			int fp32 = bank.add(weights(CONFIG, "fp32", 8, LoraWeights.MODULES, 1.0, false, random));
			int bf16 = bank.add(weights(CONFIG, "bf16", 8, LoraWeights.MODULES, 1.0, true, random));
			assertThat(bank.slotBytes(fp32)).isEqualTo(LoraBank.slotBytes(CONFIG, 8));
			assertThat(bank.slotBytes(bf16)).isEqualTo(LoraBank.slotBytes(CONFIG, 8) * 3 / 2);
			bank.remove(bf16);
			int reused = bank.add(weights(CONFIG, "fp32-too", 8, LoraWeights.MODULES, 1.0, false, random));
			assertThat(reused).isEqualTo(bf16);
			assertThat(bank.slotBytes(reused)).isEqualTo(LoraBank.slotBytes(CONFIG, 8));
		}
	}

	@Test
	void whenAnAdapterFileIsSavedInBf16ThenItIsReadAsBf16(@TempDir Path dir) throws Exception {
		Path model = dir.resolve("tiny");
		DemoModel.generate(model, DemoModel.Shape.TINY);
		ModelConfig config = ModelConfig.read(model);
		List<Path> written = DemoModel.generateAdapters(model, dir.resolve("adapters"),
				List.of(new DemoModel.AdapterSpec("half", 4, 8, List.of("q_proj", "down_proj"), false, DType.BF16),
						new DemoModel.AdapterSpec("full", 4, 8, List.of("q_proj", "down_proj"), false, DType.F32)));
		LoraWeights half = LoraWeights.read("half", written.get(0), config);
		LoraWeights full = LoraWeights.read("full", written.get(1), config);
		assertThat(half.bf16()).isTrue();
		assertThat(full.bf16()).isFalse();
		// the scale is kept apart from lora_B, whose bf16 numbers it would round away
		assertThat(half.scale()).isEqualTo(2.0);
		for (float v : half.b(0, LoraWeights.moduleIndex("down_proj"))) {
			assertThat(Float.floatToRawIntBits(v) & 0xFFFF).isZero();
		}
		// held as bf16 bits: half the host bytes of the same shapes in fp32
		assertThat(half.bytes() * 2).isEqualTo(full.bytes());
		assertThat(half.targets(0, LoraWeights.moduleIndex("k_proj"))).isFalse();
		assertThat(half.a(0, LoraWeights.moduleIndex("k_proj"))).isNull();
		// every factor of every layer reads back as the file holds it
		Pattern factor = Pattern.compile(".*layers\\.(\\d+)\\.\\w+\\.(\\w+)\\.lora_([AB])\\..*");
		for (int i = 0; i < 2; i++) {
			LoraWeights read = (i == 0) ? half : full;
			int checked = 0;
			try (SafeTensorsFile file = SafeTensorsFile.open(written.get(i).resolve("adapter_model.safetensors"))) {
				for (String name : file.names()) {
					Matcher m = factor.matcher(name);
					assertThat(m.matches()).as(name).isTrue();
					int layer = Integer.parseInt(m.group(1));
					int module = LoraWeights.moduleIndex(m.group(2));
					float[] held = m.group(3).equals("A") ? read.a(layer, module) : read.b(layer, module);
					assertThat(held).as(name).containsExactly(file.floats(name));
					checked++;
				}
			}
			assertThat(checked).isEqualTo(2 * 2 * config.numLayers());
		}
	}

	@Test
	void whenRowsAreLaidOutThenTheKernelTakesThemInTheOrderOfTheirSlots() {
		try (NDManager manager = Torch.newManager()) {
			// rows of one slot keep their order among themselves
			assertThat(LoraBank.BankRows.of(new int[] { 7, 5, 7, 4, 5, 9 }, manager).order()).containsExactly(3, 1, 4,
					0, 2, 5);
			assertThat(LoraBank.BankRows.of(new int[] { 2 }, manager).order()).containsExactly(0);
			// skipped rows are left out
			assertThat(LoraBank.BankRows.ofRows(new int[] { 7, -1, 5, -1, 7 }).order()).containsExactly(2, 0, 4);
			// the kernel's layout has no padded block, however far apart the slots
			LoraBank.BankRows wide = LoraBank.BankRows.ofRows(new int[] { 4000, 3, 3, 3 });
			assertThat(wide.order()).containsExactly(1, 2, 3, 0);
			assertThat(wide.scatter()).isNull();
			assertThat(wide.gather()).isNull();
			assertThatIllegalArgumentException().isThrownBy(() -> LoraBank.BankRows.of(new int[] { 1, -1 }, manager));
			assertThatIllegalArgumentException().isThrownBy(() -> LoraBank.BankRows.ofRows(new int[] { -1, -1 }));
		}
	}

	@Test
	void whenRankIsNotAPowerOfTwoThenItsBucketIsTheNextOne() {
		assertThat(LoraBank.bucket(1)).isEqualTo(1);
		assertThat(LoraBank.bucket(3)).isEqualTo(4);
		assertThat(LoraBank.bucket(16)).isEqualTo(16);
		assertThat(LoraBank.bucket(17)).isEqualTo(32);
		assertThat(LoraBank.bucket(256)).isEqualTo(256);
	}

	private static float[] naive(ModelConfig config, List<LoraWeights> adapters, int[] adapterOfRow, LoraGroup group,
			float[] x, int in, int out) {
		float[] y = new float[adapterOfRow.length * out];
		for (int r = 0; r < adapterOfRow.length; r++) {
			if (adapterOfRow[r] < 0) {
				continue;
			}
			LoraWeights w = adapters.get(adapterOfRow[r]);
			int column = 0;
			for (String module : group.modules()) {
				int m = LoraWeights.moduleIndex(module);
				int width = LoraWeights.outputWidth(module, config);
				if (w.targets(1, m)) {
					float[] a = w.a(1, m);
					float[] b = w.b(1, m);
					for (int o = 0; o < width; o++) {
						double sum = 0;
						for (int k = 0; k < w.rank(); k++) {
							double xa = 0;
							for (int i = 0; i < in; i++) {
								xa += x[r * in + i] * a[k * in + i];
							}
							sum += xa * b[o * w.rank() + k];
						}
						y[r * out + column + o] = (float) (w.scale() * sum);
					}
				}
				column += width;
			}
		}
		return y;
	}

	private static LoraWeights weights(ModelConfig config, String id, int rank, List<String> modules, double scale,
			boolean bf16, Random random) {
		float[][][] a = new float[config.numLayers()][LoraWeights.MODULES.size()][];
		float[][][] b = new float[config.numLayers()][LoraWeights.MODULES.size()][];
		for (int layer = 0; layer < config.numLayers(); layer++) {
			for (String module : modules) {
				int m = LoraWeights.moduleIndex(module);
				a[layer][m] = gaussian(random, rank * LoraWeights.inputWidth(module, config), bf16);
				b[layer][m] = gaussian(random, rank * LoraWeights.outputWidth(module, config), bf16);
			}
		}
		return LoraWeights.of(id, rank, scale, Set.copyOf(modules), a, b, bf16);
	}

	private static float[] gaussian(Random random, int n, boolean bf16) {
		float[] v = new float[n];
		for (int i = 0; i < n; i++) {
			v[i] = (float) random.nextGaussian();
			if (bf16) {
				// what a bf16 file widens to: the low half of the bits is zero
				v[i] = Float.intBitsToFloat(Float.floatToRawIntBits(v[i]) & 0xFFFF0000);
			}
		}
		return v;
	}

	private static float[] randoms(Random random, int n) {
		float[] v = new float[n];
		for (int i = 0; i < n; i++) {
			v[i] = (float) random.nextGaussian();
		}
		return v;
	}

}
