package io.quiver.worker.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SwiGLU on the CPU with the Vector API, straight from the fused gate and up projection's
 * memory.
 *
 * <p>
 * A projection's output is a transposed view of a contiguous {@code [out, rows]} (see
 * {@link Kernels#linear}), so the gate and the up halves are each one contiguous run of
 * {@code intermediate · rows} floats, and so is the result, in the layout the down
 * projection reads. Through PyTorch the same work is three elementwise ops over strided
 * views, each with a fresh output ({@link Kernels#swiGlu}, its twin). With this kernel, a
 * 32-row decode pass of a SmolLM2-sized model took 111.5 and 116.0 ms against 114.2 and
 * 118.5 ms with the twin (medians of 40 passes alternating between the two, two runs, on
 * a 2-vCPU EPYC).
 *
 * <p>
 * In a pass whose LoRA deltas the kernel adds row by row, the pass transposes gate and
 * up's output into rows by tiles ({@link Kernels#rowMajor}), the kernel sums each row's
 * products straight into its row there, and {@link #rows} writes SwiGLU's rows, the
 * layout {@code down_proj}'s LoRA reads as it is. Adding the deltas to the transposed
 * output in chunks of columns once every row is done, and transposing {@code down_proj}'s
 * input back into rows for the kernel, took 2.5–5.4 ms more a 32-row pass with 32 bf16
 * adapters (medians of 40 passes, both ways alternating in one process, three runs).
 * Without adapters the transpose would buy nothing, and the base model keeps the
 * projection's layout: with rows, its passes took 127.9, 74.8 and 147.2 ms against 125.7,
 * 77.1 and 145.2 ms (32, 8 and 32 rows, alternating).
 *
 * <p>
 * It computes what the twin does, in the twin's order: {@code sigmoid(g) = 1 / (1 +
 * exp(-g))}, then {@code g · sigmoid(g)}, then times {@code up}, in fp32; the vector
 * {@code exp} may differ from PyTorch's in the last bit.
 *
 * <p>
 * The {@code jdk.incubator.vector} module must be in the boot layer, or loading this
 * class fails: callers check {@link Kernels#vectorApi()} first.
 */
public final class SwiGlu {

	private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

	private static final ByteOrder ORDER = ByteOrder.nativeOrder();

	private SwiGlu() {
	}

	/**
	 * {@code silu(gate) · up} of every row.
	 * @param gateUp {@code [rows, 2 · intermediate]}, gate first, fp32
	 * @param intermediate {@code intermediate_size}
	 * @param manager where to create the result
	 * @return {@code [rows, intermediate]}, a transposed view of a contiguous
	 * {@code [intermediate, rows]}; computed by {@link Kernels#swiGlu} when
	 * {@code gateUp} is not the transposed view of a contiguous fp32 tensor in host
	 * memory
	 */
	public static NDArray apply(NDArray gateUp, int intermediate, NDManager manager) {
		NDArray columns = gateUp.transpose();
		if (gateUp.getDataType() != DataType.FLOAT32 || gateUp.getDevice().isGpu() || !Torch.isContiguous(columns)) {
			return Kernels.swiGlu(gateUp, intermediate);
		}
		int rows = Math.toIntExact(gateUp.getShape().get(0));
		int count = Math.multiplyExact(intermediate, rows);
		NDArray act = manager.create(new Shape(intermediate, rows), DataType.FLOAT32);
		ByteBuffer memory = columns.toByteBuffer(true);
		ByteBuffer out = act.toByteBuffer(true);
		try {
			compute(MemorySegment.ofBuffer(memory), count, MemorySegment.ofBuffer(out));
			return act.transpose();
		}
		finally {
			Reference.reachabilityFence(memory);
			Reference.reachabilityFence(out);
		}
	}

	/**
	 * {@code silu(gate) · up} of rows that the pass holds in a Java array, where the LoRA
	 * kernel has added each row's delta: the rows are written in the layout
	 * {@code down_proj}'s LoRA reads as it is.
	 * @param gateUp {@code [rows · 2 · intermediate]} row-major, each row's gate first
	 * @param rows the rows
	 * @param intermediate {@code intermediate_size}
	 * @param manager where to create the result, on the CPU
	 * @return {@code [rows, intermediate]}, contiguous
	 */
	public static NDArray rows(float[] gateUp, int rows, int intermediate, NDManager manager) {
		if (gateUp.length != Math.multiplyExact(2 * rows, intermediate)) {
			throw new IllegalArgumentException("expected " + rows + " rows of " + 2 * intermediate);
		}
		NDArray act = manager.create(new Shape(rows, intermediate), DataType.FLOAT32);
		ByteBuffer memory = act.toByteBuffer(true);
		try {
			MemorySegment out = MemorySegment.ofBuffer(memory);
			for (int r = 0; r < rows; r++) {
				compute(gateUp, 2 * r * intermediate, intermediate, out, (long) r * intermediate * Float.BYTES);
			}
			return act;
		}
		finally {
			Reference.reachabilityFence(memory);
		}
	}

	/**
	 * {@code out[i] = g · sigmoid(g) · up[i]}, where {@code g} is element {@code i} and
	 * {@code up} follows the gate in {@code gateUp}.
	 */
	static void compute(MemorySegment gateUp, int count, MemorySegment out) {
		long upAt = (long) count * Float.BYTES;
		int lanes = SPECIES.length();
		int bound = SPECIES.loopBound(count);
		FloatVector one = FloatVector.broadcast(SPECIES, 1f);
		int i = 0;
		for (; i < bound; i += lanes) {
			long at = (long) i * Float.BYTES;
			FloatVector g = FloatVector.fromMemorySegment(SPECIES, gateUp, at, ORDER);
			FloatVector up = FloatVector.fromMemorySegment(SPECIES, gateUp, upAt + at, ORDER);
			swiGlu(g, up, one).intoMemorySegment(out, at, ORDER);
		}
		for (; i < count; i++) {
			long at = (long) i * Float.BYTES;
			out.set(ValueLayout.JAVA_FLOAT_UNALIGNED, at, swiGlu(gateUp.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at),
					gateUp.get(ValueLayout.JAVA_FLOAT_UNALIGNED, upAt + at)));
		}
	}

	/**
	 * The same for a row of a Java array, whose gate starts at element {@code from} and
	 * whose up follows it, into {@code out} from byte {@code outAt}. The array is read as
	 * an array: through a segment over it, the Vector API's loads made a 32-row pass's
	 * SwiGLU (rows of 2 × 1536) take 54.6 against 48.7 µs a layer (means of 5,490 calls
	 * each way, toggled round by round in the engine).
	 */
	static void compute(float[] gateUp, int from, int count, MemorySegment out, long outAt) {
		int lanes = SPECIES.length();
		int bound = SPECIES.loopBound(count);
		FloatVector one = FloatVector.broadcast(SPECIES, 1f);
		int i = 0;
		for (; i < bound; i += lanes) {
			FloatVector g = FloatVector.fromArray(SPECIES, gateUp, from + i);
			FloatVector up = FloatVector.fromArray(SPECIES, gateUp, from + count + i);
			swiGlu(g, up, one).intoMemorySegment(out, outAt + (long) i * Float.BYTES, ORDER);
		}
		for (; i < count; i++) {
			out.set(ValueLayout.JAVA_FLOAT_UNALIGNED, outAt + (long) i * Float.BYTES,
					swiGlu(gateUp[from + i], gateUp[from + count + i]));
		}
	}

	private static FloatVector swiGlu(FloatVector g, FloatVector up, FloatVector one) {
		FloatVector sigmoid = one.div(g.neg().lanewise(VectorOperators.EXP).add(one));
		return g.mul(sigmoid).mul(up);
	}

	private static float swiGlu(float g, float up) {
		float sigmoid = 1f / (1f + (float) Math.exp(-g));
		return g * sigmoid * up;
	}

}
