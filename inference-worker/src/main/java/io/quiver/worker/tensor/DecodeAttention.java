package io.quiver.worker.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Grouped-query attention of decode rows (one query per sequence) on the CPU, straight
 * from the paged cache's memory with the Vector API.
 *
 * <p>
 * Each sequence reads its own keys and values once: a few dozen to a few thousand rows of
 * {@code kvHeads · headDim} floats, scattered over the cache's blocks. Through PyTorch
 * the same work is a gather of every sequence's keys and values into padded tensors, then
 * batched matmuls of a handful of rows each, a masked softmax and another batched matmul;
 * here each sequence's keys are dotted with the queries of their group as they are read,
 * the softmax runs over the sequence's own length (no padding, no mask), and the values
 * are summed into the output row. Sequences are shared out one at a time between the
 * calling thread and helpers ({@link RowWork}).
 *
 * <p>
 * The {@code jdk.incubator.vector} module must be in the boot layer
 * ({@code --add-modules jdk.incubator.vector}), or loading this class fails: callers
 * check {@link Kernels#vectorApi()} first. {@link Kernels#attention} is its twin, and the
 * path taken without the module.
 */
public final class DecodeAttention {

	private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

	private static final ByteOrder ORDER = ByteOrder.nativeOrder();

	private DecodeAttention() {
	}

	/**
	 * Attends each sequence's query heads over its context.
	 * @param q the queries, {@code [seqs, kvHeads · group, headDim]} row-major
	 * @param keys a layer's keys, {@code [slots, kvHeads, headDim]} float32 row-major
	 * @param values a layer's values, shaped as {@code keys}
	 * @param contexts each sequence's context, as slots of the cache, in position order
	 * @param kvHeads key/value heads
	 * @param group query heads per key/value head
	 * @param headDim the head dimension
	 * @param scale {@code 1 / sqrt(headDim)}
	 * @return {@code [seqs, kvHeads · group · headDim]} row-major
	 */
	public static float[] attend(float[] q, MemorySegment keys, MemorySegment values, long[][] contexts, int kvHeads,
			int group, int headDim, float scale) {
		int heads = kvHeads * group;
		float[] out = new float[contexts.length * heads * headDim];
		int longest = 0;
		for (long[] context : contexts) {
			longest = Math.max(longest, context.length);
		}
		int scratch = group * longest;
		RowWork.run(contexts.length, () -> new float[scratch], (s, scores) -> sequence(q, keys, values, contexts[s],
				s * heads * headDim, out, scores, kvHeads, group, headDim, scale));
		return out;
	}

	/**
	 * One sequence's heads, into its row of {@code out} (which starts at {@code row}).
	 */
	private static void sequence(float[] q, MemorySegment keys, MemorySegment values, long[] context, int row,
			float[] out, float[] scores, int kvHeads, int group, int headDim, float scale) {
		int length = context.length;
		long slotBytes = (long) kvHeads * headDim * Float.BYTES;
		for (int h = 0; h < kvHeads; h++) {
			int query = row + h * group * headDim;
			long headOffset = (long) h * headDim * Float.BYTES;
			for (int j = 0; j < length; j++) {
				long at = context[j] * slotBytes + headOffset;
				for (int gi = 0; gi < group; gi++) {
					scores[gi * length + j] = dot(q, query + gi * headDim, keys, at, headDim) * scale;
				}
			}
			for (int gi = 0; gi < group; gi++) {
				softmax(scores, gi * length, length);
			}
			for (int j = 0; j < length; j++) {
				long at = context[j] * slotBytes + headOffset;
				for (int gi = 0; gi < group; gi++) {
					accumulate(out, query + gi * headDim, scores[gi * length + j], values, at, headDim);
				}
			}
		}
	}

	private static float dot(float[] q, int from, MemorySegment keys, long at, int width) {
		FloatVector sum = FloatVector.zero(SPECIES);
		int lanes = SPECIES.length();
		int i = 0;
		for (; i <= width - lanes; i += lanes) {
			FloatVector k = FloatVector.fromMemorySegment(SPECIES, keys, at + (long) i * Float.BYTES, ORDER);
			sum = FloatVector.fromArray(SPECIES, q, from + i).fma(k, sum);
		}
		float total = sum.reduceLanes(VectorOperators.ADD);
		for (; i < width; i++) {
			total += q[from + i] * keys.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, at / Float.BYTES + i);
		}
		return total;
	}

	/** {@code x[from, from + length)} becomes its softmax, in place. */
	private static void softmax(float[] x, int from, int length) {
		float max = Float.NEGATIVE_INFINITY;
		for (int j = from; j < from + length; j++) {
			max = Math.max(max, x[j]);
		}
		int lanes = SPECIES.length();
		int j = from;
		FloatVector sums = FloatVector.zero(SPECIES);
		for (; j <= from + length - lanes; j += lanes) {
			FloatVector e = FloatVector.fromArray(SPECIES, x, j).sub(max).lanewise(VectorOperators.EXP);
			e.intoArray(x, j);
			sums = sums.add(e);
		}
		float sum = sums.reduceLanes(VectorOperators.ADD);
		for (; j < from + length; j++) {
			x[j] = (float) Math.exp(x[j] - max);
			sum += x[j];
		}
		float inverse = 1f / sum;
		for (j = from; j < from + length; j++) {
			x[j] *= inverse;
		}
	}

	/** {@code out[from, from + width) += weight · values[at …]}. */
	private static void accumulate(float[] out, int from, float weight, MemorySegment values, long at, int width) {
		int lanes = SPECIES.length();
		FloatVector w = FloatVector.broadcast(SPECIES, weight);
		int i = 0;
		for (; i <= width - lanes; i += lanes) {
			FloatVector v = FloatVector.fromMemorySegment(SPECIES, values, at + (long) i * Float.BYTES, ORDER);
			v.fma(w, FloatVector.fromArray(SPECIES, out, from + i)).intoArray(out, from + i);
		}
		for (; i < width; i++) {
			out[from + i] += weight * values.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, at / Float.BYTES + i);
		}
	}

}
