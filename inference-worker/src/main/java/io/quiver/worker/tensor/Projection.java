package io.quiver.worker.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * A linear layer's weight, {@code [out, in]}, cut into blocks of output rows (views, no
 * copies) that the engine thread and the {@link RowWork} helpers multiply side by side,
 * each with PyTorch at one thread (see {@link Torch#oneThread}), each writing its block's
 * outputs straight into the pass's row-major array.
 *
 * <p>
 * This is how a decode pass on the CPU runs its projections and its LM head. Through
 * PyTorch's OpenMP threads, which the engine makes sleep when they wait (see
 * {@link Torch}), each of a pass's 121 matmuls (four a layer and the LM head) woke
 * OpenMP's worker, and each of the LoRA kernel's jobs between them woke the kernel's
 * helper, on a VM tens of microseconds each. Split here, the engine thread and the helper
 * share every matmul and every kernel job, and the helper spins between them for the
 * length of the pass ({@link RowWork#hot}). On a SmolLM2-sized model at 32 decode rows,
 * decode ran at 305.8 against 287.5 tokens/s on the base model and 256.4 against 235.3
 * with 32 rank-16 bf16 adapters (medians of 8 rounds of 32 tokens, both ways alternating
 * in one process, on a 2-vCPU EPYC).
 */
public final class Projection {

	private final NDArray weight;

	private final NDArray[] blocks;

	// each block's first output row, then out
	private final int[] firsts;

	private final int out;

	/**
	 * Cuts a weight into as many blocks as {@link RowWork} has threads.
	 * @param weight {@code [out, in]}, contiguous
	 */
	public Projection(NDArray weight) {
		this(weight, RowWork.threads());
	}

	/**
	 * Cuts a weight into blocks of at most {@code rows} output rows, and into at least as
	 * many blocks as {@link RowWork} has threads: for a weight so tall that one block a
	 * thread multiplies slower than smaller ones, which the threads take one by one.
	 * @param weight {@code [out, in]}, contiguous
	 * @param rows the most output rows a block has
	 * @return the projection
	 */
	public static Projection inBlocksOf(NDArray weight, int rows) {
		long out = weight.getShape().get(0);
		return new Projection(weight, (int) Math.max(RowWork.threads(), (out + rows - 1) / rows));
	}

	/**
	 * Cuts a weight into blocks of output rows.
	 * @param weight {@code [out, in]}, contiguous
	 * @param parts how many blocks
	 */
	public Projection(NDArray weight, int parts) {
		this.weight = weight;
		this.out = Math.toIntExact(weight.getShape().get(0));
		int count = Math.max(1, Math.min(parts, this.out));
		this.blocks = new NDArray[count];
		this.firsts = new int[count + 1];
		for (int i = 0; i < count; i++) {
			int from = (int) ((long) this.out * i / count);
			int to = (int) ((long) this.out * (i + 1) / count);
			this.firsts[i] = from;
			this.blocks[i] = weight.get(new NDIndex("{}:{}", from, to));
			// DJL reads a tensor's shape lazily into an unsynchronised field; read here,
			// before any other thread can see the block
			this.blocks[i].getShape();
		}
		this.firsts[count] = this.out;
	}

	/** The whole weight, {@code [out, in]}. */
	public NDArray weight() {
		return this.weight;
	}

	/** The output width. */
	public int out() {
		return this.out;
	}

	/**
	 * The projection of every row, {@code y = x·Wᵀ}, row-major: each block's
	 * {@code W_b·xᵀ} by whichever thread takes it, then transposed into its columns of
	 * the rows ({@link Kernels#transpose}).
	 * @param x {@code [rows, in]}
	 * @param previous a buffer whose elements the caller no longer needs, or null (see
	 * {@link Kernels#reuse})
	 * @return {@code [rows · out]} row-major: {@code previous} where it fits
	 */
	public float[] rows(NDArray x, float[] previous) {
		Shape shape = x.getShape();
		int rows = Math.toIntExact(shape.get(0));
		float[] target = Kernels.reuse(previous, Math.multiplyExact(rows, this.out));
		NDArray columns = x.transpose();
		// every thread's matmul reads the shape: read it once, before they share it (see
		// the constructor)
		columns.getShape();
		RowWork.run(this.blocks.length, () -> null, (b, none) -> {
			if (RowWork.isHelper()) {
				Torch.oneThreadForGood();
			}
			try (NDArray y = this.blocks[b].matMul(columns)) {
				ByteBuffer memory = y.toByteBuffer(true);
				try {
					int first = this.firsts[b];
					Kernels.transpose(MemorySegment.ofBuffer(memory), 0, rows, this.firsts[b + 1] - first, rows, target,
							first, this.out);
				}
				finally {
					Reference.reachabilityFence(memory);
				}
			}
		});
		return target;
	}

}
