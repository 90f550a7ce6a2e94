package io.quiver.worker.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * The fused tensor routines of a decoder layer. Each is written as few large NDArray ops
 * (a tiny op costs microseconds); {@link NaiveKernels} holds the straightforward twin of
 * each.
 */
public final class Kernels {

	private Kernels() {
	}

	/**
	 * Whether the Vector API ({@code jdk.incubator.vector}) is in the boot layer, so that
	 * the kernels written with it ({@link DecodeAttention}) can be loaded.
	 * @return whether they can run
	 */
	public static boolean vectorApi() {
		return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
	}

	/**
	 * A linear projection {@code x · Wᵀ}, with W in Hugging Face's {@code [out, in]}
	 * layout, computed as {@code (W · xᵀ)ᵀ}: with few rows (decode), BLAS runs this
	 * operand order about twice as fast on CPU as {@code x · Wᵀ} (the LM head of a
	 * SmolLM2-sized model at 32 rows: 84 against 152 ms on a 2-vCPU EPYC).
	 * @param x the rows, {@code [rows, in]}
	 * @param weight {@code [out, in]}
	 * @return {@code [rows, out]}, a transposed view of a contiguous {@code [out, rows]}
	 */
	public static NDArray linear(NDArray x, NDArray weight) {
		return weight.matMul(x.transpose()).transpose();
	}

	/** Source rows read per pass of {@link #transpose} without tiles. */
	private static final int TRANSPOSE_BLOCK = 128;

	// whether transpose goes by tiles in registers (see TileTranspose)
	private static final boolean TILES = vectorApi() && TileTranspose.native256();

	/**
	 * The elements of a {@link #linear} result in row-major order: the logits of a pass,
	 * and the projections' outputs that the Java steps of a pass read. That result is a
	 * transposed view of a contiguous {@code [out, rows]}; PyTorch's copy of the view
	 * into row-major order walks it column by column, and for the LM head of a
	 * SmolLM2-sized model at 32 rows (49,152 × 32 floats) took 22–31 ms against 1.5–8 ms
	 * for a blocked transpose straight from the tensor's memory (a tenth of a 32-row
	 * decode step), which {@link TileTranspose} does where it can, else the loop here.
	 * Any other layout is copied by PyTorch.
	 * @param y {@code [rows, out]}
	 * @return {@code [rows · out]}, row-major
	 */
	public static float[] rowMajor(NDArray y) {
		return rowMajor(y, null);
	}

	/**
	 * {@link #rowMajor(NDArray)} into a buffer of the caller's where it fits (see
	 * {@link #reuse}).
	 * @param y {@code [rows, out]}
	 * @param previous an array whose elements the caller no longer needs, or null
	 * @return {@code [rows · out]}, row-major: {@code previous} where it fits
	 */
	public static float[] rowMajor(NDArray y, float[] previous) {
		Shape shape = y.getShape();
		NDArray columns = y.transpose();
		if (shape.dimension() != 2 || Torch.isContiguous(y) || !Torch.isContiguous(columns)) {
			return y.reshape(-1).toFloatArray();
		}
		int rows = Math.toIntExact(shape.get(0));
		int out = Math.toIntExact(shape.get(1));
		ByteBuffer memory = columns.toByteBuffer(true);
		try {
			MemorySegment source = MemorySegment.ofBuffer(memory);
			float[] result = reuse(previous, Math.multiplyExact(rows, out));
			transpose(source, 0, rows, out, rows, result, 0, out);
			return result;
		}
		finally {
			Reference.reachabilityFence(memory);
			Reference.reachabilityFence(columns);
		}
	}

	/**
	 * A buffer for a pass's rows: {@code previous} when it has exactly {@code length}
	 * elements, else a new array. A forward pass hands each layer's step the buffer the
	 * layer before used for the same rows, whose elements it no longer needs, rather than
	 * allocating one per layer: a 32-row decode pass of a SmolLM2-sized model allocated
	 * 24 MB of such rows with adapters (12 MB without), each fresh array zeroed, then
	 * written, through memory that is not in cache. Reused, the buffers stay in cache:
	 * passes took 112.3 against 113.4 ms without adapters and 134.1 against 135.8 ms with
	 * 32 bf16 adapters (means of about 185 passes each, alternating pass by pass in one
	 * process, on a 2-vCPU EPYC).
	 * @param previous the earlier buffer, or null
	 * @param length the elements needed
	 * @return an array of {@code length} floats, its elements unspecified
	 */
	public static float[] reuse(float[] previous, int length) {
		return (previous != null && previous.length == length) ? previous : new float[length];
	}

	/**
	 * Writes the transpose of a float32 matrix in native memory into an array:
	 * {@code target[to + c·targetLine + r] = source[from + r·sourceLine + c]} for
	 * {@code r < rows}, {@code c < columns} (indices in floats), by
	 * {@link TileTranspose}'s tiles where it can, else element by element.
	 * @param source the source's memory, native
	 * @param from the index of the source's first element
	 * @param sourceLine the elements from one source row to the next
	 * @param rows the source's rows
	 * @param columns the source's columns
	 * @param target the target
	 * @param to the index of the target's first element
	 * @param targetLine the elements from one target row (a source column) to the next
	 */
	public static void transpose(MemorySegment source, long from, long sourceLine, int rows, int columns,
			float[] target, int to, int targetLine) {
		if (TILES) {
			TileTranspose.transpose(source, from, sourceLine, rows, columns, target, to, targetLine);
			return;
		}
		// A block of the source's lines stays in cache while every target row takes its
		// run.
		for (int block = 0; block < rows; block += TRANSPOSE_BLOCK) {
			int end = Math.min(rows, block + TRANSPOSE_BLOCK);
			for (int c = 0; c < columns; c++) {
				for (int r = block; r < end; r++) {
					target[to + c * targetLine + r] = source.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED,
							from + r * sourceLine + c);
				}
			}
		}
	}

	/**
	 * RMSNorm, as Hugging Face's {@code LlamaRMSNorm}:
	 * {@code x / sqrt(mean(x²) + eps) · w}.
	 * @param x the activations, {@code [rows, hidden]}
	 * @param weight the norm's weight, {@code [hidden]}
	 * @param eps {@code rms_norm_eps}
	 * @return {@code [rows, hidden]}
	 */
	public static NDArray rmsNorm(NDArray x, NDArray weight, float eps) {
		NDArray variance = x.square().mean(new int[] { -1 }, true);
		return x.mul(variance.add(eps).pow(-0.5f)).mul(weight);
	}

	/**
	 * Rotary position embedding on query and key heads at once, as Hugging Face's
	 * {@code apply_rotary_pos_emb}: {@code x·cos + rotate_half(x)·sin}, where
	 * {@code rotate_half(x) = cat(-x₂, x₁)} is computed as {@code cat(x₂, x₁)} times a
	 * sine whose first half is negated (exact in fp32): one copy and three elementwise
	 * ops.
	 * @param x query and key heads, {@code [rows, heads, headDim]}
	 * @param cos cosines of each row's position, {@code [rows, 1, headDim]}
	 * @param signedSin sines of each row's position, first half negated,
	 * {@code [rows, 1, headDim]}
	 * @return {@code [rows, heads, headDim]}
	 */
	public static NDArray rope(NDArray x, NDArray cos, NDArray signedSin) {
		long half = x.getShape().get(2) / 2;
		NDArray swapped = x.get(new NDIndex(":, :, {}:", half)).concat(x.get(new NDIndex(":, :, :{}", half)), 2);
		return x.mul(cos).add(swapped.mul(signedSin));
	}

	/**
	 * SwiGLU, as Hugging Face's {@code LlamaMLP}: {@code silu(gate) · up}, from the fused
	 * gate and up projection.
	 * @param gateUp {@code [rows, 2 · intermediate]}, gate first
	 * @param intermediate {@code intermediate_size}
	 * @return {@code [rows, intermediate]}
	 */
	public static NDArray swiGlu(NDArray gateUp, int intermediate) {
		NDArray gate = gateUp.get(new NDIndex(":, :{}", intermediate));
		NDArray up = gateUp.get(new NDIndex(":, {}:", intermediate));
		return gate.mul(Activation.sigmoid(gate)).mul(up);
	}

	/**
	 * Grouped-query attention of many sequences at once, each with its own context in the
	 * gathered cache and an additive mask that hides what a query may not see.
	 * @param q queries, {@code [seqs, kvHeads, group · queries, headDim]}
	 * @param k keys, {@code [seqs, kvHeads, context, headDim]}
	 * @param v values, {@code [seqs, kvHeads, context, headDim]}
	 * @param mask 0 or -inf, {@code [seqs, 1, group · queries, context]}
	 * @param scale {@code 1 / sqrt(headDim)}
	 * @return {@code [seqs, kvHeads, group · queries, headDim]}
	 */
	public static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask, float scale) {
		NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale).add(mask);
		return scores.softmax(-1).matMul(v);
	}

}
