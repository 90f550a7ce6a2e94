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
		int scratch = longest;
		RowWork.run(contexts.length, () -> new float[scratch], (s, scores) -> sequence(q, keys, values, contexts[s],
				s * heads * headDim, out, scores, kvHeads, group, headDim, scale));
		return out;
	}

	/**
	 * One sequence's heads, into its row of {@code out} (which starts at {@code row}):
	 * for each query head, its scores over the context, their softmax, and the values
	 * they weigh.
	 */
	private static void sequence(float[] q, MemorySegment keys, MemorySegment values, long[] context, int row,
			float[] out, float[] scores, int kvHeads, int group, int headDim, float scale) {
		int length = context.length;
		long slotBytes = (long) kvHeads * headDim * Float.BYTES;
		for (int h = 0; h < kvHeads; h++) {
			long headOffset = (long) h * headDim * Float.BYTES;
			for (int gi = 0; gi < group; gi++) {
				int query = row + (h * group + gi) * headDim;
				scores(q, query, keys, context, slotBytes, headOffset, headDim, scale, scores);
				softmax(scores, 0, length);
				weigh(scores, values, context, slotBytes, headOffset, headDim, out, query);
			}
		}
	}

	/**
	 * {@code scores[j] = scale · q·k_j} over the context, four keys at a time, so that
	 * their sums run side by side rather than one waiting on the other.
	 */
	private static void scores(float[] q, int from, MemorySegment keys, long[] context, long slotBytes, long headOffset,
			int width, float scale, float[] scores) {
		int lanes = SPECIES.length();
		int bound = SPECIES.loopBound(width);
		int length = context.length;
		int j = 0;
		for (; j + 4 <= length; j += 4) {
			long a0 = context[j] * slotBytes + headOffset;
			long a1 = context[j + 1] * slotBytes + headOffset;
			long a2 = context[j + 2] * slotBytes + headOffset;
			long a3 = context[j + 3] * slotBytes + headOffset;
			FloatVector s0 = FloatVector.zero(SPECIES);
			FloatVector s1 = s0;
			FloatVector s2 = s0;
			FloatVector s3 = s0;
			for (int i = 0; i < bound; i += lanes) {
				FloatVector qv = FloatVector.fromArray(SPECIES, q, from + i);
				long at = (long) i * Float.BYTES;
				s0 = qv.fma(FloatVector.fromMemorySegment(SPECIES, keys, a0 + at, ORDER), s0);
				s1 = qv.fma(FloatVector.fromMemorySegment(SPECIES, keys, a1 + at, ORDER), s1);
				s2 = qv.fma(FloatVector.fromMemorySegment(SPECIES, keys, a2 + at, ORDER), s2);
				s3 = qv.fma(FloatVector.fromMemorySegment(SPECIES, keys, a3 + at, ORDER), s3);
			}
			scores[j] = (s0.reduceLanes(VectorOperators.ADD) + tail(q, from, keys, a0, bound, width)) * scale;
			scores[j + 1] = (s1.reduceLanes(VectorOperators.ADD) + tail(q, from, keys, a1, bound, width)) * scale;
			scores[j + 2] = (s2.reduceLanes(VectorOperators.ADD) + tail(q, from, keys, a2, bound, width)) * scale;
			scores[j + 3] = (s3.reduceLanes(VectorOperators.ADD) + tail(q, from, keys, a3, bound, width)) * scale;
		}
		for (; j < length; j++) {
			long a = context[j] * slotBytes + headOffset;
			FloatVector sum = FloatVector.zero(SPECIES);
			for (int i = 0; i < bound; i += lanes) {
				sum = FloatVector.fromArray(SPECIES, q, from + i)
					.fma(FloatVector.fromMemorySegment(SPECIES, keys, a + (long) i * Float.BYTES, ORDER), sum);
			}
			scores[j] = (sum.reduceLanes(VectorOperators.ADD) + tail(q, from, keys, a, bound, width)) * scale;
		}
	}

	/** {@code Σ q[from + i]·k[i]} over the elements past the vector loop. */
	private static float tail(float[] q, int from, MemorySegment keys, long at, int start, int width) {
		float sum = 0;
		for (int i = start; i < width; i++) {
			sum += q[from + i] * keys.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, at / Float.BYTES + i);
		}
		return sum;
	}

	/**
	 * {@code out[from, from + width) += Σ_j weights[j]·v_j}, four vectors of the row at a
	 * time held in registers over the whole context, rather than read and written back
	 * for every value row.
	 */
	private static void weigh(float[] weights, MemorySegment values, long[] context, long slotBytes, long headOffset,
			int width, float[] out, int from) {
		int lanes = SPECIES.length();
		int length = context.length;
		int i = 0;
		for (; i + 4 * lanes <= width; i += 4 * lanes) {
			FloatVector o0 = FloatVector.fromArray(SPECIES, out, from + i);
			FloatVector o1 = FloatVector.fromArray(SPECIES, out, from + i + lanes);
			FloatVector o2 = FloatVector.fromArray(SPECIES, out, from + i + 2 * lanes);
			FloatVector o3 = FloatVector.fromArray(SPECIES, out, from + i + 3 * lanes);
			for (int j = 0; j < length; j++) {
				long at = context[j] * slotBytes + headOffset + (long) i * Float.BYTES;
				FloatVector w = FloatVector.broadcast(SPECIES, weights[j]);
				o0 = FloatVector.fromMemorySegment(SPECIES, values, at, ORDER).fma(w, o0);
				o1 = FloatVector.fromMemorySegment(SPECIES, values, at + (long) lanes * Float.BYTES, ORDER).fma(w, o1);
				o2 = FloatVector.fromMemorySegment(SPECIES, values, at + 2L * lanes * Float.BYTES, ORDER).fma(w, o2);
				o3 = FloatVector.fromMemorySegment(SPECIES, values, at + 3L * lanes * Float.BYTES, ORDER).fma(w, o3);
			}
			o0.intoArray(out, from + i);
			o1.intoArray(out, from + i + lanes);
			o2.intoArray(out, from + i + 2 * lanes);
			o3.intoArray(out, from + i + 3 * lanes);
		}
		for (; i + lanes <= width; i += lanes) {
			FloatVector o = FloatVector.fromArray(SPECIES, out, from + i);
			for (int j = 0; j < length; j++) {
				long at = context[j] * slotBytes + headOffset + (long) i * Float.BYTES;
				o = FloatVector.fromMemorySegment(SPECIES, values, at, ORDER)
					.fma(FloatVector.broadcast(SPECIES, weights[j]), o);
			}
			o.intoArray(out, from + i);
		}
		for (; i < width; i++) {
			float o = out[from + i];
			for (int j = 0; j < length; j++) {
				o += weights[j] * values.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED,
						(context[j] * slotBytes + headOffset) / Float.BYTES + i);
			}
			out[from + i] = o;
		}
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

}
