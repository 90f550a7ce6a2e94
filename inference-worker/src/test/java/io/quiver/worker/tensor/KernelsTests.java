package io.quiver.worker.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.quiver.worker.kvcache.KvCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

/**
 * Each optimised routine of {@link Kernels} against its straightforward twin in
 * {@link NaiveKernels}, on inputs shaped and strided as the forward pass gives them.
 */
class KernelsTests {

	private static NDManager manager;

	private final Random random = new Random(7);

	@BeforeAll
	static void start() {
		manager = Torch.newManager();
	}

	@AfterAll
	static void stop() {
		manager.close();
	}

	@Test
	void linearMatchesTheRowByRowLoop() {
		int rows = 5;
		int in = 24;
		int out = 40;
		float[] x = randoms(rows * in);
		float[] w = randoms(out * in);
		float[] got = Kernels.linear(manager.create(x, new Shape(rows, in)), manager.create(w, new Shape(out, in)))
			.reshape(-1)
			.toFloatArray();
		assertRowsAreLinear(got, x, w, rows, in, out);
	}

	@Test
	void projectionSplitIntoBlocksOnEveryThreadMatchesTheRowByRowLoop() {
		int in = 24;
		float[] w = randoms(41 * in);
		NDArray weight = manager.create(w, new Shape(41, in));
		// more blocks than threads, a block per output row, one block, rows of 1 and 32;
		// blocks of at most 8 rows (the last one short), and of at most more rows than
		// the
		// weight has (a block a thread)
		List<Projection> projections = new ArrayList<>();
		for (int parts : new int[] { 1, 2, 3, 41, 64 }) {
			projections.add(new Projection(weight, parts));
		}
		projections.add(Projection.inBlocksOf(weight, 8));
		projections.add(Projection.inBlocksOf(weight, 1024));
		for (Projection projection : projections) {
			for (int rows : new int[] { 1, 32 }) {
				float[] x = randoms(rows * in);
				try (RowWork.Hot hot = RowWork.hot(); Torch.Threads one = Torch.oneThread()) {
					float[] got = projection.rows(manager.create(x, new Shape(rows, in)), null);
					assertRowsAreLinear(got, x, w, rows, in, 41);
				}
			}
		}
		Projection projection = new Projection(weight);
		float[] x = randoms(3 * in);
		float[] previous = new float[3 * 41];
		assertThat(projection.rows(manager.create(x, new Shape(3, in)), previous)).isSameAs(previous);
		assertRowsAreLinear(previous, x, w, 3, in, 41);
		assertThat(projection.out()).isEqualTo(41);
		assertThat(projection.weight()).isSameAs(weight);
	}

	@Test
	void rowMajorReadsTheLinearViewInBlocksAsTheRowByRowLoop() {
		// 19 rows and 300 outputs: full 8 × 8 tiles of the transpose and partial ones
		// both ways (and two full blocks of the loop without tiles, and a partial one).
		int rows = 19;
		int in = 16;
		int out = 300;
		float[] x = randoms(rows * in);
		float[] w = randoms(out * in);
		NDArray y = Kernels.linear(manager.create(x, new Shape(rows, in)), manager.create(w, new Shape(out, in)));
		assertThat(Torch.isContiguous(y.transpose())).as("the view the fast path reads").isTrue();
		float[] got = Kernels.rowMajor(y);
		assertThat(got).hasSize(rows * out);
		assertRowsAreLinear(got, x, w, rows, in, out);
		// Already row-major, and a strided slice of rows: PyTorch's own copy.
		float[] plain = randoms(rows * out);
		assertThat(Kernels.rowMajor(manager.create(plain, new Shape(rows, out)))).containsExactly(plain);
		assertThat(Kernels.rowMajor(y.get(new NDIndex("1:3")))).containsExactly(slice(got, out, 2 * out));
	}

	@Test
	void rowMajorWritesIntoTheCallersBufferWhereItFits() {
		int rows = 9;
		int in = 16;
		int out = 40;
		NDArray y = Kernels.linear(manager.create(randoms(rows * in), new Shape(rows, in)),
				manager.create(randoms(out * in), new Shape(out, in)));
		float[] expected = Kernels.rowMajor(y);
		float[] previous = new float[rows * out];
		Arrays.fill(previous, Float.NaN);
		float[] got = Kernels.rowMajor(y, previous);
		assertThat(got).isSameAs(previous).containsExactly(expected);
		// a buffer of another length is left alone
		float[] shorter = new float[rows * out - 1];
		float[] fresh = Kernels.rowMajor(y, shorter);
		assertThat(fresh).isNotSameAs(shorter).containsExactly(expected);
		assertThat(shorter).containsOnly(0f);
		assertThat(Kernels.reuse(null, 3)).hasSize(3);
	}

	@Test
	void transposeOfAWindowOfNativeMemoryMatchesTheLoop() {
		// a 19 × 29 window, 3 elements into rows 40 apart, into rows 23 apart from
		// element 5: full tiles and remainders both ways, nothing outside touched
		int rows = 19;
		int columns = 29;
		int sourceLine = 40;
		int targetLine = 23;
		float[] values = randoms(rows * sourceLine + 3);
		MemorySegment source = MemorySegment
			.ofBuffer(ByteBuffer.allocateDirect(values.length * Float.BYTES).order(ByteOrder.nativeOrder()));
		MemorySegment.copy(values, 0, source, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, values.length);
		float[] target = new float[5 + columns * targetLine + 7];
		Arrays.fill(target, -1f);
		Kernels.transpose(source, 3, sourceLine, rows, columns, target, 5, targetLine);
		for (int i = 0; i < target.length; i++) {
			int c = (i - 5) / targetLine;
			int r = (i - 5) % targetLine;
			boolean inside = i >= 5 && c < columns && r < rows;
			assertThat(target[i]).as("target element %d", i).isEqualTo(inside ? values[3 + r * sourceLine + c] : -1f);
		}
	}

	@Test
	void ropeOnAStridedSliceOfHeadsMatchesRotateHalf() {
		int rows = 3;
		int heads = 4;
		int kept = 3;
		int hd = 8;
		double[] inverse = inverseFrequencies(hd);
		int[] positions = { 0, 7, 123 };
		float[] cos = new float[rows * hd];
		float[] signedSin = new float[rows * hd];
		rotaryTables(inverse, positions, cos, signedSin);
		float[] x = randoms(rows * heads * hd);
		// the forward pass ropes the first heads of each row: a strided view
		NDArray view = manager.create(x, new Shape(rows, heads, hd)).get(new NDIndex(":, :{}", kept));
		float[] got = Kernels
			.rope(view, manager.create(cos, new Shape(rows, 1, hd)), manager.create(signedSin, new Shape(rows, 1, hd)))
			.reshape(-1)
			.toFloatArray();
		for (int r = 0; r < rows; r++) {
			for (int h = 0; h < kept; h++) {
				float[] expected = NaiveKernels.rope(slice(x, (r * heads + h) * hd, hd), inverse, positions[r]);
				for (int i = 0; i < hd; i++) {
					assertThat(got[(r * kept + h) * hd + i]).as("row %d head %d dim %d", r, h, i)
						.isCloseTo(expected[i], within(1e-5f));
				}
			}
		}
	}

	@Test
	void rotaryCacheWriteGivesThePyTorchPathsBitsAndWritesOnlyItsSlots() {
		int rows = 5;
		int heads = 6;
		int kvHeads = 2;
		int hd = 8;
		int width = (heads + 2 * kvHeads) * hd;
		int positionsCovered = 200;
		double[] inverse = inverseFrequencies(hd);
		int[] every = new int[positionsCovered];
		for (int p = 0; p < positionsCovered; p++) {
			every[p] = p;
		}
		float[] cos = new float[positionsCovered * hd];
		float[] signedSin = new float[positionsCovered * hd];
		rotaryTables(inverse, every, cos, signedSin);
		int[] positions = { 0, 7, 123, 8, 199 };
		long[] slots = { 3, 17, 0, 30, 9 };
		float[] qkv = randoms(rows * width);
		try (KvCache viaTorch = new KvCache(manager, 1, kvHeads, hd, 4, 8);
				KvCache viaJava = new KvCache(manager, 1, kvHeads, hd, 4, 8);
				NDManager scope = manager.newSubManager()) {
			// PyTorch's path, as the forward pass takes it for a cache on a GPU
			NDArray heads3 = scope.create(qkv, new Shape(rows, heads + 2 * kvHeads, hd));
			long[] at = new long[rows];
			for (int r = 0; r < rows; r++) {
				at[r] = positions[r];
			}
			NDArray index = scope.create(at);
			NDArray qk = Kernels.rope(heads3.get(new NDIndex(":, :{}", heads + kvHeads)),
					scope.create(cos, new Shape(positionsCovered, hd)).get(new NDIndex("{}", index)).expandDims(1),
					scope.create(signedSin, new Shape(positionsCovered, hd))
						.get(new NDIndex("{}", index))
						.expandDims(1));
			viaTorch.write(0, scope.create(slots), qk.get(new NDIndex(":, {}:", heads)),
					heads3.get(new NDIndex(":, {}:", heads + kvHeads)));
			float[] expectedQ = qk.get(new NDIndex(":, :{}", heads)).reshape(-1).toFloatArray();

			float[] q = RotaryCacheWrite.apply(qkv, positions, slots, cos, signedSin, heads, kvHeads, hd,
					MemorySegment.ofBuffer(viaJava.keyMemory(0)), MemorySegment.ofBuffer(viaJava.valueMemory(0)));

			assertThat(q).containsExactly(expectedQ);
			assertThat(viaJava.keyMemory(0)).isEqualTo(viaTorch.keyMemory(0));
			assertThat(viaJava.valueMemory(0)).isEqualTo(viaTorch.valueMemory(0));
			// against the rotate-half formula, and only the rows' slots written
			float[] keys = floats(viaJava.keyMemory(0));
			float[] values = floats(viaJava.valueMemory(0));
			int written = 0;
			for (int r = 0; r < rows; r++) {
				for (int h = 0; h < heads + kvHeads; h++) {
					float[] expected = NaiveKernels.rope(slice(qkv, r * width + h * hd, hd), inverse, positions[r]);
					float[] got = (h < heads) ? slice(q, (r * heads + h) * hd, hd)
							: slice(keys, (int) (slots[r] * kvHeads + h - heads) * hd, hd);
					for (int i = 0; i < hd; i++) {
						assertThat(got[i]).as("row %d head %d dim %d", r, h, i).isCloseTo(expected[i], within(1e-5f));
					}
				}
				assertThat(slice(values, (int) slots[r] * kvHeads * hd, kvHeads * hd))
					.containsExactly(slice(qkv, r * width + (heads + kvHeads) * hd, kvHeads * hd));
				written += kvHeads * hd;
			}
			assertThat(count(keys)).isEqualTo(written);
			assertThat(count(values)).isEqualTo(written);
		}
	}

	@Test
	void swiGluOfTheFusedProjectionMatchesTheLoop() {
		int rows = 3;
		int inter = 16;
		float[] gateUp = randoms(rows * 2 * inter);
		float[] got = Kernels.swiGlu(manager.create(gateUp, new Shape(rows, 2 * inter)), inter)
			.reshape(-1)
			.toFloatArray();
		float[] expected = swiGluLoop(gateUp, rows, inter);
		for (int i = 0; i < expected.length; i++) {
			assertThat(got[i]).isCloseTo(expected[i], within(1e-5f));
		}
	}

	/**
	 * {@link NaiveKernels#swiGlu} of each row of {@code [rows, 2 · inter]}, row-major.
	 */
	private static float[] swiGluLoop(float[] gateUp, int rows, int inter) {
		float[] out = new float[rows * inter];
		for (int r = 0; r < rows; r++) {
			System.arraycopy(NaiveKernels.swiGlu(slice(gateUp, r * 2 * inter, inter),
					slice(gateUp, r * 2 * inter + inter, inter)), 0, out, r * inter, inter);
		}
		return out;
	}

	@Test
	void swiGluKernelReadsAProjectionsLayoutAndMatchesItsTwinAndTheLoop() {
		int rows = 5;
		// not a multiple of any vector width, so that the scalar tail runs too
		int inter = 37;
		float[] columns = randoms(2 * inter * rows);
		for (int i = 0; i < columns.length; i++) {
			columns[i] *= 4;
		}
		// a projection's output: the transposed view of a contiguous [2 · inter, rows]
		NDArray gateUp = manager.create(columns, new Shape(2 * inter, rows)).transpose();
		NDArray act = SwiGlu.apply(gateUp, inter, manager);
		assertThat(act.getShape()).isEqualTo(new Shape(rows, inter));
		assertThat(Torch.isContiguous(act.transpose())).as("in the layout the down projection reads").isTrue();
		float[] got = act.toFloatArray();
		float[] twin = Kernels.swiGlu(gateUp, inter).toFloatArray();
		for (int r = 0; r < rows; r++) {
			float[] gate = new float[inter];
			float[] up = new float[inter];
			for (int i = 0; i < inter; i++) {
				gate[i] = columns[i * rows + r];
				up[i] = columns[(inter + i) * rows + r];
			}
			float[] expected = NaiveKernels.swiGlu(gate, up);
			for (int i = 0; i < inter; i++) {
				int at = r * inter + i;
				assertThat(got[at]).as("row %d, element %d", r, i)
					.isCloseTo(twin[at], within(1e-6f * Math.max(1, Math.abs(twin[at]))))
					.isCloseTo(expected[i], within(1e-5f * Math.max(1, Math.abs(expected[i]))));
			}
		}
		// any other layout is left to the twin
		NDArray rowMajor = manager.create(randoms(rows * 2 * inter), new Shape(rows, 2 * inter));
		assertThat(SwiGlu.apply(rowMajor, inter, manager).toFloatArray())
			.containsExactly(Kernels.swiGlu(rowMajor, inter).toFloatArray());
	}

	@Test
	void swiGluOfRowsInAnArrayMatchesItsTwinAndTheLoop() {
		int rows = 5;
		// not a multiple of any vector width, so that the scalar tail runs too
		int inter = 37;
		float[] gateUp = randoms(rows * 2 * inter);
		for (int i = 0; i < gateUp.length; i++) {
			gateUp[i] *= 4;
		}
		NDArray act = SwiGlu.rows(gateUp, rows, inter, manager);
		assertThat(act.getShape()).isEqualTo(new Shape(rows, inter));
		assertThat(Torch.isContiguous(act)).as("rows, as down_proj's LoRA reads them").isTrue();
		float[] got = act.toFloatArray();
		float[] twin = Kernels.swiGlu(manager.create(gateUp, new Shape(rows, 2 * inter)), inter)
			.reshape(-1)
			.toFloatArray();
		float[] expected = swiGluLoop(gateUp, rows, inter);
		for (int at = 0; at < expected.length; at++) {
			assertThat(got[at]).as("row %d, element %d", at / inter, at % inter)
				.isCloseTo(twin[at], within(1e-6f * Math.max(1, Math.abs(twin[at]))))
				.isCloseTo(expected[at], within(1e-5f * Math.max(1, Math.abs(expected[at]))));
		}
		assertThatIllegalArgumentException().isThrownBy(() -> SwiGlu.rows(gateUp, rows + 1, inter, manager));
	}

	@Test
	void tensorHoldsItsValuesRowMajorAndRefusesAShapeTheyDoNotFill() {
		float[] values = randoms(6);
		NDArray tensor = Torch.tensor(manager, values, new Shape(2, 3));
		assertThat(tensor.getShape()).isEqualTo(new Shape(2, 3));
		assertThat(tensor.getDataType()).isEqualTo(DataType.FLOAT32);
		assertThat(tensor.toFloatArray()).containsExactly(values);
		assertThat(tensor.get(1).toFloatArray()).containsExactly(values[3], values[4], values[5]);
		assertThatIllegalArgumentException().isThrownBy(() -> Torch.tensor(manager, values, new Shape(7)))
			.withMessageContaining("6 values");
	}

	@Test
	void rmsNormMatchesTheLoop() {
		int rows = 4;
		int hidden = 32;
		float[] x = randoms(rows * hidden);
		float[] w = randoms(hidden);
		float[] got = Kernels.rmsNorm(manager.create(x, new Shape(rows, hidden)), manager.create(w), 1e-5f)
			.toFloatArray();
		for (int r = 0; r < rows; r++) {
			float[] expected = NaiveKernels.rmsNorm(slice(x, r * hidden, hidden), w, 1e-5f);
			for (int i = 0; i < hidden; i++) {
				assertThat(got[r * hidden + i]).isCloseTo(expected[i], within(1e-5f));
			}
		}
	}

	@Test
	void residualStreamInJavaAddsAsPyTorchAndNormsAsTheLoop() {
		int rows = 5;
		int hidden = 24;
		int in = 7;
		float[] embedded = randoms(rows * hidden);
		float[] w = randoms(hidden);
		float[] weight = randoms(hidden * in);
		float[] input = randoms(rows * in);
		float[] plain = randoms(rows * hidden);
		try (NDManager scope = manager.newSubManager()) {
			ResidualStream java = ResidualStream.of(scope.create(embedded, new Shape(rows, hidden)), true);
			ResidualStream torch = ResidualStream.of(scope.create(embedded, new Shape(rows, hidden)), false);
			// a projection's output (a transposed view) and a row-major array
			NDArray projected = Kernels.linear(scope.create(input, new Shape(rows, in)),
					scope.create(weight, new Shape(hidden, in)));
			NDArray rowMajor = scope.create(plain, new Shape(rows, hidden));
			for (ResidualStream stream : List.of(java, torch)) {
				stream.add(projected);
				stream.add(rowMajor);
			}
			float[] summed = scope.create(embedded, new Shape(rows, hidden))
				.add(projected)
				.add(rowMajor)
				.toFloatArray();
			// The Java sums are PyTorch's to the bit: the norm of each row is exactly the
			// loop's norm of PyTorch's sum.
			int[] picked = { 4, 1 };
			float[] got = java.norm(scope.create(w), w, 1e-5f, picked).toFloatArray();
			float[] tensor = torch.norm(scope.create(w), w, 1e-5f, picked).toFloatArray();
			assertThat(got).hasSize(picked.length * hidden);
			for (int p = 0; p < picked.length; p++) {
				float[] expected = NaiveKernels.rmsNorm(slice(summed, picked[p] * hidden, hidden), w, 1e-5f);
				assertThat(slice(got, p * hidden, hidden)).containsExactly(expected);
				for (int i = 0; i < hidden; i++) {
					assertThat(tensor[p * hidden + i]).isCloseTo(expected[i], within(1e-5f));
				}
			}
			assertThat(java.norm(scope.create(w), w, 1e-5f).getShape()).isEqualTo(new Shape(rows, hidden));
		}
	}

	@Test
	void maskedGroupedAttentionMatchesOneHeadAtATime() {
		int seqs = 2;
		int kvHeads = 2;
		int group = 3;
		int hd = 8;
		int context = 6;
		int[] visible = { 6, 4 };
		float[] q = randoms(seqs * kvHeads * group * hd);
		float[] k = randoms(seqs * kvHeads * context * hd);
		float[] v = randoms(seqs * kvHeads * context * hd);
		float[] mask = new float[seqs * context];
		for (int s = 0; s < seqs; s++) {
			for (int j = visible[s]; j < context; j++) {
				mask[s * context + j] = Float.NEGATIVE_INFINITY;
			}
		}
		float scale = (float) (1 / Math.sqrt(hd));
		float[] got = Kernels
			.attention(manager.create(q, new Shape(seqs, kvHeads, group, hd)),
					manager.create(k, new Shape(seqs, kvHeads, context, hd)),
					manager.create(v, new Shape(seqs, kvHeads, context, hd)),
					manager.create(mask, new Shape(seqs, 1, 1, context)), scale)
			.toFloatArray();
		for (int s = 0; s < seqs; s++) {
			for (int kh = 0; kh < kvHeads; kh++) {
				float[][] keys = new float[visible[s]][];
				float[][] values = new float[visible[s]][];
				for (int j = 0; j < visible[s]; j++) {
					keys[j] = slice(k, ((s * kvHeads + kh) * context + j) * hd, hd);
					values[j] = slice(v, ((s * kvHeads + kh) * context + j) * hd, hd);
				}
				for (int g = 0; g < group; g++) {
					int at = ((s * kvHeads + kh) * group + g) * hd;
					float[] expected = NaiveKernels.attention(slice(q, at, hd), keys, values);
					for (int i = 0; i < hd; i++) {
						assertThat(got[at + i]).isCloseTo(expected[i], within(1e-5f));
					}
				}
			}
		}
	}

	@Test
	void decodeAttentionReadsScatteredSlotsOfThePagedCacheAsOneHeadAtATime() {
		assertThat(Kernels.vectorApi()).as("the test JVM runs with --add-modules jdk.incubator.vector").isTrue();
		// Head widths of fewer elements than a vector (12), of whole blocks of four
		// vectors
		// of any species (64, 128), and of a block and a remainder (80, 76); contexts of
		// whole blocks of four keys and not
		for (int hd : new int[] { 12, 64, 76, 80, 128 }) {
			assertDecodeAttentionMatchesTheLoop(hd);
		}
	}

	private void assertDecodeAttentionMatchesTheLoop(int hd) {
		int kvHeads = 2;
		int group = 3;
		int slots = 64;
		int[] lengths = { 1, 5, 9, 17, 3 };
		float[] keys = randoms(slots * kvHeads * hd);
		float[] values = randoms(slots * kvHeads * hd);
		List<Long> shuffled = new ArrayList<>();
		for (long slot = 0; slot < slots; slot++) {
			shuffled.add(slot);
		}
		Collections.shuffle(shuffled, this.random);
		long[][] contexts = new long[lengths.length][];
		int taken = 0;
		for (int s = 0; s < lengths.length; s++) {
			contexts[s] = new long[lengths[s]];
			for (int j = 0; j < lengths[s]; j++) {
				contexts[s][j] = shuffled.get(taken++);
			}
		}
		int heads = kvHeads * group;
		float[] q = randoms(lengths.length * heads * hd);
		float[] got = DecodeAttention.attend(q, MemorySegment.ofArray(keys), MemorySegment.ofArray(values), contexts,
				kvHeads, group, hd, (float) (1 / Math.sqrt(hd)));
		assertThat(got).hasSize(q.length);
		for (int s = 0; s < lengths.length; s++) {
			for (int kh = 0; kh < kvHeads; kh++) {
				float[][] k = new float[lengths[s]][];
				float[][] v = new float[lengths[s]][];
				for (int j = 0; j < lengths[s]; j++) {
					int at = (int) (contexts[s][j] * kvHeads + kh) * hd;
					k[j] = slice(keys, at, hd);
					v[j] = slice(values, at, hd);
				}
				for (int g = 0; g < group; g++) {
					int at = ((s * kvHeads + kh) * group + g) * hd;
					float[] expected = NaiveKernels.attention(slice(q, at, hd), k, v);
					for (int i = 0; i < hd; i++) {
						assertThat(got[at + i]).as("head width %d, sequence %d head %d", hd, s, kh * group + g)
							.isCloseTo(expected[i], within(1e-5f));
					}
				}
			}
		}
	}

	private float[] randoms(int n) {
		float[] out = new float[n];
		for (int i = 0; i < n; i++) {
			out[i] = (float) this.random.nextGaussian();
		}
		return out;
	}

	private static double[] inverseFrequencies(int hd) {
		double[] inverse = new double[hd / 2];
		for (int i = 0; i < inverse.length; i++) {
			inverse[i] = Math.pow(10000, -2.0 * i / hd);
		}
		return inverse;
	}

	/**
	 * The forward pass's rotary tables, a row per position: cosines, and sines with the
	 * first half negated.
	 */
	private static void rotaryTables(double[] inverse, int[] positions, float[] cos, float[] signedSin) {
		int hd = 2 * inverse.length;
		for (int r = 0; r < positions.length; r++) {
			for (int i = 0; i < hd / 2; i++) {
				float angle = (float) inverse[i] * positions[r];
				cos[r * hd + i] = (float) Math.cos(angle);
				cos[r * hd + i + hd / 2] = (float) Math.cos(angle);
				signedSin[r * hd + i] = (float) -Math.sin(angle);
				signedSin[r * hd + i + hd / 2] = (float) Math.sin(angle);
			}
		}
	}

	/** {@code got} holds, row after row, each row of {@code x} through the naive twin. */
	private static void assertRowsAreLinear(float[] got, float[] x, float[] w, int rows, int in, int out) {
		for (int r = 0; r < rows; r++) {
			float[] expected = NaiveKernels.linear(slice(x, r * in, in), w, out);
			for (int o = 0; o < out; o++) {
				assertThat(got[r * out + o]).as("row %d col %d", r, o).isCloseTo(expected[o], within(1e-5f));
			}
		}
	}

	private static float[] floats(ByteBuffer memory) {
		float[] out = new float[memory.remaining() / Float.BYTES];
		memory.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer().get(out);
		return out;
	}

	/** Elements that are not zero. */
	private static int count(float[] a) {
		int n = 0;
		for (float f : a) {
			n += (f != 0) ? 1 : 0;
		}
		return n;
	}

	private static float[] slice(float[] a, int from, int length) {
		float[] out = new float[length];
		System.arraycopy(a, from, out, 0, length);
		return out;
	}

}
