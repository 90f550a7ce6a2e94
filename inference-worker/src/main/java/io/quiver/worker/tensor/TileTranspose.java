package io.quiver.worker.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A float32 matrix's transpose by 8 × 8 tiles transposed in registers with the Vector
 * API: eight loads, three rounds of eight two-vector permutes, eight stores a tile. A
 * projection's output is the transposed view of a contiguous {@code [out, rows]} (see
 * {@link Kernels#linear}); the Java steps of a pass read it row by row. For the gate and
 * up projection of a SmolLM2-sized model at 32 rows (98,304 floats), a transpose by tiles
 * took 16.7 µs on a 2-vCPU EPYC, where adding the LoRA deltas by gathering each column's
 * rows had cost about 120 µs a layer.
 *
 * <p>
 * The {@code jdk.incubator.vector} module must be in the boot layer, or loading this
 * class fails: callers check {@link Kernels#vectorApi()} first.
 */
final class TileTranspose {

	private static final VectorSpecies<Float> TILE = FloatVector.SPECIES_256;

	private static final int SIDE = 8;

	private static final ByteOrder ORDER = ByteOrder.nativeOrder();

	// Round h pairs the tile's vectors i and i + h (bit h of i clear) and swaps their
	// off-diagonal h × h blocks: afterwards bit h of a lane's row and of its column
	// have traded places. The three rounds commute, and together transpose the tile.
	private static final VectorShuffle<Float> LOW_1 = round(1, true);

	private static final VectorShuffle<Float> HIGH_1 = round(1, false);

	private static final VectorShuffle<Float> LOW_2 = round(2, true);

	private static final VectorShuffle<Float> HIGH_2 = round(2, false);

	private static final VectorShuffle<Float> LOW_4 = round(4, true);

	private static final VectorShuffle<Float> HIGH_4 = round(4, false);

	private TileTranspose() {
	}

	/**
	 * Whether the tiles' 256-bit vectors are native here (AVX2, AVX-512), rather than
	 * emulated.
	 * @return whether {@link #transpose} is the fast way
	 */
	static boolean native256() {
		return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= TILE.vectorBitSize();
	}

	/**
	 * The two-vector permute of round {@code h}: of vectors {@code a} and {@code b}, the
	 * low result takes lane {@code p} of {@code a} where bit {@code h} of {@code p} is
	 * clear, else lane {@code p - h} of {@code b}; the high result takes lane
	 * {@code p + h} of {@code a}, or lane {@code p} of {@code b}. An index of
	 * {@code SIDE} or more selects from the second vector.
	 */
	private static VectorShuffle<Float> round(int h, boolean low) {
		int[] lanes = new int[SIDE];
		for (int p = 0; p < SIDE; p++) {
			boolean fromA = (p & h) == 0;
			lanes[p] = low ? (fromA ? p : SIDE + p - h) : (fromA ? p + h : SIDE + p);
		}
		return VectorShuffle.fromArray(TILE, lanes, 0);
	}

	/**
	 * Writes the transpose of a float32 matrix of {@code rows × columns} elements in
	 * native memory, whose rows lie {@code sourceLine} elements apart, into an array
	 * whose rows lie {@code targetLine} elements apart: {@code target[c][r] =
	 * source[r][c]}. (Native memory in, an array out, always: the Vector API's loads and
	 * stores ran four times slower where one call site saw both kinds of memory.)
	 * @param source the source's memory, native
	 * @param from the index of the source's first element
	 * @param sourceLine the elements from one source row to the next
	 * @param rows the source's rows
	 * @param columns the source's columns
	 * @param target the target
	 * @param to the index of the target's first element
	 * @param targetLine the elements from one target row (a source column) to the next
	 */
	static void transpose(MemorySegment source, long from, long sourceLine, int rows, int columns, float[] target,
			int to, int targetLine) {
		int fullRows = rows - rows % SIDE;
		int fullColumns = columns - columns % SIDE;
		// Eight lines of the target at a time, each written front to back: a tile's
		// stores to 32 target lines at once ran five times slower (a 3,072 × 32
		// source: 110 against 23 µs).
		for (int c = 0; c < fullColumns; c += SIDE) {
			for (int r = 0; r < fullRows; r += SIDE) {
				tile(source, (from + r * sourceLine + c) * Float.BYTES, sourceLine * Float.BYTES, target,
						to + c * targetLine + r, targetLine);
			}
		}
		for (int c = 0; c < columns; c++) {
			for (int r = (c < fullColumns) ? fullRows : 0; r < rows; r++) {
				target[to + c * targetLine + r] = source.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED,
						from + r * sourceLine + c);
			}
		}
	}

	/**
	 * One tile: the 8 × 8 elements from byte {@code at} of the source, transposed, to
	 * element {@code to} of the target.
	 */
	private static void tile(MemorySegment source, long at, long line, float[] target, int to, int targetLine) {
		FloatVector v0 = FloatVector.fromMemorySegment(TILE, source, at, ORDER);
		FloatVector v1 = FloatVector.fromMemorySegment(TILE, source, at + line, ORDER);
		FloatVector v2 = FloatVector.fromMemorySegment(TILE, source, at + 2 * line, ORDER);
		FloatVector v3 = FloatVector.fromMemorySegment(TILE, source, at + 3 * line, ORDER);
		FloatVector v4 = FloatVector.fromMemorySegment(TILE, source, at + 4 * line, ORDER);
		FloatVector v5 = FloatVector.fromMemorySegment(TILE, source, at + 5 * line, ORDER);
		FloatVector v6 = FloatVector.fromMemorySegment(TILE, source, at + 6 * line, ORDER);
		FloatVector v7 = FloatVector.fromMemorySegment(TILE, source, at + 7 * line, ORDER);
		FloatVector a0 = v0.rearrange(LOW_1, v1);
		FloatVector a1 = v0.rearrange(HIGH_1, v1);
		FloatVector a2 = v2.rearrange(LOW_1, v3);
		FloatVector a3 = v2.rearrange(HIGH_1, v3);
		FloatVector a4 = v4.rearrange(LOW_1, v5);
		FloatVector a5 = v4.rearrange(HIGH_1, v5);
		FloatVector a6 = v6.rearrange(LOW_1, v7);
		FloatVector a7 = v6.rearrange(HIGH_1, v7);
		FloatVector b0 = a0.rearrange(LOW_2, a2);
		FloatVector b2 = a0.rearrange(HIGH_2, a2);
		FloatVector b1 = a1.rearrange(LOW_2, a3);
		FloatVector b3 = a1.rearrange(HIGH_2, a3);
		FloatVector b4 = a4.rearrange(LOW_2, a6);
		FloatVector b6 = a4.rearrange(HIGH_2, a6);
		FloatVector b5 = a5.rearrange(LOW_2, a7);
		FloatVector b7 = a5.rearrange(HIGH_2, a7);
		b0.rearrange(LOW_4, b4).intoArray(target, to);
		b1.rearrange(LOW_4, b5).intoArray(target, to + targetLine);
		b2.rearrange(LOW_4, b6).intoArray(target, to + 2 * targetLine);
		b3.rearrange(LOW_4, b7).intoArray(target, to + 3 * targetLine);
		b0.rearrange(HIGH_4, b4).intoArray(target, to + 4 * targetLine);
		b1.rearrange(HIGH_4, b5).intoArray(target, to + 5 * targetLine);
		b2.rearrange(HIGH_4, b6).intoArray(target, to + 6 * targetLine);
		b3.rearrange(HIGH_4, b7).intoArray(target, to + 7 * targetLine);
	}

}
