package io.quiver.worker.adapter;

import java.util.List;
import java.util.Random;
import java.util.Set;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.quiver.worker.model.ModelConfig;
import io.quiver.worker.model.ModelFamily;
import io.quiver.worker.model.RopeScaling;
import io.quiver.worker.tensor.Torch;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
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
	void whenTheJvmHasTheVectorApiThenTheKernelRuns() {
		// the build starts tests with --add-modules jdk.incubator.vector, as every
		// launcher of the worker does; without it the kernel half of these tests would
		// quietly test PyTorch twice
		assertThat(LoraRowsKernel.available()).isTrue();
	}

	private static void assertBatchedAndSingleRowsMatchTheLoop(ModelConfig config, int[] adapterOfRow, boolean inPlace,
			boolean kernel) {
		Random random = new Random(1);
		List<LoraWeights> adapters = List.of(weights(config, "a", 3, List.of("q_proj", "v_proj"), random),
				weights(config, "b", 7, LoraWeights.MODULES, random),
				weights(config, "c", 2, List.of("k_proj", "up_proj"), random),
				weights(config, "d", 4, List.of("gate_proj", "down_proj", "o_proj"), random));
		try (NDManager manager = Torch.newManager()) {
			LoraBank bank = new LoraBank(config, 8, manager, 2);
			LoraBank.preferRowsKernel(kernel);
			int[] slots = new int[adapters.size()];
			for (int i = 0; i < slots.length; i++) {
				slots[i] = bank.add(adapters.get(i));
			}
			int[] slotOfRow = new int[adapterOfRow.length];
			for (int r = 0; r < slotOfRow.length; r++) {
				slotOfRow[r] = slots[adapterOfRow[r]];
			}
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
				bank.addBatched(1, group, LoraBank.BankRows.of(slotOfRow, manager), input, batched);
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
			LoraWeights w = adapters.get(adapterOfRow[r]);
			int column = 0;
			for (String module : group.modules()) {
				int m = LoraWeights.moduleIndex(module);
				int width = LoraWeights.outputWidth(module, config);
				if (w.a()[1][m] != null) {
					for (int o = 0; o < width; o++) {
						double sum = 0;
						for (int k = 0; k < w.rank(); k++) {
							double xa = 0;
							for (int i = 0; i < in; i++) {
								xa += x[r * in + i] * w.a()[1][m][k * in + i];
							}
							sum += xa * w.b()[1][m][o * w.rank() + k];
						}
						y[r * out + column + o] = (float) sum;
					}
				}
				column += width;
			}
		}
		return y;
	}

	private static LoraWeights weights(ModelConfig config, String id, int rank, List<String> modules, Random random) {
		float[][][] a = new float[config.numLayers()][LoraWeights.MODULES.size()][];
		float[][][] b = new float[config.numLayers()][LoraWeights.MODULES.size()][];
		for (int layer = 0; layer < config.numLayers(); layer++) {
			for (String module : modules) {
				int m = LoraWeights.moduleIndex(module);
				a[layer][m] = gaussian(random, rank * LoraWeights.inputWidth(module, config));
				b[layer][m] = gaussian(random, rank * LoraWeights.outputWidth(module, config));
			}
		}
		return new LoraWeights(id, rank, 1.0, Set.copyOf(modules), a, b);
	}

	private static float[] gaussian(Random random, int n) {
		float[] v = new float[n];
		for (int i = 0; i < n; i++) {
			v[i] = (float) random.nextGaussian();
		}
		return v;
	}

}
