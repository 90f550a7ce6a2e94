package io.quiver.worker.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The step between a layer's qkv projection and its attention, for a cache in host
 * memory, as one pass over the rows in plain Java: rotary position embedding of the query
 * and key heads, keys and values stored in their cache slots, queries handed back
 * row-major.
 *
 * <p>
 * Through PyTorch the same step is {@link Kernels#rope} (a slice, a concatenation and
 * three elementwise ops over the strided projection), two scatters into the cache and a
 * copy of the queries out for {@link DecodeAttention}: about a dozen ops a layer on a few
 * hundred kilobytes, where each op's fixed cost dominates. The arithmetic is the same,
 * operation for operation ({@code x·cos + swap(x)·signedSin}, each product and the sum
 * rounded to fp32), so both give identical bits.
 */
public final class RotaryCacheWrite {

	private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

	private RotaryCacheWrite() {
	}

	/**
	 * Rotates and stores one layer's projections.
	 * @param qkv the projections, {@code [rows, (heads + 2 · kvHeads) · headDim]}
	 * row-major: query heads, then key heads, then value heads
	 * @param positions each row's position
	 * @param slots each row's flat cache slot
	 * @param cos cosines, {@code [positions, headDim]} row-major
	 * @param signedSin sines with the first half of each row negated, shaped as
	 * {@code cos}
	 * @param heads query heads
	 * @param kvHeads key/value heads
	 * @param headDim the head dimension (even)
	 * @param keys the layer's keys, {@code [slots, kvHeads, headDim]} float32 row-major
	 * @param values the layer's values, shaped as {@code keys}
	 * @return the rotated queries, {@code [rows, heads · headDim]} row-major
	 */
	public static float[] apply(float[] qkv, int[] positions, long[] slots, float[] cos, float[] signedSin, int heads,
			int kvHeads, int headDim, MemorySegment keys, MemorySegment values) {
		int rows = positions.length;
		int width = (heads + 2 * kvHeads) * headDim;
		int kvWidth = kvHeads * headDim;
		if (qkv.length != rows * width || slots.length != rows) {
			throw new IllegalArgumentException("expected " + rows + " rows of " + width + " projections and slots");
		}
		float[] q = new float[rows * heads * headDim];
		float[] key = new float[kvWidth];
		for (int r = 0; r < rows; r++) {
			int from = r * width;
			int table = positions[r] * headDim;
			for (int h = 0; h < heads; h++) {
				rotate(qkv, from + h * headDim, cos, signedSin, table, headDim, q, (r * heads + h) * headDim);
			}
			for (int h = 0; h < kvHeads; h++) {
				rotate(qkv, from + (heads + h) * headDim, cos, signedSin, table, headDim, key, h * headDim);
			}
			long at = slots[r] * kvWidth;
			MemorySegment.copy(key, 0, keys, FLOAT, at * Float.BYTES, kvWidth);
			MemorySegment.copy(qkv, from + (heads + kvHeads) * headDim, values, FLOAT, at * Float.BYTES, kvWidth);
		}
		return q;
	}

	private static void rotate(float[] x, int from, float[] cos, float[] signedSin, int table, int headDim, float[] out,
			int to) {
		int half = headDim / 2;
		for (int i = 0; i < half; i++) {
			out[to + i] = x[from + i] * cos[table + i] + x[from + half + i] * signedSin[table + i];
		}
		for (int i = half; i < headDim; i++) {
			out[to + i] = x[from + i] * cos[table + i] + x[from + i - half] * signedSin[table + i];
		}
	}

}
